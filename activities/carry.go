package activities

import (
	"context"

	"github.com/verval/verval/internal/auth"
)

// CarryInput names the intake that carries cycle FromCycleID's households
// into the intake's cycle.
type CarryInput struct {
	IntakeID, FromCycleID int64
}

// CarryOver stores last year's enrolled and unfinished households in the
// new cycle (store.CarryOver), in pages; a retry stores nobody twice.
func (a *Activities) CarryOver(ctx context.Context, in CarryInput) (IntakeCounts, error) {
	_, cycle, err := a.Store.IntakeWithCycle(ctx, in.IntakeID)
	if err != nil {
		return IntakeCounts{}, classify(err)
	}
	from, err := a.Store.GetCycle(ctx, auth.Principal{Role: auth.RoleAdmin}, in.FromCycleID)
	if err != nil {
		return IntakeCounts{}, classify(err)
	}
	due := cycle.VerificationDue()
	n, err := a.Store.CarryOver(ctx, from, in.IntakeID, due)
	return IntakeCounts{Stored: n}, classify(err)
}
