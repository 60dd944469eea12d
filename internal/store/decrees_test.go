package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// TestWithdrawnDecreeFreesItsHouseholds: a draft holds its households (a
// second draft finds none), a withdrawn one does not: its households go
// into the next draft. The reason and an audit entry are kept, and a
// decree the bupati's office has (submitted) cannot be withdrawn.
func TestWithdrawnDecreeFreesItsHouseholds(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		now := time.Now().UTC()
		for i := 0; i < 3; i++ {
			h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
				KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Stage: "awaiting_decree", StageEnteredAt: now, Outcome: "eligible"}
			must(t, db.Create(&h).Error)
		}
		actor := domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r1"}
		first := store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}
		must(t, st.DraftDecree(ctx, &first, nil, actor))
		if first.Households != 3 {
			t.Fatalf("first draft lists %d households, want 3", first.Households)
		}
		if err := st.DraftDecree(ctx, &store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}, nil, actor); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("a second draft while the first holds every household: %v, want ErrConflict", err)
		}

		// Submitted: the bupati's office has it; withdrawing is refused.
		must(t, st.ChangeDecree(ctx, domain.DecreeChange{DecreeID: first.ID, From: domain.DecreeDraft, To: domain.DecreeSubmitted, Actor: actor, At: now}))
		if err := st.ChangeDecree(ctx, domain.DecreeChange{DecreeID: first.ID, From: domain.DecreeSubmitted, To: domain.DecreeWithdrawn, Reason: "x", Actor: actor, At: now}); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("withdrawing a submitted decree: %v, want ErrConflict", err)
		}
		must(t, st.ChangeDecree(ctx, domain.DecreeChange{DecreeID: first.ID, From: domain.DecreeSubmitted, To: domain.DecreeReturned, Reason: "periksa", Actor: actor, At: now}))
		wd := actor
		wd.RequestID = "r2"
		must(t, st.ChangeDecree(ctx, domain.DecreeChange{DecreeID: first.ID, From: domain.DecreeReturned, To: domain.DecreeWithdrawn, Reason: "daftar keliru", Actor: wd, At: now}))
		got, err := st.GetDecree(ctx, first.ID)
		must(t, err)
		if got.Status != domain.DecreeWithdrawn || got.WithdrawReason != "daftar keliru" {
			t.Errorf("withdrawn decree: status %q reason %q", got.Status, got.WithdrawReason)
		}
		var audits int64
		must(t, db.Model(&store.AuditEntry{}).Where("action = ? AND request_id = ?", "decree.withdrawn", "r2").Count(&audits).Error)
		if audits != 1 {
			t.Errorf("%d decree.withdrawn audit entries, want 1", audits)
		}

		second := store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}
		must(t, st.DraftDecree(ctx, &second, nil, actor))
		if second.Households != 3 || second.Kind != domain.DecreeInitial {
			t.Errorf("draft after the withdrawal: %d households, kind %s; want 3, initial", second.Households, second.Kind)
		}
	})
}

// A decree returned once and signed later no longer carries the reason it
// was returned for.
func TestSignedDecreeHasNoReturnReason(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		now := time.Now().UTC()
		h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: 2, FamilyID: "F", KKHash: "kk", KKSealed: []byte{1},
			KKMasked: "x", NIKHash: "nik", NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a",
			RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Stage: "awaiting_decree", StageEnteredAt: now, Outcome: "eligible"}
		must(t, db.Create(&h).Error)
		actor := domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r1"}
		d := store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}
		must(t, st.DraftDecree(ctx, &d, nil, actor))
		for i, step := range []domain.DecreeChange{
			{From: domain.DecreeDraft, To: domain.DecreeSubmitted},
			{From: domain.DecreeSubmitted, To: domain.DecreeReturned, Reason: "lampiran belum lengkap"},
			{From: domain.DecreeReturned, To: domain.DecreeDraft},
			{From: domain.DecreeDraft, To: domain.DecreeSubmitted},
			{From: domain.DecreeSubmitted, To: domain.DecreeSigned, Number: "188/1/2026", Date: "2026-03-01"},
		} {
			step.DecreeID, step.Actor, step.At = d.ID, actor, now
			step.Actor.RequestID = fmt.Sprint("r", i)
			must(t, st.ChangeDecree(ctx, step))
		}
		got, err := st.GetDecree(ctx, d.ID)
		must(t, err)
		if got.Status != domain.DecreeSigned || got.ReturnReason != "" {
			t.Errorf("signed decree: status %q, returnReason %q; want signed, none", got.Status, got.ReturnReason)
		}
	})
}

