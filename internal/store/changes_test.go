package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
)

const jaten, salam = "35.05.01.2001", "35.05.01.2002"

// yearFixture is a cycle with a signed decree and its enrolled
// households, and the year's steps on them: a pendamping records a
// change, the TKSK decides it (each step tried twice, as a retried
// activity would).
type yearFixture struct {
	t       *testing.T
	db      *gorm.DB
	st      *store.Store
	cy      store.Cycle
	at      time.Time
	officer domain.Actor
	tksk    domain.Actor
	n       int
}

func newYearFixture(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) *yearFixture {
	at := time.Date(2026, 4, 2, 3, 0, 0, 0, time.UTC)
	number := "188/1/2026"
	must(t, db.Create(&store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSigned, Number: &number, CreatedAt: at, SignedAt: &at}).Error)
	return &yearFixture{t: t, db: db, st: st, cy: cy, at: at,
		officer: domain.Actor{UserID: 5, Role: "pendamping", RequestID: "r1"}, tksk: domain.Actor{UserID: 6, Role: "tksk", RequestID: "r2"}}
}

// enrolled stores n enrolled households of Jaten, in the registry's file
// (in_dtks) or not (enrolled after Kemensos took their TAMBAH), with their
// closed tasks.
func (f *yearFixture) enrolled(n int, inDTKS bool) []store.Household {
	var hs []store.Household
	for range n {
		i := f.n
		f.n++
		h := store.Household{CycleID: f.cy.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprint("F", i), KKHash: fmt.Sprint("kk", i), KKSealed: []byte{1},
			KKMasked: "x", NIKHash: fmt.Sprint("nik", i), NIKSealed: []byte{2}, NIKMasked: "x", Name: fmt.Sprint("Keluarga ", i), Address: "a",
			RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: jaten, Desil: 1, InDTKS: inDTKS, Stage: "enrolled", StageSeq: 3,
			StageEnteredAt: f.at, Outcome: "eligible", WorkflowStarted: true}
		must(f.t, f.db.Create(&h).Error)
		must(f.t, f.db.Create(&store.Task{HouseholdID: h.ID, CycleID: f.cy.ID, KecamatanCode: "35.05.01", DesaCode: jaten, DueAt: f.at, Status: domain.TaskClosed}).Error)
		hs = append(hs, h)
	}
	return hs
}

