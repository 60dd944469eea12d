package store

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Transition is one stage change of a household, written by its workflow.
type Transition struct {
	HouseholdID int64
	// Seq is the workflow's transition counter; it keys the history row.
	Seq    int
	Stage  string
	At     time.Time
	Reason string
}

// ReasonMax is the length of a stored stage or exit reason (the columns'
// size). A reason is built from a fixed prefix and people's words (a
// decree's revocation, the cycle's close), so it can be longer.
const ReasonMax = 200

// ClipReason shortens a reason to ReasonMax characters, ending it with an
// ellipsis when cut: an over-long reason must not make a retried activity
// fail for ever on PostgreSQL ("value too long"). The full words stay
// where they were given (the decree, the cycle, the audit trail).
func ClipReason(r string) string {
	if utf8.RuneCountInString(r) <= ReasonMax {
		return r
	}
	return string([]rune(r)[:ReasonMax-1]) + "…"
}

// ApplyTransition records a stage change: the household's current stage
// (only if this change is newer than the one stored) and a history row. It
// is idempotent, so a retried activity writes once.
func ApplyTransition(tx *gorm.DB, t Transition) error {
	t.Reason = ClipReason(t.Reason)
	ev := StageEvent{HouseholdID: t.HouseholdID, Seq: t.Seq, Stage: t.Stage, At: t.At.UTC(), Reason: t.Reason}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ev).Error; err != nil {
		return fmt.Errorf("stage history: %w", err)
	}
	res := tx.Model(&Household{}).Where("id = ? AND stage_seq < ?", t.HouseholdID, t.Seq).
		Updates(map[string]any{"stage": t.Stage, "stage_entered_at": t.At.UTC(), "stage_seq": t.Seq, "reason": t.Reason})
	return res.Error
}

// Transition records a stage change in its own transaction.
func (s *Store) Transition(ctx context.Context, t Transition) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return ApplyTransition(tx, t) })
}

// Visit is a recorded visit result, written by the household workflow.
type Visit struct {
	CycleID     int64
	HouseholdID int64
	Version     int
	Result      VisitResult
	Actor       AuditActor
	At          time.Time
	// Transition, when set, moves the household to the verified stage too.
	Transition *Transition
}

// AuditActor is who did a human step.
type AuditActor struct {
	UserID    int64
	Role      string
	RequestID string
}

// RecordVisit stores a visit result (a first result or a correction), the
// household's outcome, the stage change and the audit entry, in one
// transaction. Version makes it idempotent.
func (s *Store) RecordVisit(ctx context.Context, v Visit) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var task Task
		if err := tx.First(&task, "household_id = ?", v.HouseholdID).Error; err != nil {
			return wrapNotFound(err)
		}
		if task.Version >= v.Version {
			return nil // already applied by an earlier attempt
		}
		if task.ClosingMeetingID != nil {
			return ErrListClosed
		}
		before := task.Result
		at := v.At.UTC()
		res := v.Result
		if err := tx.Model(&Task{}).Where("household_id = ?", v.HouseholdID).Updates(map[string]any{
			"status": TaskSubmitted, "version": v.Version, "result": jsonString(res),
			"submitted_by": v.Actor.UserID, "submitted_at": at,
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Household{}).Where("id = ?", v.HouseholdID).Update("outcome", v.Result.Outcome).Error; err != nil {
			return err
		}
		if v.Transition != nil {
			if err := ApplyTransition(tx, *v.Transition); err != nil {
				return err
			}
		}
		action := "verification.submit"
		if before != nil {
			action = "verification.correct"
		}
		hh := v.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("visit:%d:%d", v.HouseholdID, v.Version), At: at,
			ActorID: v.Actor.UserID, ActorRole: v.Actor.Role, RequestID: v.Actor.RequestID,
			CycleID: v.CycleID, HouseholdID: &hh, Action: action,
			Detail: auditDiff(before, &res),
		})
	})
}

// Reopen is a TKSK or Dinsos reopening a household's verification.
type Reopen struct {
	CycleID     int64
	HouseholdID int64
	DueAt       time.Time
	Reason      string
	Actor       AuditActor
	Transition  Transition
}

// ReopenTask opens a household's task again with a new due date, moves the
// household back to verification and audits it, idempotently (by Seq).
func (s *Store) ReopenTask(ctx context.Context, r Reopen) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Task{}).Where("household_id = ?", r.HouseholdID).Updates(map[string]any{
			"status": TaskOpen, "due_at": r.DueAt.UTC(), "escalation_level": 0, "closing_meeting_id": nil,
		}).Error; err != nil {
			return err
		}
		if err := ApplyTransition(tx, r.Transition); err != nil {
			return err
		}
		hh := r.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("reopen:%d:%d", r.HouseholdID, r.Transition.Seq), At: r.Transition.At.UTC(),
			ActorID: r.Actor.UserID, ActorRole: r.Actor.Role, RequestID: r.Actor.RequestID,
			CycleID: r.CycleID, HouseholdID: &hh, Action: "verification.reopen", Detail: jsonString(map[string]string{"reason": r.Reason}),
		})
	})
}

// CloseTask marks a household's task closed by its village meeting and
// records the stage change.
func (s *Store) CloseTask(ctx context.Context, t Transition) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Task{}).Where("household_id = ?", t.HouseholdID).Update("status", TaskClosed).Error; err != nil {
			return err
		}
		return ApplyTransition(tx, t)
	})
}

// Task statuses.
const (
	TaskOpen      = "open"
	TaskSubmitted = "submitted"
	TaskClosed    = "closed"
)

func wrapNotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// AssignTask gives a task to one village officer of its desa, or back to
// the whole desa (assigneeID 0), and audits it.
func (s *Store) AssignTask(ctx context.Context, householdID int64, desa string, assigneeID int64, actor AuditActor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var assignee *int64
		if assigneeID != 0 {
			var u User
			if err := tx.First(&u, "id = ? AND role = ? AND region_code = ? AND disabled = ?", assigneeID, "village", desa, false).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return fmt.Errorf("%w: assignee is not an active village officer of this desa", ErrConflict)
				}
				return err
			}
			assignee = &assigneeID
		}
		if err := tx.Model(&Task{}).Where("household_id = ?", householdID).Update("assignee_id", assignee).Error; err != nil {
			return err
		}
		hh := householdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("assign:%d:%s", householdID, actor.RequestID), At: s.now(),
			ActorID: actor.UserID, ActorRole: actor.Role, RequestID: actor.RequestID, HouseholdID: &hh,
			Action: "task.assign", Detail: jsonString(map[string]any{"assigneeId": assigneeID}),
		})
	})
}
