package office

import (
	"context"
	"strings"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/workflows"
)

// Sanggah: an objection to a household's decision (docs/process.md). The
// desa's officer or PSM records one for its desa; TKSK or Dinsos one a
// citizen brought. Its case is a workflow of its own: the household's
// village (or the TKSK) records a finding, Dinsos decides, and the
// objector is told. Who objected is sealed and shown to nobody; the
// village sees that the objection exists and its reason.

// NewSanggah is an objection as a door hands it in.
type NewSanggah = store.NewSanggah

// FileSanggah records an objection and starts its case. The caller must
// see the household; the channel follows the role as an usul's does; an
// officer objecting in its own name is the objector.
func (s *Service) FileSanggah(ctx context.Context, c Caller, in NewSanggah) (*store.Sanggah, error) {
	if err := c.may(StepSanggah); err != nil {
		return nil, err
	}
	ch, err := channelOf(c, in.Channel)
	if err != nil {
		return nil, err
	}
	in.Channel = ch
	if in.ObjectorKind == domain.ObjectorOfficer {
		in.Objector.Name = c.Name
	}
	cy, err := s.store.GetCycle(ctx, c.Principal, in.CycleID)
	if err != nil {
		return nil, err
	}
	h, err := s.store.GetHousehold(ctx, c.Principal, in.HouseholdID)
	if err != nil || h.CycleID != cy.ID {
		return nil, store.ErrNotFound
	}
	sg, _, _, err := s.store.CreateSanggah(ctx, in, c.Actor())
	if err != nil {
		return nil, err
	}
	if _, err := s.cases.StartSanggah(ctx, workflows.SanggahInput{
		SanggahID: sg.ID, CycleID: cy.ID, HouseholdID: h.ID, Year: cy.Year,
		RegencyCode: sg.RegencyCode, KecamatanCode: sg.KecamatanCode, DesaCode: sg.DesaCode,
		Reverifier: sg.Reverifier, RegisteredAt: sg.CreatedAt, DueAt: sg.DueAt, Kind: sg.Kind,
	}); err != nil {
		return nil, err
	}
	if err := s.store.SanggahStarted(ctx, sg.ID); err != nil {
		return nil, err
	}
	return s.sanggahFor(ctx, c, sg.ID)
}

// ListSanggah lists a cycle's objections in the caller's region, newest
// first; status "" lists every one.
func (s *Service) ListSanggah(ctx context.Context, c Caller, cy *store.Cycle, status string) ([]store.Sanggah, error) {
	if err := c.may(StepReadSanggah); err != nil {
		return nil, err
	}
	out, err := s.store.ListSanggah(ctx, c.Principal, cy.ID, status, 500)
	for i := range out {
		c.hideObjector(&out[i])
	}
	return out, err
}

// GetSanggah returns an objection in the caller's region.
func (s *Service) GetSanggah(ctx context.Context, c Caller, id int64) (*store.Sanggah, error) {
	if err := c.may(StepReadSanggah); err != nil {
		return nil, err
	}
	return s.sanggahFor(ctx, c, id)
}

// sanggahFor reads an objection in the caller's region as the caller may
// see it (hideObjector).
func (s *Service) sanggahFor(ctx context.Context, c Caller, id int64) (*store.Sanggah, error) {
	sg, err := s.store.GetSanggah(ctx, c.Principal, id)
	if err != nil {
		return nil, err
	}
	c.hideObjector(sg)
	return sg, nil
}

// hideObjectorIn blanks, for the roles of the village, who recorded an
// objection in the household's audit trail (see hideObjector): the
// account and its role, which in a desa of one PSM names them as well.
func (c Caller) hideObjectorIn(entries []store.AuditEntry) {
	if !c.Role.Visits() {
		return
	}
	for i := range entries {
		if entries[i].Action == "sanggah.create" {
			entries[i].ActorID, entries[i].ActorRole = 0, ""
		}
	}
}

// hideObjector keeps who objected from the household's village: an
// officer objecting in its own name is the objection's creator, so the
// roles of the village (its officer, PSM, pendamping) do not get the
// creator's account. The objector's sealed name and phone reach nobody.
func (c Caller) hideObjector(sg *store.Sanggah) {
	if c.Role.Visits() {
		sg.CreatedBy = 0
	}
}

