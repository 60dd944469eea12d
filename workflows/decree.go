package workflows

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
)

// DecreeInput starts a decree's review.
type DecreeInput struct {
	DecreeID int64
	// Kind is initial, amendment or revocation.
	Kind domain.DecreeKind
	// Reason is why a revocation revokes its households.
	Reason string
}

// DecreeState is what the decree's state query returns.
type DecreeState struct {
	Status       domain.DecreeStatus
	Number       string
	Date         string
	ReturnReason string
	// WithdrawReason is why Dinsos withdrew it.
	WithdrawReason string
	FannedOut      int
}

// DecreeRequest is a review step: submit, revise and withdraw (Dinsos),
// return and sign (the bupati's office).
type DecreeRequest struct {
	Actor Actor
	// Number and Date sign the decree.
	Number string
	Date   string
	// Reason returns or withdraws it.
	Reason string
	// Key is the client's Idempotency-Key scoped to the caller ("u31-abc"),
	// "" without one; KeyHash is a short hash of the step and request sent
	// with it. The Update ID holds both, so a resent step gets the first
	// answer; the validator refuses a key already used with another step
	// or request.
	Key, KeyHash string
}

// DecreeResult is the decree's end: its number and how many households the
// signing reached, or Withdrawn (no number, no household reached).
type DecreeResult struct {
	Number     string
	Households int
	Withdrawn  bool
}

// UpdateDecreeRevise puts a returned decree back into draft with its list
// refreshed.
const UpdateDecreeRevise = "decree-revise"

// UpdateDecreeWithdraw withdraws (batalkan) a draft or returned decree with
// a reason: the workflow ends without signing, and the decree's households
// are free for the next draft. A submitted decree is the bupati's office's
// to review; it must be returned before Dinsos can withdraw it.
const UpdateDecreeWithdraw = "decree-withdraw"

// DecreeWorkflow carries an SK Bupati from draft to signature: Dinsos
// submits, the bupati's office returns it with a reason (Dinsos revises and
// submits again) or signs it with its number and date. Dinsos may instead
// withdraw a draft or returned decree, which ends the workflow unsigned.
// Each step is an Update with a validator. Signing settles every listed household at once
// through one resumable fan-out activity, so the decree's own history stays
// small however many households it lists.
func DecreeWorkflow(ctx workflow.Context, in DecreeInput) (DecreeResult, error) {
	d := &decree{in: in, state: DecreeState{Status: domain.DecreeDraft}}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (DecreeState, error) { return d.state, nil }); err != nil {
		return DecreeResult{}, err
	}
	// Each step comes from the statuses in from; withdrawing comes from a
	// draft or a returned decree, whichever it is now (histories from
	// before it never withdraw, so their commands replay unchanged).
	steps := []struct {
		name     string
		from     []domain.DecreeStatus
		to       domain.DecreeStatus
		validate func(workflow.Context, DecreeRequest) error
		// done is the step in the refusal message: "cannot be signed now".
		done string
	}{
		{UpdateDecreeSubmit, []domain.DecreeStatus{domain.DecreeDraft}, domain.DecreeSubmitted, nil, "submitted"},
		{UpdateDecreeReturn, []domain.DecreeStatus{domain.DecreeSubmitted}, domain.DecreeReturned, validateReturn, "returned"},
		{UpdateDecreeRevise, []domain.DecreeStatus{domain.DecreeReturned}, domain.DecreeDraft, nil, "revised"},
		{UpdateDecreeSign, []domain.DecreeStatus{domain.DecreeSubmitted}, domain.DecreeSigned, validateSign, "signed"},
		{UpdateDecreeWithdraw, []domain.DecreeStatus{domain.DecreeDraft, domain.DecreeReturned}, domain.DecreeWithdrawn, validateWithdraw, "withdrawn"},
	}
	for _, st := range steps {
		err := workflow.SetUpdateHandlerWithOptions(ctx, st.name,
			func(ctx workflow.Context, r DecreeRequest) (DecreeState, error) {
				// The validator has checked the status is one of st.from.
				d.keys.use(r.Key, r.KeyHash)
				return d.change(ctx, d.state.Status, st.to, r)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r DecreeRequest) error {
				if d.keys.reused(r.Key, r.KeyHash) {
					return refuseField("Idempotency-Key", domain.CodeIdempotencyKeyReused)
				}
				if d.busy {
					return refuseWith(domain.CodeDecreeBusy)
				}
				if !slices.Contains(st.from, d.state.Status) {
					return refuseWith(domain.CodeDecreeStep, d.state.Status, st.done)
				}
				if st.validate != nil {
					return st.validate(ctx, r)
				}
				return nil
			}})
		if err != nil {
			return DecreeResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool {
		return (d.state.Status == domain.DecreeSigned || d.state.Status == domain.DecreeWithdrawn) && !d.busy
	}); err != nil {
		return DecreeResult{}, err
	}
	if d.state.Status == domain.DecreeWithdrawn {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return DecreeResult{}, err
		}
		return DecreeResult{Withdrawn: true}, nil
	}
	fan := longActivity(ctx, 2*time.Hour)
	var res activities.FanOutResult
	if err := workflow.ExecuteActivity(fan, a.FanOutDecree, activities.FanOutInput{DecreeID: in.DecreeID, Reason: in.Reason}).Get(ctx, &res); err != nil {
		return DecreeResult{}, err
	}
	d.state.FannedOut = res.Households
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return DecreeResult{}, err
	}
	return DecreeResult{Number: d.state.Number, Households: res.Households}, nil
}

