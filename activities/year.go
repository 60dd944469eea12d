package activities

import (
	"context"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// ChangeInput is a change to an enrolled household, recorded during its
// open year; it waits for the TKSK or Dinsos to confirm it.
type ChangeInput = store.NewChange

// RecordChange stores a change waiting for confirmation, audited, and
// returns its id. A retry returns the row the first try wrote.
func (a *Activities) RecordChange(ctx context.Context, in ChangeInput) (int64, error) {
	id, err := a.Store.RecordChange(ctx, in)
	return id, classify(err)
}

// DecideChangeInput confirms or refuses a change (ChangeID), or applies a
// revocation decree (ChangeID 0, DecreeID set) to an enrolled household.
type DecideChangeInput struct {
	CycleID, HouseholdID, ChangeID int64
	Confirm                        bool
	Note                           string
	Actor                          domain.Actor
	At                             time.Time
	// Transition, when set, ends the household's aid: it leaves every
	// programme (exited or revoked) and is proposed HAPUS.
	Transition *TransitionInput
	// DecreeID is the revocation decree; On (YYYY-MM-DD) the day it was
	// signed, which dates the exits and the revocation ("" for At).
	DecreeID int64
	On       string `json:",omitempty"`
}

// DecideChange records the decision and what a confirmed change does: the
// programme exits, dated the day the change happened, through the
// enrolment gateway (idempotent), then, in one transaction, the move to
// another desa or the new head, the stage, the HAPUS to propose and the
// audit entry.
func (a *Activities) DecideChange(ctx context.Context, in DecideChangeInput) error {
	d := store.ChangeDecision{
		CycleID: in.CycleID, HouseholdID: in.HouseholdID, ChangeID: in.ChangeID, Confirm: in.Confirm,
		Note: in.Note, Actor: in.Actor, At: in.At, On: in.On, DecreeID: in.DecreeID,
	}
	if t := in.Transition; t != nil {
		st := store.Transition{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At, Reason: t.Reason}
		d.Transition = &st
		exitAt, reason := domain.DecidedOn(in.On, in.At), t.Reason
		if in.ChangeID != 0 {
			c, err := a.Store.GetChange(ctx, in.ChangeID)
			if err != nil {
				return classify(err)
			}
			if day, err := time.Parse("2006-01-02", c.Date); err == nil {
				exitAt = day
			}
		}
		if err := a.exitAll(ctx, in.CycleID, in.HouseholdID, exitAt, reason); err != nil {
			return err
		}
	}
	return classify(a.Store.DecideChange(ctx, d))
}
