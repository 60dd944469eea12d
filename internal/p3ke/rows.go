package p3ke

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/verval/verval/internal/reason"
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
	Row    int         // spreadsheet row number; the header is row 1
	Reason string      // plain words, rendered from Code and Args
	Code   reason.Code // e.g. CodeBareQuote
	Args   []string    // the code's arguments
}

// Error returns the row and reason.
func (e *SplitError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Reason) }

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
		return nil, re.row, &SplitError{Row: re.row, Reason: re.reason(), Code: re.code, Args: re.args}
	}
	return cells, row, err
}

// XLSX reports whether the file is XLSX, whose date cells come as Excel
// serial numbers (see ParseDate).
func (r *Rows) XLSX() bool { return r.xlsx }

// Close releases the file.
func (r *Rows) Close() error { return r.src.close() }

// openSource sniffs the format of r and opens a source for it. An XLSX
// file is read where it is when r is also an io.ReaderAt of known size
// (*bytes.Reader, *os.File, *io.SectionReader, a multipart file); other
// readers are read into memory first, since a zip archive's directory is
// at its end.
func openSource(r io.Reader) (src source, xlsx bool, err error) {
	if ra, size, ok := sizedReaderAt(r); ok {
		var head [4]byte
		n, err := ra.ReadAt(head[:], 0)
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if bytes.HasPrefix(head[:n], zipMagic) {
			src, err = openXLSX(ra, size)
			return src, true, err
		}
		// Not a zip archive: read r as a stream (ReadAt did not move it).
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case len(head) == 0:
		return nil, false, newFormatError(CodeEmptyFile)
	case bytes.HasPrefix(head, zipMagic):
		data, err := io.ReadAll(io.LimitReader(br, unzipLimit+1))
		if err != nil {
			return nil, true, err
		}
		if len(data) > unzipLimit {
			return nil, true, newFormatError(CodeXLSXTooLarge)
		}
		src, err = openXLSX(bytes.NewReader(data), int64(len(data)))
		return src, true, err
	case bytes.HasPrefix(head, oleMagic):
		return nil, false, newFormatError(CodeOldExcel)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return nil, false, newFormatError(CodeUTF16)
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

// sizedReaderAt returns r as an io.ReaderAt of its unread part, when it
// can read at offsets and its size is known: no copy is then needed.
func sizedReaderAt(r io.Reader) (io.ReaderAt, int64, bool) {
	switch v := r.(type) {
	case *bytes.Reader:
		off := v.Size() - int64(v.Len())
		return io.NewSectionReader(v, off, int64(v.Len())), int64(v.Len()), true
	case *strings.Reader:
		off := v.Size() - int64(v.Len())
		return io.NewSectionReader(v, off, int64(v.Len())), int64(v.Len()), true
	case *os.File:
		// Only a regular file has a size; a pipe (standard input) does not.
		if fi, err := v.Stat(); err != nil || !fi.Mode().IsRegular() {
			return nil, 0, false
		}
	}
	// Any other reader that can also seek: find where it is and where it
	// ends, and put it back.
	ras, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	})
	if !ok {
		return nil, 0, false
	}
	cur, err := ras.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false
	}
	end, err := ras.Seek(0, io.SeekEnd)
	if _, err2 := ras.Seek(cur, io.SeekStart); err != nil || err2 != nil || end < cur {
		return nil, 0, false
	}
	return io.NewSectionReader(ras, cur, end-cur), end - cur, true
}
