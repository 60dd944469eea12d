package store_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
)

// TestReportCountsHouseholds: the funnel counts households, not proposal
// rows (a household rejected NIK_TIDAK_PADAN and proposed again counts
// once as proposed and once as accepted), a kecamatan's total is the sum
// of its desa, and rows carry the official names.
func TestReportCountsHouseholds(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		now := time.Now().UTC()
		// Kec. Wonodadi: Desa Jaten (3 households), Desa Salam (1);
		// Kec. Udanawu: Desa Jati (1).
		desas := []string{"35.05.01.2001", "35.05.01.2001", "35.05.01.2001", "35.05.01.2002", "35.05.02.2001"}
		stages := []string{"enrolled", "enrolled", "not_eligible", "removed", "awaiting_kemensos"}
		outcomes := []string{"eligible", "eligible", "not_poor", "moved", "eligible"}
		ids := make([]int64, len(desas))
		for i, desa := range desas {
			h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
				KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{1}, NIKMasked: "x", Name: "n", Address: "a",
				RegencyCode: "35.05", KecamatanCode: desa[:8], DesaCode: desa, Desil: 1, Stage: stages[i], StageEnteredAt: now, Outcome: outcomes[i]}
			if err := db.Create(&h).Error; err != nil {
				t.Fatal(err)
			}
			ids[i] = h.ID
		}
		number := "188/1/2026"
		d := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: now}
		must(t, db.Create(&d).Error)
		for _, i := range []int{0, 1, 4} {
			must(t, db.Create(&store.DecreeItem{DecreeID: d.ID, HouseholdID: ids[i], Action: "add"}).Error)
		}
		// Batch 1: household 0 rejected NIK_TIDAK_PADAN, 3 removed, 4 unanswered.
		// Batch 2: household 0 again, accepted. A draft batch counts nothing.
		items := [][]store.ProposalItem{
			{{HouseholdID: ids[0], Jenis: "TAMBAH", Answer: "DITOLAK", AnswerReason: "NIK_TIDAK_PADAN"},
				{HouseholdID: ids[3], Jenis: "HAPUS", Answer: "DITETAPKAN"}, {HouseholdID: ids[4], Jenis: "TAMBAH"}},
			{{HouseholdID: ids[0], Jenis: "TAMBAH", Answer: "DITETAPKAN"}},
			{{HouseholdID: ids[1], Jenis: "TAMBAH"}},
		}
		for i, its := range items {
			status := domain.ProposalSubmitted
			if i == 2 {
				status = domain.ProposalDraft
			}
			p := store.Proposal{CycleID: cy.ID, DecreeID: d.ID, Month: "2026-07", Status: status, Items: len(its), CreatedAt: now}
			must(t, db.Create(&p).Error)
			for _, it := range its {
				it.ProposalID = p.ID
				must(t, db.Create(&it).Error)
			}
		}
		for _, e := range []store.Enrolment{
			{CycleID: cy.ID, HouseholdID: ids[0], Programme: "PKH", Status: store.EnrolmentActive},
			{CycleID: cy.ID, HouseholdID: ids[0], Programme: "BLT-DD", Status: store.EnrolmentActive},
			{CycleID: cy.ID, HouseholdID: ids[1], Programme: "PKH", Status: store.EnrolmentActive},
			{CycleID: cy.ID, HouseholdID: ids[3], Programme: "PKH", Status: store.EnrolmentExited},
		} {
			must(t, db.Create(&e).Error)
		}

		rep, err := st.Report(t.Context(), auth.Principal{Role: auth.RoleDinsos, Region: "35.05"}, cy.ID, enrol.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		type line struct {
			kec, kecName, desa, desaName                   string
			taken, eligible, decreed, proposed, accepted   int64
			pkh, blt, enrolled, notEligible, removed, wait int64
		}
		flat := func(rs []*store.FunnelRow) []line {
			var out []line
			for _, r := range rs {
				out = append(out, line{r.KecamatanCode, r.KecamatanName, r.DesaCode, r.DesaName, r.TakenIn, r.Verified["eligible"], r.Decreed,
					r.Proposed, r.Accepted, r.Enrolled["PKH"], r.Enrolled["BLT-DD"], r.Final["enrolled"], r.Final["not_eligible"], r.Final["removed"], r.Final["awaiting_kemensos"]})
			}
			return out
		}
		wantDesa := []line{
			{"35.05.01", "Wonodadi", "35.05.01.2001", "Jaten", 3, 2, 2, 1, 1, 2, 1, 2, 1, 0, 0},
			{"35.05.01", "Wonodadi", "35.05.01.2002", "Salam", 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0},
			{"35.05.02", "Udanawu", "35.05.02.2001", "Jati", 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1},
		}
		wantKec := []line{
			{"35.05.01", "Wonodadi", "", "", 4, 2, 2, 2, 2, 2, 1, 2, 1, 1, 0},
			{"35.05.02", "Udanawu", "", "", 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1},
		}
		if got := flat(rep.Desa); fmt.Sprint(got) != fmt.Sprint(wantDesa) {
			t.Errorf("desa rows:\n got %v\nwant %v", got, wantDesa)
		}
		if got := flat(rep.Kecamatan); fmt.Sprint(got) != fmt.Sprint(wantKec) {
			t.Errorf("kecamatan rows:\n got %v\nwant %v", got, wantKec)
		}
		// A TKSK of Wonodadi sees only its kecamatan.
		rep, err = st.Report(t.Context(), auth.Principal{Role: auth.RoleTKSK, Region: "35.05.01"}, cy.ID, enrol.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Desa) != 2 || len(rep.Kecamatan) != 1 || rep.Kecamatan[0].TakenIn != 4 {
			t.Errorf("TKSK Wonodadi: %d desa, kecamatan %v", len(rep.Desa), flat(rep.Kecamatan))
		}

		// The cycle's close ends Jati's household, still waiting for
		// Kemensos, in stage closed: a final stage of the report.
		must(t, db.Model(&store.Household{}).Where("id = ?", ids[4]).Update("stage", "closed").Error)
		rep, err = st.Report(t.Context(), auth.Principal{Role: auth.RoleDinsos, Region: "35.05"}, cy.ID, enrol.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		if k := rep.Kecamatan[1]; k.KecamatanCode != "35.05.02" || k.Final["closed"] != 1 || k.Final["awaiting_kemensos"] != 0 {
			t.Errorf("Udanawu after the close: final stages %v, want one closed", k.Final)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
