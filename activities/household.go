package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
)

// TransitionInput records a household's move to a new stage.
type TransitionInput struct {
	HouseholdID int64
	Seq         int
	Stage       string
	At          time.Time
	Reason      string
	// CloseTask also closes the verification task (the village meeting).
	CloseTask bool
}

// Transition writes a stage change to the application database.
func (a *Activities) Transition(ctx context.Context, in TransitionInput) error {
	t := store.Transition{HouseholdID: in.HouseholdID, Seq: in.Seq, Stage: in.Stage, At: in.At, Reason: in.Reason}
	if in.CloseTask {
		return classify(a.Store.CloseTask(ctx, t))
	}
	return classify(a.Store.Transition(ctx, t))
}

// RecordVisitInput is a visit result accepted by the household workflow.
type RecordVisitInput struct {
	CycleID     int64
	HouseholdID int64
	Version     int
	Actor       domain.Actor
	At          time.Time
	Result      domain.VisitResult
	// Transition, when set, moves the household to the verified stage.
	Transition *TransitionInput
}

// RecordVisit stores a visit result with its audit entry.
func (a *Activities) RecordVisit(ctx context.Context, in RecordVisitInput) error {
	v := store.Visit{
		CycleID: in.CycleID, HouseholdID: in.HouseholdID, Version: in.Version, Result: in.Result, At: in.At,
		Actor: in.Actor,
	}
	if t := in.Transition; t != nil {
		v.Transition = &store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason}
	}
	return classify(a.Store.RecordVisit(ctx, v))
}

// ReopenInput reopens a household's verification.
type ReopenInput struct {
	CycleID     int64
	HouseholdID int64
	DueAt       time.Time
	Reason      string
	Actor       domain.Actor
	Transition  TransitionInput
}

// Reopen opens a household's task again.
func (a *Activities) Reopen(ctx context.Context, in ReopenInput) error {
	t := in.Transition
	return classify(a.Store.ReopenTask(ctx, store.Reopen{
		CycleID: in.CycleID, HouseholdID: in.HouseholdID, DueAt: in.DueAt, Reason: in.Reason,
		Actor:      in.Actor,
		Transition: store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason},
	}))
}

// ErrTypeListClosed is the application error type of a visit result that
// RecordVisit refused because the village meeting has closed the list.
const ErrTypeListClosed = "ListClosed"

// classify turns errors that retrying cannot fix into non-retryable
// application errors; the rest (a database restart, a lock timeout) retry.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), "NotFound", err)
	case errors.Is(err, store.ErrListClosed):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeListClosed, err)
	}
	return fmt.Errorf("database: %w", err)
}

// SettleInput ends a household's case: the final stage, and the aid that
// follows from it.
type SettleInput struct {
	CycleID    int64
	Transition TransitionInput
	Desil      int
	// Eligible: verified still poor.
	Eligible bool
	// InRegistry: in the national registry, already or by Kemensos' acceptance.
	InRegistry bool
	// InSignedDecree: listed as extreme poor in a signed decree.
	InSignedDecree bool
	// Exit ends the programmes the household had (removed or revoked).
	Exit bool
	// On (YYYY-MM-DD) is the day of the decision that settles the
	// household: the decree's signing, Kemensos' determination. Its
	// enrolments or exits are dated that day; "" (or a day after the
	// transition) dates them at the transition.
	On string
}

// SettleResult lists the programmes the household is enrolled in.
type SettleResult struct {
	Programmes []string
}

// Settle enrols a household in the programmes it qualifies for, or ends
// the aid it had (Exit: the programmes it is enrolled in and those P3KE
// says it received), through the enrolment gateway, then records its
// final stage. Both steps are idempotent, so a retry duplicates nothing;
// the stage goes last, so a crash between them leaves the household in
// its previous stage until the retry, never final without its aid.
func (a *Activities) Settle(ctx context.Context, in SettleInput) (SettleResult, error) {
	t := in.Transition
	at := domain.DecidedOn(in.On, t.At)
	var progs []string
	if in.Exit {
		reason := t.Reason
		if reason == "" {
			reason = t.Stage
		}
		if err := a.exitAll(ctx, in.CycleID, t.HouseholdID, at, reason); err != nil {
			return SettleResult{}, err
		}
	} else {
		h := enrol.Household{Desil: in.Desil, Eligible: in.Eligible, InRegistry: in.InRegistry, InSignedDecree: in.InSignedDecree}
		if in.Eligible {
			// The members are read here, from the database: the workflow
			// never carries them.
			var err error
			if h.PeopleKnown, h.People, err = a.people(ctx, t.HouseholdID, at); err != nil {
				return SettleResult{}, err
			}
		}
		progs = enrol.Programmes(a.rules(), h)
		for _, p := range progs {
			if err := a.enrolGateway().Enrol(ctx, enrol.Entry{CycleID: in.CycleID, HouseholdID: t.HouseholdID, Programme: p, At: at}); err != nil {
				return SettleResult{}, classify(err)
			}
		}
	}
	err := a.Store.Transition(ctx, store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason})
	return SettleResult{Programmes: progs}, classify(err)
}

