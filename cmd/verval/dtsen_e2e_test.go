package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/testx"
)

// dtsenFamilies are a DTSEN file of Kec. Wonodadi, Kab. Blitar: three
// families and their people. The enrolment rules age people on the day
// they enrol, today's date in this test, so the file's birth dates (and
// the NIKs, which hold them) are computed from today: the ages below are
// every member's age on the day the test runs, whatever the day.
//
//	A, desil 1, registered: SUPARMANTO WIJOYO (head, 48, petani), SITI
//	   MASRUROH (wife, 43), BUDI HARTONO (15, at school), KARTO
//	   SUDIRDJO (grandfather, 77)
//	B, desil 3, registered: JOKO PRAMONO (head, 52), AGUS SETIAWAN (son,
//	   23, buruh), RINA LESTARI (19, at school)
//	C, desil 7: above the scope 1 to 4, kept as reference (2 people)
//
// The village's visit finds KARTO SUDIRDJO has died. By hand, at the end
// of the year (both families found poor, decreed, already registered, so
// enrolled at the decree):
//   - jiwa taken in: A 3 (without the grandfather) + B 3 = 6
//   - PBI-JK (per person, everyone present): A 3 + B 3 = 6 people
//   - BPJS-TK (per person, working age 18-59, desil 1 only): SUPARMANTO
//     WIJOYO and SITI MASRUROH = 2 people of one family
//   - PKH, BPNT (families; desil up to 4 and 5): 2 families, 6 jiwa
//   - BLT-DD (desil 1 only): A, 3 jiwa
var dtsenFamilies = []dtsenFamily{
	{ID: "DTSEN-A", KK: "3505010101200001", Address: "Dusun Krajan RT 001 RW 002", Desil: 1, Members: []dtsenMember{
		{"SUPARMANTO WIJOYO", "kepala keluarga", "L", 48, "Petani", false, "0001"},
		{"SITI MASRUROH", "istri", "P", 43, "Mengurus Rumah Tangga", false, "0002"},
		{"BUDI HARTONO", "anak", "L", 15, "Pelajar", true, "0003"},
		{"KARTO SUDIRDJO", "orang tua", "L", 77, "Tidak Bekerja", false, "0004"},
	}},
	{ID: "DTSEN-B", KK: "3505010101200002", Address: "Dusun Krajan RT 003 RW 001", Desil: 3, Members: []dtsenMember{
		{"JOKO PRAMONO", "kepala keluarga", "L", 52, "Buruh Tani", false, "0005"},
		{"AGUS SETIAWAN", "anak", "L", 23, "Buruh Harian Lepas", false, "0006"},
		{"RINA LESTARI", "anak", "P", 19, "Pelajar", true, "0007"},
	}},
	{ID: "DTSEN-C", KK: "3505010101200003", Address: "Dusun Krajan RT 004 RW 001", Desil: 7, Members: []dtsenMember{
		{"SLAMET RIYADI", "kepala keluarga", "L", 67, "Petani", false, "0008"},
		{"SUMIYATI RIYADI", "istri", "P", 62, "", false, "0009"},
	}},
}

// dtsenFamily is a family of the DTSEN file, its head first.
type dtsenFamily struct {
	ID, KK, Address string
	Desil           int
	Members         []dtsenMember
}

// dtsenMember is a member row: the NIK is Kec. Wonodadi's, with the
// birth date for the age and serial.
type dtsenMember struct {
	Name, Relation, Sex string
	Age                 int
	Occupation          string
	InSchool            bool
	Serial              string
}

// born is the birth date of someone age years old on day: the birthday
// a month before day, so that no one turns a year older while the test
// runs.
func born(age int, day time.Time) time.Time { return day.AddDate(-age, -1, 0) }

// nik is m's NIK (PP KK CC DDMMYY SSSS, a woman's day plus 40) for the
// birth date of m's age on day.
func (m dtsenMember) nik(day time.Time) string {
	b := born(m.Age, day)
	d := b.Day()
	if m.Sex == "P" {
		d += 40
	}
	return fmt.Sprintf("350501%02d%02d%02d%s", d, int(b.Month()), b.Year()%100, m.Serial)
}

