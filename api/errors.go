package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
)

// errorBody is every error response's shape: the reason in English, its
// code (internal/domain's, stable for clients), the field at fault.
type errorBody struct {
	Error     string `json:"error"`
	Code      string `json:"code,omitempty"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// badRequest is a malformed request (400), explained by msg.
func badRequest(field, msg string) error {
	return domain.FieldErr(field, domain.CodeBadRequest, msg)
}

var (
	errUnauthorized = domain.Err(domain.CodeUnauthorized)
	errForbidden    = domain.Err(domain.CodeForbidden)
	// errCrossOrigin refuses a state-changing request another site's page
	// made a browser send with the session cookie (CSRF).
	errCrossOrigin = domain.Err(domain.CodeCrossOrigin)
	// errBusy: too many password checks are already running.
	errBusy = domain.Err(domain.CodeLoginBusy)
)

// statusOf is the one mapping of an error's kind to an HTTP status.
var statusOf = map[domain.Kind]int{
	domain.KindInvalid:      http.StatusUnprocessableEntity,
	domain.KindBadRequest:   http.StatusBadRequest,
	domain.KindConflict:     http.StatusConflict,
	domain.KindNotFound:     http.StatusNotFound,
	domain.KindUnauthorized: http.StatusUnauthorized,
	domain.KindForbidden:    http.StatusForbidden,
	domain.KindUnavailable:  http.StatusServiceUnavailable,
	domain.KindTooLarge:     http.StatusRequestEntityTooLarge,
}

// retryAfter is the default wait a 503 asks for.
const retryAfter = 5

// fail is the one error mapper: a *domain.Error becomes its kind's status
// with its code and English message; Temporal and the database not
// answering become 503; anything else is logged and answered 500 with no
// internals shown.
func (s *Server) fail(c *gin.Context, err error) {
	rid := c.GetString(requestIDKey)
	// A database that cannot be reached is a 503 (try again), whatever
	// query noticed it; a refusal Temporal carried is read back by type.
	err = temporalx.RefusalOf(store.WrapUnavailable(err))
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if e, ok := domain.As(err); ok {
		status := statusOf[e.Kind()]
		if e.Kind() == domain.KindUnavailable {
			s.unavailable(c, err, e.RetryAfter)
		}
		c.AbortWithStatusJSON(status, errorBody{Error: e.Message(), Code: string(e.Code), Field: e.Field, RequestID: rid})
		return
	}
	switch {
	case errors.As(err, &unavailable), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		// Temporal or the database did not answer within the request's time.
		s.unavailable(c, err, 0)
		e := domain.Err(domain.CodeUnavailable)
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, errorBody{Error: e.Message(), Code: string(e.Code), RequestID: rid})
	default:
		s.deps.Log.Error("request failed", "route", c.FullPath(), "requestId", rid, "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: "internal error", RequestID: rid})
	}
}

// unavailable logs a dependency that did not answer and asks the client
// to come back.
func (s *Server) unavailable(c *gin.Context, err error, after time.Duration) {
	s.deps.Log.Warn("dependency unavailable", "route", c.FullPath(), "requestId", c.GetString(requestIDKey), "err", err)
	secs := retryAfter
	if after >= time.Second {
		secs = int(after / time.Second)
	}
	c.Header("Retry-After", strconv.Itoa(secs))
}

// bind decodes the request's JSON body into v. A body that is not that
// JSON is answered 400 on field "body" with msg (what the body must be),
// and bind reports false.
func (s *Server) bind(c *gin.Context, v any, msg string) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			s.fail(c, errBodyTooLarge(tooBig.Limit))
			return false
		}
		s.fail(c, badRequest("body", msg))
		return false
	}
	return true
}

// bindOptional is bind for a body that may be left out: an empty body
// leaves v as it is.
func (s *Server) bindOptional(c *gin.Context, v any, msg string) bool {
	return c.Request.ContentLength <= 0 || s.bind(c, v, msg)
}
