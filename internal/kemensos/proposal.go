package kemensos

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/wilayah"
)

// ProposalRow is one household in a proposal upload. It holds personal
// data (NoKK, NIK, Nama, Alamat): keep it out of logs.
type ProposalRow struct {
	KodeWilayah string    // village code, dotted PP.KK.CC.DDDD or plain 10 digits
	NoKK        string    // family card number, 16 digits
	NIK         string    // head of family's NIK, 16 digits
	Nama        string    // head of family's name
	Alamat      string    // address
	Jenis       string    // JenisTambah or JenisHapus
	Alasan      string    // for HAPUS one of the Alasan* reasons; empty for TAMBAH
	NomorSK     string    // number of the decree (SK Bupati / Wali Kota) backing the proposal
	TanggalSK   time.Time // date of that decree; only the calendar date is written
	// Anggota are the household's people, where verval knows them (a DTSEN
	// family); a P3KE household has none. They go to the member sheet.
	Anggota []ProposalMember
}

// ProposalMember is one person of a proposed household, a row of the
// member sheet. It holds personal data: keep it out of logs.
type ProposalMember struct {
	NIK          string    // 16 digits, or empty for a newborn without one yet
	Nama         string    // name
	Hubungan     string    // relationship to the head, p3ke.Relation's machine name
	JenisKelamin string    // L or P
	TanggalLahir time.Time // date of birth; only the calendar date is written
	Pekerjaan    string    // occupation, may be empty
}

// MemberSheet is the name of the proposal upload's second sheet, the
// households' people.
const MemberSheet = "Anggota"

// memberColumns are the member sheet's columns, in order.
var memberColumns = [...]string{
	"no_kk", "nik_anggota", "nama_anggota", "hubungan_keluarga", "jenis_kelamin", "tanggal_lahir", "pekerjaan",
}

// MemberColumns returns the header of the proposal upload's member sheet.
func MemberColumns() []string { return slices.Clone(memberColumns[:]) }

// proposalColumns are the upload's columns, in order, as SIKS-NG expects.
var proposalColumns = [...]string{
	"kode_wilayah", "no_kk", "nik", "nama", "alamat", "jenis_usulan", "alasan", "nomor_sk", "tanggal_sk",
}

// ProposalColumns returns the header of the proposal upload, in order.
func ProposalColumns() []string { return slices.Clone(proposalColumns[:]) }

// dateLayout is how dates are written in both files.
const dateLayout = "2006-01-02"

