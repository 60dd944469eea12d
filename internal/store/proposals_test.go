package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// TestApplyAnswersRefusesContradictions: an upload whose answer differs
// (status, or rejection reason) from the one an earlier upload applied is
// refused whole, naming each such household with its applied answer; the
// same answer again is skipped.
func TestApplyAnswersRefusesContradictions(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		actor := domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r1"}
		p := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-07", Status: domain.ProposalSubmitted, Items: 3, CreatedAt: time.Now()}
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
		if got.Answered != 3 || got.Status != domain.ProposalAnswered {
			t.Errorf("proposal after every answer: %+v", got)
		}
	})
}

// TestMarkUnanswered: Dinsos records that Kemensos did not answer the rest
// of a submitted batch. Only the households without an answer are marked
// TIDAK_DIJAWAB (answer and reason) with Dinsos' note and the day's date,
// the batch becomes fully answered and the step is audited with the count
// only. A draft, a simulated or a fully answered batch is a conflict; a
// repeat before the households were given the marking marks nothing and
// succeeds. A later answer file for a marked household is refused whole;
// the next batch proposes the marked households again, and the cycle's
// close, refused while a batch waits for Kemensos, goes through once it is
// marked.
func TestMarkUnanswered(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		seq := 0
		actor := func() domain.Actor {
			seq++
			return domain.Actor{UserID: 7, Role: "dinsos", RequestID: fmt.Sprint("req-", seq)}
		}
		// a and b are additions, c a removal (registered, found well-off).
		var ids []int64
		for i, hh := range []struct {
			inDTKS  bool
			outcome string
		}{{false, "eligible"}, {false, "eligible"}, {true, "not_poor"}} {
			h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
				KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a", RegencyCode: "35.05",
				KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Stage: "awaiting_proposal", StageEnteredAt: time.Now(),
				InDTKS: hh.inDTKS, Outcome: hh.outcome}
			must(t, db.Create(&h).Error)
			ids = append(ids, h.ID)
		}
		a, b, c := ids[0], ids[1], ids[2]
		stage := func(s string, ids ...int64) {
			t.Helper()
			must(t, db.Model(&store.Household{}).Where("id IN ?", ids).Update("stage", s).Error)
		}
		number, now := "188/1/2026", time.Now()
		must(t, db.Create(&store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: now, SignedAt: &now}).Error)
		build := func(month string) *store.Proposal {
			t.Helper()
			p := store.Proposal{CycleID: cy.ID, Month: month}
			must(t, st.BuildProposal(ctx, &p, actor()))
			return &p
		}
		item := func(p, h int64) store.ProposalItem {
			t.Helper()
			var it store.ProposalItem
			must(t, db.Where("proposal_id = ? AND household_id = ?", p, h).First(&it).Error)
			return it
		}

		p1 := build("2026-07")
		if _, err := st.MarkUnanswered(ctx, p1.ID, "tidak ada jawaban", actor()); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "not been submitted") {
			t.Fatalf("marking a draft batch: %v, want a conflict", err)
		}
		must(t, st.MarkProposalSubmitted(ctx, p1.ID, actor()))
		stage("awaiting_kemensos", ids...)
		if _, err := st.ApplyAnswers(ctx, p1.ID, []store.StoredAnswer{{HouseholdID: b, Accepted: true, Note: "ok", Date: "2026-08-20"}}, actor()); err != nil {
			t.Fatal(err)
		}
		stage("enrolled", b)
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", actor()); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "record that Kemensos did not answer") {
			t.Fatalf("close with a batch waiting for Kemensos: %v, want a conflict naming the way out", err)
		}

		n, err := st.MarkUnanswered(ctx, p1.ID, "tidak dijawab sampai akhir tahun", actor())
		if err != nil || n != 2 {
			t.Fatalf("mark: %d, %v; want the 2 households without an answer", n, err)
		}
		today := time.Now().In(time.FixedZone("WIB", 7*3600)).Format("2006-01-02")
		for _, h := range []int64{a, c} {
			if it := item(p1.ID, h); it.Answer != "TIDAK_DIJAWAB" || it.AnswerReason != "TIDAK_DIJAWAB" || it.AnswerNote != "tidak dijawab sampai akhir tahun" ||
				it.AnswerDate != today || it.Signalled {
				t.Errorf("household %d after the mark: %+v", h, it)
			}
		}
		if it := item(p1.ID, b); it.Answer != "DITETAPKAN" || it.AnswerNote != "ok" || it.AnswerDate != "2026-08-20" {
			t.Errorf("the mark changed the answered household: %+v", it)
		}
		got, err := st.GetProposal(ctx, p1.ID)
		must(t, err)
		if got.Answered != 3 || got.Status != domain.ProposalAnswered {
			t.Errorf("batch after the mark: %+v, want 3 answered, status answered", got)
		}
		var audits []store.AuditEntry
		must(t, db.Where("action = ?", "proposal.unanswered").Find(&audits).Error)
		if want := fmt.Sprintf(`{"households":2,"proposalId":%d}`, p1.ID); len(audits) != 1 || audits[0].Detail != want || audits[0].CycleID != cy.ID || audits[0].ActorID != 7 {
			t.Errorf("audit entries %+v, want one with detail %s", audits, want)
		}

		// The workflow has not given the marking yet: a repeat marks
		// nothing, succeeds (the caller tells the workflow again) and is
		// not audited; once given, it is a conflict.
		if n, err := st.MarkUnanswered(ctx, p1.ID, "lagi", actor()); err != nil || n != 0 {
			t.Errorf("repeat before the households were told: %d, %v; want 0, nil", n, err)
		}
		if it := item(p1.ID, a); it.AnswerNote != "tidak dijawab sampai akhir tahun" {
			t.Errorf("the repeat changed the note: %+v", it)
		}
		must(t, st.MarkAnswersSignalled(ctx, p1.ID, ids))
		if _, err := st.MarkUnanswered(ctx, p1.ID, "lagi", actor()); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "already has an answer") {
			t.Errorf("marking a fully answered batch: %v, want a conflict", err)
		}
		var n2 int64
		must(t, db.Model(&store.AuditEntry{}).Where("action = ?", "proposal.unanswered").Count(&n2).Error)
		if n2 != 1 {
			t.Errorf("%d proposal.unanswered audit entries after the repeats, want 1", n2)
		}

		// Kemensos' late file contradicts the marking: refused whole, b's
		// repeated answer included.
		_, err = st.ApplyAnswers(ctx, p1.ID, []store.StoredAnswer{
			{HouseholdID: b, Accepted: true, Date: "2026-08-20"}, {HouseholdID: a, Accepted: true, Date: "2026-09-01"},
		}, actor())
		var ce *store.AnswerConflictError
		if !errors.As(err, &ce) || len(ce.Households) != 1 || ce.Households[0] != (store.AnsweredBefore{HouseholdID: a, Reason: "TIDAK_DIJAWAB"}) {
			t.Fatalf("a late answer for a marked household: %v, want an AnswerConflictError naming it", err)
		}
		if it := item(p1.ID, a); it.Answer != "TIDAK_DIJAWAB" {
			t.Errorf("the refused file changed the marking: %+v", it)
		}

		// The marked households go back to wait (their workflows do so on
		// the marking) and the next batch proposes them again, each with
		// its kind; the answered one is not.
		stage("awaiting_proposal", a, c)
		p2 := build("2026-10")
		var items []store.ProposalItem
		must(t, db.Where("proposal_id = ?", p2.ID).Order("household_id").Find(&items).Error)
		if len(items) != 2 || items[0].HouseholdID != a || items[0].Jenis != "TAMBAH" || items[1].HouseholdID != c || items[1].Jenis != "HAPUS" || items[1].Alasan != "MAMPU" {
			t.Fatalf("next batch: %+v, want a (TAMBAH) and c (HAPUS MAMPU)", items)
		}

		must(t, st.MarkProposalSubmitted(ctx, p2.ID, actor()))
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", actor()); !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("close with the second batch waiting: %v, want a conflict", err)
		}
		if n, err := st.MarkUnanswered(ctx, p2.ID, "tidak dijawab", actor()); err != nil || n != 2 {
			t.Fatalf("mark the second batch: %d, %v", n, err)
		}
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", actor()); err != nil {
			t.Errorf("close once every batch is answered or marked: %v", err)
		}

		// The simulated Kemensos answers its batches by itself.
		sim := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-11", Status: domain.ProposalSubmitted, Items: 1, Simulated: true, CreatedAt: now}
		must(t, db.Create(&sim).Error)
		must(t, db.Create(&store.ProposalItem{ProposalID: sim.ID, HouseholdID: a, Jenis: "TAMBAH"}).Error)
		if _, err := st.MarkUnanswered(ctx, sim.ID, "tidak dijawab", actor()); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "simulated") {
			t.Errorf("marking a simulated batch: %v, want a conflict", err)
		}
		if _, err := st.MarkUnanswered(ctx, 987654, "tidak dijawab", actor()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking a batch that does not exist: %v, want not found", err)
		}
	})
}

