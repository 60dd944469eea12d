package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// TestCarryOver: next year's cycle takes last year's enrolled and closed
// households (not those that ended otherwise), each at
// awaiting_verification with an open task, its numbers sealed again (they
// open to the same), its members, and last year's household, stage and
// reason; a retry stores nobody twice, and last year's rows are unchanged.
func TestCarryOver(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		var hs []store.NewHousehold
		for i := range 3 {
			nik, kk := fmt.Sprintf("350501550380%04d", i+1), fmt.Sprintf("35050101012%05d", i+1)
			hs = append(hs, store.NewHousehold{NIK: nik, NoKK: kk,
				Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("P3KE-", i), Name: fmt.Sprint("KK ", i), Address: "Dusun Krajan",
					RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, NIKMasked: ident.Mask(nik), KKMasked: ident.Mask(kk)},
				People: []store.NewMember{{NIK: nik, HouseholdMember: store.HouseholdMember{Name: fmt.Sprint("KK ", i), Relation: "kepala_keluarga", Sex: "L",
					BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}}}})
		}
		_, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 4, Households: hs, Accepted: 3, Rows: 3, DueAt: time.Now()})
		must(t, err)
		var old []store.Household
		must(t, db.Where("cycle_id = ?", cy.ID).Order("id").Find(&old).Error)
		for i, stage := range []string{"enrolled", "closed", "removed"} {
			must(t, db.Model(&store.Household{}).Where("id = ?", old[i].ID).Updates(map[string]any{"stage": stage, "reason": "alasan " + stage}).Error)
		}
		must(t, db.Where("cycle_id = ?", cy.ID).Order("id").Find(&old).Error)
		next := store.Cycle{RegencyCode: "35.05", Year: cy.Year + 1, OpenedAt: time.Now(), VerificationDays: 30}
		must(t, db.Create(&next).Error)
		carry, err := st.CreateCarryIntake(ctx, &next, &cy, domain.Actor{UserID: 7, Role: "dinsos", RequestID: "r"})
		must(t, err)
		due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		if n, err := st.CarryOver(ctx, &cy, carry.ID, due); err != nil || n != 2 {
			t.Fatalf("carry-over: %d, %v; want 2", n, err)
		}
		if n, err := st.CarryOver(ctx, &cy, carry.ID, due); err != nil || n != 0 {
			t.Fatalf("carry-over again: %d, %v; want none", n, err)
		}
		var got []store.Household
		must(t, db.Where("cycle_id = ?", next.ID).Order("id").Find(&got).Error)
		if len(got) != 2 {
			t.Fatalf("%d households in the new cycle, want 2", len(got))
		}
		for i, h := range got {
			nik, _ := st.Keys.Open(h.NIKSealed, store.ADNIK)
			if h.Stage != "awaiting_verification" || h.Source != store.SourceCarried || h.PrevHouseholdID == nil || *h.PrevHouseholdID != old[i].ID ||
				h.PrevStage != old[i].Stage || h.PrevReason != old[i].Reason || nik != hs[i].NIK || h.KKHash != old[i].KKHash || h.IntakeID != carry.ID {
				t.Errorf("carried household %d: stage %s source %s prev %v %s %q, intake %d", i, h.Stage, h.Source, h.PrevHouseholdID, h.PrevStage, h.PrevReason, h.IntakeID)
			}
			var task store.Task
			must(t, db.First(&task, "household_id = ?", h.ID).Error)
			if task.Status != domain.TaskOpen || !task.DueAt.Equal(due) {
				t.Errorf("carried household %d's task: %+v", i, task)
			}
			ms, err := st.Members(ctx, h.ID)
			must(t, err)
			if len(ms) != 1 || ms[0].NIKHash != st.Keys.Hash(hs[i].NIK) {
				t.Errorf("carried household %d's members: %+v", i, ms)
			}
		}
		if got[0].InDTKS != true {
			t.Errorf("an enrolled household is carried as not in the registry")
		}
		var still store.Household
		must(t, db.First(&still, "id = ?", old[0].ID).Error)
		if still.Stage != "enrolled" || still.CycleID != cy.ID {
			t.Errorf("last year's household changed: %+v", still)
		}

		// The new year's file: row 2 is a family carried from last year
		// (same No KK), row 3 a new one, row 4 one carried (same P3KE id,
		// new No KK). A second file repeats the new family. Each family
		// left out is reported on its row: carried, or from an earlier
		// file of this cycle, by household and never by its numbers.
		fresh := hs[2]
		fresh.NIK, fresh.NoKK, fresh.FamilyID = "3505015503800099", "3505010101299999", "P3KE-new"
		byID := hs[1]
		byID.NoKK = "3505010101288888"
		file := []store.NewHousehold{hs[0], fresh, byID}
		for i := range file {
			file[i].Row = i + 2
		}
		in2 := store.Intake{CycleID: next.ID, FileName: "p3ke-2027.csv"}
		must(t, st.CreateIntake(ctx, &in2, strings.NewReader("x"), 1))
		if n, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in2.ID, FirstRow: 2, LastRow: 4, Households: file, Accepted: 3, Rows: 3, DueAt: due}); err != nil || n != 1 {
			t.Fatalf("the new file: %d stored, %v; want 1", n, err)
		}
		in3 := store.Intake{CycleID: next.ID, FileName: "p3ke-2027-ulang.csv"}
		must(t, st.CreateIntake(ctx, &in3, strings.NewReader("x"), 1))
		again := fresh
		again.Row = 7
		if n, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in3.ID, FirstRow: 7, LastRow: 7, Households: []store.NewHousehold{again}, Accepted: 1, Rows: 1, DueAt: due}); err != nil || n != 0 {
			t.Fatalf("the second file: %d stored, %v; want none", n, err)
		}
		var added store.Household
		must(t, db.First(&added, "cycle_id = ? AND family_id = ?", next.ID, "P3KE-new").Error)
		year := fmt.Sprint(cy.Year)
		for _, c := range []struct {
			intake int64
			want   []store.IntakeIssue
		}{
			{in2.ID, []store.IntakeIssue{
				{Row: 2, Column: "no_kk", Severity: store.SeverityPresent, Code: string(store.IntakeCarried), Args: []string{fmt.Sprint(got[0].ID), year}},
				{Row: 4, Column: "id_keluarga_p3ke", Severity: store.SeverityPresent, Code: string(store.IntakeCarried), Args: []string{fmt.Sprint(got[1].ID), year}},
			}},
			{in3.ID, []store.IntakeIssue{
				{Row: 7, Column: "no_kk", Severity: store.SeverityPresent, Code: string(store.IntakePresent), Args: []string{fmt.Sprint(added.ID)}},
			}},
		} {
			issues, total, err := st.IntakeIssues(ctx, c.intake, 10, 0)
			must(t, err)
			if int(total) != len(c.want) || len(issues) != len(c.want) {
				t.Fatalf("intake %d: issues %+v, want %+v", c.intake, issues, c.want)
			}
			for i, is := range issues {
				w := c.want[i]
				if is.Row != w.Row || is.Column != w.Column || is.Severity != w.Severity || is.Code != w.Code || fmt.Sprint(is.Args) != fmt.Sprint(w.Args) ||
					!strings.HasPrefix(is.Reason, "already in this cycle as household "+w.Args[0]) {
					t.Errorf("intake %d issue %d: %+v, want %+v", c.intake, i, is, w)
				}
				for _, secret := range []string{hs[0].NIK, hs[0].NoKK, hs[1].NoKK, byID.NoKK, fresh.NIK, fresh.NoKK, hs[0].Name} {
					if strings.Contains(is.Reason+strings.Join(is.Args, " "), secret) {
						t.Errorf("intake %d issue %d names a number or name: %+v", c.intake, i, is)
					}
				}
			}
			in, err := st.GetIntake(ctx, c.intake)
			must(t, err)
			if in.AlreadyPresent != len(c.want) {
				t.Errorf("intake %d: %d already present, want %d", c.intake, in.AlreadyPresent, len(c.want))
			}
		}
	})
}
