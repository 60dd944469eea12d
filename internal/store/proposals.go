package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/wilayah"
)

// BuildProposal creates the month's proposal batch for a cycle: every
// household waiting to be proposed (stage awaiting_proposal), not in an
// open batch, and not rejected NIK_TIDAK_PADAN without a correction since
// (CorrectIdentity). Not-registered households are additions (TAMBAH); registered
// ones found not eligible are removals (HAPUS) with their reason. It needs
// a signed decree to back it.
func (s *Store) BuildProposal(ctx context.Context, p *Proposal, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOpenCycle(tx, p.CycleID); err != nil {
			return err
		}
		// The latest signed decree that lists households backs the batch;
		// a revocation takes households off the list and backs nothing.
		var d Decree
		if err := tx.Where("cycle_id = ? AND status = ? AND kind <> ?", p.CycleID, domain.DecreeSigned, domain.DecreeRevocation).Order("signed_at DESC, id DESC").First(&d).Error; err != nil {
			return conflict(domain.CodeProposalNeedsDecree)
		}
		open := tx.Table("proposal_items").Select("proposal_items.household_id").
			Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id").
			Where("proposals.cycle_id = ? AND proposal_items.answer = ?", p.CycleID, "")
		// A household Kemensos could not match at Dukcapil waits until
		// Dinsos corrects its numbers: the same NIK would be refused again.
		uncorrected := tx.Table("proposal_items").Select("proposal_items.household_id").
			Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id").
			Where("proposals.cycle_id = ? AND proposal_items.answer = ? AND proposal_items.answer_reason = ? AND proposal_items.corrected = ?",
				p.CycleID, "DITOLAK", RejectNIKNotMatched, false)
		var hs []Household
		if err := tx.Select("id, in_dtks, outcome, kk_hash, kk_sealed, nik_hash, nik_sealed").Where("cycle_id = ? AND stage = ? AND id NOT IN (?) AND id NOT IN (?)", p.CycleID, "awaiting_proposal", open, uncorrected).
			Order("id").Find(&hs).Error; err != nil {
			return err
		}
		// The year's changes: enrolled households that left their
		// programmes (a confirmed change, a revocation) are proposed HAPUS.
		changes, err := hapusChanges(tx, p.CycleID, p.ChangesUntil)
		if err != nil {
			return err
		}
		if len(hs)+len(changes) == 0 {
			return conflict(domain.CodeProposalNothing)
		}
		p.DecreeID, p.Status, p.Items, p.CreatedBy, p.CreatedAt = d.ID, domain.ProposalDraft, len(hs)+len(changes), actor.UserID, s.now()
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		items := make([]ProposalItem, len(hs))
		for i, h := range hs {
			// The batch keeps the numbers it proposes, sealed as the
			// household's are (same associated data, so copied as they are).
			items[i] = ProposalItem{ProposalID: p.ID, HouseholdID: h.ID, Jenis: "TAMBAH",
				KKHash: h.KKHash, KKSealed: h.KKSealed, NIKHash: h.NIKHash, NIKSealed: h.NIKSealed}
			if h.InDTKS && h.Outcome != "eligible" {
				items[i].Jenis = "HAPUS"
				items[i].Alasan, _ = kemensos.ReasonForOutcome(h.Outcome)
			}
		}
		if len(changes) > 0 {
			ids, changeIDs := make([]int64, len(changes)), make([]int64, len(changes))
			for i, c := range changes {
				ids[i], changeIDs[i] = c.HouseholdID, c.ID
			}
			var chs []Household
			if err := tx.Select("id, kk_hash, kk_sealed, nik_hash, nik_sealed").Where("id IN ?", ids).Find(&chs).Error; err != nil {
				return err
			}
			byID := map[int64]Household{}
			for _, h := range chs {
				byID[h.ID] = h
			}
			for _, c := range changes {
				h := byID[c.HouseholdID]
				alasan, _ := kemensos.ReasonForChange(c.Kind)
				items = append(items, ProposalItem{ProposalID: p.ID, HouseholdID: h.ID, Jenis: "HAPUS", Alasan: alasan,
					KKHash: h.KKHash, KKSealed: h.KKSealed, NIKHash: h.NIKHash, NIKSealed: h.NIKSealed})
			}
			if err := tx.Model(&HouseholdChange{}).Where("id IN ?", changeIDs).Update("proposal_id", p.ID).Error; err != nil {
				return err
			}
		}
		if err := tx.CreateInBatches(&items, 500).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("proposal.build:%d", p.ID), At: s.now(), ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: p.CycleID, Action: "proposal.build",
			Detail: jsonString(map[string]any{"proposalId": p.ID, "month": p.Month, "items": len(hs) + len(changes), "changes": len(changes)}),
		})
	})
}

