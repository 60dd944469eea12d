package p3ke

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A generated DTSEN file with member faults planted in one family in
// three: the parser's counts are the plan's, every planted fault is
// reported as an error at its row and column with its code, and no other
// error or any warning is reported (a clean family raises none).
func TestDTSENPlantedFaultsAtTheirRows(t *testing.T) {
	for _, scope := range []int{1, 4} {
		t.Run(fmt.Sprint("desil 1-", scope), func(t *testing.T) {
			var buf bytes.Buffer
			plan, err := GenerateDTSEN(&buf, DTSENOptions{GenOptions: GenOptions{Regency: "35.05", Households: 3000, Seed: 7, FaultRate: 0.3}, MaxDesil: scope})
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Faults) < 50 {
				t.Fatalf("only %d faults planted", len(plan.Faults))
			}
			kinds := map[string]bool{}
			for _, f := range plan.Faults {
				kinds[string(f.Code)] = true
			}
			if len(kinds) != int(numDTSENFaults)-1 {
				t.Errorf("planted %d kinds of fault, want %d: %v", len(kinds), numDTSENFaults-1, kinds)
			}
			rep, err := Check(bytes.NewReader(buf.Bytes()), Options{Regency: "35.05", MaxDesil: scope})
			if err != nil {
				t.Fatal(err)
			}
			wantPlan(t, rep, plan)
		})
	}
}

// The acceptance's file: 50,000 families of Kab. Blitar and about 200,000
// member rows, scope desil 1 to 5, member faults planted in 2% of the
// families in scope; every planted fault is reported at its row and
// column, and nothing else. About two seconds (see
// BenchmarkValidateDTSEN50k for the time alone).
func TestDTSEN50kPlantedFaultsAtTheirRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and checks a 50,000-family file; run without -short")
	}
	data, plan := benchDTSEN50k()
	if plan.MemberRows < 180_000 || len(plan.Faults) < 400 {
		t.Fatalf("the file has %d member rows and %d planted faults; want about 200,000 and 2%% of the families in scope", plan.MemberRows, len(plan.Faults))
	}
	rep, err := Check(bytes.NewReader(data), Options{Regency: "35.05", MaxDesil: 5})
	if err != nil {
		t.Fatal(err)
	}
	wantPlan(t, rep, plan)
}

// wantPlan fails t unless rep is plan: the same counts, and as errors
// exactly the planted faults, in row order, with no warning.
func wantPlan(t *testing.T, rep *Report, plan DTSENPlan) {
	t.Helper()
	if rep.Summary != plan.Summary {
		t.Errorf("summary %v, want %v", rep.Summary, plan.Summary)
	}
	var got []PlantedFault
	for _, is := range rep.Issues {
		if is.Severity != SeverityError {
			t.Errorf("unexpected warning %v", is)
			continue
		}
		got = append(got, PlantedFault{is.Row, is.Column, is.Code})
	}
	if !slices.Equal(got, plan.Faults) {
		for i := range min(len(got), len(plan.Faults)) {
			if got[i] != plan.Faults[i] {
				t.Fatalf("fault %d: reported %+v, planted %+v", i, got[i], plan.Faults[i])
			}
		}
		t.Fatalf("reported %d errors, planted %d", len(got), len(plan.Faults))
	}
}

const dtsenHeader = "jenis_baris,id_keluarga_dtsen,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil,jumlah_anggota,nik_anggota,nama_anggota,hubungan_keluarga,jenis_kelamin,tanggal_lahir,pekerjaan,disabilitas,bersekolah,hamil\n"

// A family of three: its head (the family row's NIK), a wife and a
// child at school.
const dtsenFamily = `keluarga,F1,3505010101200001,3505011508650001,SUPARMAN,Dusun Krajan,35.05.01.2001,1,3,,,,,,,,,
anggota,F1,3505010101200001,3505011508650001,SUPARMAN,,,,,3505011508650001,SUPARMAN,Kepala Keluarga,L,1965-08-15,Petani,,,
anggota,F1,3505010101200001,,,,,,,3505015203700002,SITI,2,P,1970-03-12,Mengurus Rumah Tangga,,,Ya
anggota,,'3505010101200001,,,,,,,3505010107120003,BUDI,anak,,2012-07-01,Pelajar,berat,Ya,
`

