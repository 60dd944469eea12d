package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// errorBody is every error response's shape.
type errorBody struct {
	Error     string `json:"error"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// fieldError is a bad request naming the field at fault.
type fieldError struct {
	Status int
	Field  string
	Msg    string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Msg }

func badRequest(field, msg string) error {
	return &fieldError{Status: http.StatusBadRequest, Field: field, Msg: msg}
}

func unprocessable(field, msg string) error {
	return &fieldError{Status: http.StatusUnprocessableEntity, Field: field, Msg: msg}
}

var (
	errUnauthorized = errors.New("login required")
	errForbidden    = errors.New("your role may not do this")
)

// fail is the one error mapper: known errors become their status with a
// message for the caller; anything else is logged and answered 500 with no
// internals shown.
func (s *Server) fail(c *gin.Context, err error) {
	rid := c.GetString(requestIDKey)
	// A database that cannot be reached is a 503 (try again), whatever
	// query noticed it.
	err = store.WrapUnavailable(err)
	var fe *fieldError
	var ie *store.InvalidError
	var ve *workflows.ValidationError
	var appErr *temporal.ApplicationError
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &fe):
		c.AbortWithStatusJSON(fe.Status, errorBody{Error: fe.Msg, Field: fe.Field, RequestID: rid})
	case errors.As(err, &ie):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: ie.Msg, Field: ie.Field, RequestID: rid})
	case errors.As(err, &ve):
		c.AbortWithStatusJSON(ve.HTTPStatus(), errorBody{Error: ve.Message, Field: ve.Field, RequestID: rid})
	case errors.As(err, &appErr) && workflows.IsValidationType(appErr.Type()):
		v := workflows.ValidationFromApplicationError(appErr)
		c.AbortWithStatusJSON(v.HTTPStatus(), errorBody{Error: v.Message, Field: v.Field, RequestID: rid})
	case errors.As(err, &appErr) && appErr.Type() == "Conflict":
		c.AbortWithStatusJSON(http.StatusConflict, errorBody{Error: appErr.Message(), RequestID: rid})
	case errors.Is(err, errUnauthorized):
		c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: err.Error(), RequestID: rid})
	case errors.Is(err, errForbidden):
		c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: err.Error(), RequestID: rid})
	case errors.Is(err, store.ErrNotFound):
		c.AbortWithStatusJSON(http.StatusNotFound, errorBody{Error: "not found", RequestID: rid})
	case errors.Is(err, store.ErrConflict):
		c.AbortWithStatusJSON(http.StatusConflict, errorBody{Error: err.Error(), RequestID: rid})
	case errors.As(err, &unavailable), errors.As(err, &deadline), errors.Is(err, store.ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded):
		// Temporal or the database did not answer within the request's time.
		s.deps.Log.Warn("dependency unavailable", "route", c.FullPath(), "requestId", rid, "err", err)
		c.Header("Retry-After", "5")
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, errorBody{Error: "service temporarily unavailable, try again shortly", RequestID: rid})
	default:
		s.deps.Log.Error("request failed", "route", c.FullPath(), "requestId", rid, "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: "internal error", RequestID: rid})
	}
}