// GetProposal returns a proposal.
func (s *Store) GetProposal(ctx context.Context, id int64) (*Proposal, error) {
	var p Proposal
	if err := s.DB.WithContext(ctx).First(&p, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &p, nil
}

// ListProposals lists a cycle's proposals, newest first.
func (s *Store) ListProposals(ctx context.Context, cycleID int64) ([]Proposal, error) {
	var out []Proposal
	err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("id DESC").Find(&out).Error
	return out, err
}

// ProposalLine is one household of a proposal with its personal data
// opened, for the upload file Dinsos sends to SIKS-NG.
type ProposalLine struct {
	HouseholdID int64
	DesaCode    string
	NoKK, NIK   string
	Name        string
	Address     string
	Jenis       string
	Alasan      string
	// Answered: the household already has its answer in this batch
	// (Kemensos', or verval's TIDAK_DIJAWAB).
	Answered bool
}

// ProposalLines opens the NIK and No KK a proposal proposed for each of
// its households: the numbers stored with the batch when it was built,
// not the household's numbers now (a correction since changes those), so
// the file downloaded again is the file that was sent.
func (s *Store) ProposalLines(ctx context.Context, proposalID int64) ([]ProposalLine, error) {
	type row struct {
		HouseholdID int64
		DesaCode    string
		KKSealed    []byte
		NIKSealed   []byte
		Name        string
		Address     string
		Jenis       string
		Alasan      string
		Answer      string
	}
	var rows []row
	err := s.DB.WithContext(ctx).Table("proposal_items").
		Select("households.id AS household_id, households.desa_code, "+
			"COALESCE(proposal_items.kk_sealed, households.kk_sealed) AS kk_sealed, COALESCE(proposal_items.nik_sealed, households.nik_sealed) AS nik_sealed, "+
			"households.name, households.address, proposal_items.jenis, proposal_items.alasan, proposal_items.answer").
		Joins("JOIN households ON households.id = proposal_items.household_id").
		Where("proposal_items.proposal_id = ?", proposalID).Order("households.desa_code, households.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ProposalLine, len(rows))
	for i, r := range rows {
		kk, err := s.Keys.Open(r.KKSealed, ADNoKK)
		if err != nil {
			return nil, fmt.Errorf("open No KK of household %d: %w", r.HouseholdID, err)
		}
		nik, err := s.Keys.Open(r.NIKSealed, ADNIK)
		if err != nil {
			return nil, fmt.Errorf("open NIK of household %d: %w", r.HouseholdID, err)
		}
		out[i] = ProposalLine{HouseholdID: r.HouseholdID, DesaCode: r.DesaCode, NoKK: kk, NIK: nik, Name: r.Name, Address: r.Address, Jenis: r.Jenis, Alasan: r.Alasan, Answered: r.Answer != ""}
	}
	return out, nil
}

// ProposalMatcher resolves an answer row's No KK or NIK to a household of
// the proposal, by keyed hash: no clear number is compared or stored. It
// matches the numbers the batch proposed (ProposalLines), so a household's
// correction after the batch was sent does not unmatch Kemensos' answer
// to it.
func (s *Store) ProposalMatcher(ctx context.Context, proposalID int64) (func(noKK, nik string) (int64, bool), error) {
	var rows []Household
	err := s.DB.WithContext(ctx).Table("proposal_items").
		Select("households.id, COALESCE(NULLIF(proposal_items.kk_hash, ''), households.kk_hash) AS kk_hash, "+
			"COALESCE(NULLIF(proposal_items.nik_hash, ''), households.nik_hash) AS nik_hash").
		Joins("JOIN households ON households.id = proposal_items.household_id").
		Where("proposal_items.proposal_id = ?", proposalID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	byKK, byNIK := map[string]int64{}, map[string]int64{}
	for _, h := range rows {
		byKK[h.KKHash], byNIK[h.NIKHash] = h.ID, h.ID
	}
	return func(noKK, nik string) (int64, bool) {
		var kkID, nikID int64
		var kkOK, nikOK bool
		if noKK != "" {
			kkID, kkOK = byKK[s.Keys.Hash(noKK)]
		}
		if nik != "" {
			nikID, nikOK = byNIK[s.Keys.Hash(nik)]
		}
		switch {
		case kkOK && nikOK:
			return kkID, kkID == nikID
		case kkOK && nik == "":
			return kkID, true
		case nikOK && noKK == "":
			return nikID, true
		}
		return 0, false
	}, nil
}

// ProposalMembers opens the people of a proposal's households for its
// upload file, by household: the members still present (not died or moved
// out), in the file's order (the head first), NIKs in clear ("" for a
// member without one). A household without members (a P3KE family) has no
// entry. Members are read as they are now: the village can change them
// only until its meeting closes the list, before any decree and so before
// any batch.
func (s *Store) ProposalMembers(ctx context.Context, proposalID int64) (map[int64][]ProposalMember, error) {
	var rows []HouseholdMember
	err := s.DB.WithContext(ctx).Where("household_id IN (?) AND status = ?",
		s.DB.Table("proposal_items").Select("household_id").Where("proposal_id = ?", proposalID), MemberPresent).
		Order("household_id, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[int64][]ProposalMember{}
	for _, m := range rows {
		pm := ProposalMember{HouseholdMember: m}
		if len(m.NIKSealed) > 0 {
			if pm.NIK, err = s.Keys.Open(m.NIKSealed, ADMemberNIK); err != nil {
				return nil, fmt.Errorf("open NIK of member %d: %w", m.ID, err)
			}
		}
		pm.NIKSealed = nil
		out[m.HouseholdID] = append(out[m.HouseholdID], pm)
	}
	return out, nil
}

// ProposalMember is a member of a proposed household with its NIK opened,
// for the upload file only.
type ProposalMember struct {
	HouseholdMember
	NIK string
}

// ProposalMemberMatcher resolves an answer row's nik_anggota to a member
// of the row's household, by keyed hash: any member the household has had
// (one who died or moved out too: a rejection may be about them).
func (s *Store) ProposalMemberMatcher(ctx context.Context, proposalID int64) (func(householdID int64, nik string) (int64, bool), error) {
	var rows []HouseholdMember
	err := s.DB.WithContext(ctx).Select("id", "household_id", "nik_hash").Where("household_id IN (?) AND nik_hash <> ?",
		s.DB.Table("proposal_items").Select("household_id").Where("proposal_id = ?", proposalID), "").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	type key struct {
		household int64
		hash      string
	}
	byHash := make(map[key]int64, len(rows))
	for _, m := range rows {
		byHash[key{m.HouseholdID, m.NIKHash}] = m.ID
	}
	return func(householdID int64, nik string) (int64, bool) {
		id, ok := byHash[key{householdID, s.Keys.Hash(nik)}]
		return id, ok
	}, nil
}

// MemberRejection is a rejection of a batch's household that names one of
// its members: the household's head and the member, NIK masked.
type MemberRejection struct {
	HouseholdID int64  `json:"householdId"`
	HeadName    string `json:"headName"`
	Address     string `json:"address"`
	// Reason is Kemensos' rejection code (PNS_TNI_POLRI, ...).
	Reason     string `json:"reason"`
	MemberID   int64  `json:"memberId"`
	MemberName string `json:"memberName"`
	NIKMasked  string `json:"nikMasked"`
	// Relation is the member's relationship to the head (anak, ...).
	Relation string `json:"relation"`
}

// ProposalMemberRejections lists a batch's rejections that name a member,
// by household.
func (s *Store) ProposalMemberRejections(ctx context.Context, proposalID int64) ([]MemberRejection, error) {
	var out []MemberRejection
	err := s.DB.WithContext(ctx).Table("proposal_items").
		Select("households.id AS household_id, households.name AS head_name, households.address, proposal_items.answer_reason AS reason, "+
			"household_members.id AS member_id, household_members.name AS member_name, household_members.nik_masked, household_members.relation").
		Joins("JOIN households ON households.id = proposal_items.household_id").
		Joins("JOIN household_members ON household_members.id = proposal_items.answer_member_id").
		Where("proposal_items.proposal_id = ? AND proposal_items.answer = ?", proposalID, "DITOLAK").
		Order("households.id").Scan(&out).Error
	return out, err
}

// StoredAnswer is one household's answer as the store records it.
type StoredAnswer struct {
	HouseholdID int64
	Accepted    bool
	Reason      string
	Note        string
	Date        string
	// MemberID is the member the rejection names; 0 for none.
	MemberID int64
}

// AnsweredBefore is a household whose answer in an upload contradicts the
// answer an earlier upload applied to it: Accepted and Reason are the
// applied answer.
type AnsweredBefore struct {
	HouseholdID int64
	Accepted    bool
	Reason      string
}

// AnswerConflictError refuses an upload whose answers contradict answers
// already applied to the same households of the batch; nothing of the
// upload was applied.
type AnswerConflictError struct {
	Households []AnsweredBefore
}

func (e *AnswerConflictError) Error() string {
	return fmt.Sprintf("%d households of the upload were already answered differently", len(e.Households))
}

// ApplyAnswers records Kemensos' answers to a proposal in one transaction
// (all or nothing) and audits the upload. Households already answered keep
// their first answer: the same answer again is skipped, a different one
// (status or rejection reason) refuses the whole upload with an
// *AnswerConflictError. It returns how many answers were new.
func (s *Store) ApplyAnswers(ctx context.Context, proposalID int64, answers []StoredAnswer, actor domain.Actor) (int, error) {
	applied := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := lockProposal(tx, proposalID)
		if err != nil {
			return err
		}
		if p.Status == domain.ProposalDraft {
			return errNotSubmitted
		}
		var before []ProposalItem
		if err := tx.Select("household_id, answer, answer_reason").Where("proposal_id = ? AND answer <> ?", proposalID, "").Find(&before).Error; err != nil {
			return err
		}
		answered := make(map[int64]ProposalItem, len(before))
		for _, it := range before {
			answered[it.HouseholdID] = it
		}
		conflict := &AnswerConflictError{}
		for _, a := range answers {
			status := "DITOLAK"
			if a.Accepted {
				status = "DITETAPKAN"
			}
			if it, ok := answered[a.HouseholdID]; ok {
				if it.Answer != status || it.AnswerReason != a.Reason {
					conflict.Households = append(conflict.Households, AnsweredBefore{HouseholdID: a.HouseholdID, Accepted: it.Answer == "DITETAPKAN", Reason: it.AnswerReason})
				}
				continue
			}
			if len(conflict.Households) > 0 {
				continue
			}
			res := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND household_id = ? AND answer = ?", proposalID, a.HouseholdID, "").
				Updates(map[string]any{"answer": status, "answer_reason": a.Reason, "answer_note": a.Note, "answer_date": a.Date,
					"answer_member_id": memberRef(a.MemberID)})
			if res.Error != nil {
				return res.Error
			}
			applied += int(res.RowsAffected)
		}
		if len(conflict.Households) > 0 {
			return conflict
		}
		var n int64
		if err := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND answer <> ?", proposalID, "").Count(&n).Error; err != nil {
			return err
		}
		u := map[string]any{"answered": n}
		if int(n) == p.Items {
			u["status"] = domain.ProposalAnswered
		}
		if err := tx.Model(&Proposal{}).Where("id = ?", proposalID).Updates(u).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("proposal.answers:%d:%s", proposalID, actor.RequestID), At: s.now(), ActorID: actor.UserID,
			ActorRole: actor.Role, RequestID: actor.RequestID, CycleID: p.CycleID, Action: "proposal.answers",
			Detail: jsonString(map[string]any{"proposalId": proposalID, "rows": len(answers), "new": applied}),
		})
	})
	return applied, err
}

