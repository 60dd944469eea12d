package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
)

// An upheld exclusion error (a household left out of the list that is
// poor after all) puts the household back on the way to the list: a new
// run of its case enters awaiting_decree with the outcome eligible, the
// next amendment decree lists it, and from there it is proposed TAMBAH (or
// enrolled at once when it is still in the registry), as any household
// found eligible at its visit.

// UpheldTarget is what the activities that carry an upheld objection into
// its household read: the objection, its cycle and its household, and
// whether the household has been reinstated for it already (its audit
// entry exists).
type UpheldTarget struct {
	Sanggah    Sanggah
	Cycle      Cycle
	Household  Household
	Reinstated bool
}

// reinstateKey is the audit IdemKey of a household's reinstatement for an
// objection: written once, it marks the reinstatement done.
func reinstateKey(sanggahID int64) string { return fmt.Sprintf("household.reinstate:%d", sanggahID) }

// UpheldTargetOf reads an upheld objection's target.
func (s *Store) UpheldTargetOf(ctx context.Context, sanggahID int64) (*UpheldTarget, error) {
	var t UpheldTarget
	db := s.DB.WithContext(ctx)
	if err := db.First(&t.Sanggah, "id = ?", sanggahID).Error; err != nil {
		return nil, WrapUnavailable(wrapNotFound(err))
	}
	if err := db.First(&t.Cycle, "id = ?", t.Sanggah.CycleID).Error; err != nil {
		return nil, WrapUnavailable(wrapNotFound(err))
	}
	if err := db.Select("id, cycle_id, regency_code, kecamatan_code, desa_code, desil, in_dtks, stage, stage_seq, outcome").
		First(&t.Household, "id = ?", t.Sanggah.HouseholdID).Error; err != nil {
		return nil, WrapUnavailable(wrapNotFound(err))
	}
	var n int64
	if err := db.Model(&AuditEntry{}).Where("idem_key = ?", reinstateKey(sanggahID)).Count(&n).Error; err != nil {
		return nil, WrapUnavailable(err)
	}
	t.Reinstated = n > 0
	return &t, nil
}

// Reinstatement is the first step of a reinstated household's new run.
type Reinstatement struct {
	SanggahID int64
	// Transition enters awaiting_decree.
	Transition Transition
	// InDTKS is whether the household is still in the national registry
	// (not once Kemensos removed it): it decides between enrolment at the
	// decree and a TAMBAH proposal.
	InDTKS bool
	Actor  domain.Actor
}

// Reinstate records a household's reinstatement in one transaction: the
// outcome eligible, whether it is in the registry, the stage
// awaiting_decree (with its history row) and the audit entry naming the
// objection. Repeated, it changes nothing.
func (s *Store) Reinstate(ctx context.Context, r Reinstatement) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&AuditEntry{}).Where("idem_key = ?", reinstateKey(r.SanggahID)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		var h Household
		if err := tx.Select("id, cycle_id, stage, stage_seq").First(&h, "id = ?", r.Transition.HouseholdID).Error; err != nil {
			return wrapNotFound(err)
		}
		if h.StageSeq >= r.Transition.Seq {
			return errors.New("reinstate: the household's case moved on since")
		}
		return applyUpheld(tx, &h, map[string]any{"outcome": string(domain.OutcomeEligible), "in_dtks": r.InDTKS}, r.Transition, r.Actor,
			reinstateKey(r.SanggahID), "household.reinstate", map[string]any{"sanggahId": r.SanggahID, "from": h.Stage, "inDtks": r.InDTKS})
	}))
}

// An upheld inclusion error (a household found eligible that is well-off)
// against a household still waiting for its first decree takes it off the
// way to the list before any decree names it: not eligible, or, when it is
// in the national registry, on the way to its removal (HAPUS). Once a
// decree (signed or not) lists it, a revocation decree does that instead.

// Exclusion is an upheld inclusion error's step in its household's case.
type Exclusion struct {
	SanggahID int64
	// Transition enters not_eligible, or awaiting_proposal for a removal.
	Transition Transition
	// Outcome is what the household is now found: the re-verification's
	// finding, not_poor when the village had found it eligible.
	Outcome domain.Outcome
	Actor   domain.Actor
}

// Exclude records an upheld inclusion error's exclusion in one
// transaction: the outcome, the stage (with its history row) and the
// audit entry naming the objection. A household a decree of the cycle
// lists (not withdrawn) is CodeSanggahPastDecree; repeated, it changes
// nothing.
func (s *Store) Exclude(ctx context.Context, e Exclusion) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var h Household
		if err := tx.Select("id, cycle_id, stage, stage_seq").First(&h, "id = ?", e.Transition.HouseholdID).Error; err != nil {
			return wrapNotFound(err)
		}
		// The cycle's lock orders this against a decree being drafted.
		if err := lockOpenCycle(tx, h.CycleID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&AuditEntry{}).Where("idem_key = ?", excludeKey(e.SanggahID)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if err := tx.Model(&Household{}).Where("id = ? AND id IN (?)", h.ID, listedByDecree(tx, h.CycleID, 0)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 || h.Stage != string(domain.StageAwaitingDecree) {
			return conflict(domain.CodeSanggahPastDecree, h.Stage)
		}
		return applyUpheld(tx, &h, map[string]any{"outcome": string(e.Outcome)}, e.Transition, e.Actor,
			excludeKey(e.SanggahID), "household.exclude", map[string]any{"sanggahId": e.SanggahID, "outcome": e.Outcome, "stage": e.Transition.Stage})
	}))
}

// excludeKey is the audit IdemKey of a household's exclusion for an
// objection.
func excludeKey(sanggahID int64) string { return fmt.Sprintf("household.exclude:%d", sanggahID) }

// applyUpheld writes an upheld objection's step in its household: cols on
// the household, the transition with its history row, and the audit entry
// (key, action, detail), last in the transaction as AppendAudit needs.
func applyUpheld(tx *gorm.DB, h *Household, cols map[string]any, t Transition, actor domain.Actor, key, action string, detail map[string]any) error {
	if err := tx.Model(&Household{}).Where("id = ?", h.ID).Updates(cols).Error; err != nil {
		return err
	}
	if err := ApplyTransition(tx, t); err != nil {
		return err
	}
	hid := h.ID
	return AppendAudit(tx, AuditEntry{
		IdemKey: key, At: t.At.UTC(), ActorID: actor.UserID, ActorRole: actor.Role,
		RequestID: actor.RequestID, CycleID: h.CycleID, HouseholdID: &hid, Action: action, Detail: jsonString(detail),
	})
}
