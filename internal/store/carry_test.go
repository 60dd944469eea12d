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
	})
}