func TestDTSENFamilyWithMembers(t *testing.T) {
	p, err := Open(strings.NewReader(dtsenHeader+dtsenFamily), Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Next()
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Accepted || len(res.Issues) != 0 || res.LastRow != 5 || res.Record.Row != 2 || res.Record.FamilyID != "F1" || res.Record.Members != 3 {
		t.Fatalf("result %+v", res)
	}
	ppl := res.Record.People
	if len(ppl) != 3 {
		t.Fatalf("people %+v", ppl)
	}
	if m := ppl[0]; m.Row != 3 || m.Relation != RelHead || m.NIK != "3505011508650001" || m.Sex != "L" || m.Occupation != "Petani" {
		t.Errorf("head %+v", m)
	}
	if m := ppl[1]; m.Relation != RelSpouse || !m.Pregnant || m.InSchool || m.BirthDate.Year() != 1970 {
		t.Errorf("wife %+v", m)
	}
	// The child's sex comes from the NIK; id_keluarga may be left empty
	// and the No KK's apostrophe is cleaned.
	if m := ppl[2]; m.Relation != RelChild || m.Sex != "L" || !m.InSchool || m.Disability != DisabilitySevere || m.Name != "BUDI" {
		t.Errorf("child %+v", m)
	}
	var sum Summary
	sum.Add(res)
	if sum.People != 3 || sum.String() != "accepted 1, skipped 0, rejected 0, warnings 0, people 3" {
		t.Errorf("summary %v", sum)
	}
}

// The member checks: each fault is reported at its own row, and a fault
// in any row rejects the whole family (none of its people are loaded).
func TestDTSENMemberChecks(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(lines []string) []string
		row   int
		col   string
		code  string
		extra string // the English reason contains this
	}{
		{"no head", func(l []string) []string { l[2] = strings.Replace(l[2], "Kepala Keluarga", "famili lain", 1); return l }, 2, "hubungan_keluarga", "p3ke.no_head", ""},
		{"second head", func(l []string) []string { l[4] = strings.Replace(l[4], ",anak,", ",kepala keluarga,", 1); return l }, 5, "hubungan_keluarga", "p3ke.second_head", "row 3 is already"},
		{"head NIK differs", func(l []string) []string {
			l[2] = strings.Replace(l[2], "3505011508650001,SUPARMAN,Kepala", "3505011508650009,SUPARMAN,Kepala", 1)
			return l
		}, 3, "nik_anggota", "p3ke.head_nik", "row 2"},
		{"member No KK differs", func(l []string) []string {
			l[3] = strings.Replace(l[3], "3505010101200001", "3505010101200002", 1)
			return l
		}, 4, "no_kk", "p3ke.member_kk", "row 2"},
		{"member family id differs", func(l []string) []string { l[3] = strings.Replace(l[3], ",F1,", ",F2,", 1); return l }, 4, "id_keluarga_p3ke", "p3ke.member_family", ""},
		{"bad member NIK", func(l []string) []string {
			l[3] = strings.Replace(l[3], "3505015203700002", "350501520370000", 1)
			return l
		}, 4, "nik_anggota", "ident.length", ""},
		{"duplicate member NIK", func(l []string) []string {
			l[4] = strings.Replace(l[4], "3505010107120003,BUDI,anak,", "3505015203700002,BUDI,anak,P", 1)
			return l
		}, 5, "nik_anggota", "p3ke.duplicate", "already in row 4"},
		{"unknown relation", func(l []string) []string { l[4] = strings.Replace(l[4], ",anak,", ",tetangga,", 1); return l }, 5, "hubungan_keluarga", "p3ke.relation", `"tetangga"`},
		{"no birth date", func(l []string) []string { l[4] = strings.Replace(l[4], "2012-07-01", "", 1); return l }, 5, "tanggal_lahir", "p3ke.required", ""},
		{"bad disability", func(l []string) []string { l[4] = strings.Replace(l[4], ",berat,", ",parah,", 1); return l }, 5, "disabilitas", "p3ke.disability", ""},
		{"member name empty", func(l []string) []string { l[3] = strings.Replace(l[3], ",SITI,", ",,", 1); return l }, 4, "nama_anggota", "p3ke.required", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A second family, with other people, that stays accepted.
			second := strings.NewReplacer("F1", "G1", "3505010101200001", "3505010101200005", "3505011508650001", "3505011508650011",
				"3505015203700002", "3505015203700012", "3505010107120003", "3505010107120013").Replace(dtsenFamily)
			lines := strings.Split(strings.TrimSuffix(dtsenHeader+dtsenFamily, "\n"), "\n")
			file := strings.Join(tc.edit(lines), "\n") + "\n" + second
			rep, err := Check(strings.NewReader(file), Options{Regency: "35.05"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accepted != 1 || rep.Rejected != 1 || rep.People != 3 {
				t.Errorf("summary %v, want the faulty family rejected and the other accepted", rep.Summary)
			}
			var errs []Issue
			for _, is := range rep.Issues {
				if is.Severity == SeverityError {
					errs = append(errs, is)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("errors %+v", errs)
			}
			is := errs[0]
			if is.Row != tc.row || is.Column != tc.col || string(is.Code) != tc.code || !strings.Contains(is.Reason, tc.extra) {
				t.Errorf("issue %+v, want row %d column %s code %s", is, tc.row, tc.col, tc.code)
			}
		})
	}
}

// Rows that cannot belong to a family stand alone, rejected: a member row
// with no family row above, and an unknown jenis_baris. A family above the
// scope is skipped with its member rows unchecked, and keeps its id,
// desil, village and member count as reference.
func TestDTSENStrayRowsAndScope(t *testing.T) {
	file := dtsenHeader +
		"anggota,F0,3505010101200009,,,,,,,3505011508650099,X,1,L,1965-08-15,,,,\n" +
		"kk,F9,3505010101200008,,,,,,,,,,,,,,,\n" +
		"keluarga,F5,3505010101200007,3505011508650007,SLAMET,Dusun,3505012001,5,,,,,,,,,,\n" +
		"anggota,F5,x,,,,,,,bad,,,,,,,,\n" +
		"anggota,F5,x,,,,,,,bad,,,,,,,,\n" +
		dtsenFamily
	p, err := Open(strings.NewReader(file), Options{Regency: "35.05", MaxDesil: 4})
	if err != nil {
		t.Fatal(err)
	}
	var got []Result
	for res, err := range p.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res)
	}
	if len(got) != 4 {
		t.Fatalf("%d results: %+v", len(got), got)
	}
	if r := got[0]; r.Status != Rejected || r.Issues[0].Code != CodeMemberOrphan || r.Issues[0].Row != 2 || r.Issues[0].Column != "jenis_baris" {
		t.Errorf("orphan %+v", r)
	}
	if r := got[1]; r.Status != Rejected || r.Issues[0].Code != CodeRowKind || r.Issues[0].Row != 3 {
		t.Errorf("bad kind %+v", r)
	}
	if r := got[2]; r.Status != Skipped || len(r.Issues) != 0 || r.LastRow != 6 ||
		r.Record.FamilyID != "F5" || r.Record.Desil != 5 || r.Record.VillageCode != "35.05.01.2001" || r.Record.Members != 2 || r.Record.NIK != "" {
		t.Errorf("skipped %+v", r)
	}
	if r := got[3]; r.Status != Accepted || r.Record.Row != 7 || r.LastRow != 10 {
		t.Errorf("family %+v", r)
	}
}

