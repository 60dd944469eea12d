package p3ke

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/wilayah"
)

// FuzzP3KEParser feeds arbitrary bytes to the parser as an uploaded file.
// It must never panic or loop, and everything it reports must be usable:
// issues on data rows (row 2 or later) with a column and a reason, no full
// 16-digit number in any reason, row numbers increasing, statuses that
// agree with the issues, and accepted records that obey the rules.
func FuzzP3KEParser(f *testing.F) {
	for _, name := range []string{"testdata/comma.csv", "testdata/semicolon_bom.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		header + goodRow("A", 1),
		header + goodRow("A", 1) + goodRow("A", 2) + "\n\n,,,\n" + `B,"x` + "\n",
		"\ufeff" + strings.ReplaceAll(header+goodRow("A", 1), ",", ";"),
		strings.ReplaceAll(header, ",", "\t") + "A\t'3505010101200001\t3.50512E+15\tX\tP\t31/02/1980\tD\t3505012001\t1",
		"no_kk,desil\n1,2\n",
		"",
		"PK\x03\x04",
	} {
		f.Add([]byte(s))
	}
	f.Add(smallXLSX(f))
	tab := wilayah.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Open(bytes.NewReader(data), Options{Regency: "35.05", Wilayah: tab})
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Error() == "" {
				t.Fatal("empty FormatError")
			}
			return
		}
		defer p.Close()
		lastRow := 1
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("more rows than bytes: the parser loops")
			}
			res, err := p.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return // a fatal read error ends the file, as documented
			}
			row := res.Record.Row
			if row <= lastRow {
				t.Fatalf("row %d after row %d", row, lastRow)
			}
			lastRow = row
			hasError := false
			for _, is := range res.Issues {
				if is.Row != row || is.Row < 2 || is.Column == "" || is.Reason == "" {
					t.Fatalf("bad issue %+v on row %d", is, row)
				}
				if is.Severity != SeverityError && is.Severity != SeverityWarning {
					t.Fatalf("bad severity %q", is.Severity)
				}
				if sixteenDigits.MatchString(is.Reason) {
					t.Fatalf("reason shows a full number: %q", is.Reason)
				}
				hasError = hasError || is.Severity == SeverityError
			}
			switch res.Status {
			case Rejected:
				if !hasError {
					t.Fatalf("row %d rejected without an error", row)
				}
			case Skipped:
				if len(res.Issues) > 0 || res.Record.Desil < 2 || res.Record.Desil > 10 {
					t.Fatalf("bad skipped row %+v", res)
				}
			case Accepted:
				if hasError {
					t.Fatalf("row %d accepted with an error", row)
				}
				checkAccepted(t, tab, res.Record)
			default:
				t.Fatalf("status %v", res.Status)
			}
		}
	})
}

// smallXLSX is a two-row workbook, so the fuzzer also mutates zip and XML.
func smallXLSX(tb testing.TB) []byte {
	return buildXLSX(tb, func(f *excelize.File, sheet string) {
		f.SetSheetRow(sheet, "A1", &[]any{"id_keluarga_p3ke", "no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "alamat", "kode_wilayah", "desil", "tanggal_lahir"})
		f.SetSheetRow(sheet, "A2", &[]any{"A", "3505010101200001", int64(3505012501800001), "BUDI", "Dusun", "3505012001", 1, 29245})
	})
}

// checkAccepted asserts the invariants of an accepted record.
func checkAccepted(t *testing.T, tab *wilayah.Table, r Record) {
	t.Helper()
	if _, err := ident.ParseNIK(r.NIK); err != nil {
		t.Fatalf("accepted NIK: %v", err)
	}
	if err := ident.ValidateKK(r.NoKK); err != nil {
		t.Fatalf("accepted No KK: %v", err)
	}
	if !tab.IsVillage(r.VillageCode) || !strings.HasPrefix(r.VillageCode, "35.05.") {
		t.Fatalf("accepted village %q", r.VillageCode)
	}
	if r.FamilyID == "" || r.Name == "" || r.Address == "" || r.Desil != 1 || r.Members < 0 {
		t.Fatalf("accepted record %+v", r.LogValue())
	}
	if r.Sex != "" && r.Sex != "L" && r.Sex != "P" {
		t.Fatalf("accepted sex %q", r.Sex)
	}
}
