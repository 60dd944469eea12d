package kemensos

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// fixture is a proposal of six households, by No KK and head's NIK.
var fixture = []struct {
	id      int64
	kk, nik string
}{
	{1, "3505012001230001", "3505014501800001"},
	{2, "3505012001230002", "3505010202750002"},
	{3, "3505012001230003", "3505016303850003"},
	{4, "3505012001230004", "3505011111600004"},
	{5, "3505012001230005", "3505012512900005"},
	{6, "3505012001230006", "3505015007700006"},
}

// matchFixture is the match function of the fixture. It fails the test if
// called with anything but one cleaned 16-digit number.
func matchFixture(t testing.TB) func(kk, nik string) (int64, bool) {
	return func(kk, nik string) (int64, bool) {
		if (kk == "") == (nik == "") {
			t.Fatalf("match called with both or neither number (lengths %d, %d)", len(kk), len(nik))
		}
		for _, s := range []string{kk, nik} {
			if s != "" && !sixteenDigits(s) {
				t.Fatalf("match called with an uncleaned value of %d bytes", len(s))
			}
		}
		for _, h := range fixture {
			if (kk != "" && kk == h.kk) || (nik != "" && nik == h.nik) {
				return h.id, true
			}
		}
		return 0, false
	}
}

var sixteenDigitRun = regexp.MustCompile(`\d{16}`)