// TestMigrationFillsProposalItemNumbers: the items of batches built before
// a batch kept its numbers get them, when the columns are added, from
// their households as they are then, so their file and their answers
// still work (ProposalLines, ProposalMatcher).
func TestMigrationFillsProposalItemNumbers(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		nik, kk := "3505015503800001", "3505010101200001"
		nikSealed, err := st.Keys.Seal(nik, store.ADNIK)
		must(t, err)
		kkSealed, err := st.Keys.Seal(kk, store.ADNoKK)
		must(t, err)
		h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: 2, FamilyID: "F", KKHash: st.Keys.Hash(kk), KKSealed: kkSealed, KKMasked: "x",
			NIKHash: st.Keys.Hash(nik), NIKSealed: nikSealed, NIKMasked: "x", Name: "n", Address: "a", RegencyCode: "35.05",
			KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Stage: "awaiting_kemensos", StageEnteredAt: time.Now()}
		must(t, db.Create(&h).Error)
		p := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-07", Status: domain.ProposalSubmitted, Items: 1, CreatedAt: time.Now()}
		must(t, db.Create(&p).Error)
		// An item as it was stored before: no numbers of its own.
		must(t, db.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: h.ID, Jenis: "TAMBAH"}).Error)
		must(t, db.Exec("DELETE FROM schema_migrations WHERE id = ?", "202612040008_proposal_item_numbers").Error)
		must(t, store.Migrate(db))

		var it store.ProposalItem
		must(t, db.Where("proposal_id = ?", p.ID).First(&it).Error)
		if it.NIKHash != h.NIKHash || it.KKHash != h.KKHash || string(it.NIKSealed) != string(h.NIKSealed) || string(it.KKSealed) != string(h.KKSealed) {
			t.Fatalf("the old item after the migration: %+v", it)
		}
		lines, err := st.ProposalLines(ctx, p.ID)
		if err != nil || len(lines) != 1 || lines[0].NIK != nik || lines[0].NoKK != kk {
			t.Errorf("the old batch's file: %+v, %v", lines, err)
		}
	})
}

