package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/verval/verval/internal/domain"
	"gorm.io/gorm"
)

// DraftDecree creates a draft decree for a cycle. An initial or amendment
// decree lists every household verified eligible (stage awaiting_decree)
// that no other decree of the cycle lists yet; a revocation lists the given
// households, which must be in a signed decree. It returns a conflict when
// there is nothing to decree.
func (s *Store) DraftDecree(ctx context.Context, d *Decree, revoke []int64, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOpenCycle(tx, d.CycleID); err != nil {
			return err
		}
		var signed int64
		if err := tx.Model(&Decree{}).Where("cycle_id = ? AND status = ?", d.CycleID, domain.DecreeSigned).Count(&signed).Error; err != nil {
			return err
		}
		if d.Kind != domain.DecreeRevocation {
			d.Kind = domain.DecreeInitial
			if signed > 0 {
				d.Kind = domain.DecreeAmendment
			}
		}
		d.Status, d.CreatedBy, d.CreatedAt = domain.DecreeDraft, actor.UserID, s.now()
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		n, err := fillDecree(tx, d, revoke)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict(domain.CodeDecreeNothing)
		}
		d.Households = n
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("decree.draft:%d", d.ID), At: s.now(), ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: d.CycleID, Action: "decree.draft",
			Detail: jsonString(map[string]any{"decreeId": d.ID, "kind": d.Kind, "households": n}),
		})
	})
}

// fillDecree lists a draft's households and records their count. A
// withdrawn decree holds none: its households are free for the next draft.
func fillDecree(tx *gorm.DB, d *Decree, revoke []int64) (int, error) {
	var ids []int64
	if d.Kind == domain.DecreeRevocation {
		if len(revoke) == 0 {
			return 0, conflict(domain.CodeRevokeNone)
		}
		// Households a signed decree of this cycle lists and no other
		// revocation (signed or open) has taken back since.
		err := revocable(tx, d.CycleID, d.ID).Where("decree_items.household_id IN ?", revoke).
			Distinct().Pluck("decree_items.household_id", &ids).Error
		if err != nil {
			return 0, err
		}
		if len(ids) != len(uniq(revoke)) {
			return 0, conflict(domain.CodeRevokeNotSigned)
		}
	} else {
		listed := listedByDecree(tx, d.CycleID, d.ID)
		if err := tx.Model(&Household{}).Where("cycle_id = ? AND stage = ? AND id NOT IN (?)", d.CycleID, "awaiting_decree", listed).
			Order("id").Pluck("id", &ids).Error; err != nil {
			return 0, err
		}
	}
	if err := tx.Where("decree_id = ?", d.ID).Delete(&DecreeItem{}).Error; err != nil {
		return 0, err
	}
	action := "add"
	if d.Kind == domain.DecreeRevocation {
		action = "revoke"
	}
	items := make([]DecreeItem, len(ids))
	for i, id := range ids {
		items[i] = DecreeItem{DecreeID: d.ID, HouseholdID: id, Action: action}
	}
	if len(items) > 0 {
		if err := tx.CreateInBatches(&items, 500).Error; err != nil {
			return 0, err
		}
	}
	return len(ids), tx.Model(&Decree{}).Where("id = ?", d.ID).Update("households", len(ids)).Error
}

func uniq(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// ChangeDecree applies a review step (submit, return, revise, sign,
// withdraw) with its audit entry. It is idempotent: a change already applied is a no-op. A
// decree number taken in the regency is domain.CodeDecreeNumberUsed.
func (s *Store) ChangeDecree(ctx context.Context, c domain.DecreeChange) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d Decree
		if err := tx.First(&d, "id = ?", c.DecreeID).Error; err != nil {
			return wrapNotFound(err)
		}
		if d.Status == c.To {
			return nil
		}
		if d.Status != c.From {
			return conflict(domain.CodeDecreeChanged, d.Status, c.From)
		}
		u := map[string]any{"status": c.To}
		switch c.To {
		case domain.DecreeSigned:
			u["number"], u["signed_date"], u["signed_by"], u["signed_at"] = c.Number, c.Date, c.Actor.UserID, c.At.UTC()
			// A reason it was once returned for is settled by the signature.
			u["return_reason"] = ""
		case domain.DecreeReturned:
			u["return_reason"] = c.Reason
		case domain.DecreeWithdrawn:
			// Only Dinsos' own decree, before the bupati's office has it
			// (a submitted decree is returned first).
			if c.From != domain.DecreeDraft && c.From != domain.DecreeReturned {
				return conflict(domain.CodeDecreeStep, d.Status, "withdrawn")
			}
			u["withdraw_reason"] = c.Reason
		case domain.DecreeDraft:
			// Revising refreshes the list of eligible households; a
			// revocation keeps the households it was drafted to revoke
			// (refilling it without them failed, leaving it returned for good).
			if d.Kind != domain.DecreeRevocation {
				if _, err := fillDecree(tx, &d, nil); err != nil {
					return err
				}
			}
		}
		if err := tx.Model(&Decree{}).Where("id = ?", d.ID).Updates(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return conflict(domain.CodeDecreeNumberUsed, c.Number)
			}
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("decree:%d:%s:%s", d.ID, c.To, c.Actor.RequestID), At: c.At, ActorID: c.Actor.UserID,
			ActorRole: c.Actor.Role, RequestID: c.Actor.RequestID, CycleID: d.CycleID, Action: "decree." + string(c.To),
			Detail: jsonString(map[string]any{"decreeId": d.ID, "number": c.Number, "date": c.Date, "reason": c.Reason}),
		})
	})
}