// want is an expected RowError: its place and a part of its reason.
type want struct {
	row    int
	column string
	reason string
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseAnswersFiles(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		answers []Answer
		errs    []want
	}{
		{
			name: "comma",
			file: "testdata/answers_comma.csv",
			answers: []Answer{
				{Row: 2, HouseholdID: 1, Accepted: true, Note: "Padan Dukcapil", Date: date(2025, 3, 20)},
				{Row: 3, HouseholdID: 2, Reason: TolakNIKTidakPadan, Note: "NIK tidak padan, cek ulang", Date: date(2025, 3, 20)},
				{Row: 14, HouseholdID: 6, Accepted: true, Date: date(2025, 3, 21)},
			},
			errs: []want{
				{4, "no_kk", "no proposed household has no_kk 350501********99"},
				{5, "status", `must be DITETAPKAN or DITOLAK, got "DITERIMA"`},
				{6, "alasan", "DITOLAK needs a reason"},
				{7, "alasan", `must be empty for DITETAPKAN, got "GANDA"`},
				{9, "status", "already answered DITETAPKAN in row 2"},
				{11, "nik", "different proposed household"},
				{12, "tanggal_penetapan", `got "2025-13-01"`},
				{13, "no_kk", "scientific notation"},
				{15, "alasan", `got "BUKAN_ALASAN"`},
				{16, "no_kk", "both empty"},
				{17, "nik", "16 digits, got 8"},
				{18, "tanggal_penetapan", "required date is empty"},
			},
		},
		{
			name: "semicolon with BOM",
			file: "testdata/answers_semicolon_bom.csv",
			answers: []Answer{
				{Row: 2, HouseholdID: 1, Reason: TolakUpahDiAtasUMP, Note: "Upah di atas UMP, BPJS TK aktif", Date: date(2025, 3, 17)},
				{Row: 3, HouseholdID: 2, Accepted: true, Date: date(2025, 3, 17)},
			},
			errs: []want{
				{4, "alasan", "must be empty for DITETAPKAN"},
				{5, "alasan", "already answered DITOLAK (UPAH_DI_ATAS_UMP) in row 2"},
				{7, "tanggal_penetapan", "1925-03-17 is not a plausible"},
				{8, "nik", "different proposed household"},
				{9, "(whole row)", "quoted cell is not closed"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			answers, errs, err := ParseAnswers(bytes.NewReader(data), matchFixture(t))
			if err != nil {
				t.Fatal(err)
			}
			checkAnswers(t, answers, tt.answers)
			checkErrors(t, errs, tt.errs)
		})
	}
}

func checkAnswers(t *testing.T, got, want []Answer) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d answers, want %d: %+v", len(got), len(want), got)
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answer %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func checkErrors(t *testing.T, got []RowError, want []want) {
	t.Helper()
	for _, e := range got {
		if sixteenDigitRun.MatchString(e.Reason) {
			t.Errorf("row %d: reason shows a full number: %q", e.Row, e.Reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d errors, want %d:", len(got), len(want))
		for _, e := range got {
			t.Errorf("  %v", &e)
		}
		return
	}
	for i, w := range want {
		e := got[i]
		if e.Row != w.row || e.Column != w.column || !strings.Contains(e.Reason, w.reason) {
			t.Errorf("error %d: got %v, want row %d, column %s, reason containing %q", i, &e, w.row, w.column, w.reason)
		}
	}
}

// newXLSX builds a workbook whose first sheet holds rows; a time.Time
// value becomes a real date cell (an Excel serial number).
func newXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(time.Time); ok {
				f.SetCellStyle("Sheet1", cell, cell, dateStyle)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseAnswersXLSX(t *testing.T) {
	data := newXLSX(t, [][]any{
		{"NIK", "no kk", "STATUS", "alasan", "keterangan", "tanggal_penetapan"},
		{"3505014501800001", "", "DITETAPKAN", "", "", date(2025, 4, 18)}, // 2: a real date cell
		{"", "'3505012001230002", "DITOLAK", "GANDA", "", "18-04-2025"},   // 3: apostrophe, text date
		{"", "3505012001239999", "DITETAPKAN", "", "", "2025-04-18"},      // 4: not proposed
		{"", "3,50501E+15", "DITETAPKAN", "", "", "2025-04-18"},           // 5: Indonesian-locale scientific
		{"3505016303850003", "", "TIDAK JELAS", "", "", "2025-04-18"},     // 6: bad status
		{}, // 7: blank
		{"3505014501800001", "", "DITETAPKAN", "", "lagi", "2025-04-18"},       // 8: identical duplicate
		{"3505014501800001", "", "DITOLAK", "TIDAK_LAYAK", "", "2025-04-18"},   // 9: conflicting duplicate
		{"3505011111600099", "3505012001230005", "DITOLAK", "", "", "kemarin"}, // 10: nik not of this kk, no reason, bad date
		{"3505015007700006", "", "DITOLAK", "desil di atas batas", "", 45765},  // 11: date as a bare serial number
	})
	answers, errs, err := ParseAnswers(bytes.NewReader(data), matchFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	checkAnswers(t, answers, []Answer{
		{Row: 2, HouseholdID: 1, Accepted: true, Date: date(2025, 4, 18)},
		{Row: 3, HouseholdID: 2, Reason: TolakGanda, Date: date(2025, 4, 18)},
		{Row: 11, HouseholdID: 6, Reason: TolakDesilDiAtasBatas, Date: date(2025, 4, 18)},
	})
	checkErrors(t, errs, []want{
		{4, "no_kk", "no proposed household"},
		{5, "no_kk", "scientific notation"},
		{6, "status", `got "TIDAK JELAS"`},
		{9, "status", "already answered DITETAPKAN in row 2"},
		// Left to right, as the sheet has them: nik is column A here.
		{10, "nik", "does not match the proposed household with no_kk 350501********05"},
		{10, "alasan", "DITOLAK needs a reason"},
		{10, "tanggal_penetapan", `got "kemarin"`},
	})
}

func TestParseAnswersFormatErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		missing []string
		reason  string
	}{
		{name: "missing columns", data: []byte("no_kk,status,keterangan\n3505012001230001,DITETAPKAN,\n"),
			missing: []string{"alasan", "tanggal_penetapan"}},
		{name: "no number column", data: []byte("\ufeffstatus;alasan;tanggal_penetapan\n"),
			missing: []string{"no_kk or nik"}},
		{name: "everything missing", data: []byte("a,b\n"),
			missing: []string{"no_kk or nik", "status", "alasan", "tanggal_penetapan"}},
		{name: "xlsx missing columns", data: newXLSX(t, [][]any{{"nik", "status"}}),
			missing: []string{"alasan", "tanggal_penetapan"}},
		{name: "empty", data: nil, reason: "the file is empty"},
		{name: "blank lines only", data: []byte("\n\n ,, \n"), reason: "no header row"},
		{name: "old xls", data: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), reason: ".xls"},
		{name: "utf-16", data: []byte("\xff\xfen\x00i\x00k\x00"), reason: "UTF-16"},
		{name: "broken zip", data: []byte("PK\x03\x04garbage"), reason: "cannot be opened"},
		{name: "binary", data: []byte("\x00\x01\x02\x03nik,status\n"), reason: "not text"},
		{name: "duplicate column", data: []byte("nik,status,alasan,Status,tanggal_penetapan\n"), reason: "status appears twice"},
		{name: "broken header", data: []byte("nik,\"status,alasan\n"), reason: "header row cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers, errs, err := ParseAnswers(bytes.NewReader(tt.data), matchFixture(t))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v (%T), want a *FormatError", err, err)
			}
			if answers != nil || errs != nil {
				t.Errorf("a FormatError came with rows: %v %v", answers, errs)
			}
			if !slices.Equal(fe.Missing, tt.missing) {
				t.Errorf("Missing = %q, want %q", fe.Missing, tt.missing)
			}
			if !strings.Contains(fe.Error(), tt.reason) {
				t.Errorf("error %q does not contain %q", fe.Error(), tt.reason)
			}
			for _, m := range tt.missing {
				if !strings.Contains(fe.Error(), m) {
					t.Errorf("error %q does not name %s", fe.Error(), m)
				}
			}
		})
	}
}