// SanggahFinding records the re-verification's finding: by the household's
// village officer or PSM, or the TKSK; only the TKSK when the objector
// asked for someone outside the village.
func (s *Service) SanggahFinding(ctx context.Context, c Caller, id int64, key string, outcome domain.Outcome, note string) (*store.Sanggah, error) {
	if err := c.may(StepSanggahFinding); err != nil {
		return nil, err
	}
	sg, err := s.store.GetSanggah(ctx, c.Principal, id)
	if err != nil {
		return nil, err
	}
	if sg.Reverifier == domain.ReverifyTKSK && c.Role != auth.RoleTKSK {
		return nil, domain.Err(domain.CodeSanggahNotYours, "TKSK")
	}
	u, err := updateID(c, "sanggah-finding", id, key)
	if err != nil {
		return nil, err
	}
	if _, err := s.cases.SanggahFinding(ctx, id, u, workflows.SanggahFinding{Actor: c.Actor(), Outcome: outcome, Note: note}); err != nil {
		return nil, temporalx.RefusalOf(err)
	}
	return s.sanggahFor(ctx, c, id)
}

// DecideSanggah records Dinsos' decision: upheld, the objection goes into
// the next decree (an inclusion error on a decreed household is revoked
// by the next revocation decree, SanggahCandidates), or rejected.
func (s *Service) DecideSanggah(ctx context.Context, c Caller, id int64, key, decision, note string) (*store.Sanggah, error) {
	if err := c.may(StepSanggahDecide); err != nil {
		return nil, err
	}
	if decision != string(domain.SanggahUpheld) && decision != string(domain.SanggahRejected) {
		return nil, domain.FieldErr("decision", domain.CodeSanggahDecision)
	}
	if _, err := s.store.GetSanggah(ctx, c.Principal, id); err != nil {
		return nil, err
	}
	u, err := updateID(c, "sanggah-decide", id, key)
	if err != nil {
		return nil, err
	}
	if _, err := s.cases.SanggahDecide(ctx, id, u, workflows.SanggahDecision{
		Actor: c.Actor(), Upheld: decision == string(domain.SanggahUpheld), Note: note}); err != nil {
		return nil, temporalx.RefusalOf(err)
	}
	return s.sanggahFor(ctx, c, id)
}

// SanggahStatus is the login-free status of an objection by its receipt
// code: its status and dates and its kecamatan, nothing else. An unknown
// or malformed code is not found.
func (s *Service) SanggahStatus(ctx context.Context, receipt string) (*store.SanggahPublic, error) {
	receipt = strings.TrimSpace(receipt)
	if len(receipt) > 32 || !strings.HasPrefix(strings.ToUpper(receipt), "SGH-") {
		return nil, store.ErrNotFound
	}
	return s.store.SanggahStatusOf(ctx, receipt)
}

// StuckSanggah lists a cycle's objections in the caller's region that are
// past their due date and not decided yet.
func (s *Service) StuckSanggah(ctx context.Context, c Caller, cycleID int64, limit int) ([]store.Sanggah, error) {
	if err := c.may(StepStuck); err != nil {
		return nil, err
	}
	out, err := s.store.StuckSanggah(ctx, c.Principal, cycleID, s.now(), limit)
	for i := range out {
		c.hideObjector(&out[i])
	}
	return out, err
}

// sanggahRevocations is what a revocation decree drafted without naming
// households revokes: the households of the cycle's upheld inclusion
// errors that a signed decree lists and nothing revokes yet.
func (s *Service) sanggahRevocations(ctx context.Context, cycleID int64) ([]int64, error) {
	return s.store.SanggahCandidates(ctx, cycleID, domain.SanggahInclusion)
}

// sanggahDays checks a cycle's service level for objections; 0 is the
// default.
func sanggahDays(days int) (int, error) {
	if days == 0 {
		return domain.DefaultSanggahDays, nil
	}
	if days < 1 || days > 365 {
		return 0, domain.FieldErr("sanggahDays", domain.CodeCycleSanggahDays)
	}
	return days, nil
}

// CaseCounts counts the cycle's usul and sanggah in the caller's region,
// for the dashboard.
func (s *Service) CaseCounts(ctx context.Context, c Caller, cycleID int64) (store.CaseCounts, error) {
	if err := c.may(StepReadCycles); err != nil {
		return store.CaseCounts{}, err
	}
	return s.store.CaseCounts(ctx, c.Principal, cycleID)
}