// DecreeNumberTaken reports whether a signed decree of the regency uses number.
func (s *Store) DecreeNumberTaken(ctx context.Context, regency, number string) (bool, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&Decree{}).Where("regency_code = ? AND number = ?", regency, number).Count(&n).Error
	return n > 0, err
}

// GetDecree returns a decree of a cycle visible to the caller (the API
// checks the cycle).
func (s *Store) GetDecree(ctx context.Context, id int64) (*Decree, error) {
	var d Decree
	if err := s.DB.WithContext(ctx).First(&d, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &d, nil
}

// ListDecrees lists a cycle's decrees, newest first.
func (s *Store) ListDecrees(ctx context.Context, cycleID int64) ([]Decree, error) {
	var out []Decree
	err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("id DESC").Find(&out).Error
	return out, err
}

// DecreeLine is one household of a decree as its attachment lists it.
type DecreeLine struct {
	HouseholdID   int64
	KecamatanCode string
	DesaCode      string
	Name          string
	Address       string
	NIKMasked     string
	Action        string
}

// DecreeLines lists a decree's households by kecamatan, desa and name.
func (s *Store) DecreeLines(ctx context.Context, decreeID int64) ([]DecreeLine, error) {
	var out []DecreeLine
	err := s.DB.WithContext(ctx).Table("decree_items").
		Select("households.id AS household_id, households.kecamatan_code, households.desa_code, households.name, households.address, households.nik_masked, decree_items.action").
		Joins("JOIN households ON households.id = decree_items.household_id").
		Where("decree_items.decree_id = ?", decreeID).
		Order("households.kecamatan_code, households.desa_code, households.name, households.id").Scan(&out).Error
	return out, err
}

// DecreePage lists, after afterID, up to limit households of a decree with
// their cycle and the action, for the signing fan-out.
func (s *Store) DecreePage(ctx context.Context, decreeID, afterID int64, limit int) ([]DecreeItem, error) {
	var out []DecreeItem
	err := s.DB.WithContext(ctx).Where("decree_id = ? AND household_id > ?", decreeID, afterID).
		Order("household_id").Limit(limit).Find(&out).Error
	return out, err
}

// SetDecreeProgress records how many households the fan-out has reached.
func (s *Store) SetDecreeProgress(ctx context.Context, decreeID int64, n int) error {
	return s.DB.WithContext(ctx).Model(&Decree{}).Where("id = ?", decreeID).Update("fanned_out", n).Error
}

// DecreeArea counts a decree's households in one desa.
type DecreeArea struct {
	KecamatanCode, DesaCode string
	N                       int64
}

// DecreeCounts counts a decree's households per kecamatan and desa, in
// code order. It counts in the database, so a decree of fifty thousand
// households costs one small query.
func (s *Store) DecreeCounts(ctx context.Context, decreeID int64) ([]DecreeArea, error) {
	var rows []DecreeArea
	err := s.DB.WithContext(ctx).Table("decree_items").
		Select("households.kecamatan_code, households.desa_code, COUNT(*) AS n").
		Joins("JOIN households ON households.id = decree_items.household_id").
		Where("decree_items.decree_id = ?", decreeID).
		Group("households.kecamatan_code, households.desa_code").
		Order("households.kecamatan_code, households.desa_code").Scan(&rows).Error
	return rows, err
}

// revocable selects the households a revocation decree of the cycle may
// take back: listed (add) by a signed decree that no revocation other
// than except (0 for none), signed or still open, took back after it. A
// household revoked, reinstated by an upheld objection and listed again
// by a later decree can be revoked again.
func revocable(tx *gorm.DB, cycleID, except int64) *gorm.DB {
	return tx.Table("decree_items").Select("decree_items.household_id").
		Joins("JOIN decrees ON decrees.id = decree_items.decree_id").
		Where("decrees.cycle_id = ? AND decrees.status = ? AND decree_items.action = ?", cycleID, domain.DecreeSigned, "add").
		Where("NOT EXISTS (SELECT 1 FROM decree_items r JOIN decrees rd ON rd.id = r.decree_id"+
			" WHERE r.household_id = decree_items.household_id AND r.action = ? AND rd.id <> ? AND rd.status <> ? AND rd.id > decrees.id)",
			"revoke", except, domain.DecreeWithdrawn)
}

// listedByDecree selects the households a decree of the cycle lists, other
// than decree except (0 for none): added by a decree that is not
// withdrawn (signed or still open) and that no later signed revocation
// took back. A revoked household that an upheld objection reinstated is
// free for the next decree.
func listedByDecree(tx *gorm.DB, cycleID, except int64) *gorm.DB {
	return tx.Table("decree_items").Select("decree_items.household_id").
		Joins("JOIN decrees ON decrees.id = decree_items.decree_id").
		Where("decrees.cycle_id = ? AND decree_items.action = ? AND decrees.id <> ? AND decrees.status <> ?", cycleID, "add", except, domain.DecreeWithdrawn).
		Where("NOT EXISTS (SELECT 1 FROM decree_items r JOIN decrees rd ON rd.id = r.decree_id"+
			" WHERE r.household_id = decree_items.household_id AND r.action = ? AND rd.status = ? AND rd.id > decrees.id)", "revoke", domain.DecreeSigned)
}
