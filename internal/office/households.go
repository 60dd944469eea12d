package office

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
)

// HouseholdRecord is a household with its stage history, audit trail and
// aid programmes, as the household's page and GET /households/{id} show
// it. NIK and No KK are always masked; the name and address are in clear
// only to the roles that work with the family.
type HouseholdRecord struct {
	*store.Household
	// People are the household's members (a DTSEN file's, and those the
	// visit added), names masked as the head's.
	People     []store.HouseholdMember
	History    []store.StageEvent
	Audit      []store.AuditEntry
	Programmes []store.Enrolment
	// Changes are the year's changes to the household (recorded, confirmed
	// or refused), oldest first.
	Changes []store.HouseholdChange
	// Registry is whether the household is in the national registry now,
	// which its file's terdaftar_dtks (Household.InDTKS, kept as the file
	// said) may no longer be.
	Registry Registry
}

// Registry says whether a household is in the national registry
// (DTKS/DTSEN) now, and why.
type Registry struct {
	In bool
	// By is why: RegistryFile (the file's terdaftar_dtks, nothing since
	// says otherwise), RegistryEnrolled (an enrolled household is in the
	// registry: it was already, or Kemensos took it), RegistryAdded or
	// RegistryRemoved (Kemensos determined its TAMBAH or its HAPUS, on
	// Date).
	By   string
	Date string
}

// Why a household is in the registry or not (Registry.By).
const (
	RegistryFile     = "file"
	RegistryEnrolled = "enrolled"
	RegistryAdded    = "kemensos_added"
	RegistryRemoved  = "kemensos_removed"
)

// registryNow is household h's place in the registry, given Kemensos'
// latest determination about it (jenis TAMBAH or HAPUS on date, "" for
// none): an enrolled household is in it; otherwise the determination
// decides, and without one the file.
func registryNow(h *store.Household, jenis, date string) Registry {
	switch {
	case jenis == "TAMBAH":
		return Registry{In: true, By: RegistryAdded, Date: date}
	case h.Stage == string(domain.StageEnrolled) && h.InDTKS:
		return Registry{In: true, By: RegistryFile}
	case h.Stage == string(domain.StageEnrolled):
		return Registry{In: true, By: RegistryEnrolled}
	case jenis == "HAPUS":
		return Registry{By: RegistryRemoved, Date: date}
	}
	return Registry{In: h.InDTKS, By: RegistryFile}
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
	c.hideObjectorIn(r.Audit)
	if r.Programmes, err = s.store.Enrolments(ctx, h.ID); err != nil {
		return nil, err
	}
	if r.People, err = s.members(ctx, c, h.ID); err != nil {
		return nil, err
	}
	if r.Changes, err = s.store.Changes(ctx, h.ID); err != nil {
		return nil, err
	}
	jenis, date, err := s.store.RegistryAnswer(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	r.Registry = registryNow(h, jenis, date)
	for i := range r.Changes {
		for j := range r.Changes[i].Members {
			e := &r.Changes[i].Members[j]
			c.maskName(&e.Name)
			c.maskName(&e.MemberName)
		}
	}
	return r, nil
}

// HouseholdMembers are household id's people, if the caller may see the
// household, names masked for the caller.
func (s *Service) HouseholdMembers(ctx context.Context, c Caller, id int64) ([]store.HouseholdMember, error) {
	h, err := s.Household(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.members(ctx, c, h.ID)
}

// members are a household's people, names masked for the caller.
func (s *Service) members(ctx context.Context, c Caller, householdID int64) ([]store.HouseholdMember, error) {
	ms, err := s.store.Members(ctx, householdID)
	for i := range ms {
		c.maskName(&ms[i].Name)
	}
	return ms, err
}

// memberTextMax bounds a member's name and occupation, in characters (the
// columns' size).
const memberTextMax = 200

// MemberEdit is one change of a household's members as the doors read
// it: a correction at the visit (POST /tasks/{id}/members) or one of the
// edits of a members_changed change during the year.
type MemberEdit struct {
	Change     string `json:"change"`
	MemberID   int64  `json:"memberId"`
	Date       string `json:"date"`
	Name       string `json:"name"`
	NIK        string `json:"nik"`
	Sex        string `json:"sex"`
	Relation   string `json:"relation"`
	Occupation string `json:"occupation"`
}

// MemberChange is the edit as the store's change.
func (e MemberEdit) MemberChange() store.MemberChange {
	return store.MemberChange{Kind: e.Change, MemberID: e.MemberID, Date: e.Date, NIK: e.NIK, Occupation: e.Occupation,
		Member: store.HouseholdMember{Name: e.Name, Sex: e.Sex, Relation: e.Relation, Occupation: e.Occupation}}
}

// ChangeMember records a correction of a household's members found at the
// village's visit (the village officer of its desa, while its list is
// open): a birth, a death, a member who moved out, a new occupation. It is
// written to the household's members at once (no workflow carries
// members) and to the audit trail, which the household's history shows;
// the audit names the member by id, never by name or NIK.
func (s *Service) ChangeMember(ctx context.Context, c Caller, householdID int64, ch store.MemberChange) (*store.HouseholdMember, error) {
	if err := c.may(StepSubmitResult); err != nil {
		return nil, err
	}
	if err := s.checkMemberChange(&ch); err != nil {
		return nil, err
	}
	m, err := s.store.ChangeMember(ctx, c.Principal, householdID, ch)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, c, m.CycleID, &householdID, "household.member", store.MemberAuditDetail(ch, *m))
	return m, nil
}

// checkMemberChange checks a change's fields (the store checks it against
// the household).
func (s *Service) checkMemberChange(ch *store.MemberChange) error {
	ch.Occupation = strings.TrimSpace(ch.Occupation)
	if !slices.Contains(domain.MemberChanges(), ch.Kind) {
		return domain.FieldErr("change", domain.CodeMemberChange)
	}
	if ch.Kind == domain.MemberOccupation {
		if ch.Occupation == "" || utf8.RuneCountInString(ch.Occupation) > memberTextMax {
			return domain.FieldErr("occupation", domain.CodeMemberOccupation)
		}
		return nil
	}
	d, err := time.Parse(time.DateOnly, ch.Date)
	if err != nil || d.After(s.now()) {
		return domain.FieldErr("date", domain.CodeMemberDate)
	}
	if ch.Kind != domain.MemberBorn {
		return nil
	}
	m := &ch.Member
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" || utf8.RuneCountInString(m.Name) > memberTextMax {
		return domain.FieldErr("name", domain.CodeMemberName)
	}
	if m.Sex != "L" && m.Sex != "P" {
		return domain.FieldErr("sex", domain.CodeMemberSex)
	}
	if m.Relation == "" {
		m.Relation = string(p3ke.RelChild)
	}
	r, ok := p3ke.ParseRelation(m.Relation)
	if !ok || r == p3ke.RelHead {
		return domain.FieldErr("relation", domain.CodeMemberRelation)
	}
	m.Relation = string(r)
	if ch.NIK = strings.TrimSpace(ch.NIK); ch.NIK != "" {
		if _, err := ident.ParseNIK(ch.NIK); err != nil {
			return domain.FieldErr("nik", domain.CodeMemberNIK)
		}
	}
	m.BirthDate = d
	return nil
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