func TestParseAnswersOptionalColumns(t *testing.T) {
	// Only nik, no keterangan: a valid minimal file. Other columns are ignored.
	const file = "Nama,NIK,Status,Alasan,Tanggal-Penetapan\n" +
		"Siti,3505014501800001,DITETAPKAN,,2025-05-19\n" +
		",,,,\n"
	answers, errs, err := ParseAnswers(strings.NewReader(file), matchFixture(t))
	if err != nil || len(errs) > 0 {
		t.Fatalf("err %v, row errors %v", err, errs)
	}
	checkAnswers(t, answers, []Answer{{Row: 2, HouseholdID: 1, Accepted: true, Date: date(2025, 5, 19)}})

	// A header alone: nothing to apply and nothing wrong.
	answers, errs, err = ParseAnswers(strings.NewReader("no_kk,status,alasan,tanggal_penetapan\r\n"), matchFixture(t))
	if err != nil || answers != nil || errs != nil {
		t.Fatalf("header only: %v %v %v", answers, errs, err)
	}
}

func TestReasonForOutcome(t *testing.T) {
	tests := []struct {
		outcome string
		reason  string
		ok      bool
	}{
		{"not_poor", AlasanMampu, true},
		{"deceased", AlasanMeninggal, true},
		{"moved", AlasanPindah, true},
		{"not_found", AlasanTidakDitemukan, true},
		{"duplicate", AlasanGanda, true},
		{"eligible", "", false},
		{"", "", false},
		{"NOT_POOR", "", false},
	}
	for _, tt := range tests {
		reason, ok := ReasonForOutcome(tt.outcome)
		if reason != tt.reason || ok != tt.ok {
			t.Errorf("ReasonForOutcome(%q) = %q, %v; want %q, %v", tt.outcome, reason, ok, tt.reason, tt.ok)
		}
		if ok && !slices.Contains(RemovalReasons(), reason) {
			t.Errorf("%q is not a removal reason", reason)
		}
	}
}

func TestIsFixable(t *testing.T) {
	for _, r := range RejectReasons() {
		if got := IsFixable(r); got != (r == TolakNIKTidakPadan) {
			t.Errorf("IsFixable(%q) = %v", r, got)
		}
	}
	if IsFixable("") || IsFixable("nik_tidak_padan") {
		t.Error("IsFixable accepts a non-reason")
	}
}

// brokenWorkbook returns a valid answer workbook whose content-types part
// is garbled, the way the fuzzer found it: excelize opens the file and
// fails only when reading the first row.
func brokenWorkbook(t *testing.T) []byte {
	t.Helper()
	data := newXLSX(t, [][]any{{"nik", "status", "alasan", "tanggal_penetapan"}})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(r)
		r.Close()
		if f.Name == "[Content_Types].xml" {
			part = bytes.Replace(part, []byte(`Extension="rels"`), []byte(`Extenon="1.rels" Cte ="x"><`), 1)
		}
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseAnswersBrokenSheet is the regression test for a fuzz find
// (testdata/fuzz/FuzzParseAnswers/9d52d9d3e925c77b): a workbook that
// breaks while its rows are read came back as a bare excelize error instead of a
// *FormatError.
func TestParseAnswersBrokenSheet(t *testing.T) {
	_, _, err := ParseAnswers(bytes.NewReader(brokenWorkbook(t)), matchFixture(t))
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Error(), "the sheet cannot be read") {
		t.Fatalf("got %v (%T), want a *FormatError about the sheet", err, err)
	}
}

