package temporalx

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/verval/verval/internal/domain"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// A refusal survives the trip through Temporal as a non-retryable
// application error whose type is its code, and RefusalOf gives back the
// same *domain.Error, field and arguments included; a finished workflow,
// recognised by the SDK's error types, is the case's end.
func TestRefusalRoundTrip(t *testing.T) {
	for _, want := range []*domain.Error{
		domain.FieldErr("visitDate", domain.CodeDateBefore, "2025-03-01"),
		domain.Err(domain.CodeVisitStale, 2, 1),
		domain.Err(domain.CodeListClosed),
	} {
		err := Refuse(want)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != string(want.Code) || !app.NonRetryable() {
			t.Fatalf("refuse(%v) = %#v, want a non-retryable application error of type %s", want, err, want.Code)
		}
		if app.Message() != want.Message() {
			t.Errorf("message %q, want %q", app.Message(), want.Message())
		}
		got, ok := domain.As(RefusalOf(fmt.Errorf("update: %w", err)))
		if !ok || got.Code != want.Code || got.Field != want.Field || !slices.Equal(got.Args, want.Args) {
			t.Errorf("round trip of %#v gave %#v", want, got)
		}
	}
	for _, finished := range []error{
		serviceerror.NewNotFound("workflow execution already completed"),
		temporal.NewNonRetryableApplicationError("Workflow Update failed because the Workflow completed before the Update completed.", "AcceptedUpdateCompletedWorkflow", nil),
	} {
		if !errors.Is(RefusalOf(finished), domain.Err(domain.CodeCaseEnded)) {
			t.Errorf("RefusalOf(%v) = %v, want %s", finished, RefusalOf(finished), domain.CodeCaseEnded)
		}
	}
	other := errors.New("connection refused")
	if RefusalOf(other) != other {
		t.Error("an error that is no refusal must come back as it is")
	}
	activityNotFound := temporal.NewApplicationError("no such household", "NotFound")
	if _, ok := domain.As(RefusalOf(activityNotFound)); ok {
		t.Error("an activity's NotFound is not a refusal")
	}
}
