package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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

// Carried reports whether intake in carries last year's households into
// its cycle (CreateCarryIntake, run by workflows.CarryOverWorkflow) rather
// than loading a file: it has no file, and every stored file has bytes
// (an empty one has no header and is refused before it is stored).
func (in *Intake) Carried() bool { return in.Size == 0 }

// CycleExists reports whether regency has a cycle of year.
func (s *Store) CycleExists(ctx context.Context, regency string, year int) (bool, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&Cycle{}).Where("regency_code = ? AND year = ?", regency, year).Count(&n).Error
	return n > 0, err
}

// YearProgramme is one desa's (or the region's) count of one programme in
// one cycle: the households enrolled in it during the year (In), those that
// left it (Out), and why they left, by reason (the exit reason up to its
// first ':', e.g. "change head_died", "revoked", "removal accepted").
//
// A family that moved to another desa of the regency (a confirmed
// moved_desa change) while in the programme goes out of the desa it left,
// for reason MovedReason, and into the desa it went to: both counted in In
// and Out, and in MovedOut and MovedIn. The region's total counts a move
// only when it crosses the region's edge (for the whole regency, never):
// the family did not leave the programme.
type YearProgramme struct {
	Year      int            `json:"year"`
	DesaCode  string         `json:"desaCode,omitempty"`
	Programme string         `json:"programme"`
	In        int            `json:"in"`
	Out       int            `json:"out"`
	MovedIn   int            `json:"movedIn"`
	MovedOut  int            `json:"movedOut"`
	Reasons   map[string]int `json:"reasons"`
}

// MovedReason is the reason a desa's family went out of its programmes by
// moving to another desa of the regency (YearProgramme).
const MovedReason = "change " + string(domain.ChangeMovedDesa)

// ExitReasonKey is an exit reason without its particulars (a date, Dinsos'
// words): the part before its first ':'.
func ExitReasonKey(r string) string {
	if i := strings.Index(r, ":"); i >= 0 {
		r = r[:i]
	}
	return strings.TrimSpace(r)
}

// YearProgrammes counts cycle cy's enrolments per desa and programme in
// the principal's region, in desa and programme order, and the region's
// total per programme (programmes without enrolments absent). An
// enrolment counts in the desa the family was enrolled in, out where it
// left the programme; a move within the regency takes it out of one desa
// and into the next (YearProgramme).
func (s *Store) YearProgrammes(ctx context.Context, p auth.Principal, cy *Cycle) (desa []*YearProgramme, total map[string]*YearProgramme, err error) {
	type row struct {
		ID, HouseholdID                         int64
		DesaCode, Programme, Status, ExitReason string
		EnrolledAt                              *time.Time
	}
	db := s.DB.WithContext(ctx)
	enrolments := func() *gorm.DB {
		return db.Table("enrolments").Joins("JOIN households ON households.id = enrolments.household_id").
			Select("enrolments.id, enrolments.household_id, households.desa_code, enrolments.programme, enrolments.status, enrolments.exit_reason, enrolments.enrolled_at").
			Where("enrolments.cycle_id = ?", cy.ID)
	}
	confirmedMoves := func() *gorm.DB {
		return db.Model(&HouseholdChange{}).Where("cycle_id = ? AND kind = ? AND status = ?", cy.ID, domain.ChangeMovedDesa, domain.ChangeConfirmed)
	}
	// The families in the region now, and those that moved out of it.
	var rows, left []row
	if err := scope(enrolments(), p, "households.desa_code").Order("enrolments.id").Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	if err := enrolments().Where("enrolments.household_id IN (?)", scope(confirmedMoves().Select("household_id"), p, "desa_code")).
		Order("enrolments.id").Scan(&left).Error; err != nil {
		return nil, nil, err
	}
	seen := make(map[int64]bool, len(rows))
	for _, r := range rows {
		seen[r.ID] = true
	}
	for _, r := range left {
		if !seen[r.ID] {
			rows = append(rows, r)
		}
	}
	var moves []HouseholdChange
	if err := confirmedMoves().Select("household_id, desa_code, new_desa_code").Order("id").Find(&moves).Error; err != nil {
		return nil, nil, err
	}
	movesOf := map[int64][]HouseholdChange{}
	for _, m := range moves {
		movesOf[m.HouseholdID] = append(movesOf[m.HouseholdID], m)
	}
	byDesa := map[[2]string]*YearProgramme{}
	total = map[string]*YearProgramme{}
	count := func(desaCode, programme string) (*YearProgramme, *YearProgramme) {
		k := [2]string{desaCode, programme}
		if byDesa[k] == nil {
			byDesa[k] = &YearProgramme{Year: cy.Year, DesaCode: desaCode, Programme: programme, Reasons: map[string]int{}}
		}
		if total[programme] == nil {
			total[programme] = &YearProgramme{Year: cy.Year, Programme: programme, Reasons: map[string]int{}}
		}
		return byDesa[k], total[programme]
	}
	for _, r := range rows {
		// In where it was enrolled (the desa of its first move, if it
		// moved while in the programme: a family without an enrolment
		// date only left), across each move, out where it left.
		ms := movesOf[r.HouseholdID]
		if r.EnrolledAt == nil {
			ms = nil
		}
		enrolledIn := r.DesaCode
		if len(ms) > 0 {
			enrolledIn = ms[0].DesaCode
		}
		if r.EnrolledAt != nil && p.Covers(enrolledIn) {
			y, t := count(enrolledIn, r.Programme)
			y.In++
			t.In++
		}
		for _, m := range ms {
			from, to := p.Covers(m.DesaCode), p.Covers(m.NewDesaCode)
			if from {
				y, t := count(m.DesaCode, r.Programme)
				y.Out, y.MovedOut, y.Reasons[MovedReason] = y.Out+1, y.MovedOut+1, y.Reasons[MovedReason]+1
				if !to {
					t.Out, t.MovedOut, t.Reasons[MovedReason] = t.Out+1, t.MovedOut+1, t.Reasons[MovedReason]+1
				}
			}
			if to {
				y, t := count(m.NewDesaCode, r.Programme)
				y.In, y.MovedIn = y.In+1, y.MovedIn+1
				if !from {
					t.In, t.MovedIn = t.In+1, t.MovedIn+1
				}
			}
		}
		if r.Status == EnrolmentExited && p.Covers(r.DesaCode) {
			y, t := count(r.DesaCode, r.Programme)
			key := ExitReasonKey(r.ExitReason)
			y.Out, y.Reasons[key] = y.Out+1, y.Reasons[key]+1
			t.Out, t.Reasons[key] = t.Out+1, t.Reasons[key]+1
		}
	}
	for _, y := range byDesa {
		desa = append(desa, y)
	}
	slices.SortFunc(desa, func(a, b *YearProgramme) int {
		return cmp.Or(strings.Compare(a.DesaCode, b.DesaCode), strings.Compare(a.Programme, b.Programme))
	})
	return desa, total, nil
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