// dtsenCSV is dtsenFamilies as a DTSEN CSV file, the members aged on day.
func dtsenCSV(day time.Time) []byte {
	var b strings.Builder
	b.WriteString("jenis_baris,id_keluarga_dtsen,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil,terdaftar_dtks,nik_anggota,nama_anggota,hubungan_keluarga,jenis_kelamin,tanggal_lahir,pekerjaan,bersekolah\n")
	for _, f := range dtsenFamilies {
		head := f.Members[0]
		fmt.Fprintf(&b, "keluarga,%s,%s,%s,%s,%s,%s,%d,Ya,,,,,,,\n", f.ID, f.KK, head.nik(day), head.Name, f.Address, desaJaten, f.Desil)
		for _, m := range f.Members {
			school := ""
			if m.InSchool {
				school = "Ya"
			}
			fmt.Fprintf(&b, "anggota,%s,%s,,,,,,,%s,%s,%s,%s,%s,%s,%s\n", f.ID, f.KK, m.nik(day), m.Name, m.Relation, m.Sex,
				born(m.Age, day).Format("2006-01-02"), m.Occupation, school)
		}
	}
	return []byte(b.String())
}

// dtsenPeople are the file's people, for the search of personal data in
// clear: every NIK, the No KK of their family and every name.
func dtsenPeople(day time.Time) []family {
	var out []family
	for _, f := range dtsenFamilies {
		for _, m := range f.Members {
			out = append(out, family{ID: f.ID + " " + m.Relation, KK: f.KK, NIK: m.nik(day), Name: m.Name})
		}
	}
	return out
}