// A file with jenis_baris must have the member columns; a file without it
// is a P3KE file whose every row is a family.
func TestDTSENMemberColumnsRequired(t *testing.T) {
	_, err := Check(strings.NewReader("jenis_baris,"+header), Options{Regency: "35.05"})
	var fe *FormatError
	if !errors.As(err, &fe) || !slices.Equal(fe.Missing, []string{"nik_anggota", "nama_anggota", "hubungan_keluarga"}) {
		t.Fatalf("%v", err)
	}
	rep, err := Check(strings.NewReader(header+goodRow("A", 1)+goodRow("B", 2)), Options{Regency: "35.05"})
	if err != nil || rep.Accepted != 2 || rep.People != 0 {
		t.Fatalf("%v %+v", err, rep)
	}
}

func TestParseRelation(t *testing.T) {
	for in, want := range map[string]Relation{
		"KEPALA KELUARGA": RelHead, "1": RelHead, "Istri/Suami": RelSpouse, "suami": RelSpouse, "3": RelChild,
		"orang tua": RelParent, "Famili Lain": RelRelative, "9": RelOther, "mertua": RelParentInLaw,
	} {
		if got, ok := ParseRelation(in); !ok || got != want {
			t.Errorf("ParseRelation(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "10", "tetangga", "0"} {
		if _, ok := ParseRelation(bad); ok {
			t.Errorf("ParseRelation(%q) accepted", bad)
		}
	}
}
