package office

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// During the year (docs/process.md): a change to an enrolled household is
// recorded by the village officer, the PSM, the PKH companion or Dinsos
// and confirmed (or refused) by the TKSK or Dinsos; its household's case,
// open through the year, then acts on it (workflows/year.go).

// YearChange is a change as the doors read it.
type YearChange struct {
	Kind            domain.ChangeKind `json:"kind"`
	Date            string            `json:"date"`
	Note            string            `json:"note"`
	NewDesaCode     string            `json:"newDesaCode"`
	NewHeadMemberID int64             `json:"newHeadMemberId"`
	// Members are a members_changed change's edits, applied to the
	// household's members when it is confirmed; an edit without a date
	// (other than an occupation) happened on the change's date.
	Members []MemberEdit `json:"members"`
}

// maxChangeMembers bounds the member edits of one change.
const maxChangeMembers = 20

// ChangeDecision is the TKSK's or Dinsos' decision on the change waiting.
type ChangeDecision struct {
	Confirm bool   `json:"confirm"`
	Note    string `json:"note"`
}

// RecordChange records a change to household id, which the caller must
// see. A move names a desa of the household's regency (the caller need
// not cover it: the household is handed to that village); a new head is a
// member present in the household.
func (s *Service) RecordChange(ctx context.Context, c Caller, id int64, key string, in YearChange) (workflows.ChangeResponse, error) {
	if err := c.may(StepRecordChange); err != nil {
		return workflows.ChangeResponse{}, err
	}
	h, err := s.store.GetHousehold(ctx, c.Principal, id)
	if err != nil {
		return workflows.ChangeResponse{}, err
	}
	req := workflows.ChangeRequest{Actor: c.Actor(), Kind: in.Kind, Date: strings.TrimSpace(in.Date), Note: strings.TrimSpace(in.Note),
		NewDesaCode: strings.TrimSpace(in.NewDesaCode), NewHeadMemberID: in.NewHeadMemberID}
	if req.Kind == domain.ChangeMovedDesa {
		if !wilayah.Default().IsVillage(req.NewDesaCode) || wilayah.Regency(req.NewDesaCode) != h.RegencyCode || req.NewDesaCode == h.DesaCode {
			return workflows.ChangeResponse{}, domain.FieldErr("newDesaCode", domain.CodeChangeDesa, h.RegencyCode)
		}
		req.NewKecamatanCode = wilayah.Kecamatan(req.NewDesaCode)
	}
	if req.NewHeadMemberID != 0 {
		ms, err := s.store.Members(ctx, h.ID)
		if err != nil {
			return workflows.ChangeResponse{}, err
		}
		if !presentMember(ms, req.NewHeadMemberID) {
			return workflows.ChangeResponse{}, domain.FieldErr("newHeadMemberId", domain.CodeChangeHead)
		}
	}
	edits, err := s.changeMembers(ctx, h, req.Kind, req.Date, in.Members)
	if err != nil {
		return workflows.ChangeResponse{}, err
	}
	if h.Stage != string(domain.StageEnrolled) {
		return workflows.ChangeResponse{}, domain.Err(domain.CodeChangeNotOpen, h.Stage)
	}
	request := []any{req.Kind, req.Date, req.Note, req.NewDesaCode, req.NewHeadMemberID}
	if len(edits) > 0 {
		// The edits hold names and NIKs: the Update ID gets their keyed
		// hash, never a plain one a guess could be checked against.
		b, err := json.Marshal(edits)
		if err != nil {
			return workflows.ChangeResponse{}, err
		}
		request = append(request, s.store.Keys.Hash(string(b)))
	}
	k, err := idempotency(c, "change", h.ID, key, request)
	if err != nil {
		return workflows.ChangeResponse{}, err
	}
	req.Key, req.KeyHash = k.key, k.hash
	if len(edits) > 0 {
		// Staged before the case records the change, which takes them
		// under this key: the workflow never carries them.
		sum := sha256.Sum256([]byte(k.updateID))
		req.MembersKey = hex.EncodeToString(sum[:])
		if err := s.store.StageChangeMembers(ctx, h.ID, req.MembersKey, edits); err != nil {
			return workflows.ChangeResponse{}, err
		}
	}
	resp, err := s.cases.RecordChange(ctx, h.CycleID, h.ID, k.updateID, req)
	err = yearRefusal(err, h)
	if e, ok := domain.As(err); ok && req.MembersKey != "" && e.Kind() != domain.KindUnavailable {
		// Refused: the case recorded nothing, and takes the edits never.
		if drop := s.store.DropStagedChangeMembers(ctx, h.ID, req.MembersKey); drop != nil {
			s.log.Warn("staged member edits not dropped", "household", h.ID, "err", drop)
		}
	}
	return resp, err
}