// WriteProposalXLSX writes the proposal upload: a first sheet with a
// header row of ProposalColumns, then one row per household in the order
// given; and a second sheet, MemberSheet, with a header row of
// MemberColumns, then one row per person of each household that has
// Anggota, in the same order, tied to its household by no_kk (a household
// without Anggota has no rows there; the header is always written).
//
// Every cell is a text cell in a text-formatted ("@") column: a 16-digit
// NIK stored as a number would show as 3.50501E+15 in Excel and lose its
// last digit, and a date cell would be reformatted by the viewer's locale.
// Dates are written YYYY-MM-DD and village codes dotted.
//
// The rows are checked first (TAMBAH/HAPUS, a removal reason for HAPUS and
// none for TAMBAH, well-formed numbers and village code, the rest not
// empty; a member's NIK well-formed when given, its name, relationship,
// sex and date of birth present): the first bad row comes back as a
// *RowError numbered as its spreadsheet row would be (a member's column
// is named "Anggota!<column>"), and nothing is written to w. The sheets
// are built with excelize's StreamWriter, so 50,000 rows stay cheap.
func WriteProposalXLSX(w io.Writer, rows []ProposalRow) error {
	vals := make([]string, len(proposalColumns))
	mvals := make([]string, len(memberColumns))
	mrow := 1
	for i, r := range rows {
		if err := r.check(i+2, vals); err != nil {
			return err
		}
		for _, m := range r.Anggota {
			mrow++
			if err := m.check(mrow, r.NoKK, mvals); err != nil {
				return err
			}
		}
	}

	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // 49 is the built-in "@" (text) format
	if err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	// Column styles and widths must precede the first SetRow.
	widths := [...]float64{16, 20, 20, 30, 40, 14, 18, 28, 12}
	for c, wd := range widths {
		if err := sw.SetColWidth(c+1, c+1, wd); err != nil {
			return fmt.Errorf("proposal xlsx: %w", err)
		}
	}
	if err := sw.SetColStyle(1, len(proposalColumns), text); err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	cells := make([]any, len(proposalColumns))
	for c, name := range proposalColumns {
		cells[c] = excelize.Cell{StyleID: head, Value: name}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	for i, r := range rows {
		r.check(i+2, vals) // already passed above; fills vals
		for c, v := range vals {
			// A Go string becomes an inline string cell: text, never a number.
			cells[c] = excelize.Cell{StyleID: text, Value: v}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("proposal xlsx: row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	if err := writeMemberSheet(f, rows, text, head); err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("proposal xlsx: %w", err)
	}
	return nil
}

// check validates r, to be written at spreadsheet row row, and puts its
// cell values into vals in column order.
func (r ProposalRow) check(row int, vals []string) error {
	bad := func(col string, code reason.Code, args ...string) error {
		re := rowError(row, col, code, args...)
		return &re
	}
	badIdent := func(col string, err error) error {
		var ie *ident.Error
		if errors.As(err, &ie) {
			return bad(col, ie.Code, ie.Args...)
		}
		return &RowError{Row: row, Column: col, Reason: err.Error()}
	}
	village, err := wilayah.Normalize(strings.TrimSpace(r.KodeWilayah))
	if err != nil || wilayah.LevelOf(village) != wilayah.LevelVillage {
		return bad("kode_wilayah", CodeProposalVillage)
	}
	if err := ident.ValidateKK(r.NoKK); err != nil {
		return badIdent("no_kk", err)
	}
	if _, err := ident.ParseNIK(r.NIK); err != nil {
		return badIdent("nik", err)
	}
	for _, t := range [...]struct{ col, v string }{{"nama", r.Nama}, {"alamat", r.Alamat}, {"nomor_sk", r.NomorSK}} {
		switch {
		case strings.TrimSpace(t.v) == "":
			return bad(t.col, p3ke.CodeRequired)
		case !utf8.ValidString(t.v) || strings.IndexByte(t.v, 0) >= 0:
			return bad(t.col, CodeProposalText)
		}
	}
	switch r.Jenis {
	case JenisTambah:
		if r.Alasan != "" {
			return bad("alasan", CodeProposalTambahAlasan, p3ke.QuoteCell(r.Alasan))
		}
	case JenisHapus:
		if !isRemovalReason(r.Alasan) {
			return bad("alasan", CodeProposalHapusAlasan, strings.Join(removalReasons[:], ", "), p3ke.QuoteCell(r.Alasan))
		}
	default:
		return bad("jenis_usulan", CodeProposalJenis, p3ke.QuoteCell(r.Jenis))
	}
	if r.TanggalSK.IsZero() {
		return bad("tanggal_sk", CodeProposalDate)
	}
	vals[0], vals[1], vals[2] = village, r.NoKK, r.NIK
	vals[3], vals[4] = strings.TrimSpace(r.Nama), strings.TrimSpace(r.Alamat)
	vals[5], vals[6] = r.Jenis, r.Alasan
	vals[7], vals[8] = strings.TrimSpace(r.NomorSK), r.TanggalSK.Format(dateLayout)
	return nil
}

// writeMemberSheet adds MemberSheet to f: its header, then every checked
// member of rows, all cells text.
func writeMemberSheet(f *excelize.File, rows []ProposalRow, text, head int) error {
	if _, err := f.NewSheet(MemberSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(MemberSheet)
	if err != nil {
		return err
	}
	widths := [...]float64{20, 20, 30, 18, 8, 12, 24}
	for c, wd := range widths {
		if err := sw.SetColWidth(c+1, c+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetColStyle(1, len(memberColumns), text); err != nil {
		return err
	}
	cells := make([]any, len(memberColumns))
	for c, name := range memberColumns {
		cells[c] = excelize.Cell{StyleID: head, Value: name}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	vals := make([]string, len(memberColumns))
	row := 1
	for _, r := range rows {
		for _, m := range r.Anggota {
			row++
			m.check(row, r.NoKK, vals) // already passed; fills vals
			for c, v := range vals {
				cells[c] = excelize.Cell{StyleID: text, Value: v}
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, cells); err != nil {
				return fmt.Errorf("%s row %d: %w", MemberSheet, row, err)
			}
		}
	}
	return sw.Flush()
}

// check validates m, a person of the household with No KK noKK, to be
// written at row row of the member sheet, and puts its cell values into
// vals in column order.
func (m ProposalMember) check(row int, noKK string, vals []string) error {
	col := func(c string) string { return MemberSheet + "!" + c }
	bad := func(c string, code reason.Code, args ...string) error {
		re := rowError(row, col(c), code, args...)
		return &re
	}
	if m.NIK != "" {
		if _, err := ident.ParseNIK(m.NIK); err != nil {
			var ie *ident.Error
			if errors.As(err, &ie) {
				return bad("nik_anggota", ie.Code, ie.Args...)
			}
			return &RowError{Row: row, Column: col("nik_anggota"), Reason: err.Error()}
		}
	}
	for _, t := range [...]struct{ col, v string }{{"nama_anggota", m.Nama}, {"hubungan_keluarga", m.Hubungan}, {"pekerjaan", m.Pekerjaan}} {
		switch {
		case strings.TrimSpace(t.v) == "" && t.col != "pekerjaan":
			return bad(t.col, p3ke.CodeRequired)
		case !utf8.ValidString(t.v) || strings.IndexByte(t.v, 0) >= 0:
			return bad(t.col, CodeProposalText)
		}
	}
	if m.JenisKelamin != "L" && m.JenisKelamin != "P" {
		return bad("jenis_kelamin", CodeProposalSex, p3ke.QuoteCell(m.JenisKelamin))
	}
	if m.TanggalLahir.IsZero() {
		return bad("tanggal_lahir", CodeProposalDate)
	}
	vals[0], vals[1], vals[2] = noKK, m.NIK, strings.TrimSpace(m.Nama)
	vals[3], vals[4] = m.Hubungan, m.JenisKelamin
	vals[5], vals[6] = m.TanggalLahir.Format(dateLayout), strings.TrimSpace(m.Pekerjaan)
	return nil
}
