package p3ke

import (
	"bufio"
	"bytes"
	"io"
	"time"
)

// This file exports the file-reading half of the parser for the other
// spreadsheet uploads (the Kemensos answer file), so every upload sniffs
// CSV and XLSX, BOMs, separators and header spellings the same way.

// Rows reads the cells of a CSV or XLSX file row by row, without any P3KE
// rule. It is not safe for concurrent use.
type Rows struct {
	src  source
	xlsx bool
}

// SplitError is a CSV row that cannot be split into cells (e.g. a stray
// quote); reading may go on with the next row.
type SplitError struct {
	Row    int    // spreadsheet row number; the header is row 1
	Reason string // plain words
}

// Error returns the row and reason.
func (e *SplitError) Error() string { return (&rowError{row: e.Row, reason: e.Reason}).Error() }

// OpenRows sniffs the format from the content as Open does (a zip archive
// is XLSX, first sheet; anything else is CSV with a comma, semicolon or tab,
// with or without a UTF-8 BOM). A file that cannot be read at all is a
// *FormatError with a Reason.
func OpenRows(r io.Reader) (*Rows, error) {
	src, xlsx, err := openSource(r)
	if err != nil {
		return nil, err
	}
	return &Rows{src: src, xlsx: xlsx}, nil
}

// Next returns the cells of the next row (blank rows included) and its
// spreadsheet row number; io.EOF after the last row; a *SplitError for a
// row that cannot be split; any other error for a file that cannot be read
// further. The cells slice is reused by the next call.
func (r *Rows) Next() ([]string, int, error) {
	cells, row, err := r.src.next()
	if re, ok := err.(*rowError); ok {
		return nil, re.row, &SplitError{Row: re.row, Reason: re.reason}
	}
	return cells, row, err
}

// XLSX reports whether the file is XLSX, whose date cells come as Excel
// serial numbers (see ParseDate).
func (r *Rows) XLSX() bool { return r.xlsx }

// Close releases the file.
func (r *Rows) Close() error { return r.src.close() }

// openSource sniffs the format of r and opens a source for it.
func openSource(r io.Reader) (src source, xlsx bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case len(head) == 0:
		return nil, false, &FormatError{Reason: "the file is empty"}
	case bytes.HasPrefix(head, zipMagic):
		src, err = openXLSX(br)
		return src, true, err
	case bytes.HasPrefix(head, oleMagic):
		return nil, false, &FormatError{Reason: "this is an old Excel 97-2003 (.xls) file; save it as .xlsx or as CSV UTF-8"}
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return nil, false, &FormatError{Reason: "the file is UTF-16 text (Excel \"Unicode Text\"); save it as CSV UTF-8"}
	}
	src, err = openCSV(br)
	return src, false, err
}

// CanonicalHeader folds a header cell for matching: lower case, with
// spaces, hyphens, underscores and dots between words all one underscore.
func CanonicalHeader(h string) string { return canonicalHeader(h) }

// Trim removes blanks around a cell, including non-breaking and zero-width
// spaces and a stray byte-order mark.
func Trim(s string) string { return trim(s) }

// ParseDate reads a date cell written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY
// (or an Excel serial date when xlsx is true), in UTC.
func ParseDate(s string, xlsx bool) (time.Time, bool) { return parseDate(s, xlsx) }

// QuoteCell shows a cell value in a message: quoted, cut to 20
// characters, and masked when it holds more digits than a village code.
func QuoteCell(s string) string { return quote(s) }
