package temporalx

import (
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/domain"
)

// Refuse carries a step's refusal through Temporal: a non-retryable
// application error whose type is the domain code and whose details hold
// the field and the arguments. Update validators return it, so a bad
// submission is rejected before it touches the workflow's history; an
// activity returns it for a step the store refuses. RefusalOf turns it
// back into the *domain.Error on the caller's side.
func Refuse(e *domain.Error) error {
	return temporal.NewApplicationErrorWithOptions(e.Message(), string(e.Code), temporal.ApplicationErrorOptions{
		NonRetryable: true,
		Details:      []any{e.Field, e.Args},
	})
}

// RefusalOf classifies what Temporal answered a human step: a validator's
// or handler's refusal becomes its *domain.Error; a workflow that has
// finished (not found, or completed before the Update did) becomes
// domain.CodeCaseEnded, recognised by the SDK's error types. Anything else
// is returned as it is.
func RefusalOf(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		code := domain.Code(app.Type())
		if domain.Known(code) {
			e := &domain.Error{Code: code}
			if app.HasDetails() {
				_ = app.Details(&e.Field, &e.Args)
			}
			return e
		}
		// The server fails an accepted Update whose workflow completed
		// first with this type.
		if app.Type() == "AcceptedUpdateCompletedWorkflow" {
			return domain.Err(domain.CodeCaseEnded)
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return domain.Err(domain.CodeCaseEnded)
	}
	return err
}
