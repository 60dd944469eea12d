package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
)

// RejectNIKNotMatched is Kemensos' fixable rejection: the NIK did not match
// Dukcapil. A household so rejected goes into a later batch only once its
// numbers have been corrected (CorrectIdentity).
const RejectNIKNotMatched = "NIK_TIDAK_PADAN"

// IdentityCorrection is a Dinsos operator's correction of a household's
// head-of-family NIK and/or No KK; an empty field is left as it is.
type IdentityCorrection struct {
	NIK  string
	NoKK string
}

// CorrectIdentity replaces a household's NIK and/or No KK, sealed, hashed
// and masked as intake stores them, and marks its NIK_TIDAK_PADAN
// rejections corrected, so the next proposal batch takes it again. The
// audit entry names the fields changed, never the numbers. A household
// outside p's region is ErrNotFound; a case that has ended, or one in a
// batch still waiting for Kemensos (whose answer names the old numbers),
// is a conflict; a malformed or unchanged number is a domain.KindInvalid error naming its field.
func (s *Store) CorrectIdentity(ctx context.Context, p auth.Principal, householdID int64, c IdentityCorrection, actor domain.Actor) (*Household, error) {
	if c.NIK == "" && c.NoKK == "" {
		return nil, invalid("nik", domain.CodeIdentityNone)
	}
	var nik, kk string
	var err error
	if c.NIK != "" {
		if nik, err = cleanNIK(c.NIK); err != nil {
			return nil, err
		}
	}
	if c.NoKK != "" {
		if kk, err = cleanKK(c.NoKK); err != nil {
			return nil, err
		}
	}
	var h Household
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := scope(tx, p, "desa_code").First(&h, "id = ?", householdID).Error; err != nil {
			return wrapNotFound(err)
		}
		if slices.Contains(terminalStages, h.Stage) {
			return conflict(domain.CodeCaseEnded)
		}
		var waiting int64
		if err := tx.Table("proposal_items").Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id").
			Where("proposal_items.household_id = ? AND proposal_items.answer = ? AND proposals.status <> ?", h.ID, "", domain.ProposalDraft).
			Count(&waiting).Error; err != nil {
			return err
		}
		if waiting > 0 {
			return conflict(domain.CodeIdentityInBatch)
		}
		u := map[string]any{}
		var fields []string
		if nik != "" {
			if s.Keys.Hash(nik) == h.NIKHash {
				return invalid("nik", domain.CodeIdentitySameNIK)
			}
			sealed, err := s.Keys.Seal(nik, ADNIK)
			if err != nil {
				return err
			}
			u["nik_sealed"], u["nik_hash"], u["nik_masked"] = sealed, s.Keys.Hash(nik), ident.Mask(nik)
			fields = append(fields, "nik")
		}
		if kk != "" {
			hash := s.Keys.Hash(kk)
			if hash == h.KKHash {
				return invalid("noKk", domain.CodeIdentitySameKK)
			}
			var taken int64
			if err := tx.Model(&Household{}).Where("cycle_id = ? AND kk_hash = ? AND id <> ?", h.CycleID, hash, h.ID).Count(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				return conflict(domain.CodeIdentityKKTaken)
			}
			sealed, err := s.Keys.Seal(kk, ADNoKK)
			if err != nil {
				return err
			}
			u["kk_sealed"], u["kk_hash"], u["kk_masked"] = sealed, hash, ident.Mask(kk)
			fields = append(fields, "noKk")
		}
		u["updated_at"] = s.now()
		if err := tx.Model(&Household{}).Where("id = ?", h.ID).Updates(u).Error; err != nil {
			return err
		}
		res := tx.Model(&ProposalItem{}).Where("household_id = ? AND answer = ? AND answer_reason = ? AND corrected = ?", h.ID, "DITOLAK", RejectNIKNotMatched, false).
			Update("corrected", true)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.First(&h, "id = ?", h.ID).Error; err != nil {
			return err
		}
		hid := h.ID
		return AppendAudit(tx, AuditEntry{
			IdemKey: UniqueAuditKey(fmt.Sprintf("household.identity:%d", h.ID), actor.RequestID), At: s.now(), ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: h.CycleID, HouseholdID: &hid, Action: "household.identity",
			Detail: jsonString(map[string]any{"fields": fields, "rejectionsCorrected": res.RowsAffected}),
		})
	})
	if err != nil {
		if e, ok := domain.As(err); ok {
			return nil, e
		}
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			// Two corrections at once giving the same No KK: the unique
			// index settles it after the count above let both through.
			return nil, conflict(domain.CodeIdentityKKTaken)
		}
		return nil, err
	}
	return &h, nil
}

// Identity is a household's NIK and No KK in clear.
type Identity struct {
	HouseholdID int64
	NIK         string
	NoKK        string
}

// ActionIdentityReveal is the audit action of a reveal of a household's
// NIK and No KK.
const ActionIdentityReveal = "household.identity.reveal"

// RevealIdentity opens a household's sealed NIK and No KK for p, who must
// see the household (another region is ErrNotFound), and records the
// reveal in the audit trail: who, when, which household, never the
// numbers. Every reveal is recorded, a repeated one too (its key is
// random, not the client's request id); if the entry cannot be written,
// nothing is revealed.
func (s *Store) RevealIdentity(ctx context.Context, p auth.Principal, householdID int64, actor domain.Actor) (*Identity, error) {
	var out *Identity
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var h Household
		if err := scope(tx, p, "desa_code").Select("id", "cycle_id", "nik_sealed", "kk_sealed").First(&h, "id = ?", householdID).Error; err != nil {
			return wrapNotFound(err)
		}
		nik, err := s.Keys.Open(h.NIKSealed, ADNIK)
		if err != nil {
			return fmt.Errorf("open NIK of household %d: %w", h.ID, err)
		}
		kk, err := s.Keys.Open(h.KKSealed, ADNoKK)
		if err != nil {
			return fmt.Errorf("open No KK of household %d: %w", h.ID, err)
		}
		hid := h.ID
		if err := AppendAudit(tx, AuditEntry{
			IdemKey: UniqueAuditKey(ActionIdentityReveal, actor.RequestID), At: s.now(),
			ActorID: actor.UserID, ActorRole: actor.Role, RequestID: actor.RequestID,
			CycleID: h.CycleID, HouseholdID: &hid, Action: ActionIdentityReveal, Detail: "{}",
		}); err != nil {
			return fmt.Errorf("audit the reveal: %w", err)
		}
		out = &Identity{HouseholdID: h.ID, NIK: nik, NoKK: kk}
		return nil
	})
	return out, err
}

// cleanNIK is a NIK as typed, cleaned and checked as intake checks it; a
// fault is domain.CodeIdentityNumber on field nik.
func cleanNIK(s string) (string, error) {
	nik, err := ident.Clean(s)
	if err == nil {
		_, err = ident.ParseNIK(nik)
	}
	if err != nil {
		return "", invalid("nik", domain.CodeIdentityNumber, err)
	}
	return nik, nil
}

// cleanKK is cleanNIK for a No KK (field noKk).
func cleanKK(s string) (string, error) {
	kk, err := ident.Clean(s)
	if err == nil {
		err = ident.ValidateKK(kk)
	}
	if err != nil {
		return "", invalid("noKk", domain.CodeIdentityNumber, err)
	}
	return kk, nil
}
