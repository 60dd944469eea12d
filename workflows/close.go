package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
)

// CloseCycleInput names a cycle Dinsos has closed (tutup buku) and why.
type CloseCycleInput struct {
	CycleID int64
	Reason  string
}

// CloseCycleWorkflow ends the cases a closed cycle still has open: one
// resumable fan-out activity sends each household the close-cycle Update
// (see UpdateCycleClosed), in pages with heartbeats, and records its
// progress on the cycle. Households whose case has already ended are
// skipped. Its ID (CycleCloseWorkflowID) makes a second start a no-op.
func CloseCycleWorkflow(ctx workflow.Context, in CloseCycleInput) (activities.CloseCycleResult, error) {
	ctx = longActivity(ctx, 2*time.Hour)
	var res activities.CloseCycleResult
	if err := workflow.ExecuteActivity(ctx, a.FanOutClose, activities.CloseCycleInput{CycleID: in.CycleID, Reason: in.Reason}).Get(ctx, &res); err != nil {
		return res, err
	}
	if workflow.GetVersion(ctx, closeSanggahChange, workflow.DefaultVersion, 1) < 1 {
		return res, nil
	}
	// The objections still undecided end too: a closed cycle decides
	// nothing more.
	var sg activities.CloseSanggahResult
	if err := workflow.ExecuteActivity(ctx, a.FanOutCloseSanggah, activities.CloseCycleInput{CycleID: in.CycleID, Reason: in.Reason}).Get(ctx, &sg); err != nil {
		return res, err
	}
	res.Sanggah = sg.Sanggah
	return res, nil
}

// closeSanggahChange marks the close of undecided objections (version 1).
const closeSanggahChange = "close-sanggah"