// TestRevokedListedAgainCanBeRevokedAgain: a household revoked by a signed
// decree, then listed again by a later signed decree (an upheld objection
// reinstated it), is listed once more: a revocation may take it back
// again, and an upheld inclusion error counts it as a candidate; while
// that revocation is open it is neither revocable by another draft nor a
// candidate. Before, any earlier revocation was final.
func TestRevokedListedAgainCanBeRevokedAgain(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		now := time.Now().UTC()
		h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: 2, FamilyID: "F1", KKHash: "kk1", KKSealed: []byte{1}, KKMasked: "x", NIKHash: "nik1",
			NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a", RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001",
			Desil: 1, Stage: "enrolled", StageEnteredAt: now, Outcome: "eligible"}
		must(t, db.Create(&h).Error)
		signed := func(kind domain.DecreeKind, action string) store.Decree {
			d := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: kind, Status: domain.DecreeSigned}
			must(t, db.Create(&d).Error)
			must(t, db.Create(&store.DecreeItem{DecreeID: d.ID, HouseholdID: h.ID, Action: action}).Error)
			return d
		}
		sg := store.Sanggah{CycleID: cy.ID, HouseholdID: h.ID, Receipt: "SGH-35.05-2026-000001", Seq: 1, Kind: domain.SanggahInclusion,
			Channel: "walk_in", ObjectorKind: "citizen", Reason: "mampu", Reverifier: "desa", RegencyCode: "35.05", KecamatanCode: "35.05.01",
			DesaCode: "35.05.01.2001", ObjectorSealed: []byte{1}, Status: domain.SanggahUpheld, StatusAt: now, DueAt: now, HouseholdStage: "enrolled", CreatedAt: now}
		must(t, db.Create(&sg).Error)
		actor := domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r1"}
		candidates := func() []int64 {
			ids, err := st.SanggahCandidates(ctx, cy.ID, domain.SanggahInclusion)
			must(t, err)
			return ids
		}

		signed(domain.DecreeInitial, "add")
		signed(domain.DecreeRevocation, "revoke")
		if ids := candidates(); len(ids) != 0 {
			t.Fatalf("candidates once revoked: %v, want none", ids)
		}
		draft := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeRevocation}
		if err := st.DraftDecree(ctx, &draft, []int64{h.ID}, actor); !errorIsCode(err, domain.CodeRevokeNotSigned) {
			t.Fatalf("revoking a revoked household: %v, want %s", err, domain.CodeRevokeNotSigned)
		}

		signed(domain.DecreeAmendment, "add")
		if ids := candidates(); len(ids) != 1 || ids[0] != h.ID {
			t.Fatalf("candidates once listed again: %v, want [%d]", ids, h.ID)
		}
		draft = store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeRevocation}
		must(t, st.DraftDecree(ctx, &draft, []int64{h.ID}, actor))
		if draft.Households != 1 {
			t.Fatalf("the second revocation lists %d households, want 1", draft.Households)
		}
		if ids := candidates(); len(ids) != 0 {
			t.Errorf("candidates while a revocation is open: %v, want none", ids)
		}
		other := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeRevocation}
		if err := st.DraftDecree(ctx, &other, []int64{h.ID}, actor); !errorIsCode(err, domain.CodeRevokeNotSigned) {
			t.Errorf("a second open revocation of it: %v, want %s", err, domain.CodeRevokeNotSigned)
		}
	})
}
