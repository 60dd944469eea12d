package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
)

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
func (s *Store) RevealIdentity(ctx context.Context, p auth.Principal, householdID int64, actor AuditActor) (*Identity, error) {
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
