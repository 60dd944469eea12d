package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/auth"
)

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

// HouseholdChoice is a household as a list to pick one from shows it.
type HouseholdChoice struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// DesaHouseholds lists the households of a cycle in one desa that the
// principal may see, by name.
func (s *Store) DesaHouseholds(ctx context.Context, p auth.Principal, cycleID int64, desa string) ([]HouseholdChoice, error) {
	var out []HouseholdChoice
	err := scope(s.DB.WithContext(ctx).Model(&Household{}), p, "desa_code").
		Where("cycle_id = ? AND desa_code = ?", cycleID, desa).
		Select("id, name, address").Order("name, id").Scan(&out).Error
	return out, err
}