// An answer row against the answer an earlier file applied: the same answer
// is nothing to report, another status or reason is the row's error at the
// column that differs.
func TestContradictsApplied(t *testing.T) {
	accepted := Answer{Row: 4, Accepted: true}
	rejected := Answer{Row: 5, Reason: TolakGanda}
	if e := ContradictsApplied(accepted, true, ""); e != nil {
		t.Errorf("same acceptance: %v", e)
	}
	if e := ContradictsApplied(rejected, false, TolakGanda); e != nil {
		t.Errorf("same rejection: %v", e)
	}
	e := ContradictsApplied(accepted, false, TolakGanda)
	if e == nil || e.Row != 4 || e.Column != "status" ||
		e.Reason != "this household was already answered DITOLAK ("+TolakGanda+") by an earlier answer file; a household can have only one answer" {
		t.Errorf("accepted after rejected: %+v", e)
	}
	e = ContradictsApplied(rejected, false, TolakNIKTidakPadan)
	if e == nil || e.Row != 5 || e.Column != "alasan" {
		t.Errorf("another rejection reason: %+v", e)
	}
}

// A household Dinsos recorded as not answered (TIDAK_DIJAWAB) takes no
// answer from the batch's later files, whatever the answer: the row's
// error says why. An answer file itself cannot carry verval's marking.
func TestContradictsNotAnswered(t *testing.T) {
	for _, a := range []Answer{{Row: 4, Accepted: true}, {Row: 4, Reason: TolakGanda}, {Row: 4, Reason: TolakNIKTidakPadan}} {
		e := ContradictsApplied(a, false, TidakDijawab)
		if e == nil || e.Row != 4 || e.Column != "status" || !strings.Contains(e.Reason, "not answered by Kemensos (TIDAK_DIJAWAB)") ||
			!strings.Contains(e.Reason, "proposed again in a later batch") {
			t.Errorf("%+v after TIDAK_DIJAWAB: %+v", a, e)
		}
	}
	match := func(noKK, nik string) (int64, bool) { return 1, noKK == "3505010101250001" }
	for _, row := range []string{"3505010101250001,,TIDAK_DIJAWAB,,,2026-05-04", "3505010101250001,,DITOLAK,TIDAK_DIJAWAB,,2026-05-04"} {
		answers, errs, err := ParseAnswers(strings.NewReader("no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+row+"\n"), match)
		if err != nil || len(answers) != 0 || len(errs) != 1 {
			t.Errorf("%s: answers %+v, row errors %+v, %v; want the row refused", row, answers, errs, err)
		}
	}
}

// TestParseAnswersMembers: nik_anggota names the member a rejection is
// about, matched within the row's household; a NIK not of that household
// is an error at its row, as is a member on an accepted row.
func TestParseAnswersMembers(t *testing.T) {
	const member = "3505015505900011" // household 2's member 21
	matchMember := func(householdID int64, nik string) (int64, bool) {
		if !sixteenDigits(nik) {
			t.Fatalf("member match called with an uncleaned value of %d bytes", len(nik))
		}
		if householdID == 2 && nik == member {
			return 21, true
		}
		return 0, false
	}
	file := "no_kk,status,alasan,tanggal_penetapan,NIK Anggota\n" +
		"3505012001230002,DITOLAK,PNS_TNI_POLRI,2025-05-19,'" + member + "\n" +
		"3505012001230003,DITOLAK,PNS_TNI_POLRI,2025-05-19," + member + "\n" +
		"3505012001230004,DITETAPKAN,,2025-05-19," + member + "\n" +
		"3505012001230005,DITOLAK,PNS_TNI_POLRI,2025-05-19,\n" +
		"3505012001230006,DITOLAK,PNS_TNI_POLRI,2025-05-19,35050155\n"
	answers, errs, err := ParseAnswersMembers(strings.NewReader(file), matchFixture(t), matchMember)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswers(t, answers, []Answer{
		{Row: 2, HouseholdID: 2, Reason: TolakPNSTNIPolri, Date: date(2025, 5, 19), MemberID: 21},
		{Row: 5, HouseholdID: 5, Reason: TolakPNSTNIPolri, Date: date(2025, 5, 19)},
	})
	checkErrors(t, errs, []want{
		{3, "nik_anggota", "no member with nik_anggota 350501********11"},
		{4, "nik_anggota", "must be empty for DITETAPKAN"},
		{6, "nik_anggota", "16 digits, got 8"},
	})
	if errs[0].Code != CodeMemberUnknown {
		t.Errorf("code %s, want %s", errs[0].Code, CodeMemberUnknown)
	}

	// ParseAnswers knows no member: any nik_anggota is unknown.
	_, errs, _ = ParseAnswers(strings.NewReader(file), matchFixture(t))
	if len(errs) == 0 || errs[0].Row != 2 || errs[0].Code != CodeMemberUnknown {
		t.Errorf("without a member match: %v", errs)
	}
}
