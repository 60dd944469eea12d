package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
)

// MeetingInput names a recorded village meeting.
type MeetingInput struct {
	MeetingID int64
}

// MeetingWorkflow closes a village's list after its meeting: it tells each
// verified household of the village, in pages with heartbeats, so a crash
// half-way resumes rather than restarts.
func MeetingWorkflow(ctx workflow.Context, in MeetingInput) (activities.CloseVillageResult, error) {
	// One village's households; each Update heartbeats.
	ctx = longActivity(ctx, 30*time.Minute)
	var res activities.CloseVillageResult
	err := workflow.ExecuteActivity(ctx, a.CloseVillage, activities.CloseVillageInput{MeetingID: in.MeetingID}).Get(ctx, &res)
	return res, err
}