// memberRef is a member id as a nullable column: nil for 0.
func memberRef(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// errNotSubmitted refuses answers to a batch still in draft.
var errNotSubmitted = conflict(domain.CodeProposalNotSubmitted)

// lockProposal loads a proposal for a transaction that answers its
// households. The no-op update locks the proposal's row (PostgreSQL) until
// tx ends, so an answer upload and Dinsos' record that Kemensos did not
// answer, sent together, take turns: the second sees what the first
// answered (and refuses to answer a household twice) instead of both
// reading the batch as it was.
func lockProposal(tx *gorm.DB, proposalID int64) (*Proposal, error) {
	if err := tx.Exec("UPDATE proposals SET status = status WHERE id = ?", proposalID).Error; err != nil {
		return nil, err
	}
	var p Proposal
	if err := tx.First(&p, "id = ?", proposalID).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &p, nil
}

// MarkUnanswered records, in one transaction, that Kemensos did not answer
// the rest of a submitted batch: every household of it still without an
// answer gets verval's own answer kemensos.TidakDijawab (as answer and
// reason), with Dinsos' note and today's date in Jakarta (WIB), where
// Kemensos dates its answers. The batch is then fully answered, so the
// cycle's close no longer waits for it, and its workflow gives the
// households the marking as it gives Kemensos' answers: each goes back to
// wait for a later batch (BuildProposal takes it again). A later answer
// file for such a household is refused (AnswerConflictError). It returns
// how many households were marked, and audits the step with that count
// (not the note, which is free text).
//
// A draft batch, a simulated one (the simulated Kemensos answers every
// household by itself) and one whose households all have an answer are
// a conflict. The one exception: when the households an earlier marking
// marked have not all been given it yet (its workflow could not be told),
// a repeated request marks nothing (0) and succeeds, so the caller tells
// the workflow again.
func (s *Store) MarkUnanswered(ctx context.Context, proposalID int64, note string, actor domain.Actor) (int, error) {
	marked := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := lockProposal(tx, proposalID)
		if err != nil {
			return err
		}
		switch {
		case p.Status == domain.ProposalDraft:
			return errNotSubmitted
		case p.Simulated:
			return conflict(domain.CodeProposalSimulated)
		}
		now := s.now()
		res := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND answer = ?", proposalID, "").Updates(map[string]any{
			"answer": kemensos.TidakDijawab, "answer_reason": kemensos.TidakDijawab, "answer_note": note,
			"answer_date": now.In(wilayah.WIB).Format("2006-01-02"),
		})
		if res.Error != nil {
			return res.Error
		}
		if marked = int(res.RowsAffected); marked == 0 {
			var ungiven int64
			if err := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND answer = ? AND signalled = ?", proposalID, kemensos.TidakDijawab, false).
				Count(&ungiven).Error; err != nil {
				return err
			}
			if ungiven > 0 {
				return nil
			}
			return conflict(domain.CodeProposalAllAnswered)
		}
		var n int64
		if err := tx.Model(&ProposalItem{}).Where("proposal_id = ? AND answer <> ?", proposalID, "").Count(&n).Error; err != nil {
			return err
		}
		if err := tx.Model(&Proposal{}).Where("id = ?", proposalID).
			Updates(map[string]any{"answered": n, "status": domain.ProposalAnswered}).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: UniqueAuditKey(fmt.Sprintf("proposal.unanswered:%d", proposalID), actor.RequestID), At: now, ActorID: actor.UserID,
			ActorRole: actor.Role, RequestID: actor.RequestID, CycleID: p.CycleID, Action: "proposal.unanswered",
			Detail: jsonString(map[string]any{"proposalId": proposalID, "households": marked}),
		})
	})
	return marked, err
}