// TestProposalMembers: a batch's file reads the people of its DTSEN
// households (present ones, NIKs opened) and none for a P3KE one; an
// answer's nik_anggota is matched within the household only, the answer
// keeps the member, and the batch lists the rejection with the member's
// masked NIK.
func TestProposalMembers(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		in := store.Intake{CycleID: cy.ID, FileName: "dtsen.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		born := func(y int) time.Time { return time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC) }
		const headNIK, wifeNIK, goneNIK, p3keNIK = "3505010103650001", "3505014103700002", "3505010103120003", "3505010103600004"
		household := func(row int, family, nik, kk string, people ...store.NewMember) store.NewHousehold {
			return store.NewHousehold{NIK: nik, NoKK: kk, People: people,
				Household: store.Household{Row: row, FamilyID: family, Name: family, Address: "Dusun Krajan", Members: len(people),
					RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1,
					NIKMasked: ident.Mask(nik), KKMasked: ident.Mask(kk)}}
		}
		hs := []store.NewHousehold{
			household(2, "DTSEN", headNIK, "3505010101200001",
				store.NewMember{NIK: headNIK, HouseholdMember: store.HouseholdMember{Name: "SUPARMAN", Relation: "kepala_keluarga", Sex: "L", BirthDate: born(1965)}},
				store.NewMember{NIK: wifeNIK, HouseholdMember: store.HouseholdMember{Name: "SITI", Relation: "pasangan", Sex: "P", BirthDate: born(1970), Occupation: "PNS"}},
				store.NewMember{NIK: goneNIK, HouseholdMember: store.HouseholdMember{Name: "BUDI", Relation: "anak", Sex: "L", BirthDate: born(2000)}}),
			household(3, "P3KE", p3keNIK, "3505010101200002"),
		}
		if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 3, Households: hs, Accepted: 2, Rows: 2, DueAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var dtsen, p3ke store.Household
		must(t, db.First(&dtsen, "family_id = ?", "DTSEN").Error)
		must(t, db.First(&p3ke, "family_id = ?", "P3KE").Error)
		must(t, db.Model(&store.HouseholdMember{}).Where("nik_hash = ?", st.Keys.Hash(goneNIK)).Update("status", store.MemberMovedOut).Error)

		p := store.Proposal{CycleID: cy.ID, DecreeID: 1, Month: "2026-07", Status: domain.ProposalSubmitted, Items: 2, CreatedAt: time.Now()}
		must(t, db.Create(&p).Error)
		for _, id := range []int64{dtsen.ID, p3ke.ID} {
			must(t, db.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: id, Jenis: "TAMBAH"}).Error)
		}
		ms, err := st.ProposalMembers(ctx, p.ID)
		must(t, err)
		got := ms[dtsen.ID]
		if len(ms) != 1 || len(got) != 2 || got[0].NIK != headNIK || got[1].NIK != wifeNIK || got[1].Name != "SITI" || got[1].Occupation != "PNS" || got[1].NIKSealed != nil {
			t.Fatalf("proposal members %+v", ms)
		}

		member, err := st.ProposalMemberMatcher(ctx, p.ID)
		must(t, err)
		wife, ok := member(dtsen.ID, wifeNIK)
		if !ok || wife != got[1].ID {
			t.Fatalf("wife matched %d, %v; want %d", wife, ok, got[1].ID)
		}
		if _, ok := member(p3ke.ID, wifeNIK); ok {
			t.Error("a member of another household matched")
		}
		if _, ok := member(dtsen.ID, goneNIK); !ok {
			t.Error("a member who moved out did not match")
		}

		must(t, func() error {
			_, err := st.ApplyAnswers(ctx, p.ID, []store.StoredAnswer{
				{HouseholdID: dtsen.ID, Reason: "PNS_TNI_POLRI", Date: "2026-07-20", MemberID: wife},
				{HouseholdID: p3ke.ID, Reason: "GANDA", Date: "2026-07-20"},
			}, domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r1"})
			return err
		}())
		rs, err := st.ProposalMemberRejections(ctx, p.ID)
		must(t, err)
		want := []store.MemberRejection{{HouseholdID: dtsen.ID, HeadName: "DTSEN", Address: "Dusun Krajan", Reason: "PNS_TNI_POLRI",
			MemberID: wife, MemberName: "SITI", NIKMasked: ident.Mask(wifeNIK), Relation: "pasangan"}}
		if len(rs) != 1 || rs[0] != want[0] {
			t.Errorf("member rejections %+v, want %+v", rs, want)
		}
	})
}

