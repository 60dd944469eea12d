package office

import (
	"context"
	"slices"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// Usul: a household proposed into the cycle from outside its file
// (docs/process.md). The desa's officer or PSM proposes one of its desa;
// TKSK or Dinsos records one a citizen brought (at the office, by letter,
// or through Cek Bansos) for any desa of its region. The household then
// follows the path of every other, from awaiting_verification.

// ProposeHousehold records an usul and starts its household's case. The
// returned household is the new one (source usul).
func (s *Service) ProposeHousehold(ctx context.Context, c Caller, in store.NewUsul) (*store.Household, error) {
	if err := c.may(StepUsul); err != nil {
		return nil, err
	}
	ch, err := channelOf(c, in.Channel)
	if err != nil {
		return nil, err
	}
	in.Channel = ch
	if !c.Covers(in.DesaCode) {
		return nil, domain.FieldErr("desaCode", domain.CodeOutsideRegion)
	}
	// The cycle must be one the caller sees (its regency's).
	if _, err := s.store.GetCycle(ctx, c.Principal, in.CycleID); err != nil {
		return nil, err
	}
	h, cy, resume, err := s.store.CreateUsul(ctx, in, c.UserID)
	if err != nil {
		return nil, err
	}
	if !resume {
		s.audit(ctx, c, cy.ID, &h.ID, "household.usul", map[string]any{"channel": in.Channel})
	}
	task, err := s.store.GetTask(ctx, c.Principal, h.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.cases.StartHousehold(ctx, domain.HouseholdStart{
		CycleID: cy.ID, HouseholdID: h.ID, Year: cy.Year,
		RegencyCode: h.RegencyCode, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode,
		Desil: h.Desil, InDTKS: h.InDTKS, CycleOpenedAt: cy.OpenedAt, DueAt: task.DueAt,
	}); err != nil {
		return nil, err
	}
	if err := s.store.UsulStarted(ctx, h.ID); err != nil {
		return nil, err
	}
	h.WorkflowStarted = true
	return h, nil
}

// channelOf is the channel an usul or a sanggah came by: the desa's own
// roles' is set by the role; TKSK and Dinsos record a citizen's and say
// which (asked).
func channelOf(c Caller, asked string) (string, error) {
	switch {
	case c.Role == auth.RoleVillage:
		return store.ChannelDesa, nil
	case c.Role == auth.RolePSM:
		return store.ChannelPSM, nil
	case !slices.Contains(store.CitizenChannels, asked):
		return "", domain.FieldErr("channel", domain.CodeUsulChannel)
	}
	return asked, nil
}