// MarkProposalSubmitted records the batch as sent to Kemensos.
func (s *Store) MarkProposalSubmitted(ctx context.Context, proposalID int64, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Proposal
		if err := tx.First(&p, "id = ?", proposalID).Error; err != nil {
			return wrapNotFound(err)
		}
		if p.Status != domain.ProposalDraft {
			return conflict(domain.CodeProposalSubmitted)
		}
		now := s.now()
		if err := tx.Model(&Proposal{}).Where("id = ?", proposalID).Updates(map[string]any{"status": domain.ProposalSubmitted, "submitted_at": now}).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("proposal.submit:%d", proposalID), At: now, ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: p.CycleID, Action: "proposal.submit", Detail: jsonString(map[string]any{"proposalId": proposalID}),
		})
	})
}

// ProposalPage lists, after afterID, up to limit items of a proposal; with
// unsignalledAnswers only answered items whose household has not been told.
func (s *Store) ProposalPage(ctx context.Context, proposalID, afterID int64, limit int, unsignalledAnswers bool) ([]ProposalItem, error) {
	q := s.DB.WithContext(ctx).Omit(proposalItemNumbers...).Where("proposal_id = ? AND household_id > ?", proposalID, afterID)
	if unsignalledAnswers {
		q = q.Where("answer <> ? AND signalled = ?", "", false)
	}
	var out []ProposalItem
	err := q.Order("household_id").Limit(limit).Find(&out).Error
	return out, err
}

