package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/auth"
)

// Settlement is a household's final stage with the aid that follows.
type Settlement struct {
	CycleID    int64
	Transition Transition
	// Programmes to enrol the household in.
	Programmes []string
	// Exit ends every programme the household had: active enrolments, and
	// the aid P3KE says it already received (PKH, BPNT, PBI-JK).
	Exit bool
}

// Settle records a final stage and its enrolments or exits in one
// transaction. Enrolments are keyed by cycle, household and programme, so
// running it twice enrols nobody twice.
func (s *Store) Settle(ctx context.Context, st Settlement) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := ApplyTransition(tx, st.Transition); err != nil {
			return err
		}
		return settle(tx, st)
	})
}

func settle(tx *gorm.DB, st Settlement) error {
	at := st.Transition.At.UTC()
	hh := st.Transition.HouseholdID
	for _, p := range st.Programmes {
		e := Enrolment{CycleID: st.CycleID, HouseholdID: hh, Programme: p, Status: EnrolmentActive, EnrolledAt: &at}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error; err != nil {
			return fmt.Errorf("enrol: %w", err)
		}
	}
	if !st.Exit {
		return nil
	}
	reason := st.Transition.Reason
	if reason == "" {
		reason = st.Transition.Stage
	}
	if err := tx.Model(&Enrolment{}).Where("cycle_id = ? AND household_id = ? AND status = ?", st.CycleID, hh, EnrolmentActive).
		Updates(map[string]any{"status": EnrolmentExited, "exited_at": at, "exit_reason": reason}).Error; err != nil {
		return err
	}
	var h Household
	if err := tx.Select("pkh, bpnt, pbi").First(&h, "id = ?", hh).Error; err != nil {
		return wrapNotFound(err)
	}
	for p, had := range map[string]bool{"PKH": h.PKH, "BPNT": h.BPNT, "PBI-JK": h.PBI} {
		if !had {
			continue
		}
		e := Enrolment{CycleID: st.CycleID, HouseholdID: hh, Programme: p, Status: EnrolmentExited, ExitedAt: &at, ExitReason: reason}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error; err != nil {
			return fmt.Errorf("exit: %w", err)
		}
	}
	return nil
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
