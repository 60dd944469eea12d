package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/reason"
)

// IntakeInput names the intake to run.
type IntakeInput struct {
	IntakeID int64
}

// IntakeWorkflow loads one P3KE file: it stores the accepted families and
// then starts one household workflow for each. Both steps are activities
// that heartbeat their progress and resume after a crash; the workflow
// itself only orders them and records the end.
func IntakeWorkflow(ctx workflow.Context, in IntakeInput) (activities.IntakeCounts, error) {
	// 150,000 rows take minutes; every batch heartbeats, and another worker
	// takes over from the last committed batch.
	long := longActivity(ctx, 2*time.Hour)
	ref := activities.IntakeRef{IntakeID: in.IntakeID}
	var parsed, started activities.IntakeCounts
	err := workflow.ExecuteActivity(long, a.ParseIntake, ref).Get(ctx, &parsed)
	if err == nil {
		err = workflow.ExecuteActivity(long, a.StartIntakeCases, ref).Get(ctx, &started)
	}
	finish := activities.FinishIntakeInput{IntakeID: in.IntakeID}
	if err != nil {
		finish.Error = failureMessage(err)
		finish.Code, finish.Args = failureCode(err)
	}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: activityRetry})
	if ferr := workflow.ExecuteActivity(short, a.FinishIntake, finish).Get(ctx, nil); ferr != nil {
		return parsed, ferr
	}
	parsed.Started = started.Started
	return parsed, err
}

// failureCode is the coded reason of a file that stopped the intake (the
// details of ParseIntake's application error), or nothing for a failure
// of verval's own.
func failureCode(err error) (reason.Code, []string) {
	var app *temporal.ApplicationError
	var f activities.IntakeFailure
	if errors.As(err, &app) && app.HasDetails() && app.Details(&f) == nil {
		return f.Code, f.Args
	}
	return "", nil
}

// failureMessage is the reason a person reads: the application error's own
// message, without Temporal's wrapping.
func failureMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}
