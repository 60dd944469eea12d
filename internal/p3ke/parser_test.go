package p3ke

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The fixture files testdata/comma.csv and testdata/semicolon_bom.csv hold
// the same 29 rows for Kab. Blitar (35.05), each with a fault a real P3KE
// export has. semicolon_bom.csv is what Excel in Indonesian locale writes:
// semicolons, a byte-order mark, CRLF, "3,50501E+15" with a decimal comma,
// and its blank row 10 is a truly empty line rather than ";;;". Row 3 has a
// two-line address in both, so file lines and spreadsheet rows differ.

// wantIssue is an expected issue: its reason must contain reason.
type wantIssue struct {
	row    int
	column string
	sev    Severity
	reason string
}

var fixtureIssues = []wantIssue{
	{4, "nik_kepala_keluarga", SeverityError, "NIK must be 16 digits, got 15"},
	{5, "nik_kepala_keluarga", SeverityError, "NIK must contain only digits; character 12 is 'A'"},
	{6, "nik_kepala_keluarga", SeverityError, "February has no day 31"},
	{7, "nik_kepala_keluarga", SeverityError, "February has no day 30"},
	{8, "jenis_kelamin", SeverityWarning, "given as L (male) but the NIK's day of birth is in the women's range"},
	{9, "no_kk", SeverityError, "No KK must be 16 digits, got 15"},
	{11, "kode_wilayah", SeverityError, "35.07.01.2001 is in 35.07 (Kabupaten Malang), outside this cycle's regency 35.05 (Kabupaten Blitar)"},
	{13, "id_keluarga_p3ke", SeverityError, "already in row 2"},
	{14, "no_kk", SeverityError, "the same no_kk is already in row 2"},
	{15, "nik_kepala_keluarga", SeverityError, "scientific notation by Excel"},
	{19, "nik_kepala_keluarga", SeverityWarning, "first issued in sub-district 35.05.22 but the address is in 35.05.01"},
	{20, "tanggal_lahir", SeverityWarning, "birth date does not match the one in the NIK"},
	{21, "tanggal_lahir", SeverityError, "must be a date written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY"},
	{22, "jenis_kelamin", SeverityError, `must be L (laki-laki) or P (perempuan), got "X"`},
	{23, "desil", SeverityError, `must be a whole number from 1 to 10, got "0"`},
	{24, "kode_wilayah", SeverityError, "35.05.01.2999 is not a village in the Kemendagri 2025 region list"},
	{25, "jumlah_anggota", SeverityError, `must be a whole number of at least 1, got "0"`},
	{26, "penerima_pkh", SeverityError, `must be Ya or Tidak, got "Mungkin"`},
	{27, "nama_kepala_keluarga", SeverityError, "required value is empty"},
	{28, "no_kk", SeverityError, "character 15 is 'X'"},
	{28, "nik_kepala_keluarga", SeverityError, "day of birth (digits 7-8) must be 01-31, or 41-71 for a woman; got 00"},
	{29, "no_kk", SeverityError, "No KK starts with 99"},
}

var fixtureSummary = Summary{Accepted: 8, Skipped: 2, Rejected: 18, Warnings: 3}

// Rows 12 and 18 (desil 3 and 10) are skipped; row 10 is blank.
var fixtureSkipped = []int{12, 18}

func TestFixtures(t *testing.T) {
	for _, name := range []string{"comma.csv", "semicolon_bom.csv", "fixture.xlsx"} {
		t.Run(name, func(t *testing.T) {
			var data []byte
			if name == "fixture.xlsx" {
				data = fixtureXLSX(t)
			} else {
				data = readFile(t, filepath.Join("testdata", name))
			}
			results := parseAll(t, data)
			var sum Summary
			var issues []Issue
			var skipped []int
			for _, res := range results {
				sum.Add(res)
				issues = append(issues, res.Issues...)
				if res.Status == Skipped {
					skipped = append(skipped, res.Record.Row)
				}
				if res.Record.Row == 10 {
					t.Error("blank row 10 was returned")
				}
			}
			if sum != fixtureSummary {
				t.Errorf("summary = %v, want %v", sum, fixtureSummary)
			}
			if !slices.Equal(skipped, fixtureSkipped) {
				t.Errorf("skipped rows = %v, want %v", skipped, fixtureSkipped)
			}
			assertIssues(t, issues, fixtureIssues)
			for _, res := range results {
				if (res.Status == Rejected) != slices.ContainsFunc(res.Issues, isError) {
					t.Errorf("row %d: status %v with issues %v", res.Record.Row, res.Status, res.Issues)
				}
			}
			checkFixtureRecords(t, results)
		})
	}
}