// people are a household's present members as the programme rules look
// at them, aged on day at; known is false for a household without member
// rows (a P3KE file's).
func (a *Activities) people(ctx context.Context, householdID int64, at time.Time) (known bool, out []enrol.Person, err error) {
	ms, err := a.Store.Members(ctx, householdID)
	if err != nil {
		return false, nil, classify(err)
	}
	for _, m := range ms {
		if m.Status == store.MemberPresent {
			out = append(out, store.PersonOf(m, at))
		}
	}
	return len(ms) > 0, out, nil
}

// exitAll ends every programme a household has: its active enrolments
// and the aid P3KE says it received.
func (a *Activities) exitAll(ctx context.Context, cycleID, householdID int64, at time.Time, reason string) error {
	gw := a.enrolGateway()
	active, err := gw.Active(ctx, cycleID, householdID)
	if err != nil {
		return classify(err)
	}
	prior, err := a.Store.PriorAid(ctx, householdID)
	if err != nil {
		return classify(err)
	}
	all := append(active, prior...)
	slices.Sort(all)
	for _, p := range slices.Compact(all) {
		if err := gw.Exit(ctx, enrol.Entry{CycleID: cycleID, HouseholdID: householdID, Programme: p, At: at, Reason: reason}); err != nil {
			return classify(err)
		}
	}
	return nil
}

// revokeSettled revokes a household of a revocation decree whose case had
// already ended, so its workflow cannot. An enrolled household leaves
// every programme, ends revoked and is proposed HAPUS in the next batch. A household that ended otherwise
// keeps its final stage, but leaves the programmes that take only the
// extreme poor of a signed decree (the regency-paid BPJS-TK of one
// rejected by Kemensos). The exits (and the revocation's change) are dated
// on, the day the decree was signed (at's when it is empty or later);
// the stage is entered at. Retrying it changes nothing more.
func (a *Activities) revokeSettled(ctx context.Context, cycleID, householdID, decreeID int64, reason, on string, at time.Time) error {
	stage, seq, err := a.Store.CaseStage(ctx, householdID)
	if err != nil {
		return classify(err)
	}
	why := "revoked: " + reason
	exitAt := domain.DecidedOn(on, at)
	if stage == "enrolled" {
		if err := a.exitAll(ctx, cycleID, householdID, exitAt, why); err != nil {
			return err
		}
		// In the registry (enrolled): its HAPUS goes into the next monthly
		// batch, as a revocation in the open year does.
		return classify(a.Store.DecideChange(ctx, store.ChangeDecision{
			CycleID: cycleID, HouseholdID: householdID, Confirm: true, Note: reason, At: at, On: on, DecreeID: decreeID,
			Transition: &store.Transition{HouseholdID: householdID, Seq: seq + 1, Stage: "revoked", At: at, Reason: why},
		}))
	}
	gw := a.enrolGateway()
	active, err := gw.Active(ctx, cycleID, householdID)
	if err != nil {
		return classify(err)
	}
	decreed := enrol.NeedsDecree(a.rules())
	for _, p := range active {
		if !slices.Contains(decreed, p) {
			continue
		}
		if err := gw.Exit(ctx, enrol.Entry{CycleID: cycleID, HouseholdID: householdID, Programme: p, At: exitAt, Reason: why}); err != nil {
			return classify(err)
		}
	}
	return nil
}

func (a *Activities) rules() []enrol.Rule {
	if a.Rules != nil {
		return a.Rules
	}
	return enrol.DefaultRules()
}

func (a *Activities) enrolGateway() enrol.Gateway {
	if a.Enrol != nil {
		return a.Enrol
	}
	return enrol.Export{Lists: a.Store}
}
