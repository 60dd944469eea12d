package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/temporalx"
)

// ChangeDecree records a review step. A decree number already used in the
// regency cannot be fixed by retrying.
func (a *Activities) ChangeDecree(ctx context.Context, in domain.DecreeChange) error {
	err := a.Store.ChangeDecree(ctx, in)
	if e, ok := domain.As(err); ok && e.Kind() == domain.KindConflict {
		// The decree changed under the step, or its number was taken
		// meanwhile: the Update fails with the store's refusal.
		return temporalx.Refuse(e)
	}
	return classify(err)
}

// FanOutInput names a signed decree to apply to its households.
type FanOutInput struct {
	DecreeID int64
	Reason   string
}

// FanOutResult counts the households reached.
type FanOutResult struct {
	Households int
}

// FanOutDecree tells every household of a signed decree: listed ones that
// they are decreed, revoked ones that they are revoked. It goes in pages,
// heartbeating the last household reached, so a crash resumes after it;
// households ignore a decree they already have, so a repeated page does no
// harm. A revoked household whose case already ended is revoked here
// (revokeSettled).
func (a *Activities) FanOutDecree(ctx context.Context, in FanOutInput) (FanOutResult, error) {
	d, err := a.Store.GetDecree(ctx, in.DecreeID)
	if err != nil {
		return FanOutResult{}, classify(err)
	}
	var after int64
	var res FanOutResult
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after, &res)
	}
	for {
		page, err := a.Store.DecreePage(ctx, d.ID, after, fanOutPage)
		if err != nil {
			return res, classify(err)
		}
		if len(page) == 0 {
			return res, nil
		}
		for _, it := range page {
			if it.Action == "revoke" {
				delivered, err := a.Cases.DecreeRevoked(ctx, d.CycleID, it.HouseholdID, d.ID, in.Reason, d.SignedDate)
				if err == nil && !delivered {
					err = a.revokeSettled(ctx, d.CycleID, it.HouseholdID, d.ID, in.Reason, d.SignedDate, time.Now())
				}
				if err != nil {
					return res, fmt.Errorf("revoke household: %w", err)
				}
			} else if err := a.Cases.DecreeSigned(ctx, d.CycleID, it.HouseholdID, d.ID, d.SignedDate); err != nil {
				return res, fmt.Errorf("signal household: %w", err)
			}
			res.Households++
			after = it.HouseholdID
		}
		if err := a.Store.SetDecreeProgress(ctx, d.ID, res.Households); err != nil {
			return res, classify(err)
		}
		activity.RecordHeartbeat(ctx, after, res)
	}
}
