package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// ErrCycleClosed refuses a step on a cycle Dinsos has closed (a conflict:
// 409).
var ErrCycleClosed = domain.Err(domain.CodeCycleClosed)

// terminalStages are the stages in which a household's case has ended
// (domain.Stage.Terminal, which the store cannot import).
var terminalStages = []string{"enrolled", "not_eligible", "removed", "rejected", "revoked", "closed", "exited"}

// endedStages are the stages in which a household's workflow has ended for
// good: terminalStages but enrolled, whose case stays open through the
// year (workflows/year.go) until the close ends it.
var endedStages = terminalStages[1:]

// CreateCycle opens a cycle; one per regency and year.
func (s *Store) CreateCycle(ctx context.Context, c *Cycle) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	if c.OpenedAt.IsZero() {
		c.OpenedAt = c.CreatedAt
	}
	err := s.DB.WithContext(ctx).Create(c).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return conflict(domain.CodeCycleExists, c.RegencyCode, c.Year)
	}
	return err
}

// cycleScope: a cycle is visible to anyone whose region lies in its regency.
func cycleScope(db *gorm.DB, p auth.Principal) *gorm.DB {
	if p.Role == auth.RoleAdmin {
		return db
	}
	if len(p.Region) < 5 {
		return db.Where("1 = 0")
	}
	return db.Where("regency_code = ?", p.Region[:5])
}

// ListCycles lists the cycles the principal may see, newest first.
func (s *Store) ListCycles(ctx context.Context, p auth.Principal) ([]Cycle, error) {
	var cs []Cycle
	err := cycleScope(s.DB.WithContext(ctx), p).Order("year DESC, id DESC").Find(&cs).Error
	return cs, err
}

