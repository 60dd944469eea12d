package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
)

// ProposalRef names a proposal batch.
type ProposalRef struct {
	ProposalID int64
}

// FanOutProposalResult counts the households reached and, for answers,
// those still waiting for one.
type FanOutProposalResult struct {
	Households int
	Remaining  int64
}

// FanOutProposal tells every household of a submitted batch that it was
// proposed, in heartbeating pages like the decree fan-out: every one not
// yet told (store.ProposalUntold), so a batch's workflow started again
// after it failed tells no household twice.
func (a *Activities) FanOutProposal(ctx context.Context, in ProposalRef) (FanOutProposalResult, error) {
	p, err := a.Store.GetProposal(ctx, in.ProposalID)
	if err != nil {
		return FanOutProposalResult{}, classify(err)
	}
	var after int64
	var res FanOutProposalResult
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after, &res)
	}
	for {
		page, err := a.Store.ProposalUntold(ctx, p.ID, after, fanOutPage)
		if err != nil {
			return res, classify(err)
		}
		if len(page) == 0 {
			return res, nil
		}
		for _, id := range page {
			if err := a.Cases.ProposalSubmitted(ctx, p.CycleID, id, p.ID); err != nil {
				return res, fmt.Errorf("signal household: %w", err)
			}
			res.Households++
			after = id
		}
		activity.RecordHeartbeat(ctx, after, res)
	}
}

// FanOutAnswers gives each answered household of a batch its answer, once
// (each page is marked signalled), and reports how many still wait.
func (a *Activities) FanOutAnswers(ctx context.Context, in ProposalRef) (FanOutProposalResult, error) {
	p, err := a.Store.GetProposal(ctx, in.ProposalID)
	if err != nil {
		return FanOutProposalResult{}, classify(err)
	}
	var res FanOutProposalResult
	for {
		page, err := a.Store.ProposalPage(ctx, p.ID, 0, fanOutPage, true)
		if err != nil {
			return res, classify(err)
		}
		if len(page) == 0 {
			break
		}
		ids := make([]int64, len(page))
		for i, it := range page {
			if err := a.Cases.KemensosAnswer(ctx, p.CycleID, it.HouseholdID, Answer{
				ProposalID: p.ID, Accepted: it.Answer == "DITETAPKAN", Reason: it.AnswerReason, Date: it.AnswerDate,
			}); err != nil {
				return res, fmt.Errorf("signal household: %w", err)
			}
			ids[i] = it.HouseholdID
		}
		// Signalling twice is harmless (a household takes one answer per
		// proposal), so marking after the page is enough.
		if err := a.Store.MarkAnswersSignalled(ctx, p.ID, ids); err != nil {
			return res, classify(err)
		}
		res.Households += len(ids)
		activity.RecordHeartbeat(ctx, res)
	}
	res.Remaining, err = a.Store.UnansweredCount(ctx, p.ID)
	return res, classify(err)
}

// KemensosLateInput asks for the reminder that Kemensos has not answered.
type KemensosLateInput struct {
	ProposalID  int64
	CycleID     int64
	RegencyCode string
	At          time.Time
}

// KemensosLateResult says whether answers wait in the store for the
// batch's workflow to give them.
type KemensosLateResult struct {
	// Ungiven counts answers stored but not given to their households: an
	// upload whose answers-uploaded signal never reached the workflow.
	Ungiven int64
}

// NotifyKemensosLate tells Dinsos a batch still has unanswered households,
// and reports the answers stored but not yet given, so the workflow's
// periodic check picks up an upload whose signal was lost.
func (a *Activities) NotifyKemensosLate(ctx context.Context, in KemensosLateInput) (KemensosLateResult, error) {
	ungiven, err := a.Store.UngivenAnswerCount(ctx, in.ProposalID)
	if err != nil {
		return KemensosLateResult{}, classify(err)
	}
	res := KemensosLateResult{Ungiven: ungiven}
	n, err := a.Store.UnansweredCount(ctx, in.ProposalID)
	if err != nil || n == 0 {
		return res, classify(err)
	}
	return res, a.Notify(ctx, NotifyInput{CycleID: in.CycleID, Kind: NotifyKemensosLate, RegionCode: in.RegencyCode, At: in.At})
}
