package store_test

import (
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

// An usul becomes a household of the cycle (source usul, sealed numbers,
// its task and first stage); the same family again is refused naming the
// household, by NIK or by No KK, and differently once it is decided; a desa
// whose meeting closed its list takes no usul; an usul stored whose
// workflow did not start comes back to be started (resume).
func TestCreateUsul(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		in := store.NewUsul{CycleID: cy.ID, NIK: "3505015503800001", NoKK: "3505010101200001", Name: "Siti Janda",
			Address: "Dusun Krajan RT 02", DesaCode: "35.05.01.2001", Members: 2, Reason: "Janda lansia tanpa bantuan", Channel: store.ChannelWalkIn}
		h, _, resume, err := st.CreateUsul(ctx, in, 7)
		if err != nil || resume {
			t.Fatalf("CreateUsul: %v (resume %v)", err, resume)
		}
		var got store.Household
		must(t, db.First(&got, h.ID).Error)
		if got.Source != store.SourceUsul || got.Stage != "awaiting_verification" || got.NIKMasked != ident.Mask(in.NIK) ||
			strings.Contains(string(got.NIKSealed), in.NIK) || got.Desil != 1 {
			t.Fatalf("usul household %+v", got)
		}
		var task store.Task
		must(t, db.First(&task, "household_id = ?", h.ID).Error)
		if want := got.StageEnteredAt.Add(time.Duration(cy.VerificationDays) * 24 * time.Hour); !task.DueAt.Equal(want) || task.DesaCode != in.DesaCode {
			t.Errorf("task %+v, due want %v", task, want)
		}

		// Not started yet: the same usul resumes; a started one is refused.
		if again, _, resume, err := st.CreateUsul(ctx, in, 7); err != nil || !resume || again.ID != h.ID {
			t.Fatalf("resume: %v %v %v", again, resume, err)
		}
		must(t, st.UsulStarted(ctx, h.ID))
		byKK := in
		byKK.NIK = "3505015503800002"
		_, _, _, err = st.CreateUsul(ctx, byKK, 7)
		if e, ok := domain.As(err); !ok || e.Code != domain.CodeUsulInCycle || len(e.Args) != 2 || e.Args[0] != "S*** J****" {
			t.Fatalf("the same No KK: %v", err)
		}
		must(t, db.Model(&store.Household{}).Where("id = ?", h.ID).Update("stage", "enrolled").Error)
		byNIK := in
		byNIK.NoKK = "3505010101200002"
		if _, _, _, err := st.CreateUsul(ctx, byNIK, 7); !errorIsCode(err, domain.CodeUsulDecided) {
			t.Fatalf("the same NIK, decided: %v", err)
		}

		must(t, db.Create(&store.Meeting{CycleID: cy.ID, DesaCode: "35.05.01.2002", Date: "2026-03-03", BeritaAcaraNo: "BA/1", Attendees: 9}).Error)
		other := store.NewUsul{CycleID: cy.ID, NIK: "3505015503800003", NoKK: "3505010101200003", Name: "Budi", Address: "Salam",
			DesaCode: "35.05.01.2002", Members: 3, Reason: "Kehilangan pekerjaan tahun ini", Channel: store.ChannelLetter}
		if _, _, _, err := st.CreateUsul(ctx, other, 7); !errorIsCode(err, domain.CodeUsulVillageClosed) {
			t.Fatalf("a closed desa: %v", err)
		}
		rlo := other
		rlo.DesaCode, rlo.Name = "35.05.01.2001", "Budi \u202Eodus"
		if _, _, _, err := st.CreateUsul(ctx, rlo, 7); !errorIsCode(err, domain.CodeTextChar) {
			t.Fatalf("a right-to-left override in the name: %v", err)
		}
		bad := other
		bad.DesaCode, bad.NIK = "35.05.01.2001", "123"
		if _, _, _, err := st.CreateUsul(ctx, bad, 7); !domain.IsKind(err, domain.KindInvalid) {
			t.Fatalf("a malformed NIK: %v", err)
		}
	})
}

func errorIsCode(err error, code domain.Code) bool {
	e, ok := domain.As(err)
	return ok && e.Code == code
}

// The cycle report counts usul per desa by channel, those decided, and the
// days from usul to decision (median and worst), for the regency and for
// each desa and kecamatan.
func TestReportCountsUsul(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		var ids []int64
		for i, ch := range []string{store.ChannelWalkIn, store.ChannelLetter, store.ChannelWalkIn} {
			h, _, _, err := st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: fmt.Sprintf("350501550380%04d", i+1), NoKK: fmt.Sprintf("350501010120%04d", i+1),
				Name: "Keluarga Usul", Address: "Krajan", DesaCode: "35.05.01.2001", Members: 2, Reason: "Tidak ada dalam berkas", Channel: ch}, 7)
			must(t, err)
			ids = append(ids, h.ID)
		}
		// All three are decided, 3, 9 and 5 days after their usul.
		var u store.Usul
		for i, days := range []int{3, 9, 5} {
			u = store.Usul{}
			must(t, db.First(&u, "household_id = ?", ids[i]).Error)
			must(t, db.Model(&store.Household{}).Where("id = ?", ids[i]).Update("stage", "awaiting_decree").Error)
			must(t, db.Create(&store.StageEvent{HouseholdID: ids[i], Seq: 3, Stage: "awaiting_decree", At: u.CreatedAt.Add(time.Duration(days)*24*time.Hour + time.Hour)}).Error)
		}
		rep, err := st.Report(ctx, auth.Principal{Role: auth.RoleDinsos, Region: "35.05"}, cy.ID, nil)
		must(t, err)
		if len(rep.Desa) != 1 {
			t.Fatalf("report desa rows %d", len(rep.Desa))
		}
		d := rep.Desa[0]
		if d.Usul[store.ChannelWalkIn] != 2 || d.Usul[store.ChannelLetter] != 1 || d.UsulDecided != 3 || rep.Kecamatan[0].Usul[store.ChannelWalkIn] != 2 {
			t.Errorf("usul counts %v, decided %d", d.Usul, d.UsulDecided)
		}
		if want := (store.DecisionDays{Median: 5, Worst: 9}); rep.UsulDays != want || d.UsulDays != want || rep.Kecamatan[0].UsulDays != want {
			t.Errorf("usul days %+v, the desa's %+v, the kecamatan's %+v", rep.UsulDays, d.UsulDays, rep.Kecamatan[0].UsulDays)
		}
	})
}
