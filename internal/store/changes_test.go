package store_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// TestYearChanges: changes to enrolled households during the year. A move
// within the regency, once confirmed, hands the household and its task to
// the new village (its officer's task list has it, the old one's not); a
// refused change does nothing; a confirmed exit enters its stage and, with
// a revocation of an enrolled household, is proposed HAPUS in the next
// batch once, with the removal reason of its kind; each step is audited.
func TestYearChanges(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		at := time.Date(2026, 4, 2, 3, 0, 0, 0, time.UTC)
		const jaten, salam = "35.05.01.2001", "35.05.01.2002"
		var hs []store.Household
		for i := range 4 {
			h := store.Household{CycleID: cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
				KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{2}, NIKMasked: "x", Name: fmt.Sprint("Keluarga ", i), Address: "a",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: jaten, Desil: 1, InDTKS: true, Stage: "enrolled", StageSeq: 3,
				StageEnteredAt: at, Outcome: "eligible", WorkflowStarted: true}
			must(t, db.Create(&h).Error)
			must(t, db.Create(&store.Task{HouseholdID: h.ID, CycleID: cy.ID, KecamatanCode: "35.05.01", DesaCode: jaten, DueAt: at, Status: domain.TaskClosed}).Error)
			hs = append(hs, h)
		}
		number := "188/1/2026"
		must(t, db.Create(&store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: at, SignedAt: &at}).Error)
		officer := domain.Actor{UserID: 5, Role: "pendamping", RequestID: "r1"}
		tksk := domain.Actor{UserID: 6, Role: "tksk", RequestID: "r2"}
		record := func(h store.Household, kind domain.ChangeKind, newDesa string, at time.Time) int64 {
			t.Helper()
			c := store.NewChange{CycleID: cy.ID, HouseholdID: h.ID, Kind: kind, Date: "2026-03-15", Note: "laporan", DesaCode: h.DesaCode, Actor: officer, At: at}
			if newDesa != "" {
				c.NewDesaCode, c.NewKecamatanCode = newDesa, newDesa[:8]
			}
			id, err := st.RecordChange(ctx, c)
			must(t, err)
			again, err := st.RecordChange(ctx, c)
			if err != nil || again != id {
				t.Fatalf("a retried record: %d, %v; want the same change %d", again, err, id)
			}
			return id
		}
		decide := func(h store.Household, id int64, confirm bool, stage string, at time.Time) {
			t.Helper()
			d := store.ChangeDecision{CycleID: cy.ID, HouseholdID: h.ID, ChangeID: id, Confirm: confirm, Actor: tksk, At: at}
			if stage != "" {
				d.Transition = &store.Transition{HouseholdID: h.ID, Seq: 4, Stage: stage, At: at, Reason: "change"}
			}
			must(t, st.DecideChange(ctx, d))
			must(t, st.DecideChange(ctx, d)) // a retry changes nothing more
		}

		// The move: Jaten to Salam.
		mv := record(hs[0], domain.ChangeMovedDesa, salam, at)
		decide(hs[0], mv, true, "", at.Add(time.Hour))
		list := func(desa string) []int64 {
			t.Helper()
			tasks, _, err := st.ListTasks(ctx, auth.Principal{UserID: 9, Role: auth.RoleVillage, Region: desa, Regions: []string{desa}}, store.TaskFilter{CycleID: cy.ID})
			must(t, err)
			var ids []int64
			for _, tk := range tasks {
				ids = append(ids, tk.HouseholdID)
			}
			return ids
		}
		if got := list(salam); len(got) != 1 || got[0] != hs[0].ID {
			t.Errorf("Salam's task list %v, want the household that moved in (%d)", got, hs[0].ID)
		}
		for _, id := range list(jaten) {
			if id == hs[0].ID {
				t.Errorf("Jaten's task list still has the household that moved out")
			}
		}
		var moved store.Household
		must(t, db.First(&moved, "id = ?", hs[0].ID).Error)
		if moved.DesaCode != salam || moved.Stage != "enrolled" {
			t.Errorf("moved household: desa %s stage %s", moved.DesaCode, moved.Stage)
		}

		// Refused, then confirmed exits; and a revocation.
		r := record(hs[1], domain.ChangeGraduated, "", at.Add(2*time.Hour))
		decide(hs[1], r, false, "", at.Add(3*time.Hour))
		died := record(hs[2], domain.ChangeHeadDied, "", at.Add(4*time.Hour))
		decide(hs[2], died, true, "exited", at.Add(5*time.Hour))
		must(t, st.DecideChange(ctx, store.ChangeDecision{CycleID: cy.ID, HouseholdID: hs[3].ID, Confirm: true, Note: "SK dicabut", At: at, DecreeID: 9,
			Transition: &store.Transition{HouseholdID: hs[3].ID, Seq: 4, Stage: "revoked", At: at, Reason: "revoked: SK dicabut"}}))
		must(t, st.DecideChange(ctx, store.ChangeDecision{CycleID: cy.ID, HouseholdID: hs[3].ID, Confirm: true, Note: "SK dicabut", At: at, DecreeID: 9}))

		changes, err := st.Changes(ctx, hs[1].ID)
		must(t, err)
		if len(changes) != 1 || changes[0].Status != domain.ChangeRefused || changes[0].Hapus {
			t.Errorf("refused change: %+v", changes)
		}
		var stages []string
		for _, h := range hs {
			var row store.Household
			must(t, db.First(&row, "id = ?", h.ID).Error)
			stages = append(stages, row.Stage)
		}
		if fmt.Sprint(stages) != "[enrolled enrolled exited revoked]" {
			t.Errorf("stages %v", stages)
		}

		p := store.Proposal{CycleID: cy.ID, Month: "2026-05"}
		must(t, st.BuildProposal(ctx, &p, domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r3"}))
		var items []store.ProposalItem
		must(t, db.Where("proposal_id = ?", p.ID).Order("household_id").Find(&items).Error)
		got := ""
		for _, it := range items {
			got += fmt.Sprintf("%d:%s:%s ", it.HouseholdID, it.Jenis, it.Alasan)
		}
		if want := fmt.Sprintf("%d:HAPUS:MENINGGAL %d:HAPUS:MAMPU ", hs[2].ID, hs[3].ID); got != want || p.Items != 2 {
			t.Errorf("batch items %q (%d), want %q", got, p.Items, want)
		}
		if err := st.BuildProposal(ctx, &store.Proposal{CycleID: cy.ID, Month: "2026-06"}, domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r4"}); !conflict(err) {
			t.Errorf("a second batch with nothing new: %v, want a conflict", err)
		}
		// The month's report: Jaten's four, recorded there; none in Salam's
		// (the move was recorded in Jaten); none the month before.
		rep, err := st.ChangeReport(ctx, auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: "35.05", Regions: []string{"35.05"}}, cy.ID, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		if len(rep) != 1 || rep[0].DesaCode != jaten || rep[0].KecamatanCode != "35.05.01" ||
			fmt.Sprint(rep[0].Recorded) != "map[graduated:1 head_died:1 moved_desa:1 revoked:1]" ||
			rep[0].Confirmed != 3 || rep[0].Refused != 1 || rep[0].Pending != 0 || rep[0].Exits != 2 || rep[0].Proposed != 2 {
			t.Errorf("April's report: %+v", rep)
		}
		rep, err = st.ChangeReport(ctx, auth.Principal{UserID: 9, Role: auth.RoleVillage, Region: salam, Regions: []string{salam}}, cy.ID, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		if len(rep) != 0 {
			t.Errorf("Salam's report of the changes recorded in Jaten: %+v", rep)
		}
		rep, err = st.ChangeReport(ctx, auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: "35.05", Regions: []string{"35.05"}}, cy.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		if len(rep) != 0 {
			t.Errorf("March's report: %+v", rep)
		}
		var audits []string
		must(t, db.Model(&store.AuditEntry{}).Where("action LIKE ?", "household.change%").Order("id").Pluck("action", &audits).Error)
		if len(audits) != 6 {
			t.Errorf("audit entries %v, want a record and a decision for each of three changes", audits)
		}
	})
}
