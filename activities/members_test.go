package activities_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/testx"
)

// A DTSEN file with five families, cycle scope desil 1 to 4 (the years
// are 2025's, the cycle's):
//
//	A, desil 1: SUPARMAN (head, 45, petani), SITI (wife, 40), BUDI (12, at
//	   school), MBAH KARTO (grandfather, 75)
//	B, desil 3: JOKO (head, 50), AGUS (son, 20, buruh), RINA (16, at school)
//	C, desil 7: above the scope, kept as reference (2 people)
//	D, desil 1: SARIMAN (head, 50, petani), WAHYU (son, 22, buruh), RATNA
//	   (10, at school)
//	E, desil 2: HARYONO (head, 55), SRI (wife, 53, a teacher: PNS Guru),
//	   ANI (8, at school)
//
// MBAH KARTO dies before the visit is done, and WAHYU has joined the army
// (the village records both); A and D are in the signed decree, B and E
// are not. A member who is PNS, TNI or Polri makes the family ineligible
// for PKH, BPNT and PBI-JK (the rules' excludeOccupations), not for
// BPJS-TK or BLT-DD: D keeps those two, E has nothing. By hand:
//   - jiwa taken in: A 3 (without the grandfather) + B 3 + D 3 + E 3 = 12
//   - PBI-JK (everyone present, no state employee): A 3 + B 3 = 6 people
//   - BPJS-TK (working age 18-59, decree, desil 1): SUPARMAN, SITI,
//     SARIMAN and WAHYU = 4
//   - PKH (a family programme; A has a school child, B too): 3 + 3 = 6
//   - BLT-DD (desil 1): A's 3 and D's 3
const membersFile = `jenis_baris,id_keluarga_dtsen,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil,terdaftar_dtks,nik_anggota,nama_anggota,hubungan_keluarga,jenis_kelamin,tanggal_lahir,pekerjaan,bersekolah
keluarga,A,3505010101200001,3505011508790001,SUPARMAN,Dusun Krajan,35.05.01.2001,1,Ya,,,,,,,
anggota,A,3505010101200001,,,,,,,3505011508790001,SUPARMAN,kepala keluarga,L,1979-08-15,Petani,
anggota,A,3505010101200001,,,,,,,3505015203840002,SITI,istri,P,1984-03-12,Mengurus Rumah Tangga,
anggota,A,3505010101200001,,,,,,,3505010107120003,BUDI,anak,L,2012-07-01,Pelajar,Ya
anggota,A,3505010101200001,,,,,,,3505010101500004,MBAH KARTO,orang tua,L,1950-01-01,Tidak Bekerja,
keluarga,B,3505010101200002,3505011002750005,JOKO,Dusun Krajan,35.05.01.2001,3,Ya,,,,,,,
anggota,B,3505010101200002,,,,,,,3505011002750005,JOKO,1,L,1975-02-10,Buruh Tani,
anggota,B,3505010101200002,,,,,,,3505010505040006,AGUS,3,L,2004-05-05,Buruh Harian Lepas,
anggota,B,3505010101200002,,,,,,,3505014909080007,RINA,3,P,2008-09-09,Pelajar,Ya
keluarga,C,3505010101200003,3505011111600008,SLAMET,Dusun Krajan,35.05.01.2001,7,Ya,,,,,,,
anggota,C,3505010101200003,,,,,,,3505011111600008,SLAMET,1,L,1960-11-11,Petani,
anggota,C,3505010101200003,,,,,,,3505015212650009,SUMI,2,P,1965-12-12,,
keluarga,D,3505010101200004,3505010303750010,SARIMAN,Dusun Krajan,35.05.01.2001,1,Ya,,,,,,,
anggota,D,3505010101200004,,,,,,,3505010303750010,SARIMAN,1,L,1975-03-03,Petani,
anggota,D,3505010101200004,,,,,,,3505010404030011,WAHYU,3,L,2003-04-04,Buruh Harian Lepas,
anggota,D,3505010101200004,,,,,,,3505014505150012,RATNA,3,P,2015-05-05,Pelajar,Ya
keluarga,E,3505010101200005,3505010606700013,HARYONO,Dusun Krajan,35.05.01.2001,2,Ya,,,,,,,
anggota,E,3505010101200005,,,,,,,3505010606700013,HARYONO,1,L,1970-06-06,Buruh Tani,
anggota,E,3505010101200005,,,,,,,3505014707720014,SRI,2,P,1972-07-07,PNS Guru,
anggota,E,3505010101200005,,,,,,,3505014808170015,ANI,3,P,2017-08-08,Pelajar,Ya
`