// changeMembers checks a change's member edits: a members_changed change
// has 1 to maxChangeMembers, each a correction the visit could make
// (checkMemberChange) of a different member present other than the head
// (whose death is head_died), a birth's NIK not in the household; other
// changes have none. An edit's field is named members[i].field.
func (s *Service) changeMembers(ctx context.Context, h *store.Household, kind domain.ChangeKind, date string, in []MemberEdit) ([]store.MemberChange, error) {
	if kind != domain.ChangeMembers && len(in) == 0 {
		return nil, nil
	}
	if kind != domain.ChangeMembers || len(in) == 0 || len(in) > maxChangeMembers {
		return nil, domain.FieldErr("members", domain.CodeChangeMembers, maxChangeMembers)
	}
	ms, err := s.store.Members(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	present := map[int64]store.HouseholdMember{}
	niks := map[string]bool{}
	for _, m := range ms {
		if m.Status == store.MemberPresent {
			present[m.ID] = m
		}
		niks[m.NIKHash] = true
	}
	named := map[int64]bool{}
	out := make([]store.MemberChange, len(in))
	for i, e := range in {
		ch := e.MemberChange()
		if strings.TrimSpace(ch.Date) == "" && ch.Kind != domain.MemberOccupation {
			ch.Date = date
		}
		field := func(f string) string { return fmt.Sprintf("members[%d].%s", i, f) }
		if err := s.checkMemberChange(&ch); err != nil {
			if de, ok := domain.As(err); ok && de.Field != "" {
				refusal := *de
				refusal.Field = field(de.Field)
				return nil, &refusal
			}
			return nil, err
		}
		if ch.Kind == domain.MemberBorn {
			if ch.NIK != "" {
				hash := s.store.Keys.Hash(ch.NIK)
				if niks[hash] {
					return nil, domain.FieldErr(field("nik"), domain.CodeMemberNIK)
				}
				niks[hash] = true
			}
		} else {
			m, ok := present[ch.MemberID]
			if !ok || named[ch.MemberID] || (ch.Kind != domain.MemberOccupation && m.Relation == string(p3ke.RelHead)) {
				return nil, domain.FieldErr(field("memberId"), domain.CodeChangeMembers, maxChangeMembers)
			}
			named[ch.MemberID] = true
		}
		out[i] = ch
	}
	return out, nil
}

// DecideChange confirms or refuses the change waiting on household id.
func (s *Service) DecideChange(ctx context.Context, c Caller, id int64, key string, in ChangeDecision) (workflows.ChangeResponse, error) {
	if err := c.may(StepDecideChange); err != nil {
		return workflows.ChangeResponse{}, err
	}
	h, err := s.store.GetHousehold(ctx, c.Principal, id)
	if err != nil {
		return workflows.ChangeResponse{}, err
	}
	if h.Stage != string(domain.StageEnrolled) {
		return workflows.ChangeResponse{}, domain.Err(domain.CodeChangeNotOpen, h.Stage)
	}
	req := workflows.DecideRequest{Actor: c.Actor(), Confirm: in.Confirm, Note: strings.TrimSpace(in.Note)}
	k, err := idempotency(c, "decide-change", h.ID, key, []any{req.Confirm, req.Note})
	if err != nil {
		return workflows.ChangeResponse{}, err
	}
	req.Key, req.KeyHash = k.key, k.hash
	resp, err := s.cases.DecideChange(ctx, h.CycleID, h.ID, k.updateID, req)
	return resp, yearRefusal(err, h)
}

// yearRefusal reads a year Update's error: a case that has ended (its
// workflow finished: enrolled before the open year, or the year closed)
// takes no change.
func yearRefusal(err error, h *store.Household) error {
	err = temporalx.RefusalOf(err)
	if e, ok := domain.As(err); ok && e.Code == domain.CodeCaseEnded {
		return domain.Err(domain.CodeChangeNotOpen, h.Stage)
	}
	return err
}

func presentMember(ms []store.HouseholdMember, id int64) bool {
	for _, m := range ms {
		if m.ID == id && m.Status == store.MemberPresent {
			return true
		}
	}
	return false
}

// ChangeReport is a cycle's changes of one month per desa.
type ChangeReport struct {
	CycleID int64                    `json:"cycleId"`
	Month   string                   `json:"month"`
	Desa    []*store.ChangeReportRow `json:"desa"`
}

// ChangeReport counts the changes recorded in month (YYYY-MM) per desa of
// the caller's region (TKSK, Dinsos, the bupati's office, admin).
func (s *Service) ChangeReport(ctx context.Context, c Caller, cycleID int64, month string) (*ChangeReport, error) {
	if err := c.may(StepReport); err != nil {
		return nil, err
	}
	cy, err := s.store.GetCycle(ctx, c.Principal, cycleID)
	if err != nil {
		return nil, err
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, domain.FieldErr("month", domain.CodeProposalMonth)
	}
	rows, err := s.store.ChangeReport(ctx, c.Principal, cy.ID, m)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []*store.ChangeReportRow{}
	}
	return &ChangeReport{CycleID: cy.ID, Month: month, Desa: rows}, nil
}