type decree struct {
	in    DecreeInput
	state DecreeState
	busy  bool
	keys  usedKeys
}

// change records a review step through a local activity.
func (d *decree) change(ctx workflow.Context, from, to domain.DecreeStatus, r DecreeRequest) (DecreeState, error) {
	d.busy = true
	defer func() { d.busy = false }()
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.ChangeDecree, domain.DecreeChange{
		DecreeID: d.in.DecreeID, From: from, To: to, Number: strings.TrimSpace(r.Number), Date: r.Date,
		Reason: strings.TrimSpace(r.Reason), Actor: r.Actor, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return d.state, err
	}
	d.state.Status = to
	switch to {
	case domain.DecreeSigned:
		// The return's reason is settled by the signature. Only the
		// query's state changes, no command: replay-safe.
		d.state.Number, d.state.Date, d.state.ReturnReason = strings.TrimSpace(r.Number), r.Date, ""
	case domain.DecreeReturned:
		d.state.ReturnReason = strings.TrimSpace(r.Reason)
	case domain.DecreeWithdrawn:
		d.state.WithdrawReason = strings.TrimSpace(r.Reason)
	}
	return d.state, nil
}

func validateReturn(_ workflow.Context, r DecreeRequest) error {
	if strings.TrimSpace(r.Reason) == "" {
		return refuseField("reason", domain.CodeDecreeReturnReason)
	}
	return refuseText("reason", r.Reason, domain.MaxReasonRunes, true)
}

func validateWithdraw(_ workflow.Context, r DecreeRequest) error {
	if n := strings.TrimSpace(r.Reason); n == "" || utf8.RuneCountInString(n) > domain.MaxReasonRunes {
		return refuseField("reason", domain.CodeDecreeWithdrawReason)
	}
	return refuseText("reason", r.Reason, domain.MaxReasonRunes, true)
}

// validateSign checks the number and date; the number's uniqueness in the
// regency is checked by the API before, and by the database's unique index
// when it is recorded.
func validateSign(ctx workflow.Context, r DecreeRequest) error {
	if n := strings.TrimSpace(r.Number); n == "" || utf8.RuneCountInString(n) > 100 {
		return refuseField("number", domain.CodeDecreeNumber)
	}
	if err := refuseText("number", r.Number, 100, false); err != nil {
		return err
	}
	d, err := time.Parse("2006-01-02", r.Date)
	if err != nil {
		return refuseField("date", domain.CodeDateMalformed)
	}
	today, _ := time.Parse("2006-01-02", workflow.Now(ctx).In(easternmostZone).Format("2006-01-02"))
	if d.After(today) {
		return refuseField("date", domain.CodeDateFuture)
	}
	return nil
}