// person is a member born on 1 January of year born.
func person(name, relation, sex string, born int) store.HouseholdMember {
	return store.HouseholdMember{Name: name, Relation: relation, Sex: sex, BirthDate: time.Date(born, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// members stores people as h's members present (from the file), and
// their count as h's.
func (f *yearFixture) members(h store.Household, people ...store.HouseholdMember) []store.HouseholdMember {
	for i := range people {
		people[i].HouseholdID, people[i].CycleID, people[i].Status, people[i].Source = h.ID, f.cy.ID, store.MemberPresent, store.SourceIntake
	}
	must(f.t, f.db.Create(&people).Error)
	must(f.t, f.db.Model(&store.Household{}).Where("id = ?", h.ID).Update("members", len(people)).Error)
	return people
}

// record records a change of kind, happened on 2026-03-15.
func (f *yearFixture) record(h store.Household, kind domain.ChangeKind, newDesa string, at time.Time) int64 {
	f.t.Helper()
	c := store.NewChange{CycleID: f.cy.ID, HouseholdID: h.ID, Kind: kind, Date: "2026-03-15", Note: "laporan", DesaCode: h.DesaCode, Actor: f.officer, At: at}
	if newDesa != "" {
		c.NewDesaCode, c.NewKecamatanCode = newDesa, newDesa[:8]
	}
	return f.recordChange(c)
}

func (f *yearFixture) recordChange(c store.NewChange) int64 {
	f.t.Helper()
	id, err := f.st.RecordChange(f.t.Context(), c)
	must(f.t, err)
	again, err := f.st.RecordChange(f.t.Context(), c)
	if err != nil || again != id {
		f.t.Fatalf("a retried record: %d, %v; want the same change %d", again, err, id)
	}
	return id
}

// decide confirms or refuses change id; a confirmed exit enters stage.
func (f *yearFixture) decide(h store.Household, id int64, confirm bool, stage string, at time.Time) {
	f.t.Helper()
	d := store.ChangeDecision{CycleID: f.cy.ID, HouseholdID: h.ID, ChangeID: id, Confirm: confirm, Actor: f.tksk, At: at}
	if stage != "" {
		d.Transition = &store.Transition{HouseholdID: h.ID, Seq: 4, Stage: stage, At: at, Reason: "change"}
	}
	must(f.t, f.st.DecideChange(f.t.Context(), d))
	must(f.t, f.st.DecideChange(f.t.Context(), d)) // a retry changes nothing more
}

// batch builds month's proposal and returns its items as
// "household:jenis:alasan ", by household.
func (f *yearFixture) batch(month string) string {
	f.t.Helper()
	p := store.Proposal{CycleID: f.cy.ID, Month: month}
	must(f.t, f.st.BuildProposal(f.t.Context(), &p, domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r-" + month}))
	var items []store.ProposalItem
	must(f.t, f.db.Where("proposal_id = ?", p.ID).Order("household_id").Find(&items).Error)
	got := ""
	for _, it := range items {
		got += fmt.Sprintf("%d:%s:%s ", it.HouseholdID, it.Jenis, it.Alasan)
	}
	if p.Items != len(items) {
		f.t.Errorf("batch %s counts %d items, has %d", month, p.Items, len(items))
	}
	return got
}

// TestYearChanges: changes to enrolled households during the year. A move
// within the regency, once confirmed, hands the household and its task to
// the new village (its officer's task list has it, the old one's not); a
// refused change does nothing; a confirmed exit enters its stage and, with
// a revocation of an enrolled household, is proposed HAPUS in the next
// batch once, with the removal reason of its kind; each step is audited.
func TestYearChanges(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		f := newYearFixture(t, db, st, cy)
		at := f.at
		hs := f.enrolled(4, true)
		record, decide := f.record, f.decide

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
		// The revocation, applied a day after its decree was signed, is
		// dated the signing day.
		must(t, st.DecideChange(ctx, store.ChangeDecision{CycleID: cy.ID, HouseholdID: hs[3].ID, Confirm: true, Note: "SK dicabut", At: at, DecreeID: 9, On: "2026-04-01",
			Transition: &store.Transition{HouseholdID: hs[3].ID, Seq: 4, Stage: "revoked", At: at, Reason: "revoked: SK dicabut"}}))
		must(t, st.DecideChange(ctx, store.ChangeDecision{CycleID: cy.ID, HouseholdID: hs[3].ID, Confirm: true, Note: "SK dicabut", At: at, DecreeID: 9}))
		if rv, err := st.Changes(ctx, hs[3].ID); err != nil || len(rv) != 1 || rv[0].Date != "2026-04-01" || !rv[0].RecordedAt.Equal(at) {
			t.Errorf("the revocation %+v (%v), want one dated its decree's signing 2026-04-01, recorded %v", rv, err, at)
		}

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

		if got, want := f.batch("2026-05"), fmt.Sprintf("%d:HAPUS:MENINGGAL %d:HAPUS:MAMPU ", hs[2].ID, hs[3].ID); got != want {
			t.Errorf("batch items %q, want %q", got, want)
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

// TestYearChangeKinds: the head died and a member heads the family now
// (the dead head's row died on the day, the new head is the family's name
// and head, the count follows, the family stays enrolled and nothing is
// proposed); the family moved out of the regency (HAPUS PINDAH in the next
// batch); the family withdrew of its own will (exited, HAPUS MAMPU). A
// confirmed exit is proposed HAPUS whether or not the household came in
// marked terdaftar_dtks: an enrolled household is in the registry either
// way (already there, or added when Kemensos took its TAMBAH).
func TestYearChangeKinds(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		f := newYearFixture(t, db, st, cy)
		hs := append(f.enrolled(2, true), f.enrolled(1, false)...)
		family := f.members(hs[0], person("SUPARMAN", "kepala_keluarga", "L", 1979), person("SITI", "istri", "P", 1984), person("BUDI", "anak", "L", 2012))

		died := f.recordChange(store.NewChange{CycleID: cy.ID, HouseholdID: hs[0].ID, Kind: domain.ChangeHeadDied, Date: "2026-03-15", Note: "kepala keluarga meninggal",
			DesaCode: jaten, NewHeadMemberID: family[1].ID, Actor: f.officer, At: f.at})
		f.decide(hs[0], died, true, "", f.at.Add(time.Hour))
		out := f.record(hs[1], domain.ChangeMovedOut, "", f.at.Add(2*time.Hour))
		f.decide(hs[1], out, true, "exited", f.at.Add(3*time.Hour))
		quit := f.record(hs[2], domain.ChangeWithdrew, "", f.at.Add(4*time.Hour))
		f.decide(hs[2], quit, true, "exited", f.at.Add(5*time.Hour))

		var h store.Household
		must(t, db.First(&h, "id = ?", hs[0].ID).Error)
		if h.Stage != "enrolled" || h.Name != "SITI" || h.Members != 2 {
			t.Errorf("after the head's death: stage %s, name %q, %d members; want enrolled, SITI, 2", h.Stage, h.Name, h.Members)
		}
		ms, err := st.Members(ctx, hs[0].ID)
		must(t, err)
		got := ""
		for _, m := range ms {
			got += fmt.Sprintf("%s:%s:%s:%s ", m.Name, m.Relation, m.Status, m.StatusDate)
		}
		if want := "SUPARMAN:kepala_keluarga:died:2026-03-15 SITI:kepala_keluarga:present: BUDI:anak:present: "; got != want {
			t.Errorf("members %q, want %q", got, want)
		}
		for i, want := range []string{"enrolled", "exited", "exited"} {
			var row store.Household
			must(t, db.First(&row, "id = ?", hs[i].ID).Error)
			if row.Stage != want {
				t.Errorf("household %d: stage %s, want %s", i, row.Stage, want)
			}
		}
		var hapus []bool
		must(t, db.Model(&store.HouseholdChange{}).Order("id").Pluck("hapus", &hapus).Error)
		if fmt.Sprint(hapus) != "[false true true]" {
			t.Errorf("hapus by change %v, want only the two exits", hapus)
		}
		if got, want := f.batch("2026-05"), fmt.Sprintf("%d:HAPUS:PINDAH %d:HAPUS:MAMPU ", hs[1].ID, hs[2].ID); got != want {
			t.Errorf("next batch %q, want %q", got, want)
		}
	})
}

// TestYearProgrammesPerDesa: the year-on-year counts per desa follow a
// family that moved: in where it was enrolled, out of the desa it left
// (reason moved_desa), in to the one it went to; a death is out where the
// family lived. The region's total counts a move only across its edge: the
// regency's never, a kecamatan's when the family left it, a desa's when
// the family came in.
func TestYearProgrammesPerDesa(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		f := newYearFixture(t, db, st, cy)
		hs := f.enrolled(3, true) // moves to Salam; dies; moves to another kecamatan
		const elsewhere = "35.05.02.2003"
		enrolled := f.at.Add(-30 * 24 * time.Hour)
		for i, progs := range [][]string{{enrol.PKH, enrol.BPNT}, {enrol.PKH}, {enrol.PKH}} {
			for _, prog := range progs {
				must(t, st.PutEnrolment(ctx, enrol.Entry{CycleID: cy.ID, HouseholdID: hs[i].ID, Programme: prog, At: enrolled}))
			}
		}
		f.decide(hs[0], f.record(hs[0], domain.ChangeMovedDesa, salam, f.at), true, "", f.at)
		f.decide(hs[2], f.record(hs[2], domain.ChangeMovedDesa, elsewhere, f.at.Add(time.Hour)), true, "", f.at.Add(time.Hour))
		must(t, st.PutExit(ctx, enrol.Entry{CycleID: cy.ID, HouseholdID: hs[1].ID, Programme: enrol.PKH, At: f.at, Reason: "change head_died: 2026-03-15"}))

		show := func(y *store.YearProgramme) string {
			return fmt.Sprintf("%s %s in%d out%d movedIn%d movedOut%d %v", y.DesaCode, y.Programme, y.In, y.Out, y.MovedIn, y.MovedOut, y.Reasons)
		}
		jatenRows := []string{
			jaten + " BPNT in1 out1 movedIn0 movedOut1 map[change moved_desa:1]",
			jaten + " PKH in3 out3 movedIn0 movedOut2 map[change head_died:1 change moved_desa:2]",
		}
		salamRows := []string{
			salam + " BPNT in1 out0 movedIn1 movedOut0 map[]",
			salam + " PKH in1 out0 movedIn1 movedOut0 map[]",
		}
		for _, c := range []struct {
			who    string
			region string
			desa   []string
			total  []string
		}{
			{"the regency", "35.05", append(append(jatenRows, salamRows...), elsewhere+" PKH in1 out0 movedIn1 movedOut0 map[]"), []string{
				" BPNT in1 out0 movedIn0 movedOut0 map[]", " PKH in3 out1 movedIn0 movedOut0 map[change head_died:1]"}},
			{"Jaten's kecamatan", "35.05.01", append(jatenRows, salamRows...), []string{
				" BPNT in1 out0 movedIn0 movedOut0 map[]", " PKH in3 out2 movedIn0 movedOut1 map[change head_died:1 change moved_desa:1]"}},
			{"Salam", salam, salamRows, []string{" BPNT in1 out0 movedIn1 movedOut0 map[]", " PKH in1 out0 movedIn1 movedOut0 map[]"}},
		} {
			p := auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: c.region, Regions: []string{c.region}}
			desa, total, err := st.YearProgrammes(ctx, p, &cy)
			must(t, err)
			var got, gotTotal []string
			for _, y := range desa {
				got = append(got, show(y))
			}
			for _, prog := range []string{enrol.BPNT, enrol.PKH} {
				if y := total[prog]; y != nil {
					gotTotal = append(gotTotal, show(y))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.desa) {
				t.Errorf("%s's rows:\n%q\nwant\n%q", c.who, got, c.desa)
			}
			if fmt.Sprint(gotTotal) != fmt.Sprint(c.total) || len(total) != len(c.total) {
				t.Errorf("%s's total:\n%q\nwant\n%q", c.who, gotTotal, c.total)
			}
		}
	})
}

// TestYearChangeMembers: a members_changed change carries its member
// edits, staged before the change is recorded (staged again under the
// same key, they replace the first; once recorded, they stay). Refused,
// nothing changes; confirmed, the edits apply as the visit's would: a
// birth (its NIK sealed, opening to itself), a death, a move out, a new
// occupation, each audited by member id; the member count follows; the
// per-person list (PBI-JK) lists the newborn and no longer the dead; the
// household stays enrolled and nothing is proposed.
func TestYearChangeMembers(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		f := newYearFixture(t, db, st, cy)
		hs := f.enrolled(2, true)
		family := f.members(hs[0], person("SUPARMAN", "kepala_keluarga", "L", 1979), person("SITI", "istri", "P", 1984),
			person("AGUS", "anak", "L", 2004), person("MBAH KARTO", "orang_tua", "L", 1950))
		must(t, db.Model(&store.Household{}).Where("id = ?", hs[1].ID).Update("members", 4).Error)
		enrolled := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC) // before the birth
		must(t, st.PutEnrolment(ctx, enrol.Entry{CycleID: cy.ID, HouseholdID: hs[0].ID, Programme: enrol.PBIJK, At: enrolled}))

		const babyNIK = "3505014103260001"
		edits := []store.MemberChange{
			{Kind: domain.MemberBorn, Date: "2026-03-01", NIK: babyNIK, Member: store.HouseholdMember{Name: "BAYI", Sex: "P", Relation: "anak"}},
			{Kind: domain.MemberDied, MemberID: family[3].ID, Date: "2026-03-10"},
			{Kind: domain.MemberMovedOut, MemberID: family[2].ID, Date: "2026-03-12"},
			{Kind: domain.MemberOccupation, MemberID: family[1].ID, Occupation: "Pedagang"},
		}
		must(t, st.StageChangeMembers(ctx, hs[0].ID, "k1", edits[:1]))
		must(t, st.StageChangeMembers(ctx, hs[0].ID, "k1", edits)) // staged again: replaces
		must(t, st.StageChangeMembers(ctx, hs[1].ID, "k2", edits[1:2]))
		record := func(h store.Household, key string, at time.Time) int64 {
			return f.recordChange(store.NewChange{CycleID: cy.ID, HouseholdID: h.ID, Kind: domain.ChangeMembers, Date: "2026-03-15", Note: "anggota berubah",
				DesaCode: jaten, MembersKey: key, Actor: f.officer, At: at})
		}
		changed := record(hs[0], "k1", f.at)
		must(t, st.StageChangeMembers(ctx, hs[0].ID, "k1", edits[:1])) // after the record: nothing changes
		refused := record(hs[1], "k2", f.at.Add(time.Minute))
		f.decide(hs[1], refused, false, "", f.at.Add(time.Hour))
		f.decide(hs[0], changed, true, "", f.at.Add(2*time.Hour))

		members := func(h store.Household) string {
			ms, err := st.Members(ctx, h.ID)
			must(t, err)
			got := ""
			for _, m := range ms {
				got += fmt.Sprintf("%s:%s:%s:%s:%s ", m.Name, m.Status, m.StatusDate, m.Occupation, m.Source)
			}
			return got
		}
		if got, want := members(hs[0]), "SUPARMAN:present:::intake SITI:present::Pedagang:intake AGUS:moved_out:2026-03-12::intake "+
			"MBAH KARTO:died:2026-03-10::intake BAYI:present:::change "; got != want {
			t.Errorf("members after the confirmed change:\n%q\nwant\n%q", got, want)
		}
		var baby store.HouseholdMember
		must(t, db.First(&baby, "household_id = ? AND name = ?", hs[0].ID, "BAYI").Error)
		if nik, err := st.Keys.Open(baby.NIKSealed, store.ADMemberNIK); err != nil || nik != babyNIK || baby.NIKHash != st.Keys.Hash(babyNIK) ||
			baby.Relation != "anak" || baby.Sex != "P" || baby.BirthDate.Format(time.DateOnly) != "2026-03-01" {
			t.Errorf("the newborn: %+v (NIK %q, %v)", baby, nik, err)
		}
		var staged []store.ChangeMember
		must(t, db.Find(&staged).Error)
		for _, e := range staged {
			if strings.Contains(string(e.NIKSealed), babyNIK) || strings.Contains(e.NIKHash, babyNIK) {
				t.Errorf("a staged edit holds the NIK in clear: %+v", e)
			}
		}
		if got, want := members(hs[1]), ""; got != want {
			t.Errorf("the refused change changed the members: %q", got)
		}
		for i, want := range []int{3, 4} {
			var h store.Household
			must(t, db.First(&h, "id = ?", hs[i].ID).Error)
			if h.Members != want || h.Stage != "enrolled" {
				t.Errorf("household %d: %d members, stage %s; want %d, enrolled", i, h.Members, h.Stage, want)
			}
		}
		changes, err := st.Changes(ctx, hs[0].ID)
		must(t, err)
		if len(changes) != 1 || len(changes[0].Members) != 4 || changes[0].Members[0].MemberID != baby.ID || changes[0].Members[1].MemberName != "MBAH KARTO" ||
			changes[0].Members[0].NIKMasked == "" || changes[0].Hapus {
			t.Errorf("the change as read: %+v", changes)
		}
		var details []string
		must(t, db.Model(&store.AuditEntry{}).Where("action = ? AND household_id = ?", "household.change_member", hs[0].ID).Order("id").Pluck("detail", &details).Error)
		if len(details) != 4 || !strings.Contains(details[0], fmt.Sprintf(`"member":%d`, baby.ID)) || !strings.Contains(details[1], `"change":"died"`) {
			t.Errorf("audit of the edits: %q", details)
		}
		for _, d := range details {
			if strings.Contains(d, "BAYI") || strings.Contains(d, babyNIK) || strings.Contains(d, "KARTO") {
				t.Errorf("an audit entry names a member: %s", d)
			}
		}

		lines, err := st.EnrolmentList(ctx, auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: "35.05", Regions: []string{"35.05"}}, cy.ID, enrol.PBIJK)
		must(t, err)
		people, err := st.EnrolmentPeople(ctx, lines, enrol.PersonRule{})
		must(t, err)
		var names []string
		for _, l := range people {
			names = append(names, l.MemberName)
		}
		if fmt.Sprint(names) != "[SUPARMAN SITI BAYI]" {
			t.Errorf("PBI-JK's people %v, want the head, his wife and the newborn", names)
		}
		if err := st.BuildProposal(ctx, &store.Proposal{CycleID: cy.ID, Month: "2026-05"}, domain.Actor{UserID: 1, Role: "dinsos"}); !conflict(err) {
			t.Errorf("a batch after a change of members: %v, want nothing to propose", err)
		}
	})
}
