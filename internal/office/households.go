package office

import (
	"context"

	"github.com/verval/verval/internal/store"
)

// HouseholdRecord is a household with its stage history, audit trail and
// aid programmes, as the household's page and GET /households/{id} show
// it. NIK and No KK are always masked; the name and address are in clear
// only to the roles that work with the family.
type HouseholdRecord struct {
	*store.Household
	History    []store.StageEvent
	Audit      []store.AuditEntry
	Programmes []store.Enrolment
}

// Household is household id if the caller may see it, masked for the
// caller's role.
func (s *Service) Household(ctx context.Context, c Caller, id int64) (*store.Household, error) {
	if err := c.may(StepReadHouseholds); err != nil {
		return nil, err
	}
	h, err := s.store.GetHousehold(ctx, c.Principal, id)
	if err != nil {
		return nil, err
	}
	c.mask(&h.Name, &h.Address)
	return h, nil
}

// HouseholdRecord is household id with its history, audit trail and
// programmes.
func (s *Service) HouseholdRecord(ctx context.Context, c Caller, id int64) (*HouseholdRecord, error) {
	h, err := s.Household(ctx, c, id)
	if err != nil {
		return nil, err
	}
	r := &HouseholdRecord{Household: h}
	if r.History, r.Audit, err = s.store.HouseholdHistory(ctx, h.ID); err != nil {
		return nil, err
	}
	if r.Programmes, err = s.store.Enrolments(ctx, h.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// CorrectIdentity lets Dinsos correct a household's NIK and/or No KK,
// typically after Kemensos answered NIK_TIDAK_PADAN: a household so
// rejected goes into the next batch only once corrected. The numbers are
// sealed and hashed as intake stores them.
func (s *Service) CorrectIdentity(ctx context.Context, c Caller, id int64, corr store.IdentityCorrection) (*store.Household, error) {
	if err := c.may(StepCorrectIdentity); err != nil {
		return nil, err
	}
	return s.store.CorrectIdentity(ctx, c.Principal, id, corr, c.Actor())
}

// RevealIdentity is a household's full NIK and No KK, for the roles that
// need them for their work in their own region: Dinsos (its regency, for
// the decree and Kemensos) and the village officer (its desa, to check the
// family card at the door). Each reveal is an audit entry.
func (s *Service) RevealIdentity(ctx context.Context, c Caller, id int64) (*store.Identity, error) {
	if err := c.may(StepRevealIdentity); err != nil {
		return nil, err
	}
	return s.store.RevealIdentity(ctx, c.Principal, id, c.Actor())
}
