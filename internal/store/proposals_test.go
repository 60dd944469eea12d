package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
)

// TestApplyAnswersRefusesContradictions: an upload whose answer differs
// (status, or rejection reason) from the one an earlier upload applied is
// refused whole, naming each such household with its applied answer; the
// same answer again is skipped.
func TestApplyAnswersRefusesContradictions(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		actor := store.AuditActor{UserID: 7, Role: "dinsos", RequestID: "r1"}
		p := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-07", Status: store.ProposalSubmitted, Items: 3, CreatedAt: time.Now()}
		must(t, db.Create(&p).Error)
		const a, b, c = 101, 102, 103
		for _, id := range []int64{a, b, c} {
			must(t, db.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: id, Jenis: "TAMBAH"}).Error)
		}
		if n, err := st.ApplyAnswers(ctx, p.ID, []store.StoredAnswer{
			{HouseholdID: a, Reason: store.RejectNIKNotMatched, Date: "2026-07-20"}, {HouseholdID: c, Accepted: true, Date: "2026-07-20"},
		}, actor); err != nil || n != 2 {
			t.Fatalf("first upload: %d, %v", n, err)
		}

		actor.RequestID = "r2"
		_, err := st.ApplyAnswers(ctx, p.ID, []store.StoredAnswer{
			{HouseholdID: b, Accepted: true, Date: "2026-07-21"},
			{HouseholdID: a, Reason: "GANDA", Date: "2026-07-21"},
			{HouseholdID: c, Reason: "GANDA", Date: "2026-07-21"},
		}, actor)
		var ce *store.AnswerConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("contradicting upload: %v, want *AnswerConflictError", err)
		}
		want := []store.AnsweredBefore{{HouseholdID: a, Reason: store.RejectNIKNotMatched}, {HouseholdID: c, Accepted: true}}
		if len(ce.Households) != 2 || ce.Households[0] != want[0] || ce.Households[1] != want[1] {
			t.Errorf("conflicts %+v, want %+v", ce.Households, want)
		}
		var it store.ProposalItem
		must(t, db.Where("proposal_id = ? AND household_id = ?", p.ID, b).First(&it).Error)
		if it.Answer != "" {
			t.Errorf("the refused upload applied household b: %+v", it)
		}
		var audits int64
		must(t, db.Model(&store.AuditEntry{}).Where("action = ? AND request_id = ?", "proposal.answers", "r2").Count(&audits).Error)
		if audits != 0 {
			t.Error("the refused upload was audited as applied")
		}

		actor.RequestID = "r3"
		if n, err := st.ApplyAnswers(ctx, p.ID, []store.StoredAnswer{
			{HouseholdID: a, Reason: store.RejectNIKNotMatched, Date: "2026-07-22"}, {HouseholdID: b, Accepted: true, Date: "2026-07-22"},
		}, actor); err != nil || n != 1 {
			t.Fatalf("upload repeating a's answer with b's: %d, %v; want 1 new", n, err)
		}
		got, err := st.GetProposal(ctx, p.ID)
		must(t, err)
		if got.Answered != 3 || got.Status != store.ProposalAnswered {
			t.Errorf("proposal after every answer: %+v", got)
		}
	})
}