// ProposalUntold lists, after afterID, up to limit households of a batch
// that have not been told of it: still in stage awaiting_proposal, with no
// answer of this batch given to them. Telling a household that is already
// waiting for Kemensos, or one this batch's answer sent back to wait for a
// later batch, would have it take the batch a second time; so a batch's
// workflow started again (office.ResumeProposal) tells only these.
func (s *Store) ProposalUntold(ctx context.Context, proposalID, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.DB.WithContext(ctx).Table("proposal_items").Select("proposal_items.household_id").
		Joins("JOIN households ON households.id = proposal_items.household_id").
		Where("proposal_items.proposal_id = ? AND proposal_items.household_id > ? AND proposal_items.signalled = ? AND households.stage = ?",
			proposalID, afterID, false, "awaiting_proposal").
		Order("proposal_items.household_id").Limit(limit).Pluck("proposal_items.household_id", &ids).Error
	return ids, err
}

// MarkAnswersSignalled records that these households have their answers.
func (s *Store) MarkAnswersSignalled(ctx context.Context, proposalID int64, ids []int64) error {
	return s.DB.WithContext(ctx).Model(&ProposalItem{}).Where("proposal_id = ? AND household_id IN ?", proposalID, ids).Update("signalled", true).Error
}

// UngivenAnswerCount counts a proposal's answers stored but not yet given
// to their households (the fan-out after an upload did not run, or did not
// finish).
func (s *Store) UngivenAnswerCount(ctx context.Context, proposalID int64) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&ProposalItem{}).Where("proposal_id = ? AND answer <> ? AND signalled = ?", proposalID, "", false).Count(&n).Error
	return n, err
}

