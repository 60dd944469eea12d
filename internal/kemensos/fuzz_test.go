package kemensos

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseAnswers feeds arbitrary bytes to ParseAnswers as an uploaded
// answer file. It must never panic or loop, and what it reports must be
// usable: row errors on data rows (row 2 or later) with a column and a
// reason and no full number; answers on data rows, in row order, one per
// household, matching what match returned, and consistent in themselves.
func FuzzParseAnswers(f *testing.F) {
	for _, name := range []string{"testdata/answers_comma.csv", "testdata/answers_semicolon_bom.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(Simulator{Seed: 3, RejectShare: 0.5}.Answer(proposalRows(20), time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC)))
	f.Add(newXLSX(f, [][]any{
		{"nik", "no_kk", "status", "alasan", "tanggal_penetapan"},
		{"3505014501800001", "", "DITETAPKAN", "", time.Date(2025, 4, 18, 0, 0, 0, 0, time.UTC)},
		{"", "3505012001230002", "DITOLAK", "GANDA", "18/04/2025"},
	}))
	for _, s := range []string{
		"no_kk,status,alasan,tanggal_penetapan\n3505012001230001,DITETAPKAN,,2025-01-01\n",
		"nik\tstatus\talasan\ttanggal_penetapan\n3505014501800001\tDITOLAK\tGANDA\t1/2/2025\n",
		"\n\nno_kk;status;alasan;tanggal_penetapan\n\n'3505012001230001;ditetapkan;;01-01-2025\n\"x\n",
		"no_kk,status,alasan,tanggal_penetapan\n3,5E+15,DITOLAK,,\n",
		"",
		"PK\x03\x04",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		answers, errs, err := ParseAnswers(bytes.NewReader(data), matchFixture(t))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("an in-memory file gave a %T: %v", err, err)
			}
			if fe.Error() == "" {
				t.Fatal("empty FormatError")
			}
			if answers != nil || errs != nil {
				t.Fatal("a FormatError came with rows")
			}
			return
		}
		for _, e := range errs {
			if e.Row < 2 || e.Column == "" || e.Reason == "" {
				t.Fatalf("bad row error %+v", e)
			}
			if sixteenDigitRun.MatchString(e.Reason) {
				t.Fatalf("reason shows a full number: %q", e.Reason)
			}
		}
		seen := map[int64]bool{}
		lastRow := 1
		for _, a := range answers {
			if a.Row <= lastRow {
				t.Fatalf("answer row %d after %d", a.Row, lastRow)
			}
			lastRow = a.Row
			if a.HouseholdID < 1 || a.HouseholdID > int64(len(fixture)) || seen[a.HouseholdID] {
				t.Fatalf("answer for household %d (seen %v)", a.HouseholdID, seen[a.HouseholdID])
			}
			seen[a.HouseholdID] = true
			if a.Accepted != (a.Reason == "") || (!a.Accepted && !isRejectReason(a.Reason)) {
				t.Fatalf("answer %+v", a)
			}
			if a.Date.IsZero() || a.Date.Year() < 2000 || strings.IndexByte(a.Note, 0) >= 0 {
				t.Fatalf("answer %+v", a)
			}
			for _, e := range errs {
				if e.Row == a.Row {
					t.Fatalf("row %d is both an answer and an error", a.Row)
				}
			}
		}
	})
}
