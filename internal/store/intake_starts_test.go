package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/testx"
)

// storeFamilies stores n made-up families, numbered from first, as one
// batch of a new intake of cycleID with status, and returns the intake
// and its households' ids.
func storeFamilies(t *testing.T, st *store.Store, cycleID int64, status string, first, n int) (store.Intake, []int64) {
	t.Helper()
	ctx := t.Context()
	in := store.Intake{CycleID: cycleID, FileName: "dtsen.csv"}
	must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
	var hs []store.NewHousehold
	for i := first; i < first+n; i++ {
		nik, kk := fmt.Sprintf("350501550380%04d", i), fmt.Sprintf("35050101012%05d", i)
		hs = append(hs, store.NewHousehold{NIK: nik, NoKK: kk,
			Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("DTSEN-", i), Name: fmt.Sprint("KK ", i), Address: "Dusun Krajan",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1,
				NIKMasked: ident.Mask(nik), KKMasked: ident.Mask(kk)}})
	}
	if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: n + 1, Households: hs, Accepted: n, Rows: n, DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	must(t, st.SetIntakeStatus(ctx, in.ID, status, ""))
	var ids []int64
	must(t, st.DB.Model(&store.Household{}).Where("intake_id = ?", in.ID).Order("id").Pluck("id", &ids).Error)
	return in, ids
}

// TestPendingStartsTakesOverEndedIntakes: an intake starts its own
// households and those an earlier intake of its cycle stored and ended
// (failed part way) without starting, but not those of an intake still
// running (its file is not checked to the end) nor another cycle's; the
// households it started are counted on it.
func TestPendingStartsTakesOverEndedIntakes(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		other := store.Cycle{RegencyCode: "35.05", Year: 2027, OpenedAt: time.Now(), VerificationDays: 30}
		must(t, db.Create(&other).Error)
		_, failed := storeFamilies(t, st, cy.ID, store.IntakeFailed, 1, 3)
		_, otherCycle := storeFamilies(t, st, other.ID, store.IntakeFailed, 1, 2)
		_, running := storeFamilies(t, st, cy.ID, store.IntakeRunning, 10, 2)
		in, own := storeFamilies(t, st, cy.ID, store.IntakeRunning, 20, 2)

		pending := func(after int64, limit int) []int64 {
			t.Helper()
			ps, err := st.PendingStarts(ctx, in.ID, after, limit)
			must(t, err)
			var ids []int64
			for _, p := range ps {
				if p.CycleID != cy.ID {
					t.Errorf("pending start %+v of another cycle", p)
				}
				ids = append(ids, p.ID)
			}
			return ids
		}
		want := append(slices.Clone(failed), own...)
		testx.Equal(t, "pending starts", pending(0, 100), want)
		testx.Equal(t, "the page after the second", pending(want[1], 2), want[2:4])
		if slices.ContainsFunc(want, func(id int64) bool { return slices.Contains(running, id) || slices.Contains(otherCycle, id) }) {
			t.Errorf("pending starts %v hold a running intake's %v or another cycle's %v", want, running, otherCycle)
		}

		must(t, st.MarkStarted(ctx, in.ID, want))
		testx.Equal(t, "pending starts once started", pending(0, 100), []int64(nil))
		got, err := st.GetIntake(ctx, in.ID)
		must(t, err)
		if got.WorkflowsStarted != len(want) || got.HouseholdsStored != len(own) {
			t.Errorf("intake: %d stored, %d started; want %d and %d", got.HouseholdsStored, got.WorkflowsStarted, len(own), len(want))
		}
	})
}

