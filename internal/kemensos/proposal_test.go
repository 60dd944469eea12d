package kemensos

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// proposalRows returns n valid proposal rows with distinct numbers; every
// tenth is a removal.
func proposalRows(n int) []ProposalRow {
	rows := make([]ProposalRow, n)
	for i := range rows {
		r := ProposalRow{
			KodeWilayah: "35.05.01.2001",
			NoKK:        fmt.Sprintf("350501%010d", i+1),
			NIK:         fmt.Sprintf("350501%02d%02d80%04d", i%28+1, i%12+1, i%9999+1),
			Nama:        fmt.Sprintf("Warga %d", i+1),
			Alamat:      "Dusun Krajan RT 01 RW 02",
			Jenis:       JenisTambah,
			NomorSK:     "400.9/123/409.012/2025",
			TanggalSK:   time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC),
		}
		if i%10 == 9 {
			r.Jenis, r.Alasan = JenisHapus, RemovalReasons()[i%len(removalReasons)]
		}
		rows[i] = r
	}
	return rows
}

// writeProposal writes rows and opens the file, closed when the test ends.
func writeProposal(t *testing.T, rows []ProposalRow) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteProposalXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteProposalXLSXRoundTrip(t *testing.T) {
	rows := proposalRows(3)
	rows[0].KodeWilayah = "3505012001" // written dotted
	rows[1].Nama = "  Sri Wahyuni  "   // trimmed
	rows[2].TanggalSK = time.Date(2025, 3, 10, 23, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	f := writeProposal(t, rows)
	sheet := f.GetSheetList()[0]
	got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		ProposalColumns(),
		{"35.05.01.2001", "3505010000000001", "3505010101800001", "Warga 1", "Dusun Krajan RT 01 RW 02", "TAMBAH", "", "400.9/123/409.012/2025", "2025-03-10"},
		{"35.05.01.2001", "3505010000000002", "3505010202800002", "Sri Wahyuni", "Dusun Krajan RT 01 RW 02", "TAMBAH", "", "400.9/123/409.012/2025", "2025-03-10"},
		{"35.05.01.2001", "3505010000000003", "3505010303800003", "Warga 3", "Dusun Krajan RT 01 RW 02", "TAMBAH", "", "400.9/123/409.012/2025", "2025-03-10"},
	}
	if !slices.Equal(got[0], []string{"kode_wilayah", "no_kk", "nik", "nama", "alamat", "jenis_usulan", "alasan", "nomor_sk", "tanggal_sk"}) {
		t.Errorf("header %q", got[0])
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for r := range want {
		// GetRows drops trailing empty cells; compare the written ones.
		if !slices.Equal(got[r], want[r]) {
			t.Errorf("row %d:\n got %q\nwant %q", r+1, got[r], want[r])
		}
		for c, v := range want[r] {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, err := f.GetCellType(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("cell %s is of type %v, want text", cell, typ)
			}
			id, err := f.GetCellStyle(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.NumFmt != 49 {
				t.Errorf("cell %s has number format %d, want 49 (text)", cell, st.NumFmt)
			}
		}
	}
}

func TestWriteProposalXLSXRemovals(t *testing.T) {
	rows := proposalRows(10)
	var buf bytes.Buffer
	if err := WriteProposalXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := f.GetRows(f.GetSheetList()[0])
	if last := got[10]; last[5] != JenisHapus || last[6] != rows[9].Alasan {
		t.Errorf("removal row %q", last)
	}
}

func TestWriteProposalXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteProposalXLSX(&buf, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := f.GetRows(f.GetSheetList()[0])
	if len(got) != 1 || !slices.Equal(got[0], ProposalColumns()) {
		t.Errorf("got %q, want only the header", got)
	}
}

func TestWriteProposalXLSXInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ProposalRow)
		column string
	}{
		{"bad type", func(r *ProposalRow) { r.Jenis = "TAMBAHKAN" }, "jenis_usulan"},
		{"removal without reason", func(r *ProposalRow) { r.Jenis = JenisHapus }, "alasan"},
		{"removal with a rejection reason", func(r *ProposalRow) { r.Jenis, r.Alasan = JenisHapus, TolakUpahDiAtasUMP }, "alasan"},
		{"addition with reason", func(r *ProposalRow) { r.Alasan = AlasanMampu }, "alasan"},
		{"short kk", func(r *ProposalRow) { r.NoKK = r.NoKK[:15] }, "no_kk"},
		{"bad nik", func(r *ProposalRow) { r.NIK = "3505013213800001" }, "nik"},
		{"kecamatan code", func(r *ProposalRow) { r.KodeWilayah = "35.05.01" }, "kode_wilayah"},
		{"no name", func(r *ProposalRow) { r.Nama = " " }, "nama"},
		{"no address", func(r *ProposalRow) { r.Alamat = "" }, "alamat"},
		{"no decree", func(r *ProposalRow) { r.NomorSK = "" }, "nomor_sk"},
		{"no decree date", func(r *ProposalRow) { r.TanggalSK = time.Time{} }, "tanggal_sk"},
		{"bad utf-8", func(r *ProposalRow) { r.Alamat = "Jl. \xff" }, "alamat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := proposalRows(3)
			tt.change(&rows[1])
			var buf bytes.Buffer
			err := WriteProposalXLSX(&buf, rows)
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RowError", err)
			}
			if re.Row != 3 || re.Column != tt.column {
				t.Errorf("got %v, want row 3, column %s", re, tt.column)
			}
			if sixteenDigitRun.MatchString(re.Error()) {
				t.Errorf("error shows a full number: %v", re)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

// TestProposalFeedsSimulator ties the two halves: the simulated answer to
// a written proposal, read back from the XLSX, parses cleanly.
func TestProposalFeedsSimulator(t *testing.T) {
	rows := proposalRows(50)
	var buf bytes.Buffer
	if err := WriteProposalXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cells, _ := f.GetRows(f.GetSheetList()[0])
	var back []ProposalRow
	for _, c := range cells[1:] {
		c = append(c, make([]string, 9-len(c))...)
		d, err := time.Parse(dateLayout, c[8])
		if err != nil {
			t.Fatal(err)
		}
		back = append(back, ProposalRow{KodeWilayah: c[0], NoKK: c[1], NIK: c[2], Nama: c[3], Alamat: c[4],
			Jenis: c[5], Alasan: c[6], NomorSK: c[7], TanggalSK: d})
	}
	if !reflect.DeepEqual(back, rows) {
		t.Fatal("the rows read back differ from the rows written")
	}
	answers, errs, err := ParseAnswers(bytes.NewReader(Simulator{Seed: 1, RejectShare: 0.3}.Answer(back, time.Now())),
		matchRows(t, rows))
	if err != nil || len(errs) > 0 || len(answers) != len(rows) {
		t.Fatalf("%d answers, errors %v, %v", len(answers), errs, err)
	}
}

// TestWriteProposalXLSXMembers: a DTSEN household's people are rows of the
// member sheet, tied to it by no_kk; a P3KE household (no Anggota) has
// none, and a file without any member still has the sheet's header.
func TestWriteProposalXLSXMembers(t *testing.T) {
	rows := proposalRows(3)
	born := func(y int) time.Time { return time.Date(y, 5, 17, 0, 0, 0, 0, time.UTC) }
	rows[1].Anggota = []ProposalMember{
		{NIK: rows[1].NIK, Nama: "Warga 2", Hubungan: "kepala_keluarga", JenisKelamin: "L", TanggalLahir: born(1980), Pekerjaan: "Petani"},
		{NIK: "3505014705850002", Nama: " Siti ", Hubungan: "pasangan", JenisKelamin: "P", TanggalLahir: born(1985), Pekerjaan: "PNS"},
		{Nama: "Bayi", Hubungan: "anak", JenisKelamin: "P", TanggalLahir: born(2025)},
	}
	read := func(rows []ProposalRow) [][]string {
		t.Helper()
		f := writeProposal(t, rows)
		if got := f.GetSheetList(); len(got) != 2 || got[1] != MemberSheet {
			t.Fatalf("sheets %v, want the households' and %s", got, MemberSheet)
		}
		got, err := f.GetRows(MemberSheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := [][]string{
		MemberColumns(),
		{rows[1].NoKK, rows[1].NIK, "Warga 2", "kepala_keluarga", "L", "1980-05-17", "Petani"},
		{rows[1].NoKK, "3505014705850002", "Siti", "pasangan", "P", "1985-05-17", "PNS"},
		{rows[1].NoKK, "", "Bayi", "anak", "P", "2025-05-17"},
	}
	if got := read(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("member sheet\n got %q\nwant %q", got, want)
	}
	if got := read(proposalRows(3)); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("member sheet of P3KE households: %q, want the header only", got)
	}

	bad := proposalRows(2)
	bad[1].Anggota = []ProposalMember{{NIK: "35050147058500", Nama: "Siti", Hubungan: "pasangan", JenisKelamin: "P", TanggalLahir: born(1985)}}
	var re *RowError
	if err := WriteProposalXLSX(&bytes.Buffer{}, bad); !errors.As(err, &re) || re.Row != 2 || re.Column != "Anggota!nik_anggota" {
		t.Errorf("a member's short NIK: %v, want a row error at Anggota row 2, nik_anggota", err)
	}
	bad[1].Anggota[0].NIK, bad[1].Anggota[0].JenisKelamin = "", "X"
	if err := WriteProposalXLSX(&bytes.Buffer{}, bad); !errors.As(err, &re) || re.Code != CodeProposalSex {
		t.Errorf("a member's sex X: %v, want %s", err, CodeProposalSex)
	}
}
