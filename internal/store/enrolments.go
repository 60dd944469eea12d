package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/enrol"
)

// PutEnrolment puts a household on a programme's enrolment list (the
// export gateway, enrol.Export). Enrolments are keyed by cycle, household
// and programme: putting one twice enrols nobody twice, and a household
// that left the programme is not put back by a retry.
func (s *Store) PutEnrolment(ctx context.Context, e enrol.Entry) error {
	at := e.At.UTC()
	row := Enrolment{CycleID: e.CycleID, HouseholdID: e.HouseholdID, Programme: e.Programme, Status: EnrolmentActive, EnrolledAt: &at}
	if err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	return nil
}

// PutExit ends a household's enrolment in a programme with a reason, or,
// when it had none in this cycle (aid P3KE says it received), records the
// exit alone. The first exit is kept: putting it twice changes nothing.
func (s *Store) PutExit(ctx context.Context, e enrol.Entry) error {
	at := e.At.UTC()
	e.Reason = ClipReason(e.Reason)
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Enrolment{}).Where("cycle_id = ? AND household_id = ? AND programme = ? AND status = ?", e.CycleID, e.HouseholdID, e.Programme, EnrolmentActive).
			Updates(map[string]any{"status": EnrolmentExited, "exited_at": at, "exit_reason": e.Reason})
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		row := Enrolment{CycleID: e.CycleID, HouseholdID: e.HouseholdID, Programme: e.Programme, Status: EnrolmentExited, ExitedAt: &at, ExitReason: e.Reason}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("exit: %w", err)
		}
		return nil
	})
}

// ActiveProgrammes lists, sorted, the programmes a household is enrolled
// in and has not left, in a cycle.
func (s *Store) ActiveProgrammes(ctx context.Context, cycleID, householdID int64) ([]string, error) {
	var out []string
	err := s.DB.WithContext(ctx).Model(&Enrolment{}).Where("cycle_id = ? AND household_id = ? AND status = ?", cycleID, householdID, EnrolmentActive).
		Order("programme").Pluck("programme", &out).Error
	return out, err
}

// PriorAid lists the central programmes P3KE says a household already
// received (PKH, BPNT, PBI-JK), which its removal ends too.
func (s *Store) PriorAid(ctx context.Context, householdID int64) ([]string, error) {
	var h Household
	if err := s.DB.WithContext(ctx).Select("pkh, bpnt, pbi").First(&h, "id = ?", householdID).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	var out []string
	for _, p := range [...]struct {
		name string
		had  bool
	}{{enrol.PKH, h.PKH}, {enrol.BPNT, h.BPNT}, {enrol.PBIJK, h.PBI}} {
		if p.had {
			out = append(out, p.name)
		}
	}
	return out, nil
}

// CaseStage returns a household's stage and its sequence number.
func (s *Store) CaseStage(ctx context.Context, householdID int64) (stage string, seq int, err error) {
	var h Household
	if err := s.DB.WithContext(ctx).Select("id, stage, stage_seq").First(&h, "id = ?", householdID).Error; err != nil {
		return "", 0, wrapNotFound(err)
	}
	return h.Stage, h.StageSeq, nil
}

// Enrolments lists a household's enrolments.
func (s *Store) Enrolments(ctx context.Context, householdID int64) ([]Enrolment, error) {
	var out []Enrolment
	err := s.DB.WithContext(ctx).Where("household_id = ?", householdID).Order("programme").Find(&out).Error
	return out, err
}

// EnrolmentLine is one household of a programme's enrolment list.
type EnrolmentLine struct {
	HouseholdID int64
	DesaCode    string
	Name        string
	Address     string
	NIKMasked   string
	Status      string
	EnrolledAt  *time.Time
	ExitedAt    *time.Time
	ExitReason  string
	// The person, on a per-person programme's list (EnrolmentPeople):
	// MemberID 0 for a household without member rows, listed as one line.
	MemberID        int64
	MemberName      string
	MemberNIKMasked string
	Relation        string
}

// EnrolmentPeople is a per-person programme's list: each line of lines
// (EnrolmentList) becomes one line per present member rule covers on the
// day of the line's enrolment (or exit); a household without member rows
// (a P3KE file's) stays one line for the family.
func (s *Store) EnrolmentPeople(ctx context.Context, lines []EnrolmentLine, rule enrol.PersonRule) ([]EnrolmentLine, error) {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.HouseholdID
	}
	people, err := s.membersOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []EnrolmentLine
	for _, l := range lines {
		ms := people[l.HouseholdID]
		if len(ms) == 0 {
			out = append(out, l)
			continue
		}
		at := s.now()
		switch {
		case l.EnrolledAt != nil:
			at = *l.EnrolledAt
		case l.ExitedAt != nil:
			at = *l.ExitedAt
		}
		for _, m := range ms {
			if m.Status != MemberPresent || !rule.Covers(PersonOf(m, at)) {
				continue
			}
			pl := l
			pl.MemberID, pl.MemberName, pl.MemberNIKMasked, pl.Relation = m.ID, m.Name, m.NIKMasked, m.Relation
			out = append(out, pl)
		}
	}
	return out, nil
}

// EnrolmentList lists a cycle's enrolments and exits in one programme,
// inside the principal's region, by desa and name.
func (s *Store) EnrolmentList(ctx context.Context, p auth.Principal, cycleID int64, programme string) ([]EnrolmentLine, error) {
	var out []EnrolmentLine
	q := scope(s.DB.WithContext(ctx).Table("enrolments"), p, "households.desa_code").
		Select("households.id AS household_id, households.desa_code, households.name, households.address, households.nik_masked, enrolments.status, enrolments.enrolled_at, enrolments.exited_at, enrolments.exit_reason").
		Joins("JOIN households ON households.id = enrolments.household_id").
		Where("enrolments.cycle_id = ? AND enrolments.programme = ?", cycleID, programme).
		Order("households.desa_code, households.name, households.id")
	err := q.Scan(&out).Error
	return out, err
}