// TestDTSENCycle runs a DTSEN file with members through the real stack, a
// cycle whose scope is desil 1 to 4: the family above the scope is kept as
// reference and never started; the village records a member's death at
// the visit; the decree enrols both families; the per-person programmes'
// lists name people, and the cycle report's jiwa counts are the hand
// count above. No NIK, No KK or name of any member is in clear in the
// histories, search attributes or logs.
func TestDTSENCycle(t *testing.T) {
	s := startStack(t, "sqlite")
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	bupati := s.login("bupati", "bupati-blitar-2026")
	desa1 := s.login("desa1", "desa-satu-2026")
	var cycle struct {
		ID       int64
		MaxDesil int
	}
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2027, "maxDesil": 4}, &cycle); code != 201 || cycle.MaxDesil != 4 {
		t.Fatalf("create cycle: %d, scope desil 1 to %d", code, cycle.MaxDesil)
	}
	today := time.Now()
	in := intake(t, dinsos, cycle.ID, dtsenCSV(today))
	if in.Accepted != 2 || in.Skipped != 1 || in.Rejected != 0 || in.HouseholdsStored != 2 || in.WorkflowsStarted != 2 {
		t.Fatalf("intake: %+v, want A and B taken in and started, C skipped", in)
	}

	var tl taskList
	desa1.call("GET", "/api/v1/tasks?perPage=50", nil, &tl)
	ids := map[string]int64{}
	for _, task := range tl.Tasks {
		ids[task.Name] = task.ID
	}
	a, b := ids["SUPARMANTO WIJOYO"], ids["JOKO PRAMONO"]
	if len(ids) != 2 || a == 0 || b == 0 {
		t.Fatalf("the village's tasks %v, want A's and B's only", ids)
	}

	// The visit to A: the grandfather has died.
	type person struct {
		ID       int64
		Name     string
		Relation string
		Status   string
	}
	var hh struct{ People []person }
	desa1.call("GET", fmt.Sprintf("/api/v1/households/%d", a), nil, &hh)
	var karto int64
	for _, p := range hh.People {
		if p.Relation == "parent" || p.Name == "KARTO SUDIRDJO" {
			karto = p.ID
		}
	}
	if len(hh.People) != 4 || karto == 0 {
		t.Fatalf("A's people as its village sees them: %+v", hh.People)
	}
	died := map[string]any{"change": "died", "memberId": karto, "date": time.Now().AddDate(0, 0, -3).Format("2006-01-02")}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/members", a), died, nil); code != 200 {
		t.Fatalf("record the grandfather's death: %d", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/members", a), died, nil); code != 409 {
		t.Fatalf("his death recorded twice: %d, want 409", code)
	}
	for _, id := range []int64{a, b} {
		if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id), visit("eligible", "masih miskin"), nil); code != 200 {
			t.Fatalf("visit result: %d", code)
		}
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA-DTSEN-1", "attendees": 25}, nil); code != 201 {
		t.Fatalf("meeting: %d", code)
	}
	// After the meeting the list is closed: no more member changes.
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/members", b), map[string]any{"change": "born", "name": "BAYI PRAMONO", "sex": "P", "date": time.Now().Format("2006-01-02")}, nil); code != 409 {
		t.Fatalf("a birth after the meeting: %d, want 409", code)
	}
	cases := []*cycleCase{{fam: family{Name: "A"}, id: a}, {fam: family{Name: "B"}, id: b}}
	waitStages(t, dinsos, cases, func(*cycleCase) domain.Stage { return domain.StageAwaitingDecree })

	var d struct{ ID, Households int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 || d.Households != 2 {
		t.Fatalf("draft decree: %d with %d households", code, d.Households)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); code != 200 {
		t.Fatalf("submit decree: %d", code)
	}
	if code := bupati.call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": "188/7/2027", "date": time.Now().Format("2006-01-02")}, nil); code != 200 {
		t.Fatalf("sign decree: %d", code)
	}
	waitStages(t, dinsos, cases, func(*cycleCase) domain.Stage { return domain.StageEnrolled })

	// The per-person lists name the people the rules cover, each once.
	people := func(programme string) []string {
		t.Helper()
		rows := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/enrolments?programme=%s", cycle.ID, programme)), "")
		col := slices.Index(rows[0], "nama_anggota")
		if col < 0 {
			t.Fatalf("%s list header %v has no nama_anggota", programme, rows[0])
		}
		var names []string
		for _, r := range rows[1:] {
			if len(r) <= col || r[col] == "" {
				t.Fatalf("%s list: a line without its person: %v", programme, r)
			}
			names = append(names, r[col])
		}
		slices.Sort(names)
		return names
	}
	testx.Equal(t, "PBI-JK list", people("PBI-JK"), []string{"AGUS SETIAWAN", "BUDI HARTONO", "JOKO PRAMONO", "RINA LESTARI", "SITI MASRUROH", "SUPARMANTO WIJOYO"})
	testx.Equal(t, "BPJS-TK list", people("BPJS-TK"), []string{"SITI MASRUROH", "SUPARMANTO WIJOYO"})

	var rep struct {
		Desa []struct {
			DesaCode       string
			TakenIn        int64
			TakenInPeople  int64
			Enrolled       map[string]int64
			EnrolledPeople map[string]int64
		}
	}
	if code := dinsos.call("GET", fmt.Sprintf("/api/v1/cycles/%d/report", cycle.ID), nil, &rep); code != 200 || len(rep.Desa) != 1 {
		t.Fatalf("report: %d, %d desa rows", code, len(rep.Desa))
	}
	row := rep.Desa[0]
	if row.DesaCode != desaJaten || row.TakenIn != 2 || row.TakenInPeople != 6 {
		t.Errorf("report: desa %s took in %d KK, %d jiwa; want %s, 2 KK, 6 jiwa", row.DesaCode, row.TakenIn, row.TakenInPeople, desaJaten)
	}
	testx.Equal(t, "enrolled KK", row.Enrolled, map[string]int64{"PKH": 2, "BPNT": 2, "PBI-JK": 2, "BPJS-TK": 1, "BLT-DD": 1})
	testx.Equal(t, "enrolled jiwa", row.EnrolledPeople, map[string]int64{"PKH": 6, "BPNT": 6, "PBI-JK": 6, "BPJS-TK": 2, "BLT-DD": 3})

	assertNoPIIInClear(t, s, dtsenPeople(today), "HouseholdWorkflow", "IntakeWorkflow", "MeetingWorkflow", "DecreeWorkflow")
}
