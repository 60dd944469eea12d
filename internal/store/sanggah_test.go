package store_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// A sanggah is refused before the household's decision and when its kind
// does not fit; one is stored with a receipt numbered in the cycle, its
// objector sealed, due after the service level; a second open one is
// refused; its finding and decision move it on (again: no-op; out of
// order: refused) with entries in the household's audit; the public status
// shows it enacted once the household is revoked; an upheld inclusion
// error on a decreed household is a revocation candidate; an overdue one
// is stuck.
func TestSanggahCase(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		h, _, _, err := st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: "3505015503800001", NoKK: "3505010101200001", Name: "Siti Kaya",
			Address: "Dusun Krajan", DesaCode: "35.05.01.2001", Members: 2, Reason: "Diusulkan untuk diuji", Channel: store.ChannelWalkIn}, 7)
		must(t, err)
		dinsos := domain.Actor{UserID: 3, Role: "dinsos", RequestID: "r1"}
		in := store.NewSanggah{CycleID: cy.ID, HouseholdID: h.ID, Kind: domain.SanggahInclusion, Channel: store.ChannelWalkIn,
			ObjectorKind: domain.ObjectorCitizen, Objector: store.SanggahObjector{Name: "Pak Pelapor Rahasia", Phone: "0812-3456-7890"},
			Reason: "Punya mobil dan toko besar di pasar"}
		if _, _, _, err := st.CreateSanggah(ctx, in, dinsos); !errorIsCode(err, domain.CodeSanggahUndecided) {
			t.Fatalf("before the decision: %v", err)
		}
		must(t, db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": "enrolled", "outcome": "eligible"}).Error)
		ex := in
		ex.Kind = domain.SanggahExclusion
		if _, _, _, err := st.CreateSanggah(ctx, ex, dinsos); !errorIsCode(err, domain.CodeSanggahKindStage) {
			t.Fatalf("an exclusion error against an enrolled household: %v", err)
		}
		bad := in
		bad.Objector.Phone = "12345"
		if _, _, _, err := st.CreateSanggah(ctx, bad, dinsos); !errorIsCode(err, domain.CodePhone) {
			t.Fatalf("a bad phone: %v", err)
		}

		sg, _, resume, err := st.CreateSanggah(ctx, in, dinsos)
		if err != nil || resume {
			t.Fatalf("CreateSanggah: %v %v", err, resume)
		}
		if sg.Receipt != "SGH-3505-2026-000001" || sg.Status != domain.SanggahRegistered || sg.Reverifier != domain.ReverifyVillage ||
			!sg.DueAt.Equal(sg.CreatedAt.Add(14*24*time.Hour)) || strings.Contains(string(sg.ObjectorSealed), "Pelapor") {
			t.Fatalf("sanggah %+v", sg)
		}
		if o, err := st.SanggahObjectorOf(sg); err != nil || o.Name != "Pak Pelapor Rahasia" || o.Phone != "081234567890" {
			t.Fatalf("objector %+v %v", o, err)
		}
		if again, _, resume, err := st.CreateSanggah(ctx, in, dinsos); err != nil || !resume || again.ID != sg.ID {
			t.Fatalf("resume: %v %v", resume, err)
		}
		must(t, st.SanggahStarted(ctx, sg.ID))
		if _, _, _, err := st.CreateSanggah(ctx, in, dinsos); !errorIsCode(err, domain.CodeSanggahOpen) {
			t.Fatalf("a second open objection: %v", err)
		}

		village := auth.Principal{UserID: 1, Role: auth.RoleVillage, Region: "35.05.01.2001"}
		other := auth.Principal{UserID: 2, Role: auth.RoleVillage, Region: "35.05.01.2002"}
		if got, err := st.GetSanggah(ctx, village, sg.ID); err != nil || got.Status != domain.SanggahReverification {
			t.Fatalf("the village's view: %+v %v", got, err)
		}
		if _, err := st.GetSanggah(ctx, other, sg.ID); err != store.ErrNotFound {
			t.Fatalf("another village: %v", err)
		}

		at := time.Now().UTC()
		if err := st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg.ID, Actor: dinsos, At: at, Upheld: true}); !errorIsCode(err, domain.CodeSanggahStatus) {
			t.Fatalf("a decision before the finding: %v", err)
		}
		officer := domain.Actor{UserID: 1, Role: "village", RequestID: "r2"}
		finding := store.SanggahStep{SanggahID: sg.ID, Actor: officer, At: at, Outcome: "not_poor", Note: "Rumah tembok, punya mobil"}
		must(t, st.RecordSanggahFinding(ctx, finding))
		must(t, st.RecordSanggahFinding(ctx, finding))
		must(t, st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg.ID, Actor: dinsos, At: at.Add(3*24*time.Hour + time.Hour), Upheld: true, Note: "Dicabut"}))
		var actions []string
		must(t, db.Model(&store.AuditEntry{}).Where("household_id = ?", h.ID).Order("id").Pluck("action", &actions).Error)
		if strings.Join(actions, ",") != "household.usul,sanggah.create,sanggah.finding,sanggah.decide" &&
			strings.Join(actions, ",") != "sanggah.create,sanggah.finding,sanggah.decide" {
			t.Fatalf("the household's audit: %v", actions)
		}
		var details []string
		must(t, db.Model(&store.AuditEntry{}).Pluck("detail", &details).Error)
		for _, d := range details {
			if strings.Contains(d, "Pelapor") || strings.Contains(d, "81234567890") {
				t.Fatalf("the objector in the audit: %s", d)
			}
		}

		pub, err := st.SanggahStatusOf(ctx, strings.ToLower(sg.Receipt))
		if err != nil || pub.Status != domain.SanggahUpheld || pub.DecidedAt == nil || pub.FindingAt == nil || pub.KecamatanCode != "35.05.01" {
			t.Fatalf("public status %+v %v", pub, err)
		}

		// Not in a signed decree: no candidate yet.
		if ids, err := st.SanggahCandidates(ctx, cy.ID, domain.SanggahInclusion); err != nil || len(ids) != 0 {
			t.Fatalf("candidates before the decree: %v %v", ids, err)
		}
		d := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned}
		must(t, db.Create(&d).Error)
		must(t, db.Create(&store.DecreeItem{DecreeID: d.ID, HouseholdID: h.ID, Action: "add"}).Error)
		if ids, err := st.SanggahCandidates(ctx, cy.ID, domain.SanggahInclusion); err != nil || len(ids) != 1 || ids[0] != h.ID {
			t.Fatalf("candidates: %v %v", ids, err)
		}
		must(t, db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": "revoked", "stage_entered_at": at.Add(4 * 24 * time.Hour)}).Error)
		if pub, err := st.SanggahStatusOf(ctx, sg.Receipt); err != nil || pub.Status != domain.SanggahEnacted || pub.EnactedAt == nil {
			t.Fatalf("enacted: %+v %v", pub, err)
		}

		// An exclusion error against the revoked household, overdue.
		ex.Reason = "Sebenarnya masih miskin sekali"
		sg2, _, _, err := st.CreateSanggah(ctx, ex, dinsos)
		must(t, err)
		if sg2.Receipt != "SGH-3505-2026-000002" {
			t.Fatalf("second receipt %s", sg2.Receipt)
		}
		tksk := auth.Principal{UserID: 4, Role: auth.RoleTKSK, Region: "35.05.01"}
		if stuck, err := st.StuckSanggah(ctx, tksk, cy.ID, time.Now().Add(15*24*time.Hour), 10); err != nil || len(stuck) != 1 || stuck[0].ID != sg2.ID {
			t.Fatalf("stuck: %v %v", stuck, err)
		}
		if stuck, err := st.StuckSanggah(ctx, tksk, cy.ID, time.Now(), 10); err != nil || len(stuck) != 0 {
			t.Fatalf("stuck before due: %v %v", stuck, err)
		}
		if _, err := st.SanggahStatusOf(ctx, "SGH-3505-2026-999999"); err != store.ErrNotFound {
			t.Fatalf("unknown receipt: %v", err)
		}

		// The cycle report: per desa by kind, channel and outcome, and the
		// days to the decision; the TKSK's report too, another desa's none.
		for _, p := range []auth.Principal{{Role: auth.RoleAdmin}, tksk} {
			rep, err := st.Report(ctx, p, cy.ID, nil)
			must(t, err)
			if len(rep.Desa) != 1 {
				t.Fatalf("report rows %+v", rep.Desa)
			}
			d := rep.Desa[0]
			if d.Sanggah["inclusion"] != 1 || d.Sanggah["exclusion"] != 1 || d.SanggahChannel[store.ChannelWalkIn] != 2 ||
				d.SanggahOutcome["upheld"] != 1 || d.SanggahOutcome["registered"] != 1 || d.SanggahDays != (store.DecisionDays{Median: 3, Worst: 3}) ||
				rep.SanggahDays != d.SanggahDays || rep.Kecamatan[0].Sanggah["inclusion"] != 1 || rep.Kecamatan[0].SanggahDays.Worst != 3 {
				t.Errorf("report %+v, days %+v", d, rep.SanggahDays)
			}
		}
		if n, err := st.CaseCounts(ctx, tksk, cy.ID); err != nil || n != (store.CaseCounts{Usul: 1, UsulDecided: 1, SanggahOpen: 1, SanggahUpheld: 1}) {
			t.Errorf("case counts %+v %v", n, err)
		}
		if n, err := st.CaseCounts(ctx, other, cy.ID); err != nil || n != (store.CaseCounts{}) {
			t.Errorf("another desa's case counts %+v %v", n, err)
		}
		rep, err := st.Report(ctx, other, cy.ID, nil)
		must(t, err)
		for _, d := range rep.Desa {
			if len(d.Sanggah) != 0 {
				t.Errorf("another desa's report counts %+v", d.Sanggah)
			}
		}

		// The exclusion error upheld: the household is reinstated once, and
		// the next decree lists it again only after a signed revocation
		// took it off the list.
		must(t, st.SanggahStarted(ctx, sg2.ID))
		if ids, err := st.OpenSanggah(ctx, cy.ID, 0, 10); err != nil || len(ids) != 1 || ids[0] != sg2.ID {
			t.Fatalf("open objections: %v %v", ids, err)
		}
		if err := st.CloseSanggah(ctx, store.SanggahStep{SanggahID: sg.ID, At: at}); !errorIsCode(err, domain.CodeSanggahStatus) {
			t.Fatalf("closing a decided objection: %v", err)
		}
		must(t, st.RecordSanggahFinding(ctx, store.SanggahStep{SanggahID: sg2.ID, Actor: officer, At: at, Outcome: "eligible", Note: "Memang miskin"}))
		must(t, st.DecideSanggah(ctx, store.SanggahStep{SanggahID: sg2.ID, Actor: dinsos, At: at.Add(5 * 24 * time.Hour), Upheld: true, Note: "Dikembalikan"}))
		target, err := st.UpheldTargetOf(ctx, sg2.ID)
		must(t, err)
		if target.Reinstated || target.Household.Stage != "revoked" || target.Cycle.ID != cy.ID || target.Sanggah.Kind != domain.SanggahExclusion {
			t.Fatalf("target %+v", target)
		}
		back := store.Reinstatement{SanggahID: sg2.ID, InDTKS: false, Actor: dinsos, Transition: store.Transition{
			HouseholdID: h.ID, Seq: target.Household.StageSeq + 1, Stage: "awaiting_decree", At: at.Add(5 * 24 * time.Hour), Reason: "sanggah upheld: " + sg2.Receipt}}
		must(t, st.Reinstate(ctx, back))
		must(t, st.Reinstate(ctx, back))
		var hh store.Household
		must(t, db.First(&hh, h.ID).Error)
		if hh.Stage != "awaiting_decree" || hh.Outcome != "eligible" || hh.InDTKS || hh.StageSeq != back.Transition.Seq {
			t.Fatalf("reinstated household %+v", hh)
		}
		var n int64
		must(t, db.Model(&store.AuditEntry{}).Where("household_id = ? AND action = ?", h.ID, "household.reinstate").Count(&n).Error)
		if target, err := st.UpheldTargetOf(ctx, sg2.ID); err != nil || !target.Reinstated || n != 1 {
			t.Fatalf("reinstated twice (%d audit entries) or not marked: %v", n, err)
		}
		amend := store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}
		if err := st.DraftDecree(ctx, &amend, nil, dinsos); !errorIsCode(err, domain.CodeDecreeNothing) {
			t.Fatalf("a decree while the initial one still lists it: %v", err)
		}
		rev := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeRevocation, Status: domain.DecreeSigned}
		must(t, db.Create(&rev).Error)
		must(t, db.Create(&store.DecreeItem{DecreeID: rev.ID, HouseholdID: h.ID, Action: "revoke"}).Error)
		amend = store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}
		must(t, st.DraftDecree(ctx, &amend, nil, dinsos))
		if amend.Kind != domain.DecreeAmendment || amend.Households != 1 {
			t.Fatalf("amendment %+v", amend)
		}

		// The cycle's close ends an undecided objection, once.
		h3, _, _, err := st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: "3505015503800002", NoKK: "3505010101200002", Name: "Budi Terlewat",
			Address: "Dusun Krajan", DesaCode: "35.05.01.2001", Members: 3, Reason: "Diusulkan untuk diuji", Channel: store.ChannelWalkIn}, 7)
		must(t, err)
		must(t, db.Model(&store.Household{}).Where("id = ?", h3.ID).Updates(map[string]any{"stage": "not_eligible", "outcome": "not_poor"}).Error)
		ex3 := ex
		ex3.HouseholdID = h3.ID
		sg3, _, _, err := st.CreateSanggah(ctx, ex3, dinsos)
		must(t, err)
		must(t, st.SanggahStarted(ctx, sg3.ID))
		closeStep := store.SanggahStep{SanggahID: sg3.ID, At: at.Add(6 * 24 * time.Hour), Note: "tutup buku 2026"}
		must(t, st.CloseSanggah(ctx, closeStep))
		must(t, st.CloseSanggah(ctx, closeStep))
		if ids, err := st.OpenSanggah(ctx, cy.ID, 0, 10); err != nil || len(ids) != 0 {
			t.Fatalf("open objections after the close: %v %v", ids, err)
		}
		if pub, err := st.SanggahStatusOf(ctx, sg3.Receipt); err != nil || pub.Status != domain.SanggahClosed {
			t.Fatalf("closed status %+v %v", pub, err)
		}
		if n, err := st.CaseCounts(ctx, tksk, cy.ID); err != nil || n.SanggahClosed != 1 || n.SanggahOpen != 0 {
			t.Errorf("case counts after the close %+v %v", n, err)
		}
		must(t, db.Model(&store.AuditEntry{}).Where("household_id = ? AND action = ?", h3.ID, "sanggah.close").Count(&n).Error)
		if n != 1 {
			t.Errorf("%d close entries, want 1", n)
		}
	})
}