// UnansweredCount counts a proposal's households still without an answer.
func (s *Store) UnansweredCount(ctx context.Context, proposalID int64) (int64, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&ProposalItem{}).Where("proposal_id = ? AND answer = ?", proposalID, "").Count(&n).Error
	return n, err
}

// ProposalCount counts a batch's households by kind and answer.
type ProposalCount struct {
	Tambah, Hapus              int64
	Accepted, Rejected, Unsent int64
	// NotAnswered counts the households Dinsos recorded as not answered
	// by Kemensos (kemensos.TidakDijawab).
	NotAnswered int64
	// Rejections counts the rejections per reason, most frequent first.
	Rejections []ReasonCount
}

// ReasonCount is how many households Kemensos rejected for one reason.
type ReasonCount struct {
	Reason string
	Count  int64
}

// ProposalCounts counts a batch's items by kind, answer and reason.
func (s *Store) ProposalCounts(ctx context.Context, proposalID int64) (*ProposalCount, error) {
	var rows []struct {
		Jenis, Answer, AnswerReason string
		N                           int64
	}
	out := &ProposalCount{}
	err := s.DB.WithContext(ctx).Table("proposal_items").
		Select("jenis, answer, answer_reason, COUNT(*) AS n").Where("proposal_id = ?", proposalID).
		Group("jenis, answer, answer_reason").Order("n DESC, answer_reason").Scan(&rows).Error
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		if r.Jenis == "HAPUS" {
			out.Hapus += r.N
		} else {
			out.Tambah += r.N
		}
		switch r.Answer {
		case "DITETAPKAN":
			out.Accepted += r.N
		case kemensos.TidakDijawab:
			out.NotAnswered += r.N
		case "DITOLAK":
			out.Rejected += r.N
			found := false
			for i := range out.Rejections {
				if out.Rejections[i].Reason == r.AnswerReason {
					out.Rejections[i].Count += r.N
					found = true
				}
			}
			if !found {
				out.Rejections = append(out.Rejections, ReasonCount{Reason: r.AnswerReason, Count: r.N})
			}
		default:
			out.Unsent += r.N
		}
	}
	return out, nil
}

// RegistryAnswer is Kemensos' latest determination about household id:
// the kind (TAMBAH or HAPUS) of the last of its batch items Kemensos
// accepted (DITETAPKAN), and the determination's day; "" when none was.
func (s *Store) RegistryAnswer(ctx context.Context, householdID int64) (jenis, date string, err error) {
	var it ProposalItem
	err = s.DB.WithContext(ctx).Select("jenis", "answer_date").
		Where("household_id = ? AND answer = ?", householdID, "DITETAPKAN").
		Order("proposal_id DESC").Limit(1).Find(&it).Error
	return it.Jenis, it.AnswerDate, err
}