func isError(is Issue) bool { return is.Severity == SeverityError }

// checkFixtureRecords checks that accepted rows are parsed field by field,
// including the ones cleaned of apostrophes and spaces.
func checkFixtureRecords(t *testing.T, results []Result) {
	t.Helper()
	byRow := map[int]Record{}
	for _, res := range results {
		if res.Status == Accepted {
			byRow[res.Record.Row] = res.Record
		}
	}
	if got := slices.Sorted(mapsKeys(byRow)); !slices.Equal(got, []int{2, 3, 8, 16, 17, 19, 20, 30}) {
		t.Fatalf("accepted rows = %v", got)
	}
	born := func(y int, m time.Month, d int) *time.Time {
		tm := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return &tm
	}
	want := map[int]Record{
		2: {
			Row: 2, FamilyID: "P001", NoKK: "3505010101200001", NIK: "3505012501800001", Name: "JOKO SANTOSO",
			Sex: "L", BirthDate: born(1980, 1, 25), Address: "Dusun Krajan RT 001 RW 002", VillageCode: "35.05.01.2001",
			Desil: 1, Members: 4, Occupation: "Petani", Education: "SD/Sederajat",
			Indicators: Indicators{
				HomeOwnership: "Milik Sendiri", Floor: "Tanah", Wall: "Bambu", Roof: "Genteng",
				DrinkingWater: "Sumur Terlindung", Lighting: "Listrik PLN 450 VA", CookingFuel: "Kayu Bakar", Toilet: "Bersama/Umum",
			},
			InDTKS: true, PKH: false, BPNT: true, PBI: true,
		},
	}
	if got := byRow[2]; !recordsEqual(got, want[2]) {
		t.Errorf("row 2 =\n%+v\nwant\n%+v", got, want[2])
	}
	r3 := byRow[3]
	// The cell's line break (Alt+Enter in a spreadsheet) is a space: the
	// rule for one-line text (docs/p3ke.md, "Text").
	if r3.Address != "Dusun Krajan RT 003 RW 001" || r3.VillageCode != "35.05.03.1004" || r3.Sex != "P" ||
		!r3.BirthDate.Equal(*born(1975, 2, 25)) || !r3.InDTKS || r3.PKH || r3.BPNT || !r3.PBI {
		t.Errorf("row 3 = %+v", r3)
	}
	if r := byRow[16]; r.NIK != "3505011508650007" || r.NoKK != "3505010303100016" {
		t.Errorf("row 16 (apostrophes) = %q %q", r.NIK, r.NoKK)
	}
	if r := byRow[17]; r.NIK != "3505010507720008" || r.NoKK != "3505010404110017" || r.Name != "SUGENG" || r.VillageCode != "35.05.01.2003" {
		t.Errorf("row 17 (spaces) = %q %q %q %q", r.NIK, r.NoKK, r.Name, r.VillageCode)
	}
	if r := byRow[30]; r.Sex != "P" || r.Desil != 1 || !r.BirthDate.Equal(*born(1990, 6, 5)) || !r.InDTKS || r.PKH || !r.BPNT || r.PBI {
		t.Errorf("row 30 = %+v", r)
	}
}

func recordsEqual(a, b Record) bool {
	if (a.BirthDate == nil) != (b.BirthDate == nil) || (a.BirthDate != nil && !a.BirthDate.Equal(*b.BirthDate)) {
		return false
	}
	a.BirthDate, b.BirthDate = nil, nil
	return reflect.DeepEqual(a, b)
}

