package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/wilayah"
)

// scope restricts a query to the rows whose region column lies inside the
// principal's region. Region codes are fixed-width and dotted, so a prefix
// match is exact. Every read the API does goes through it.
func scope(db *gorm.DB, p auth.Principal, column string) *gorm.DB {
	if p.Role == auth.RoleAdmin {
		return db
	}
	if p.Region == "" {
		return db.Where("1 = 0")
	}
	if wilayah.LevelOf(p.Region) == wilayah.LevelVillage {
		// Nothing lies below a desa: the prefix match is equality, which
		// the column's index answers (a LIKE is a scan on SQLite, and on
		// PostgreSQL without a pattern-ops index).
		return db.Where(column+" = ?", p.Region)
	}
	return db.Where(column+" LIKE ?", likePrefix(p.Region))
}

// CreateCycle opens a cycle; one per regency and year.
func (s *Store) CreateCycle(ctx context.Context, c *Cycle) error {
	if c.OpenedAt.IsZero() {
		c.OpenedAt = s.now()
	}
	err := s.DB.WithContext(ctx).Create(c).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%w: a cycle for regency %s and year %d already exists", ErrConflict, c.RegencyCode, c.Year)
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

// TaskView is a verification task with what the officer needs to find the
// family: name and address (shown only inside the officer's own desa) and
// the masked NIK.
type TaskView struct {
	HouseholdID   int64        `json:"id"`
	CycleID       int64        `json:"cycleId"`
	KecamatanCode string       `json:"kecamatanCode"`
	DesaCode      string       `json:"desaCode"`
	Name          string       `json:"name"`
	Address       string       `json:"address"`
	NIKMasked     string       `json:"nikMasked"`
	Members       int          `json:"members"`
	Stage         string       `json:"stage"`
	Status        string       `json:"status"`
	Version       int          `json:"version"`
	DueAt         time.Time    `json:"dueAt"`
	Overdue       bool         `json:"overdue"`
	Result        *VisitResult `json:"result,omitempty" gorm:"serializer:json"`
	SubmittedAt   *time.Time   `json:"submittedAt,omitempty"`
	AssigneeID    *int64       `json:"assigneeId,omitempty"`
}

// TaskFilter selects tasks.
type TaskFilter struct {
	CycleID int64
	Status  string
	Desa    string
	Overdue bool
	// Query searches name and address.
	Query   string
	Page    int
	PerPage int
}

const taskColumns = "tasks.household_id, tasks.cycle_id, tasks.kecamatan_code, tasks.desa_code, households.name, households.address, households.nik_masked, households.members, households.stage, tasks.status, tasks.version, tasks.due_at, tasks.result, tasks.submitted_at, tasks.assignee_id"

func (s *Store) taskQuery(ctx context.Context, p auth.Principal) *gorm.DB {
	q := s.DB.WithContext(ctx).Table("tasks").Joins("JOIN households ON households.id = tasks.household_id")
	q = scope(q, p, "tasks.desa_code")
	if p.Role == auth.RoleVillage {
		// A reassigned task leaves the desa's other officers' lists.
		q = q.Where("tasks.assignee_id IS NULL OR tasks.assignee_id = ?", p.UserID)
	}
	return q
}

// ListTasks lists the principal's tasks, most urgent first, with the total.
func (s *Store) ListTasks(ctx context.Context, p auth.Principal, f TaskFilter) ([]TaskView, int64, error) {
	q := s.taskQuery(ctx, p)
	if f.CycleID != 0 {
		q = q.Where("tasks.cycle_id = ?", f.CycleID)
	}
	if f.Status != "" {
		q = q.Where("tasks.status = ?", f.Status)
	}
	if f.Desa != "" {
		q = q.Where("tasks.desa_code = ?", f.Desa)
	}
	now := s.now()
	if f.Overdue {
		q = q.Where("tasks.status = ? AND tasks.due_at < ?", TaskOpen, now)
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		like := "%" + strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(t)) + "%"
		q = q.Where("LOWER(households.name) LIKE ? OR LOWER(households.address) LIKE ?", like, like)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	var out []TaskView
	err := q.Select(taskColumns).Order("tasks.status = 'open' DESC, tasks.due_at, tasks.household_id").
		Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Scan(&out).Error
	for i := range out {
		out[i].Overdue = out[i].Status == TaskOpen && out[i].DueAt.Before(now)
	}
	return out, total, err
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
	out[0].Overdue = out[0].Status == TaskOpen && out[0].DueAt.Before(s.now())
	return &out[0], nil
}

// GetHousehold returns a household the principal may see.
func (s *Store) GetHousehold(ctx context.Context, p auth.Principal, id int64) (*Household, error) {
	var h Household
	if err := scope(s.DB.WithContext(ctx), p, "desa_code").First(&h, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &h, nil
}

// HouseholdHistory is a household's stage history and audit entries: its
// own, and those of the village meetings that closed its list.
func (s *Store) HouseholdHistory(ctx context.Context, id int64) ([]StageEvent, []AuditEntry, error) {
	var evs []StageEvent
	if err := s.DB.WithContext(ctx).Where("household_id = ?", id).Order("seq").Find(&evs).Error; err != nil {
		return nil, nil, err
	}
	var meetings []int64
	if err := s.DB.WithContext(ctx).Model(&MeetingHousehold{}).Where("household_id = ?", id).Pluck("meeting_id", &meetings).Error; err != nil {
		return nil, nil, err
	}
	q := s.DB.WithContext(ctx).Where("household_id = ?", id)
	if len(meetings) > 0 {
		keys := make([]string, len(meetings))
		for i, m := range meetings {
			keys[i] = meetingAuditKey(m)
		}
		q = q.Or("idem_key IN ?", keys)
	}
	var audit []AuditEntry
	err := q.Order("id").Find(&audit).Error
	return evs, audit, err
}

// ProgressRow is a count of households in one stage in one desa.
type ProgressRow struct {
	KecamatanCode string `json:"kecamatanCode"`
	DesaCode      string `json:"desaCode"`
	Stage         string `json:"stage"`
	Count         int64  `json:"count"`
}

// Progress counts a cycle's households per desa and stage, in the
// principal's region.
func (s *Store) Progress(ctx context.Context, p auth.Principal, cycleID int64) ([]ProgressRow, error) {
	var rows []ProgressRow
	q := scope(s.DB.WithContext(ctx).Model(&Household{}), p, "desa_code").Where("cycle_id = ?", cycleID)
	err := q.Select("kecamatan_code, desa_code, stage, COUNT(*) AS count").
		Group("kecamatan_code, desa_code, stage").Order("kecamatan_code, desa_code, stage").Scan(&rows).Error
	return rows, err
}

// StuckCase is a household that has been in one stage too long.
type StuckCase struct {
	HouseholdID    int64     `json:"householdId"`
	KecamatanCode  string    `json:"kecamatanCode"`
	DesaCode       string    `json:"desaCode"`
	Stage          string    `json:"stage"`
	StageEnteredAt time.Time `json:"stageEnteredAt"`
}

// Stuck lists a cycle's non-final households that entered their stage
// before the cut-off, oldest first: limit of them after skipping offset.
func (s *Store) Stuck(ctx context.Context, p auth.Principal, cycleID int64, before time.Time, stages []string, limit, offset int) ([]StuckCase, error) {
	var out []StuckCase
	q := scope(s.DB.WithContext(ctx).Model(&Household{}), p, "desa_code").
		Where("cycle_id = ? AND stage IN ? AND stage_entered_at < ?", cycleID, stages, before.UTC())
	err := q.Select("id AS household_id, kecamatan_code, desa_code, stage, stage_entered_at").
		Order("stage_entered_at, id").Limit(limit).Offset(offset).Scan(&out).Error
	return out, err
}

// ListNotifications lists the notifications addressed to the principal's
// region or any region inside it, newest first.
func (s *Store) ListNotifications(ctx context.Context, p auth.Principal, limit int) ([]Notification, error) {
	var out []Notification
	err := scope(s.DB.WithContext(ctx), p, "region_code").Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}
