package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// TestNIKCorrectionAndNextBatch: a household Kemensos rejected
// NIK_TIDAK_PADAN is left out of the next batch until Dinsos corrects its
// numbers (sealed, hashed, masked as intake does, audited without them);
// once corrected it is proposed with the new numbers, and a second such
// rejection needs a second correction. Corrections are refused for a
// malformed or unchanged number, a No KK of another household, a case
// that has ended, a household in a batch waiting for Kemensos, and outside
// the caller's regency. A batch keeps the numbers it proposed: after the
// correction, batch 1's file still carries the old numbers and its answer
// file still matches by them.
func TestNIKCorrectionAndNextBatch(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		dinsos := auth.Principal{UserID: 7, Role: auth.RoleDinsos, Region: "35.05"}
		seq := 0
		actor := func() domain.Actor {
			seq++
			return domain.Actor{UserID: 7, Role: "dinsos", RequestID: fmt.Sprint("req-", seq)}
		}
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		var hs []store.NewHousehold
		for i := range 3 {
			hs = append(hs, store.NewHousehold{NIK: fmt.Sprintf("350501550380%04d", i+1), NoKK: fmt.Sprintf("35050101012%05d", i+1),
				Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("P3KE-", i), Name: fmt.Sprint("KK ", i), Address: "Dusun Krajan",
					RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1,
					NIKMasked: ident.Mask(fmt.Sprintf("350501550380%04d", i+1)), KKMasked: ident.Mask(fmt.Sprintf("35050101012%05d", i+1))}})
		}
		if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 4, Households: hs, Accepted: 3, Rows: 3, DueAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		must(t, db.Model(&store.Household{}).Order("id").Pluck("id", &ids).Error)
		a, b, c := ids[0], ids[1], ids[2]
		stage := func(id int64, s string) {
			t.Helper()
			must(t, db.Model(&store.Household{}).Where("id = ?", id).Update("stage", s).Error)
		}
		number := "188/1/2026"
		now := time.Now()
		must(t, db.Create(&store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: now, SignedAt: &now}).Error)

		// Batch 1 holds A, B and C; Kemensos rejects A NIK_TIDAK_PADAN,
		// accepts B and has not answered C yet.
		for _, id := range ids {
			stage(id, "awaiting_proposal")
		}
		build := func() (*store.Proposal, error) {
			p := store.Proposal{CycleID: cy.ID, Month: "2026-07"}
			err := st.BuildProposal(ctx, &p, actor())
			return &p, err
		}
		p1, err := build()
		if err != nil || p1.Items != 3 {
			t.Fatalf("batch 1: %+v, %v", p1, err)
		}
		must(t, st.MarkProposalSubmitted(ctx, p1.ID, actor()))
		if _, err := st.ApplyAnswers(ctx, p1.ID, []store.StoredAnswer{
			{HouseholdID: a, Reason: store.RejectNIKNotMatched}, {HouseholdID: b, Accepted: true},
		}, actor()); err != nil {
			t.Fatal(err)
		}
		stage(a, "awaiting_proposal") // the workflow sends a fixable rejection back
		stage(b, "enrolled")
		stage(c, "awaiting_kemensos")

		if _, err := build(); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("batch with only an uncorrected NIK_TIDAK_PADAN household: %v, want a conflict", err)
		}

		newNIK, newKK := "3505015503800009", "3505010101200009"
		refused := []struct {
			name  string
			p     auth.Principal
			id    int64
			c     store.IdentityCorrection
			check func(error) bool
		}{
			{"nothing", dinsos, a, store.IdentityCorrection{}, invalid("nik")},
			{"malformed NIK", dinsos, a, store.IdentityCorrection{NIK: "35050155038"}, invalid("nik")},
			{"NIK with a bad birth date", dinsos, a, store.IdentityCorrection{NIK: "3505019913800009"}, invalid("nik")},
			{"malformed No KK", dinsos, a, store.IdentityCorrection{NoKK: "0005010101200009"}, invalid("noKk")},
			{"unchanged NIK", dinsos, a, store.IdentityCorrection{NIK: hs[0].NIK}, invalid("nik")},
			{"another household's No KK", dinsos, a, store.IdentityCorrection{NoKK: hs[1].NoKK}, conflict},
			{"case ended", dinsos, b, store.IdentityCorrection{NIK: newNIK}, conflict},
			{"waiting for Kemensos", dinsos, c, store.IdentityCorrection{NIK: newNIK}, conflict},
			{"another regency", auth.Principal{UserID: 8, Role: auth.RoleDinsos, Region: "16.73"}, a, store.IdentityCorrection{NIK: newNIK}, notFound},
		}
		for _, r := range refused {
			if _, err := st.CorrectIdentity(ctx, r.p, r.id, r.c, actor()); !r.check(err) {
				t.Errorf("%s: %v", r.name, err)
			}
		}
		if _, err := build(); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("a refused correction let the household into a batch: %v", err)
		}

		h, err := st.CorrectIdentity(ctx, dinsos, a, store.IdentityCorrection{NIK: " " + newNIK, NoKK: newKK}, actor())
		if err != nil {
			t.Fatal(err)
		}
		if h.NIKMasked != ident.Mask(newNIK) || h.KKMasked != ident.Mask(newKK) || h.NIKHash != st.Keys.Hash(newNIK) || h.KKHash != st.Keys.Hash(newKK) {
			t.Errorf("corrected household: %+v", h)
		}
		var audit store.AuditEntry
		must(t, db.Where("household_id = ? AND action = ?", a, "household.identity").First(&audit).Error)
		if audit.Detail != `{"fields":["nik","noKk"],"rejectionsCorrected":1}` {
			t.Errorf("audit detail %s", audit.Detail)
		}

		// Batch 1 keeps the numbers it proposed (issue 17, defect 4): its
		// file, downloaded again, is the file that was sent, and its
		// answer file, uploaded again, matches A by the old numbers and
		// changes nothing.
		lines1, err := st.ProposalLines(ctx, p1.ID)
		must(t, err)
		for _, l := range lines1 {
			if l.HouseholdID == a && (l.NIK != hs[0].NIK || l.NoKK != hs[0].NoKK) {
				t.Errorf("batch 1's file after the correction carries A as %s / %s, want the proposed %s / %s", l.NIK, l.NoKK, hs[0].NIK, hs[0].NoKK)
			}
		}
		match1, err := st.ProposalMatcher(ctx, p1.ID)
		must(t, err)
		if id, ok := match1(hs[0].NoKK, hs[0].NIK); !ok || id != a {
			t.Errorf("batch 1's answer row for A with the proposed numbers matches %d %v, want %d", id, ok, a)
		}
		if id, ok := match1(newKK, newNIK); ok {
			t.Errorf("batch 1 matches the corrected numbers, which it never proposed, to %d", id)
		}
		if n, err := st.ApplyAnswers(ctx, p1.ID, []store.StoredAnswer{{HouseholdID: a, Reason: store.RejectNIKNotMatched}, {HouseholdID: b, Accepted: true}}, actor()); err != nil || n != 0 {
			t.Errorf("batch 1's answer file again after the correction: %d new, %v; want 0, nil", n, err)
		}

		// Batch 2 proposes A alone, with its corrected numbers, and
		// Kemensos' answer is matched by them.
		p2, err := build()
		if err != nil || p2.Items != 1 {
			t.Fatalf("batch 2: %+v, %v", p2, err)
		}
		lines, err := st.ProposalLines(ctx, p2.ID)
		if err != nil || len(lines) != 1 || lines[0].HouseholdID != a || lines[0].NIK != newNIK || lines[0].NoKK != newKK {
			t.Fatalf("batch 2 lines: %+v, %v", lines, err)
		}
		match, err := st.ProposalMatcher(ctx, p2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := match(newKK, newNIK); !ok || id != a {
			t.Errorf("answer with the corrected numbers matches %d %v", id, ok)
		}
		if _, ok := match("", hs[0].NIK); ok {
			t.Errorf("answer with the old NIK still matches")
		}
		// Rejected again: a second correction is needed.
		must(t, st.MarkProposalSubmitted(ctx, p2.ID, actor()))
		if _, err := st.ApplyAnswers(ctx, p2.ID, []store.StoredAnswer{{HouseholdID: a, Reason: store.RejectNIKNotMatched}}, actor()); err != nil {
			t.Fatal(err)
		}
		if _, err := build(); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("rejected twice, corrected once: %v, want a conflict", err)
		}
		if _, err := st.CorrectIdentity(ctx, dinsos, a, store.IdentityCorrection{NIK: "3505015503800010"}, actor()); err != nil {
			t.Fatal(err)
		}
		if p3, err := build(); err != nil || p3.Items != 1 {
			t.Fatalf("batch 3: %+v, %v", p3, err)
		}
	})
}

