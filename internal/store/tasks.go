package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// TaskView is a verification task with what the officer needs to find the
// family: name and address (shown only inside the officer's own desa) and
// the masked NIK.
type TaskView struct {
	HouseholdID   int64               `json:"id"`
	CycleID       int64               `json:"cycleId"`
	KecamatanCode string              `json:"kecamatanCode"`
	DesaCode      string              `json:"desaCode"`
	Name          string              `json:"name"`
	Address       string              `json:"address"`
	NIKMasked     string              `json:"nikMasked"`
	Members       int                 `json:"members"`
	Stage         domain.Stage        `json:"stage"`
	Status        domain.TaskStatus   `json:"status"`
	Version       int                 `json:"version"`
	DueAt         time.Time           `json:"dueAt"`
	Overdue       bool                `json:"overdue"`
	Result        *domain.VisitResult `json:"result,omitempty" gorm:"serializer:json"`
	SubmittedAt   *time.Time          `json:"submittedAt,omitempty"`
	AssigneeID    *int64              `json:"assigneeId,omitempty"`
}

// TaskFilter selects tasks.
type TaskFilter struct {
	CycleID int64
	Status  domain.TaskStatus
	Desa    string
	Overdue bool
	// Query searches name and address.
	Query   string
	Page    int
	PerPage int
}

const taskColumns = "tasks.household_id, tasks.cycle_id, tasks.kecamatan_code, tasks.desa_code, households.name, households.address, households.nik_masked, households.members, households.stage, tasks.status, tasks.version, tasks.due_at, tasks.result, tasks.submitted_at, tasks.assignee_id"

func (s *Store) taskQuery(ctx context.Context, p auth.Principal) *gorm.DB {
	return s.taskScope(ctx, p).Joins("JOIN households ON households.id = tasks.household_id")
}

// taskScope is taskQuery without the households: the tasks the principal
// may see.
func (s *Store) taskScope(ctx context.Context, p auth.Principal) *gorm.DB {
	q := scope(s.DB.WithContext(ctx).Table("tasks"), p, "tasks.desa_code")
	if p.Role.Visits() {
		// A reassigned task leaves the desa's other officers' lists.
		q = q.Where("tasks.assignee_id IS NULL OR tasks.assignee_id = ?", p.UserID)
	}
	return q
}

// ListTasks lists the principal's tasks, most urgent first, with the total.
//
// An officer's list is one status of one desa: the index on (desa_code,
// status, due_at, household_id) gives its page in order, and only the
// page's households are read (at 50,000 households, 200 a desa, the first
// page took 81 ms when every household was joined and sorted, 0.5 ms so).
// The total is counted on the tasks alone unless the search needs names.
func (s *Store) ListTasks(ctx context.Context, p auth.Principal, f TaskFilter) ([]TaskView, int64, error) {
	now := s.now()
	q, countQ := s.taskQuery(ctx, p), s.taskScope(ctx, p)
	if strings.TrimSpace(f.Query) != "" {
		countQ = s.taskQuery(ctx, p)
	}
	q, countQ = f.where(q, now), f.where(countQ, now)
	var total int64
	if err := countQ.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	order := "tasks.status = 'open' DESC, tasks.due_at, tasks.household_id"
	if f.Status != "" || f.Overdue {
		// One status: the first key is the same for every row, and an
		// index cannot give an expression's order.
		order = "tasks.due_at, tasks.household_id"
	}
	var out []TaskView
	err := q.Select(taskColumns).Order(order).Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Scan(&out).Error
	for i := range out {
		out[i].Overdue = out[i].Status == domain.TaskOpen && out[i].DueAt.Before(now)
	}
	return out, total, err
}

// where adds the filter's conditions to q.
func (f TaskFilter) where(q *gorm.DB, now time.Time) *gorm.DB {
	if f.CycleID != 0 {
		q = q.Where("tasks.cycle_id = ?", f.CycleID)
	}
	if f.Status != "" {
		q = q.Where("tasks.status = ?", f.Status)
	}
	if f.Desa != "" {
		q = q.Where("tasks.desa_code = ?", f.Desa)
	}
	if f.Overdue {
		q = q.Where("tasks.status = ? AND tasks.due_at < ?", domain.TaskOpen, now)
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		like := "%" + strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(t)) + "%"
		q = q.Where("LOWER(households.name) LIKE ? OR LOWER(households.address) LIKE ?", like, like)
	}
	return q
}

// GetTask returns one task the principal may see.
func (s *Store) GetTask(ctx context.Context, p auth.Principal, householdID int64) (*TaskView, error) {
	var out []TaskView
	if err := s.taskQuery(ctx, p).Select(taskColumns).Where("tasks.household_id = ?", householdID).Limit(1).Scan(&out).Error; err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	out[0].Overdue = out[0].Status == domain.TaskOpen && out[0].DueAt.Before(s.now())
	return &out[0], nil
}

// Visit is a recorded visit result, written by the household workflow.
type Visit struct {
	CycleID     int64
	HouseholdID int64
	Version     int
	Result      domain.VisitResult
	Actor       domain.Actor
	At          time.Time
	// Transition, when set, moves the household to the verified stage too.
	Transition *Transition
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
		switch {
		case task.Version > v.Version:
			return nil // a later version is stored
		case task.Version == v.Version && task.Result != nil && jsonString(*task.Result) == jsonString(v.Result):
			return nil // already applied by an earlier attempt
		}
		// Version equal with another result: an earlier attempt wrote this
		// version but its workflow task failed before the Update was
		// accepted, so the workflow never knew it; the workflow only ever
		// writes the version it is accepting, so this one replaces it.
		if task.ClosingMeetingID != nil {
			return ErrListClosed
		}
		before := task.Result
		at := v.At.UTC()
		res := v.Result
		if err := tx.Model(&Task{}).Where("household_id = ?", v.HouseholdID).Updates(map[string]any{
			"status": domain.TaskSubmitted, "version": v.Version, "result": jsonString(res),
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
			// The result's hash in the key: an attempt the workflow never
			// accepted keeps its entry, and the result that replaced it
			// gets its own.
			IdemKey: fmt.Sprintf("visit:%d:%d:%x", v.HouseholdID, v.Version, resultHash(res)), At: at,
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
	Actor       domain.Actor
	Transition  Transition
}

// ReopenTask opens a household's task again with a new due date, moves the
// household back to verification and audits it, idempotently (by Seq).
func (s *Store) ReopenTask(ctx context.Context, r Reopen) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Task{}).Where("household_id = ?", r.HouseholdID).Updates(map[string]any{
			"status": domain.TaskOpen, "due_at": r.DueAt.UTC(), "escalation_level": 0, "closing_meeting_id": nil,
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
		if err := tx.Model(&Task{}).Where("household_id = ?", t.HouseholdID).Update("status", domain.TaskClosed).Error; err != nil {
			return err
		}
		return ApplyTransition(tx, t)
	})
}

// AssignTask gives a task to one village officer of its desa, or back to
// the whole desa (assigneeID 0), and audits it.
func (s *Store) AssignTask(ctx context.Context, householdID int64, desa string, assigneeID int64, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var assignee *int64
		if assigneeID != 0 {
			var u User
			if err := visitorsOf(tx, desa).First(&u, "id = ?", assigneeID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return conflict(domain.CodeAssigneeInvalid)
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

// resultHash identifies a visit result's content, for its audit entry's key.
func resultHash(r domain.VisitResult) []byte {
	sum := sha256.Sum256([]byte(jsonString(r)))
	return sum[:12]
}
