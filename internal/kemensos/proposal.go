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
}

// proposalColumns are the upload's columns, in order, as SIKS-NG expects.
var proposalColumns = [...]string{
	"kode_wilayah", "no_kk", "nik", "nama", "alamat", "jenis_usulan", "alasan", "nomor_sk", "tanggal_sk",
}

// ProposalColumns returns the header of the proposal upload, in order.
func ProposalColumns() []string { return slices.Clone(proposalColumns[:]) }

// dateLayout is how dates are written in both files.
const dateLayout = "2006-01-02"

// WriteProposalXLSX writes the proposal upload: one sheet, a header row of
// ProposalColumns, then one row per household in the order given.
//
// Every cell is a text cell in a text-formatted ("@") column: a 16-digit
// NIK stored as a number would show as 3.50501E+15 in Excel and lose its
// last digit, and a date cell would be reformatted by the viewer's locale.
// Dates are written YYYY-MM-DD and village codes dotted.
//
// The rows are checked first (TAMBAH/HAPUS, a removal reason for HAPUS and
// none for TAMBAH, well-formed numbers and village code, the rest not
// empty): the first bad row comes back as a *RowError numbered as its
// spreadsheet row would be, and nothing is written to w. The sheet is
// built with excelize's StreamWriter, so 50,000 rows stay cheap.
func WriteProposalXLSX(w io.Writer, rows []ProposalRow) error {
	vals := make([]string, len(proposalColumns))
	for i, r := range rows {
		if err := r.check(i+2, vals); err != nil {
			return err
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
