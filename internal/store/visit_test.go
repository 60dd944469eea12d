package store_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// A visit's write is idempotent for the same result; a version written by
// an attempt the workflow never accepted is replaced by the result the
// workflow does accept at that version (with its own audit entry); an older
// version never overwrites a newer one.
func TestRecordVisitReplacesAnUnacceptedWrite(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		nik, kk := "3505015503800001", "3505010101200001"
		_, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 2, Accepted: 1, Rows: 1, DueAt: time.Now(),
			Households: []store.NewHousehold{{NIK: nik, NoKK: kk, Household: store.Household{Row: 2, FamilyID: "P3KE-1", Name: "KK", Address: "Krajan",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, NIKMasked: ident.Mask(nik), KKMasked: ident.Mask(kk)}}}})
		must(t, err)
		var h store.Household
		must(t, db.First(&h).Error)
		visit := func(version int, outcome domain.Outcome, note string) {
			t.Helper()
			must(t, st.RecordVisit(ctx, store.Visit{CycleID: cy.ID, HouseholdID: h.ID, Version: version, At: time.Now(),
				Result: domain.VisitResult{Outcome: outcome, VisitDate: "2026-03-03", Note: note}, Actor: domain.Actor{UserID: 3, Role: "village", RequestID: "r"}}))
		}
		stored := func() (int, domain.Outcome, int64) {
			var task store.Task
			must(t, db.First(&task, "household_id = ?", h.ID).Error)
			var audits int64
			must(t, db.Model(&store.AuditEntry{}).Where("household_id = ? AND action LIKE ?", h.ID, "verification.%").Count(&audits).Error)
			return task.Version, task.Result.Outcome, audits
		}
		visit(1, domain.OutcomeEligible, "")
		visit(1, domain.OutcomeEligible, "") // the same attempt again
		if v, o, a := stored(); v != 1 || o != domain.OutcomeEligible || a != 1 {
			t.Fatalf("after a retry: version %d, %s, %d audit entries", v, o, a)
		}
		visit(1, domain.OutcomeNotPoor, "diperbaiki") // the one the workflow accepted
		if v, o, a := stored(); v != 1 || o != domain.OutcomeNotPoor || a != 2 {
			t.Fatalf("after the accepted write: version %d, %s, %d audit entries", v, o, a)
		}
		visit(2, domain.OutcomeEligible, "")
		visit(1, domain.OutcomeNotPoor, "lama") // late: a newer version is stored
		if v, o, _ := stored(); v != 2 || o != domain.OutcomeEligible {
			t.Fatalf("after a late write: version %d, %s", v, o)
		}
	})
}