// A monthly batch proposes the HAPUS of the changes that happened by its
// month's cut-off day (ChangesUntil): a death on 10 March is in March's
// batch, one on 20 March waits for April's, and neither is proposed twice.
func TestBatchTakesChangesByItsCutoff(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		at := time.Date(2026, 3, 25, 3, 0, 0, 0, time.UTC)
		number := "188/1/2026"
		must(t, db.Create(&store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: at, SignedAt: &at}).Error)
		ids := map[string]int64{}
		for i, day := range []string{"2026-03-10", "2026-03-20"} {
			h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
				KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{2}, NIKMasked: "x", Name: "Keluarga", Address: "a",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, InDTKS: true, Stage: "exited", StageSeq: 4,
				StageEnteredAt: at, Outcome: "eligible", WorkflowStarted: true}
			must(t, db.Create(&h).Error)
			must(t, db.Create(&store.HouseholdChange{CycleID: cy.ID, HouseholdID: h.ID, Kind: string(domain.ChangeHeadDied), Date: day, Note: "meninggal",
				DesaCode: h.DesaCode, Status: domain.ChangeConfirmed, RecordedBy: 5, RecordedRole: "village", RecordedAt: at, DecidedAt: &at, Hapus: true}).Error)
			ids[day] = h.ID
		}
		dinsos := domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r"}
		for _, b := range []struct {
			month, until string
			want         []int64
		}{
			{"2026-02", "2026-02-17", nil},
			{"2026-03", "2026-03-17", []int64{ids["2026-03-10"]}},
			{"2026-04", "2026-04-17", []int64{ids["2026-03-20"]}},
			{"2026-05", "2026-05-17", nil},
		} {
			p := store.Proposal{CycleID: cy.ID, Month: b.month, ChangesUntil: b.until}
			err := st.BuildProposal(ctx, &p, dinsos)
			if b.want == nil {
				if !conflict(err) {
					t.Errorf("the batch of %s: %v, want nothing to propose", b.month, err)
				}
				continue
			}
			must(t, err)
			var got []int64
			must(t, db.Model(&store.ProposalItem{}).Where("proposal_id = ?", p.ID).Order("household_id").Pluck("household_id", &got).Error)
			var proposed []int64
			must(t, db.Model(&store.HouseholdChange{}).Where("proposal_id = ?", p.ID).Order("household_id").Pluck("household_id", &proposed).Error)
			if fmt.Sprint(got) != fmt.Sprint(b.want) || fmt.Sprint(proposed) != fmt.Sprint(b.want) {
				t.Errorf("the batch of %s: items %v, changes marked %v; want %v", b.month, got, proposed, b.want)
			}
		}
	})
}
