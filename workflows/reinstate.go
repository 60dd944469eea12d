package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// An upheld objection changes its household's path, from the objection's
// case, once the objector is told of the decision.
//
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
//
// An upheld inclusion error (a household found eligible that is
// well-off) against a household still waiting for its first decree takes
// it off the way before any decree names it (ExcludeHousehold sends its
// case the sanggah-exclude Update): not eligible, or, in the national
// registry, awaiting its removal (HAPUS). Once a decree lists it, the
// revocation path does that instead (store.SanggahCandidates).

// sanggahUpheldChange marks what an upheld objection does to its
// household (version 1); objections decided before it keep their
// histories.
const sanggahUpheldChange = "sanggah-upheld"

// ExcludeRequest is an upheld inclusion error's Update to its household:
// the objection, and what the household is now found (see
// store.Exclusion).
type ExcludeRequest = activities.ExcludeRequest

// validateExclude accepts the exclusion only while the household waits for
// its decree.
func (h *household) validateExclude(_ workflow.Context, r ExcludeRequest) error {
	switch {
	case h.closing != nil:
		return refuseWith(domain.CodeCaseCycleClosed)
	case h.state.Stage != domain.StageAwaitingDecree || h.decree != nil:
		return refuseWith(domain.CodeSanggahPastDecree, h.state.Stage)
	case h.busy:
		return refuseWith(domain.CodeCaseBusy)
	case r.Outcome == domain.OutcomeEligible || !r.Outcome.Valid():
		return refuseField("outcome", domain.CodeVisitOutcome)
	}
	return nil
}

// exclude records the exclusion: not eligible, or a removal when the
// household is in the registry. The store refuses it when a decree lists
// the household meanwhile, and the case stays where it was.
func (h *household) exclude(ctx workflow.Context, r ExcludeRequest) error {
	h.busy = true
	defer func() { h.busy = false }()
	prev := h.state
	next, reason := domain.StageNotEligible, UpheldReason(r.Receipt)
	if h.in.InDTKS {
		next, reason = domain.StageAwaitingProposal, "removal: "+UpheldReason(r.Receipt)
	}
	t := h.enter(ctx, next, reason)
	if err := h.local(ctx, a.Exclude, store.Exclusion{
		SanggahID: r.SanggahID, Outcome: r.Outcome, Actor: r.Actor,
		Transition: store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason},
	}); err != nil {
		h.state = prev
		return err
	}
	h.state.Outcome, h.state.Removal = r.Outcome, h.in.InDTKS
	return h.upsertStage(ctx)
}

// upheldRetry retries an upheld objection's step in its household from a
// second up to an hour apart: the household's removal may be with Kemensos
// for weeks before its reinstated case can start.
var upheldRetry = &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Hour}

// UpheldReason is the reason of the stage an upheld objection put its
// household in (reinstated or excluded): the objection's receipt code.
func UpheldReason(receipt string) string { return "sanggah upheld: " + receipt }

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
	t := h.enter(ctx, domain.StageAwaitingDecree, UpheldReason(r.Receipt))
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

// applyUpheld carries an upheld objection into its household's case:
// an exclusion error reinstates it, waiting for its case to end first
// (ReinstateHousehold); an inclusion error excludes it while it waits for
// its first decree (ExcludeHousehold).
func (sg *sanggah) applyUpheld(ctx workflow.Context) error {
	if sg.state.Status != domain.SanggahUpheld || sg.in.Kind == "" ||
		workflow.GetVersion(ctx, sanggahUpheldChange, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: upheldRetry})
	fn := a.ReinstateHousehold
	if sg.in.Kind == domain.SanggahInclusion {
		fn = a.ExcludeHousehold
	}
	return workflow.ExecuteActivity(ctx, fn, activities.UpheldInput{SanggahID: sg.in.SanggahID, Actor: sg.decidedBy}).Get(ctx, nil)
}
