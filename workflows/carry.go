package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
)

// CarryInput starts the carry-over of a cycle's households into the next
// year's cycle: IntakeID is the new cycle's carry intake.
type CarryInput = activities.CarryInput

// CarryWorkflowID is the workflow ID of a carry-over intake.
func CarryWorkflowID(intakeID int64) string { return fmt.Sprintf("carry-%d", intakeID) }

// CarryOverWorkflow carries last year's enrolled and unfinished households
// into the new cycle as an intake: it stores them (CarryOver), then starts
// a household workflow for each (StartIntakeCases, as a file's intake
// does), and records the end. Both steps resume after a crash.
func CarryOverWorkflow(ctx workflow.Context, in CarryInput) (activities.IntakeCounts, error) {
	long := longActivity(ctx, 2*time.Hour)
	ref := activities.IntakeRef{IntakeID: in.IntakeID}
	var stored, started activities.IntakeCounts
	err := workflow.ExecuteActivity(long, a.CarryOver, in).Get(ctx, &stored)
	if err == nil {
		err = workflow.ExecuteActivity(long, a.StartIntakeCases, ref).Get(ctx, &started)
	}
	finish := activities.FinishIntakeInput{IntakeID: in.IntakeID}
	if err != nil {
		finish.Error = failureMessage(err)
	}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: activityRetry})
	if ferr := workflow.ExecuteActivity(short, a.FinishIntake, finish).Get(ctx, nil); ferr != nil {
		return stored, ferr
	}
	stored.Started = started.Started
	return stored, err
}