func invalid(field string) func(error) bool {
	return func(err error) bool {
		ie, ok := domain.As(err)
		return ok && ie.Kind() == domain.KindInvalid && ie.Field == field
	}
}

func conflict(err error) bool { return domain.IsKind(err, domain.KindConflict) }

func notFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// TestProposalNotBackedByARevocation: a batch built after a revocation is
// backed by the decree that listed the households, not by the revocation.
func TestProposalNotBackedByARevocation(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: 2, FamilyID: "F", KKHash: "kk", KKSealed: []byte{1}, KKMasked: "x", NIKHash: "nik",
			NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a", RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001",
			Desil: 1, Stage: "awaiting_proposal", StageEnteredAt: time.Now(), Outcome: "eligible"}
		must(t, db.Create(&h).Error)
		var ids []int64
		for i, kind := range []domain.DecreeKind{domain.DecreeInitial, domain.DecreeRevocation} {
			number, at := fmt.Sprintf("188/%d/2026", i+1), time.Now().Add(time.Duration(i)*time.Hour)
			d := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: kind, Status: domain.DecreeSigned, Number: &number, CreatedAt: at, SignedAt: &at}
			must(t, db.Create(&d).Error)
			ids = append(ids, d.ID)
		}
		p := store.Proposal{CycleID: cy.ID, Month: "2026-07"}
		must(t, st.BuildProposal(t.Context(), &p, domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r"}))
		if p.DecreeID != ids[0] {
			t.Errorf("batch backed by decree %d, want the initial %d (not the revocation %d)", p.DecreeID, ids[0], ids[1])
		}
	})
}