func TestMembersProgrammesAndJiwa(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0, "")
	must(t, f.db.Model(&store.Cycle{}).Where("id = ?", f.cycle.ID).Update("max_desil", 4).Error)
	in := store.Intake{CycleID: f.cycle.ID, FileName: "dtsen.csv"}
	must(t, f.st.CreateIntake(ctx, &in, bytes.NewReader([]byte(membersFile)), int64(len(membersFile))))
	acts := &activities.Activities{Store: f.st}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	if _, err := env.ExecuteActivity(acts.ParseIntake, activities.IntakeRef{IntakeID: in.ID}); err != nil {
		t.Fatal(err)
	}
	id := map[string]int64{}
	var hs []store.Household
	must(t, f.db.Where("cycle_id = ?", f.cycle.ID).Find(&hs).Error)
	for _, h := range hs {
		id[h.FamilyID] = h.ID
	}
	if len(id) != 4 || id["C"] != 0 {
		t.Fatalf("households %v: want A, B, D and E", id)
	}

	// The visit finds the grandfather has died, and WAHYU in the army.
	desa := auth.Principal{UserID: 9, Role: auth.RoleVillage, Region: "35.05.01.2001"}
	member := func(fam, name string) int64 {
		t.Helper()
		people, err := f.st.Members(ctx, id[fam])
		must(t, err)
		for _, m := range people {
			if m.Name == name {
				return m.ID
			}
		}
		t.Fatalf("%s has no member %s", fam, name)
		return 0
	}
	if _, err := f.st.ChangeMember(ctx, desa, id["A"], store.MemberChange{Kind: domain.MemberDied, MemberID: member("A", "MBAH KARTO"), Date: "2025-04-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.ChangeMember(ctx, desa, id["D"], store.MemberChange{Kind: domain.MemberOccupation, MemberID: member("D", "WAHYU"), Date: "2025-04-02", Occupation: "Anggota TNI AD"}); err != nil {
		t.Fatal(err)
	}

	f.signedDecree(t, domain.DecreeInitial, "add", []int64{id["A"], id["D"]})
	at := opened.Add(60 * 24 * time.Hour)
	for _, c := range []struct {
		fam     string
		desil   int
		decree  bool
		wantPro []string
	}{
		{"A", 1, true, []string{enrol.PKH, enrol.BPNT, enrol.PBIJK, enrol.BPJSTK, enrol.BLTDD}},
		{"B", 3, false, []string{enrol.PKH, enrol.BPNT, enrol.PBIJK}},
		// A soldier since the visit: no PKH, BPNT or PBI-JK.
		{"D", 1, true, []string{enrol.BPJSTK, enrol.BLTDD}},
		// A civil servant in the file: nothing.
		{"E", 2, false, nil},
	} {
		v, err := env.ExecuteActivity(acts.Settle, activities.SettleInput{
			CycleID: f.cycle.ID, Desil: c.desil, Eligible: true, InRegistry: true, InSignedDecree: c.decree,
			Transition: activities.TransitionInput{HouseholdID: id[c.fam], Seq: 3, Stage: "enrolled", At: at},
		})
		must(t, err)
		var res activities.SettleResult
		must(t, v.Get(&res))
		testx.Equal(t, c.fam+"'s programmes", res.Programmes, c.wantPro)
	}

	dinsos := auth.Principal{UserID: 1, Role: auth.RoleDinsos, Region: "35.05"}
	rules := enrol.DefaultRules()
	list := func(programme string) []string {
		t.Helper()
		lines, err := f.st.EnrolmentList(ctx, dinsos, f.cycle.ID, programme)
		must(t, err)
		for _, r := range rules {
			if r.Programme == programme && r.Persons != nil {
				lines, err = f.st.EnrolmentPeople(ctx, lines, *r.Persons)
				must(t, err)
			}
		}
		var names []string
		for _, l := range lines {
			if l.MemberID == 0 {
				t.Errorf("%s: a line without its person: %+v", programme, l)
			}
			names = append(names, l.MemberName)
		}
		slices.Sort(names)
		return names
	}
	testx.Equal(t, "PBI-JK list", list(enrol.PBIJK), []string{"AGUS", "BUDI", "JOKO", "RINA", "SITI", "SUPARMAN"})
	testx.Equal(t, "BPJS-TK list", list(enrol.BPJSTK), []string{"SARIMAN", "SITI", "SUPARMAN", "WAHYU"})

	rep, err := f.st.Report(ctx, dinsos, f.cycle.ID, rules)
	must(t, err)
	if len(rep.Kecamatan) != 1 {
		t.Fatalf("report %+v", rep)
	}
	k := rep.Kecamatan[0]
	if k.TakenIn != 4 || k.TakenInPeople != 12 {
		t.Errorf("taken in: %d KK, %d jiwa; want 4 and 12", k.TakenIn, k.TakenInPeople)
	}
	testx.Equal(t, "enrolled KK", k.Enrolled, map[string]int64{enrol.PKH: 2, enrol.BPNT: 2, enrol.PBIJK: 2, enrol.BPJSTK: 2, enrol.BLTDD: 2})
	testx.Equal(t, "enrolled jiwa", k.EnrolledPeople, map[string]int64{enrol.PKH: 6, enrol.BPNT: 6, enrol.PBIJK: 6, enrol.BPJSTK: 4, enrol.BLTDD: 6})
}
