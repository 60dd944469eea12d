package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
)

// ADMemberNIK is the associated data of a member's sealed NIK: a
// household's NIK ciphertext copied into a member's row does not open.
const ADMemberNIK = "household_members.nik"

// NewMember is one person of an accepted family, NIK still in clear; the
// store seals it before writing.
type NewMember struct {
	HouseholdMember
	NIK string
}

// sealMember fills m's sealed, hashed and masked NIK from nik ("" leaves
// them empty: a newborn without one).
func (s *Store) sealMember(m *HouseholdMember, nik string) error {
	if nik == "" {
		m.NIKSealed, m.NIKHash, m.NIKMasked = nil, "", ""
		return nil
	}
	sealed, err := s.Keys.Seal(nik, ADMemberNIK)
	if err != nil {
		return err
	}
	m.NIKSealed, m.NIKHash, m.NIKMasked = sealed, s.Keys.Hash(nik), ident.Mask(nik)
	return nil
}

// createMembers stores the people of households just created (hs[i] is
// stored as rows[i]).
func (s *Store) createMembers(tx *gorm.DB, hs []NewHousehold, rows []Household) error {
	var ms []HouseholdMember
	for i, nh := range hs {
		for _, nm := range nh.People {
			m := nm.HouseholdMember
			m.HouseholdID, m.CycleID = rows[i].ID, rows[i].CycleID
			m.Status, m.Source = MemberPresent, SourceIntake
			if err := s.sealMember(&m, nm.NIK); err != nil {
				return err
			}
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(&ms, 500).Error; err != nil {
		return fmt.Errorf("store household members: %w", err)
	}
	return nil
}

// Members lists a household's people, in the file's order (the head
// first), those who died or moved out included with their status.
func (s *Store) Members(ctx context.Context, householdID int64) ([]HouseholdMember, error) {
	var out []HouseholdMember
	err := s.DB.WithContext(ctx).Omit("nik_sealed").Where("household_id = ?", householdID).Order("id").Find(&out).Error
	return out, err
}

// MemberChange is one correction of a household's members the village
// reports at its visit: a birth (a new member), a death, someone who moved
// out, or a new occupation. The office checks the fields.
type MemberChange struct {
	Kind string // born, died, moved_out or occupation (domain.MemberChange...)
	// MemberID is the member who died, moved out or changed occupation.
	MemberID int64
	// Date is when it happened, YYYY-MM-DD (a birth's is the birth date).
	Date string
	// A birth's (or other new member's) person; NIK may be empty.
	Member HouseholdMember
	NIK    string
	// Occupation is the new occupation.
	Occupation string
}

// ChangeMember applies a member change to a household the principal may
// see, while its verification is open to the village: not once the
// village meeting has closed its list, nor after the cycle's close
// (domain.CodeMembersLocked). A death or a move of a member who is no
// longer present is a conflict (domain.CodeMemberGone); a birth's NIK
// already in the household is invalid (domain.CodeMemberNIK). The
// household's member count follows the members present. It returns the
// member as it now stands.
func (s *Store) ChangeMember(ctx context.Context, p auth.Principal, householdID int64, ch MemberChange) (*HouseholdMember, error) {
	var out HouseholdMember
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var h Household
		if err := scope(tx, p, "desa_code").Select("id", "cycle_id").First(&h, "id = ?", householdID).Error; err != nil {
			return wrapNotFound(err)
		}
		var t Task
		if err := tx.Select("status", "closing_meeting_id").First(&t, "household_id = ?", h.ID).Error; err != nil {
			return wrapNotFound(err)
		}
		var cy Cycle
		if err := tx.Select("closed_at").First(&cy, "id = ?", h.CycleID).Error; err != nil {
			return wrapNotFound(err)
		}
		if t.Status == domain.TaskClosed || t.ClosingMeetingID != nil || cy.ClosedAt != nil {
			return conflict(domain.CodeMembersLocked)
		}
		born := ch.Member
		if ch.Kind == domain.MemberBorn {
			if err := s.sealMember(&born, ch.NIK); err != nil {
				return err
			}
		}
		var err error
		if out, err = editMember(tx, h, ch, born, SourceVisit); err != nil {
			return err
		}
		return countMembers(tx, h.ID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// editMember applies one member change to household h's members: a
// birth adds born (its NIK sealed already) from source, unless its NIK is
// in the household already (domain.CodeMemberNIK); a death, a move or a
// new occupation changes a member present (a member no longer present is
// domain.CodeMemberGone). It returns the member as it now stands; the
// caller counts the members (countMembers).
func editMember(tx *gorm.DB, h Household, ch MemberChange, born HouseholdMember, source string) (HouseholdMember, error) {
	if ch.Kind == domain.MemberBorn {
		out := born
		out.ID, out.HouseholdID, out.CycleID, out.Status, out.Source = 0, h.ID, h.CycleID, MemberPresent, source
		if out.NIKHash != "" {
			var same int64
			if err := tx.Model(&HouseholdMember{}).Where("household_id = ? AND nik_hash = ?", h.ID, out.NIKHash).Count(&same).Error; err != nil {
				return out, err
			}
			if same > 0 {
				return out, domain.FieldErr("nik", domain.CodeMemberNIK)
			}
		}
		return out, tx.Create(&out).Error
	}
	var out HouseholdMember
	if err := tx.Omit("nik_sealed").First(&out, "id = ? AND household_id = ?", ch.MemberID, h.ID).Error; err != nil {
		return out, wrapNotFound(err)
	}
	if out.Status != MemberPresent {
		return out, conflict(domain.CodeMemberGone)
	}
	u := map[string]any{}
	switch ch.Kind {
	case domain.MemberDied:
		u["status"], u["status_date"] = MemberDied, ch.Date
	case domain.MemberMovedOut:
		u["status"], u["status_date"] = MemberMovedOut, ch.Date
	case domain.MemberOccupation:
		u["occupation"] = ch.Occupation
	}
	if err := tx.Model(&HouseholdMember{}).Where("id = ?", out.ID).Updates(u).Error; err != nil {
		return out, err
	}
	var now HouseholdMember
	return now, tx.Omit("nik_sealed").First(&now, "id = ?", out.ID).Error
}

// countMembers sets a household's member count to its members present.
func countMembers(tx *gorm.DB, householdID int64) error {
	var present int64
	if err := tx.Model(&HouseholdMember{}).Where("household_id = ? AND status = ?", householdID, MemberPresent).Count(&present).Error; err != nil {
		return err
	}
	return tx.Model(&Household{}).Where("id = ?", householdID).Update("members", present).Error
}

// MemberAuditDetail is the audit detail of member change ch, m the member
// it made or changed: the member by id, never by name or NIK.
func MemberAuditDetail(ch MemberChange, m HouseholdMember) map[string]any {
	detail := map[string]any{"change": ch.Kind, "member": m.ID}
	switch ch.Kind {
	case domain.MemberOccupation:
		detail["occupation"] = ch.Occupation
	case domain.MemberBorn:
		detail["relation"], detail["birthDate"] = m.Relation, ch.Date
	default:
		detail["date"] = ch.Date
	}
	return detail
}

// PersonOf is a member as the programme rules look at it, aged on day at;
// a member born after at (a birth during the year, on a line of the day
// the family was enrolled) is aged 0.
func PersonOf(m HouseholdMember, at time.Time) enrol.Person {
	return enrol.Person{Age: max(p3ke.Age(m.BirthDate, at), 0), Occupation: m.Occupation, InSchool: m.InSchool, Pregnant: m.Pregnant, Disability: m.Disability}
}
