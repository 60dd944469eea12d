package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// SourceCarried is the source of a household carried into a cycle from the
// cycle of the year before (CarryOver).
const SourceCarried = "carried"

// carriedStages are the stages a household ends a year in and is carried
// into the next year's re-verification: enrolled, and closed unfinished.
var carriedStages = []string{string(domain.StageEnrolled), string(domain.StageClosed)}

// CarryOver stores, in cycle to, every household of cycle from that ended
// its year enrolled or closed unfinished, as an intake of to (carryIntake,
// created first with its status running): each at awaiting_verification
// with a task due dueAt, its numbers and members sealed again, in the
// desa it lives in now, and last year's household, stage and reason. It
// goes in pages through SaveIntakeBatch, so a family already in to (by No
// KK hash or P3KE id) is counted as already present, and a retry stores
// nobody twice. It returns how many it stored.
func (s *Store) CarryOver(ctx context.Context, from *Cycle, carryIntake int64, dueAt time.Time) (int, error) {
	stored, row := 0, 1
	var after int64
	for {
		var old []Household
		if err := s.DB.WithContext(ctx).Where("cycle_id = ? AND stage IN ? AND id > ?", from.ID, carriedStages, after).
			Order("id").Limit(200).Find(&old).Error; err != nil {
			return stored, err
		}
		if len(old) == 0 {
			return stored, nil
		}
		b := IntakeBatch{IntakeID: carryIntake, FirstRow: row + 1, DueAt: dueAt}
		for _, h := range old {
			nh, err := s.carried(ctx, h)
			if err != nil {
				return stored, err
			}
			row++
			nh.Row = row
			b.Households = append(b.Households, nh)
		}
		b.LastRow, b.Rows, b.Accepted = row, len(old), len(old)
		n, err := s.SaveIntakeBatch(ctx, b)
		if err != nil {
			return stored, err
		}
		stored += n
		after = old[len(old)-1].ID
	}
}

// carried is last year's household h as a new one: its numbers and
// members opened to be sealed again by SaveIntakeBatch.
func (s *Store) carried(ctx context.Context, h Household) (NewHousehold, error) {
	nik, err := s.Keys.Open(h.NIKSealed, ADNIK)
	if err != nil {
		return NewHousehold{}, fmt.Errorf("open NIK of household %d: %w", h.ID, err)
	}
	kk, err := s.Keys.Open(h.KKSealed, ADNoKK)
	if err != nil {
		return NewHousehold{}, fmt.Errorf("open No KK of household %d: %w", h.ID, err)
	}
	prev := h.ID
	n := h
	n.ID, n.CycleID, n.IntakeID, n.Outcome, n.Reason, n.StageSeq, n.WorkflowStarted = 0, 0, 0, "", "", 0, false
	n.CreatedAt, n.UpdatedAt = time.Time{}, time.Time{}
	n.Source, n.PrevHouseholdID, n.PrevStage, n.PrevReason = SourceCarried, &prev, h.Stage, h.Reason
	// Enrolled: in the national registry now, whatever the file said.
	n.InDTKS = h.InDTKS || h.Stage == string(domain.StageEnrolled)
	out := NewHousehold{Household: n, NIK: nik, NoKK: kk}
	var ms []HouseholdMember
	if err := s.DB.WithContext(ctx).Where("household_id = ? AND status = ?", h.ID, MemberPresent).Order("id").Find(&ms).Error; err != nil {
		return NewHousehold{}, err
	}
	for _, m := range ms {
		mnik := ""
		if len(m.NIKSealed) > 0 {
			if mnik, err = s.Keys.Open(m.NIKSealed, ADMemberNIK); err != nil {
				return NewHousehold{}, fmt.Errorf("open a member's NIK of household %d: %w", h.ID, err)
			}
		}
		m.ID, m.HouseholdID, m.CycleID = 0, 0, 0
		out.People = append(out.People, NewMember{HouseholdMember: m, NIK: mnik})
	}
	return out, nil
}

// CreateCarryIntake records the intake that carries a cycle's households
// into the next one, running.
func (s *Store) CreateCarryIntake(ctx context.Context, to *Cycle, from *Cycle, actor domain.Actor) (*Intake, error) {
	in := Intake{CycleID: to.ID, FileName: fmt.Sprintf("lanjutan siklus %d", from.Year), Status: IntakeRunning, CreatedBy: actor.UserID}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&in).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("cycle.next:%d", to.ID), At: s.now(), ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: to.ID, Action: "cycle.next",
			Detail: jsonString(map[string]any{"fromCycleId": from.ID, "fromYear": from.Year, "year": to.Year, "intakeId": in.ID}),
		})
	})
	return &in, err
}

// CycleExists reports whether regency has a cycle of year.
func (s *Store) CycleExists(ctx context.Context, regency string, year int) (bool, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&Cycle{}).Where("regency_code = ? AND year = ?", regency, year).Count(&n).Error
	return n > 0, err
}

// YearProgramme is one desa's (or the regency's) count of one programme in
// one cycle: the households enrolled in it during the year (In), those that
// left it (Out), and why they left, by reason (the exit reason up to its
// first ':', e.g. "change head_died", "revoked", "removal accepted").
type YearProgramme struct {
	Year      int            `json:"year"`
	DesaCode  string         `json:"desaCode,omitempty"`
	Programme string         `json:"programme"`
	In        int            `json:"in"`
	Out       int            `json:"out"`
	Reasons   map[string]int `json:"reasons"`
}

// ExitReasonKey is an exit reason without its particulars (a date, Dinsos'
// words): the part before its first ':'.
func ExitReasonKey(r string) string {
	if i := strings.Index(r, ":"); i >= 0 {
		r = r[:i]
	}
	return strings.TrimSpace(r)
}

// YearProgrammes counts cycle cy's enrolments per desa (the household's
// desa now) and programme in the principal's region, in desa and
// programme order.
func (s *Store) YearProgrammes(ctx context.Context, p auth.Principal, cy *Cycle) ([]*YearProgramme, error) {
	var rows []struct {
		DesaCode, Programme, Status, ExitReason string
		EnrolledAt                              *time.Time
	}
	q := scope(s.DB.WithContext(ctx).Table("enrolments").Joins("JOIN households ON households.id = enrolments.household_id"), p, "households.desa_code").
		Where("enrolments.cycle_id = ?", cy.ID)
	if err := q.Select("households.desa_code, enrolments.programme, enrolments.status, enrolments.exit_reason, enrolments.enrolled_at").
		Order("households.desa_code, enrolments.programme").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []*YearProgramme
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].DesaCode != r.DesaCode || out[len(out)-1].Programme != r.Programme {
			out = append(out, &YearProgramme{Year: cy.Year, DesaCode: r.DesaCode, Programme: r.Programme, Reasons: map[string]int{}})
		}
		y := out[len(out)-1]
		if r.EnrolledAt != nil {
			y.In++
		}
		if r.Status == EnrolmentExited {
			y.Out++
			y.Reasons[ExitReasonKey(r.ExitReason)]++
		}
	}
	return out, nil
}

// PreviousCycle is the regency's cycle of the year before cy's, if any.
func (s *Store) PreviousCycle(ctx context.Context, cy *Cycle) (*Cycle, error) {
	var prev []Cycle
	err := s.DB.WithContext(ctx).Where("regency_code = ? AND year = ?", cy.RegencyCode, cy.Year-1).Limit(1).Find(&prev).Error
	if err != nil || len(prev) == 0 {
		return nil, err
	}
	return &prev[0], nil
}
