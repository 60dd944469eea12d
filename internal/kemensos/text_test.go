package kemensos

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/p3ke"
)

// TestIntakeTextReachesKemensosUnchanged (issue 23, item 8): the text rule
// at intake (docs/p3ke.md, "Text") rejects a row whose name or address
// holds a control character or a direction override, with the character
// named; a line break in a cell becomes a space; and every name the intake
// accepts is written to the proposal file for Kemensos exactly as stored.
// Before the rule a name with a control character was stored, and the
// spreadsheet written from it differed from it.
func TestIntakeTextReachesKemensosUnchanged(t *testing.T) {
	const header = "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,jenis_kelamin,tanggal_lahir,alamat,kode_wilayah,desil\n"
	row := func(id, serial, name, address string) string {
		return id + ",35050101012000" + serial + ",35050125018000" + serial + `,"` + name + `",L,1980-01-25,"` + address + `",35.05.01.2001,1` + "\n"
	}
	file := header +
		row("P1", "01", "NUR'AINI O’NEIL Ñ 😀", "Dusun Krajan\r\nRT 003 RW 001") +
		row("P2", "02", "BUDI\u202eONO", "Dusun Krajan") +
		row("P3", "03", "SRI\aWAHYUNI", "Dusun Krajan") +
		row("P4", "04", "JOKO", "Dusun\u2066 Krajan") +
		row("P5", "05", "SI\u200bTI", "Dusun Krajan")
	p, err := p3ke.Open(strings.NewReader(file), p3ke.Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var accepted []p3ke.Record
	refused := map[string]string{}
	for res, err := range p.All() {
		if err != nil {
			t.Fatal(err)
		}
		if res.Status == p3ke.Accepted {
			accepted = append(accepted, res.Record)
			continue
		}
		for _, is := range res.Issues {
			if is.Code == p3ke.CodeTextChar {
				refused[is.Column] += is.Args[0] + " "
			}
		}
	}
	if len(accepted) != 1 || accepted[0].Name != "NUR'AINI O’NEIL Ñ 😀" || accepted[0].Address != "Dusun Krajan RT 003 RW 001" {
		t.Fatalf("accepted: %+v", accepted)
	}
	if refused["nama_kepala_keluarga"] != "U+202E U+0007 U+200B " || refused["alamat"] != "U+2066 " {
		t.Fatalf("refused characters by column: %q", refused)
	}

	exported := func(name string) string {
		t.Helper()
		var buf bytes.Buffer
		r := ProposalRow{KodeWilayah: "35.05.01.2001", NoKK: "3505010101200001", NIK: "3505012501800001", Nama: name,
			Alamat: accepted[0].Address, Jenis: JenisTambah, NomorSK: "1/2026", TanggalSK: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
		if err := WriteProposalXLSX(&buf, []ProposalRow{r}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		v, _ := f.GetCellValue(f.GetSheetList()[0], "D2")
		return v
	}
	if got := exported(accepted[0].Name); got != accepted[0].Name {
		t.Errorf("the proposal file's name %q differs from the stored %q", got, accepted[0].Name)
	}
}
