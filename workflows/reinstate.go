package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// An upheld exclusion error (a sanggah saying a household left out of the
// list is poor) reinstates the household: its case, which ended
// (not_eligible, removed, rejected, revoked), starts a new run under the
// same workflow ID that enters awaiting_decree with the outcome eligible.
// From there it is any eligible household: the next amendment decree lists
// it, the decree enrols it when it is still in the registry and otherwise
// sends it into the next monthly batch as TAMBAH, and Kemensos' answer
// enrols it. A new run, not an Update of the old one: the old case has
// ended and its history stays as it was, the new history starts short, and
// nothing in the running household code changes.
//
// The sanggah's case starts the new run (ReinstateHousehold) once Dinsos
// has upheld the objection; while the household's case is still running
// (its removal on the way to Kemensos) the activity waits for it to end,
// retrying with growing pauses.

// sanggahReinstateChange marks the reinstatement after an upheld
// exclusion error (version 1); objections decided before it keep their
// histories.
const sanggahReinstateChange = "sanggah-reinstate"

// reinstateRetry retries the start of a reinstated case from a second up
// to an hour apart: the household's removal may be with Kemensos for
// weeks.
var reinstateRetry = &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Hour}

// ReinstateReason is the reason of a reinstated household's stage: the
// objection's receipt code.
func ReinstateReason(receipt string) string { return "sanggah upheld: " + receipt }

// reinstate is a reinstated household's run: its first step enters
// awaiting_decree, then it goes on as any household.
func reinstate(ctx workflow.Context, in HouseholdInput) (HouseholdResult, error) {
	r := in.Reinstate
	h := &household{in: in, state: HouseholdState{
		Stage: r.From, StageEnteredAt: workflow.Now(ctx), Seq: r.Seq, Outcome: domain.OutcomeEligible,
	}}
	if err := h.register(ctx); err != nil {
		return HouseholdResult{}, err
	}
	h.busy = true
	t := h.enter(ctx, domain.StageAwaitingDecree, ReinstateReason(r.Receipt))
	if err := h.upsertStage(ctx); err != nil {
		return HouseholdResult{}, err
	}
	if err := h.local(ctx, a.Reinstate, store.Reinstatement{
		SanggahID: r.SanggahID, InDTKS: in.InDTKS, Actor: r.Actor,
		Transition: store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason},
	}); err != nil {
		return HouseholdResult{}, err
	}
	h.busy = false
	return h.run(ctx)
}

// reinstateAfter reinstates the household of an upheld exclusion error,
// waiting for its case to end first (see ReinstateHousehold).
func (sg *sanggah) reinstateAfter(ctx workflow.Context) error {
	if sg.state.Status != domain.SanggahUpheld || sg.in.Kind != domain.SanggahExclusion ||
		workflow.GetVersion(ctx, sanggahReinstateChange, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: reinstateRetry})
	return workflow.ExecuteActivity(ctx, a.ReinstateHousehold, activities.ReinstateInput{SanggahID: sg.in.SanggahID, Actor: sg.decidedBy}).Get(ctx, nil)
}