// GetCycle returns a cycle the principal may see.
func (s *Store) GetCycle(ctx context.Context, p auth.Principal, id int64) (*Cycle, error) {
	var c Cycle
	if err := cycleScope(s.DB.WithContext(ctx), p).First(&c, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &c, nil
}

// IntakeFor returns an intake of a cycle the principal may see, with the
// cycle. Like DecreeFor and ProposalFor, a record of another region is
// ErrNotFound, as a missing one, so its existence does not leak.
func (s *Store) IntakeFor(ctx context.Context, p auth.Principal, id int64) (*Intake, *Cycle, error) {
	return inVisibleCycle(ctx, s, p, id, s.GetIntake, func(in *Intake) int64 { return in.CycleID })
}

// DecreeFor returns a decree of a cycle the principal may see, with the cycle.
func (s *Store) DecreeFor(ctx context.Context, p auth.Principal, id int64) (*Decree, *Cycle, error) {
	return inVisibleCycle(ctx, s, p, id, s.GetDecree, func(d *Decree) int64 { return d.CycleID })
}

// ProposalFor returns a proposal batch of a cycle the principal may see,
// with the cycle.
func (s *Store) ProposalFor(ctx context.Context, p auth.Principal, id int64) (*Proposal, *Cycle, error) {
	return inVisibleCycle(ctx, s, p, id, s.GetProposal, func(pr *Proposal) int64 { return pr.CycleID })
}

// inVisibleCycle loads a record with get, then its cycle through the
// principal's region scope.
func inVisibleCycle[T any](ctx context.Context, s *Store, p auth.Principal, id int64,
	get func(context.Context, int64) (*T, error), cycleOf func(*T) int64) (*T, *Cycle, error) {
	v, err := get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.GetCycle(ctx, p, cycleOf(v))
	if err != nil {
		return nil, nil, err
	}
	return v, c, nil
}

// lockOpenCycle refuses, with ErrCycleClosed, a step of tx on a closed
// cycle. The no-op update locks the cycle's row (PostgreSQL) until tx ends,
// so a close running at the same time waits for the step and sees it, or
// the step waits for the close and is refused.
func lockOpenCycle(tx *gorm.DB, cycleID int64) error {
	if err := tx.Exec("UPDATE cycles SET closed_by = closed_by WHERE id = ?", cycleID).Error; err != nil {
		return err
	}
	var c Cycle
	if err := tx.Select("id", "closed_at").First(&c, "id = ?", cycleID).Error; err != nil {
		return wrapNotFound(err)
	}
	if c.ClosedAt != nil {
		return ErrCycleClosed
	}
	return nil
}

// CloseCycle closes a cycle (tutup buku) with Dinsos' reason, audited. A
// cycle already closed is ErrCycleClosed; one with an intake still queued
// or running is a conflict (the intake would start households after the
// close's fan-out has passed them), and so is one with a decree not yet
// signed or withdrawn or a proposal batch not yet sent or not yet fully
// answered.
func (s *Store) CloseCycle(ctx context.Context, cycleID int64, reason string, actor domain.Actor) (*Cycle, error) {
	var c Cycle
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&Cycle{}).Where("id = ? AND closed_at IS NULL", cycleID).
			Updates(map[string]any{"closed_at": now, "close_reason": reason, "closed_by": actor.UserID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.First(&c, "id = ?", cycleID).Error; err != nil {
				return wrapNotFound(err)
			}
			return ErrCycleClosed
		}
		var running int64
		if err := tx.Model(&Intake{}).Where("cycle_id = ? AND status IN ?", cycleID, []string{IntakeQueued, IntakeRunning}).
			Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return conflict(domain.CodeCycleIntakeRunning)
		}
		// A decree under way or a batch not yet sent would be signed or
		// sent after the close, for households the close has ended: it must
		// be signed, withdrawn or submitted first.
		var pendingDecrees, draftBatches int64
		if err := tx.Model(&Decree{}).Where("cycle_id = ? AND status IN ?", cycleID, []domain.DecreeStatus{domain.DecreeDraft, domain.DecreeSubmitted, domain.DecreeReturned}).
			Count(&pendingDecrees).Error; err != nil {
			return err
		}
		if err := tx.Model(&Proposal{}).Where("cycle_id = ? AND status = ?", cycleID, domain.ProposalDraft).Count(&draftBatches).Error; err != nil {
			return err
		}
		// A batch sent and not fully answered: its households wait for
		// Kemensos, whose answer (an addition accepted into the national
		// registry) must settle them, not the close. When no answer comes,
		// Dinsos records that (MarkUnanswered) and the batch is answered.
		var waitingBatches int64
		if err := tx.Model(&Proposal{}).Where("cycle_id = ? AND status = ?", cycleID, domain.ProposalSubmitted).Count(&waitingBatches).Error; err != nil {
			return err
		}
		if pendingDecrees > 0 {
			return conflict(domain.CodeCycleDecreeUnsigned)
		}
		if draftBatches > 0 {
			return conflict(domain.CodeCycleProposalUnsent)
		}
		if waitingBatches > 0 {
			return conflict(domain.CodeCycleProposalWaiting)
		}
		if err := tx.First(&c, "id = ?", cycleID).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("cycle.close:%d", cycleID), At: now, ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: cycleID, Action: "cycle.close", Detail: JSON(map[string]any{"reason": reason}),
		})
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// OpenHouseholds returns up to limit ids, above after and in order, of the
// cycle's households whose case has not ended, for the close's fan-out:
// those still waiting, and the enrolled, whose open year the close ends
// (an enrolled case from before the open year has completed: the close
// finds it finished).
func (s *Store) OpenHouseholds(ctx context.Context, cycleID, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.DB.WithContext(ctx).Model(&Household{}).
		Where("cycle_id = ? AND id > ? AND workflow_started = ? AND stage NOT IN ?", cycleID, after, true, endedStages).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// SetCloseProgress records how many households the close's fan-out has
// reached.
func (s *Store) SetCloseProgress(ctx context.Context, cycleID int64, n int) error {
	return s.DB.WithContext(ctx).Model(&Cycle{}).Where("id = ?", cycleID).Update("close_households", n).Error
}

// SetCycleScope sets the highest desil that enters the cycle's
// verification. The scope is the file's reading: once an intake of the
// cycle exists it is a conflict (domain.CodeCycleScopeTaken), as is a
// closed cycle.
func (s *Store) SetCycleScope(ctx context.Context, cycleID int64, maxDesil int) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cy Cycle
		if err := tx.First(&cy, "id = ?", cycleID).Error; err != nil {
			return wrapNotFound(err)
		}
		if cy.ClosedAt != nil {
			return ErrCycleClosed
		}
		var intakes int64
		if err := tx.Model(&Intake{}).Where("cycle_id = ?", cycleID).Count(&intakes).Error; err != nil {
			return err
		}
		if intakes > 0 {
			return conflict(domain.CodeCycleScopeTaken)
		}
		return tx.Model(&Cycle{}).Where("id = ?", cycleID).Update("max_desil", maxDesil).Error
	})
}

// DesilCount is how many families and people of one desil a cycle holds.
type DesilCount struct {
	Desil    int   `json:"desil"`
	Families int64 `json:"families"`
	Members  int64 `json:"members"`
}

// ReferenceCounts counts the cycle's reference families (those above its
// scope) per desil, inside the principal's region.
func (s *Store) ReferenceCounts(ctx context.Context, p auth.Principal, cycleID int64) ([]DesilCount, error) {
	q := scope(s.DB.WithContext(ctx).Model(&ReferenceFamily{}), p, "desa_code").
		Select("desil, COUNT(*) AS families, COALESCE(SUM(members), 0) AS members").
		Where("cycle_id = ?", cycleID)
	var out []DesilCount
	err := q.Group("desil").Order("desil").Scan(&out).Error
	return out, err
}
