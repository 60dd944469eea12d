package workflows_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/workflows"
)

// TestIntakeFailureKeepsItsCode: a file that stops the intake hands its
// coded reason (the application error's details) to FinishIntake with
// the English message; a failure of verval's own has no code.
func TestIntakeFailureKeepsItsCode(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		code string
		args []string
	}{
		{"the file", temporal.NewNonRetryableApplicationError("the sheet cannot be read: x", "UnreadableFile", nil,
			activities.IntakeFailure{Code: p3ke.CodeSheetUnreadable, Args: []string{"x"}}), string(p3ke.CodeSheetUnreadable), []string{"x"}},
		{"verval's own", temporal.NewNonRetryableApplicationError("regency must be a regency", "UnreadableFile", nil), "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			acts := &activities.Activities{}
			env.RegisterActivity(acts)
			env.OnActivity(acts.ParseIntake, mock.Anything, mock.Anything).Return(activities.IntakeCounts{}, tt.err)
			var got activities.FinishIntakeInput
			env.OnActivity(acts.FinishIntake, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishIntakeInput) error {
				got = in
				return nil
			})
			env.ExecuteWorkflow(workflows.IntakeWorkflow, workflows.IntakeInput{IntakeID: 3})
			if env.GetWorkflowError() == nil {
				t.Fatal("the intake did not fail")
			}
			if got.IntakeID != 3 || got.Error != tt.err.(*temporal.ApplicationError).Message() || string(got.Code) != tt.code || !slices.Equal(got.Args, tt.args) {
				t.Errorf("FinishIntake got %+v", got)
			}
		})
	}
}
