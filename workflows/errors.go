package workflows

import (
	"net/http"

	"go.temporal.io/sdk/temporal"
)

// ValidationKind says why a human step was refused.
type ValidationKind string

// The kinds, each with its HTTP status.
const (
	// KindInvalid: a field is missing or wrong (422).
	KindInvalid ValidationKind = "verval.invalid"
	// KindConflict: the request was made against an outdated state (409).
	KindConflict ValidationKind = "verval.conflict"
	// KindClosed: the step is no longer open at this stage (409).
	KindClosed ValidationKind = "verval.closed"
)

// ValidationError refuses a human step. Update validators return it so a
// bad submission is rejected before it touches the workflow's history.
type ValidationError struct {
	Kind    ValidationKind
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// HTTPStatus is the status the API answers with.
func (e *ValidationError) HTTPStatus() int {
	if e.Kind == KindInvalid {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// Invalid builds a KindInvalid error naming field.
func Invalid(field, msg string) error {
	return toApp(&ValidationError{Kind: KindInvalid, Field: field, Message: msg})
}

// Conflict builds a KindConflict error.
func Conflict(msg string) error {
	return toApp(&ValidationError{Kind: KindConflict, Message: msg})
}

// Closed builds a KindClosed error.
func Closed(msg string) error {
	return toApp(&ValidationError{Kind: KindClosed, Message: msg})
}

// toApp carries a ValidationError through Temporal as a non-retryable
// application error whose type is the kind and whose details hold the field.
func toApp(e *ValidationError) error {
	return temporal.NewApplicationErrorWithOptions(e.Message, string(e.Kind), temporal.ApplicationErrorOptions{
		NonRetryable: true,
		Details:      []any{e.Field},
	})
}

// IsValidationType reports whether an application error type is one of ours.
func IsValidationType(t string) bool {
	switch ValidationKind(t) {
	case KindInvalid, KindConflict, KindClosed:
		return true
	}
	return false
}

// ValidationFromApplicationError turns an application error of a
// validation type back into a ValidationError.
func ValidationFromApplicationError(a *temporal.ApplicationError) *ValidationError {
	v := &ValidationError{Kind: ValidationKind(a.Type()), Message: a.Message()}
	if a.HasDetails() {
		_ = a.Details(&v.Field)
	}
	return v
}