func mapsKeys(m map[int]Record) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// assertIssues checks that got holds exactly the expected issues, by row,
// column and severity, in row order, each with the expected words.
func assertIssues(t *testing.T, got []Issue, want []wantIssue) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d issues, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			t.Errorf("missing issue %+v", want[i])
		case i >= len(want):
			t.Errorf("unexpected issue %v", got[i])
		default:
			g, w := got[i], want[i]
			if g.Row != w.row || g.Column != w.column || g.Severity != w.sev || !strings.Contains(g.Reason, w.reason) {
				t.Errorf("issue %d = %v\n             want row %d, column %s, %s containing %q", i, g, w.row, w.column, w.sev, w.reason)
			}
		}
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parseAll parses a whole file for Kab. Blitar and returns every result.
func parseAll(t *testing.T, data []byte) []Result {
	t.Helper()
	p, err := Open(bytes.NewReader(data), Options{Regency: "35.05"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer p.Close()
	var out []Result
	for {
		res, err := p.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, res)
	}
}

// fixtureXLSX builds the XLSX version of comma.csv with excelize: every
// cell as text, as an export tool writes them, and the blank row left out
// of the sheet entirely, which is how XLSX stores an empty row.
func fixtureXLSX(t *testing.T) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, "testdata/comma.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return buildXLSX(t, func(f *excelize.File, sheet string) {
		for i, rec := range recs {
			if blankRow(rec) {
				continue
			}
			cells := make([]any, len(rec))
			for j, c := range rec {
				cells[j] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// buildXLSX makes a workbook whose first sheet is filled by fill, with a
// second sheet that must be ignored.
func buildXLSX(t testing.TB, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Data P3KE"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	fill(f, sheet)
	if _, err := f.NewSheet("Catatan"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Catatan", "A1", "not data")
	path := filepath.Join(t.TempDir(), "p3ke.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return readFile(t, path)
}

const header = "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,jenis_kelamin,tanggal_lahir,alamat,kode_wilayah,desil\n"

// goodRow returns a valid desil-1 CSV row for Kab. Blitar with the given
// family id and serial (1-99), so NIK and No KK stay unique.
func goodRow(id string, serial int) string {
	s := string(rune('0'+serial/10)) + string(rune('0'+serial%10))
	return id + ",35050101012000" + s + ",35050125018000" + s + ",BUDI,L,1980-01-25,Dusun Krajan,35.05.01.2001,1\n"
}

func TestXLSXNumberAndDateCells(t *testing.T) {
	data := buildXLSX(t, func(f *excelize.File, sheet string) {
		f.SetSheetRow(sheet, "A1", &[]any{"ID Keluarga P3KE", "No KK", "NIK Kepala Keluarga", "Nama Kepala Keluarga",
			"Jenis Kelamin", "Tanggal Lahir", "Alamat", "Kode Wilayah", "Desil", "Jumlah Anggota", "Penerima PKH"})
		// Software exports often store the numbers as numbers: below 2^53
		// they keep every digit and must be accepted as they are stored.
		f.SetSheetRow(sheet, "A2", &[]any{1001, int64(3505010101200001), int64(3505012501800001), "JOKO", "L",
			time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC), "Dusun Krajan", int64(3505012001), 1, 4, true})
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yy: must not be read as text
		f.SetCellStyle(sheet, "F2", "F2", dateStyle)
		// A number Excel has already rounded to 15 digits, then displayed
		// in scientific notation and saved as text.
		f.SetSheetRow(sheet, "A3", &[]any{1002, "3.50501E+15", int64(3505012501800002), "SRI", "P", 29221.0, "Dusun Krajan", "35.05.01.2001", "1"})
		// Row 4 left out; row 5 is the next family.
		f.SetSheetRow(sheet, "A5", &[]any{1003, int64(3505010101200005), int64(3505016501800005), "SITI", "P", "25/01/1980", "Dusun Krajan", "35.05.01.2001", 2})
	})
	results := parseAll(t, data)
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	r := results[0]
	if r.Status != Accepted || r.Record.NIK != "3505012501800001" || r.Record.NoKK != "3505010101200001" ||
		r.Record.FamilyID != "1001" || r.Record.VillageCode != "35.05.01.2001" || !r.Record.PKH || r.Record.Members != 4 {
		t.Errorf("row 2 = %v %+v %v", r.Status, r.Record, r.Issues)
	}
	if d := r.Record.BirthDate; d == nil || !d.Equal(time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("row 2 birth date = %v", d)
	}
	assertIssues(t, results[1].Issues, []wantIssue{
		{3, "no_kk", SeverityError, "scientific notation"},
		{3, "jenis_kelamin", SeverityWarning, "given as P (female)"},
		{3, "tanggal_lahir", SeverityWarning, "does not match"},
	})
	// 29221 is Excel's serial for 1980-01-01; the NIK says 25 January.
	if d := results[1].Record.BirthDate; d == nil || d.Format(time.DateOnly) != "1980-01-01" {
		t.Errorf("row 3 birth date = %v", d)
	}
	if results[2].Record.Row != 5 || results[2].Status != Skipped {
		t.Errorf("third result = row %d %v", results[2].Record.Row, results[2].Status)
	}
}

func TestCSVVariants(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		want   Summary
		issues []wantIssue
	}{
		{
			name: "BOM and comma",
			data: "\ufeff" + header + goodRow("A", 1) + goodRow("B", 2),
			want: Summary{Accepted: 2},
		},
		{
			name: "tab separated",
			data: strings.ReplaceAll(header+goodRow("A", 1), ",", "\t"),
			want: Summary{Accepted: 1},
		},
		{
			name: "semicolon, CRLF, no BOM",
			data: strings.ReplaceAll(strings.ReplaceAll(header+goodRow("A", 1), ",", ";"), "\n", "\r\n"),
			want: Summary{Accepted: 1},
		},
		{
			name: "empty lines and short rows keep numbering",
			data: header + "\n\n" + goodRow("A", 1) + "\r\n,,,\n" + "B,,,,,,,,1\n" + goodRow("C", 3),
			want: Summary{Accepted: 2, Rejected: 1},
			issues: []wantIssue{
				// header 1, empty lines 2-3, A 4, empty line 5, ",,," 6, B 7, C 8
				{7, "no_kk", SeverityError, "required value is empty"},
				{7, "nik_kepala_keluarga", SeverityError, "required value is empty"},
				{7, "nama_kepala_keluarga", SeverityError, "required value is empty"},
				{7, "alamat", SeverityError, "required value is empty"},
				{7, "kode_wilayah", SeverityError, "required value is empty"},
			},
		},
		{
			name: "blank lines before the header",
			data: "\n\n" + header + goodRow("A", 1) + "A,,,,,,,,1\n",
			want: Summary{Accepted: 1, Rejected: 1},
			issues: []wantIssue{
				{5, "id_keluarga_p3ke", SeverityError, "already in row 4"},
				{5, "no_kk", SeverityError, "required"}, {5, "nik_kepala_keluarga", SeverityError, "required"},
				{5, "nama_kepala_keluarga", SeverityError, "required"}, {5, "alamat", SeverityError, "required"},
				{5, "kode_wilayah", SeverityError, "required"},
			},
		},
		{
			name: "stray quote rejects its row only",
			data: header + goodRow("A", 1) + `B,3505010101200002,3505012501800002,BUDI "GENDUT",L,,Jl. Mawar,35.05.01.2001,1` + "\n" + goodRow("C", 3),
			want: Summary{Accepted: 2, Rejected: 1},
			issues: []wantIssue{
				{3, RowColumn, SeverityError, "a double quote (\") appears inside a cell"},
			},
		},
		{
			name: "quoted cells and a multi-line address",
			data: header + `"A","3505010101200001","3505012501800001","BUDI ""GENDUT""","L","","Dusun Krajan,` + "\nRT 1\",\"35.05.01.2001\",\"1\"\n" + "B,,,,,,,,1\n",
			want: Summary{Accepted: 1, Rejected: 1},
			issues: []wantIssue{
				{3, "no_kk", SeverityError, "required"}, {3, "nik_kepala_keluarga", SeverityError, "required"},
				{3, "nama_kepala_keluarga", SeverityError, "required"}, {3, "alamat", SeverityError, "required"},
				{3, "kode_wilayah", SeverityError, "required"},
			},
		},
		{
			name: "unclosed quote runs to the end",
			data: header + goodRow("A", 1) + `B,"3505010101200002,x` + "\n" + goodRow("C", 3),
			want: Summary{Accepted: 1, Rejected: 1},
			issues: []wantIssue{
				{3, RowColumn, SeverityError, "not closed properly; the row runs on to line 4"},
			},
		},
		{
			name: "not UTF-8",
			data: header + "A,3505010101200001,3505012501800001,J\xe9R\xd4ME,L,,Dusun,35.05.01.2001,1\n",
			want: Summary{Rejected: 1},
			issues: []wantIssue{
				{2, "nama_kepala_keluarga", SeverityError, "not valid UTF-8"},
			},
		},
		{
			name: "Indonesian-locale scientific notation and plain village codes",
			data: "id_keluarga_p3ke;no_kk;nik_kepala_keluarga;nama_kepala_keluarga;alamat;kode_wilayah;desil\n" +
				"3,50501E+11;3505010101200001;3505012501800001;BUDI;Dusun;3505012001;1\n" +
				"A;3505010101200002;3505012501800002;BUDI;Dusun;350501;1\n" +
				"B;3505010101200003;3505012501800003;BUDI;Dusun;35-05-01-2001;1\n",
			want: Summary{Rejected: 3},
			issues: []wantIssue{
				{2, "id_keluarga_p3ke", SeverityError, "scientific notation"},
				{3, "kode_wilayah", SeverityError, "35.05.01 is a sub-district (kecamatan) code"},
				{4, "kode_wilayah", SeverityError, `like 35.05.01.2001 or 3505012001, got "35-05-01-2001"`},
			},
		},
		{
			name: "optional columns absent, Ya/Tidak empty",
			data: "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil,penerima_pkh\n" +
				"A,3505010101200001,3505012501800001,BUDI,Dusun,35.05.01.2001,1,\n",
			want: Summary{Accepted: 1},
		},
		{
			name: "village of a regency not in the table",
			data: header + "A,3505010101200001,3505012501800001,BUDI,L,,Dusun,35.99.01.2001,1\n",
			want: Summary{Rejected: 1},
			issues: []wantIssue{
				{2, "kode_wilayah", SeverityError, "35.99.01.2001 is outside this cycle's regency 35.05 (Kabupaten Blitar)"},
			},
		},
		{
			name: "no_kk equal to NIK",
			data: header + "A,3505012501800001,3505012501800001,BUDI,L,,Dusun,35.05.01.2001,1\n",
			want: Summary{Accepted: 1, Warnings: 1},
			issues: []wantIssue{
				{2, "no_kk", SeverityWarning, "same number as nik_kepala_keluarga"},
			},
		},
		{
			name: "date formats",
			data: "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,alamat,kode_wilayah,desil,tanggal_lahir\n" +
				"A,3505010101200001,3505012501800001,BUDI,Dusun,35.05.01.2001,1,1980-01-25 00:00:00\n" +
				"B,3505010101200002,3505012501800002,BUDI,Dusun,35.05.01.2001,1,25/1/1980\n" +
				"C,3505010101200003,3505012501800003,BUDI,Dusun,35.05.01.2001,1,1980/01/25\n" +
				"D,3505010101200004,3505012501800004,BUDI,Dusun,35.05.01.2001,1,25 Januari 1980\n" +
				"E,3505010101200005,3505012501800005,BUDI,Dusun,35.05.01.2001,1,29221\n",
			want: Summary{Accepted: 2, Rejected: 3},
			issues: []wantIssue{
				{4, "tanggal_lahir", SeverityError, "must be a date"},
				{5, "tanggal_lahir", SeverityError, "must be a date"},
				{6, "tanggal_lahir", SeverityError, "must be a date"}, // serials only count in XLSX
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Check(strings.NewReader(tt.data), Options{Regency: "35.05"})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if rep.Summary != tt.want {
				t.Errorf("summary = %v, want %v", rep.Summary, tt.want)
			}
			assertIssues(t, rep.Issues, tt.issues)
		})
	}
}

func TestUnreadableFiles(t *testing.T) {
	notXLSX := func() []byte {
		var b bytes.Buffer
		b.WriteString("PK\x03\x04 not really a zip")
		return b.Bytes()
	}
	tests := []struct {
		name    string
		data    []byte
		missing []string
		reason  string
	}{
		{"missing columns", []byte("ID Keluarga P3KE,NIK Kepala Keluarga,Nama,Alamat,Kode Wilayah\nA,1,2,3,4\n"),
			[]string{"no_kk", "nama_kepala_keluarga", "desil"}, ""},
		{"missing columns, semicolon with BOM", []byte("\ufeffno_kk;desil\n"),
			[]string{"id_keluarga_p3ke", "nik_kepala_keluarga", "nama_kepala_keluarga", "alamat", "kode_wilayah"}, ""},
		{"title row above header", []byte("DATA P3KE KAB BLITAR\n" + header),
			RequiredColumns(), ""},
		{"empty file", nil, nil, "the file is empty"},
		{"only blank lines", []byte("\n\r\n,,,\n"), nil, "no header row"},
		{"header twice", []byte("no_kk,No KK,id_keluarga_p3ke\n"), nil, "column no_kk appears twice in the header row (columns A and B)"},
		{"old xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), nil, "old Excel 97-2003 (.xls)"},
		{"utf-16", []byte("\xff\xfei\x00d\x00"), nil, "UTF-16"},
		{"binary", []byte("\x00\x01\x02\x03garbage"), nil, "not text"},
		{"broken zip", notXLSX(), nil, "looks like XLSX but cannot be opened"},
		{"CR line ends", []byte(strings.ReplaceAll(header+goodRow("A", 1), "\n", "\r")), nil, "carriage return only"},
		{"header with broken quote", []byte("\"no_kk,desil\n"), nil, "header row cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(tt.data), Options{Regency: "35.05"})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Open error = %v (%T), want *FormatError", err, err)
			}
			if !slices.Equal(fe.Missing, tt.missing) {
				t.Errorf("Missing = %v, want %v", fe.Missing, tt.missing)
			}
			if !strings.Contains(fe.Error(), tt.reason) {
				t.Errorf("error = %q, want it to contain %q", fe, tt.reason)
			}
			if len(tt.missing) > 0 && !strings.Contains(fe.Error(), strings.Join(tt.missing, ", ")) {
				t.Errorf("error %q does not list the missing columns", fe)
			}
		})
	}
	t.Run("xlsx missing columns", func(t *testing.T) {
		data := buildXLSX(t, func(f *excelize.File, sheet string) {
			f.SetSheetRow(sheet, "A1", &[]any{"no_kk", "desil"})
		})
		_, err := Open(bytes.NewReader(data), Options{Regency: "35.05"})
		var fe *FormatError
		if !errors.As(err, &fe) || len(fe.Missing) != 5 {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBadRegencyOption(t *testing.T) {
	for _, reg := range []string{"", "35", "35.05.01", "35.99", "Blitar"} {
		_, err := Open(strings.NewReader(header), Options{Regency: reg})
		var fe *FormatError
		if err == nil || errors.As(err, &fe) {
			t.Errorf("Regency %q: err = %v, want a plain error", reg, err)
		}
	}
	if _, err := Open(strings.NewReader(header), Options{Regency: "3505"}); err != nil {
		t.Errorf("plain regency code: %v", err)
	}
}

// TestStreams checks that Next returns a row before the rest of the file
// exists: the parser must not read the whole CSV first.
func TestStreams(t *testing.T) {
	pr, pw := io.Pipe()
	more := make(chan struct{})
	go func() {
		io.WriteString(pw, header+goodRow("A", 1))
		<-more
		io.WriteString(pw, goodRow("B", 2))
		pw.Close()
	}()
	type first struct {
		p   *Parser
		res Result
		err error
	}
	got := make(chan first, 1)
	go func() {
		p, err := Open(pr, Options{Regency: "35.05"})
		if err != nil {
			got <- first{err: err}
			return
		}
		res, err := p.Next()
		got <- first{p, res, err}
	}()
	var p *Parser
	select {
	case f := <-got:
		if f.err != nil {
			t.Fatal(f.err)
		}
		if f.res.Record.FamilyID != "A" {
			t.Errorf("first row = %+v", f.res.Record)
		}
		p = f.p
	case <-time.After(5 * time.Second):
		close(more)
		t.Fatal("the parser waited for the whole file")
	}
	close(more)
	res, err := p.Next()
	if err != nil || res.Record.FamilyID != "B" || res.Record.Row != 3 {
		t.Errorf("second = %+v, %v", res.Record, err)
	}
	if _, err := p.Next(); err != io.EOF {
		t.Errorf("third Next = %v, want io.EOF", err)
	}
}

func TestAllStopsEarly(t *testing.T) {
	p, err := Open(strings.NewReader(header+goodRow("A", 1)+goodRow("B", 2)+goodRow("C", 3)), Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range p.All() {
		n++
		if n == 2 {
			break
		}
	}
	if res, err := p.Next(); err != nil || res.Record.FamilyID != "C" {
		t.Errorf("after break: %+v, %v", res.Record, err)
	}
}

func TestCanonicalHeader(t *testing.T) {
	tests := map[string]string{
		"ID Keluarga P3KE":        "id_keluarga_p3ke",
		"  NIK_Kepala-Keluarga  ": "nik_kepala_keluarga",
		"No. KK":                  "no_kk",
		"kode__wilayah":           "kode_wilayah",
		"\ufeffdesil":             "desil",
		"Desil\u00a0":             "desil",
		"":                        "",
	}
	for in, want := range tests {
		if got := canonicalHeader(in); got != want {
			t.Errorf("canonicalHeader(%q) = %q, want %q", in, got, want)
		}
	}
	if got := columnLetter(0) + columnLetter(25) + columnLetter(26) + columnLetter(701) + columnLetter(702); got != "AZAAZZAAA" {
		t.Errorf("column letters = %s", got)
	}
}

func TestRecordLogValueHidesPersonalData(t *testing.T) {
	rec := Record{Row: 2, NIK: "3505012501800001", NoKK: "3505010101200001", Name: "JOKO", Address: "Dusun", VillageCode: "35.05.01.2001", Desil: 1}
	s := rec.LogValue().String()
	for _, secret := range []string{rec.NIK, rec.NoKK, rec.Name, rec.Address} {
		if strings.Contains(s, secret) {
			t.Errorf("LogValue %q shows %q", s, secret)
		}
	}
}

func TestQuoteMasksNumbers(t *testing.T) {
	tests := map[string]string{
		"3505012501800001":      `"350501********01"`,
		"X":                     `"X"`,
		"12345678":              `"12345678"`,
		"NIK 3505012501800001":  `"NIK 35************01"`,
		strings.Repeat("a", 30): `"` + strings.Repeat("a", 20) + `…"`,
	}
	for in, want := range tests {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestAdmit: an XLSX workbook is admitted with its shared strings' size
// before they are decoded, and released at Close; a refusal ends Open
// with it. CSV is not asked.
func TestAdmit(t *testing.T) {
	var asked []int64
	released := 0
	admit := func(held int64) (func(), error) {
		asked = append(asked, held)
		return func() { released++ }, nil
	}
	data := fixtureXLSX(t)
	p, err := Open(bytes.NewReader(data), Options{Regency: "35.05", Admit: admit})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] <= 0 || released != 0 {
		t.Fatalf("asked %v, released %d", asked, released)
	}
	p.Close()
	p.Close()
	if released != 1 {
		t.Fatalf("released %d times", released)
	}
	busy := errors.New("busy")
	if _, err := Open(bytes.NewReader(data), Options{Regency: "35.05", Admit: func(int64) (func(), error) { return nil, busy }}); err != busy {
		t.Fatalf("refused: %v", err)
	}
	if _, err := Open(bytes.NewReader(readFile(t, "testdata/comma.csv")), Options{Regency: "35.05", Admit: admit}); err != nil || len(asked) != 1 {
		t.Fatalf("CSV: %v, asked %v", err, asked)
	}
}