// TestReferenceFamiliesKeptOnce: the same reference families uploaded
// again (a second intake of the cycle) are kept and counted once; the same
// family id in another cycle is that cycle's, and a family without an id
// cannot be told from another and is kept each time.
func TestReferenceFamiliesKeptOnce(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		other := store.Cycle{RegencyCode: "35.05", Year: 2027, OpenedAt: time.Now(), VerificationDays: 30}
		must(t, db.Create(&other).Error)
		refs := func() []store.ReferenceFamily {
			return []store.ReferenceFamily{
				{Row: 2, FamilyID: "DTSEN-7", Desil: 7, DesaCode: "35.05.01.2001", Members: 3},
				{Row: 3, FamilyID: "DTSEN-8", Desil: 7, DesaCode: "35.05.01.2001", Members: 2},
				{Row: 4, FamilyID: "DTSEN-9", Desil: 9, DesaCode: "35.05.01.2001", Members: 4},
				{Row: 5, FamilyID: "", Desil: 6, DesaCode: "35.05", Members: 1},
			}
		}
		for _, cycleID := range []int64{cy.ID, cy.ID, other.ID} {
			in := store.Intake{CycleID: cycleID, FileName: "dtsen.csv"}
			must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
			if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 5, References: refs(), Skipped: 4, Rows: 4, DueAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		dinsos := auth.Principal{Role: auth.RoleDinsos, Region: "35.05"}
		counts, err := st.ReferenceCounts(ctx, dinsos, cy.ID)
		must(t, err)
		testx.Equal(t, "reference counts after two uploads", counts, []store.DesilCount{
			{Desil: 6, Families: 2, Members: 2}, {Desil: 7, Families: 2, Members: 5}, {Desil: 9, Families: 1, Members: 4}})
		counts, err = st.ReferenceCounts(ctx, dinsos, other.ID)
		must(t, err)
		testx.Equal(t, "the other cycle's", counts, []store.DesilCount{
			{Desil: 6, Families: 1, Members: 1}, {Desil: 7, Families: 2, Members: 5}, {Desil: 9, Families: 1, Members: 4}})
	})
}

// TestReferenceFamilyOnceMigration: the copies a database kept before
// migration 202612083001 (a file uploaded twice) are removed, the first
// of each family staying; families without an id all stay.
func TestReferenceFamilyOnceMigration(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, q := range []string{
			"DROP INDEX idx_reference_families_cycle_family",
			"DELETE FROM schema_migrations WHERE id = '202612083001_reference_family_once'",
		} {
			must(t, db.Exec(q).Error)
		}
		for _, r := range []store.ReferenceFamily{
			{CycleID: 1, IntakeID: 1, Row: 2, FamilyID: "DTSEN-7", Desil: 7, DesaCode: "35.05.01.2001", Members: 3},
			{CycleID: 1, IntakeID: 1, Row: 3, FamilyID: "", Desil: 6, DesaCode: "35.05", Members: 1},
			{CycleID: 1, IntakeID: 2, Row: 2, FamilyID: "DTSEN-7", Desil: 7, DesaCode: "35.05.01.2001", Members: 3},
			{CycleID: 1, IntakeID: 2, Row: 3, FamilyID: "", Desil: 6, DesaCode: "35.05", Members: 1},
			{CycleID: 2, IntakeID: 3, Row: 2, FamilyID: "DTSEN-7", Desil: 7, DesaCode: "35.05.01.2001", Members: 3},
		} {
			must(t, db.Create(&r).Error)
		}
		must(t, store.Migrate(db))
		var kept []store.ReferenceFamily
		must(t, db.Order("id").Find(&kept).Error)
		var got []string
		for _, r := range kept {
			got = append(got, fmt.Sprintf("cycle %d intake %d %q", r.CycleID, r.IntakeID, r.FamilyID))
		}
		testx.Equal(t, "kept", got, []string{`cycle 1 intake 1 "DTSEN-7"`, `cycle 1 intake 1 ""`, `cycle 1 intake 2 ""`, `cycle 2 intake 3 "DTSEN-7"`})
		if err := db.Create(&store.ReferenceFamily{CycleID: 1, IntakeID: 4, Row: 2, FamilyID: "DTSEN-7", Desil: 7, DesaCode: "35.05.01.2001"}).Error; err == nil {
			t.Error("a second DTSEN-7 in cycle 1 was stored after the migration")
		}
	})
}
