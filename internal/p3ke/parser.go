package p3ke

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/internal/xlsxread"
)

// Options configure a Parser.
type Options struct {
	// Regency is the cycle's regency or city, dotted PP.KK (plain PPKK is
	// accepted too). Required: rows of other regencies are rejected.
	Regency string
	// Wilayah is the region table; nil means wilayah.Default().
	Wilayah *wilayah.Table
	// Admit, when set, is asked before an XLSX workbook's shared strings
	// are decoded, with their uncompressed size (what reading the
	// workbook will hold in memory, about); an error ends Open with it.
	// Close calls release. CSV is streamed and holds little: not asked.
	Admit func(held int64) (release func(), err error)
	// MaxDesil is the highest desil that enters the cycle (the cycle's
	// scope): 0 means 1, as for a P3KE file. Families of a higher desil
	// are skipped: counted and kept as reference, not checked further.
	MaxDesil int
}

// FormatError means the file cannot be read as a P3KE file at all: not CSV
// or XLSX, no header row, or required columns missing. No row is checked.
type FormatError struct {
	// Missing lists the required columns the header row lacks, in
	// canonical order; empty when the problem is something else.
	Missing []string
	// Reason describes the problem in English, rendered from Code and
	// Args.
	Reason string
	// Code says what the problem is (see codes.go), with its arguments.
	Code reason.Code
	Args []string
}

// Error returns the reason (or names the missing columns).
func (e *FormatError) Error() string {
	if e.Reason == "" && len(e.Missing) > 0 {
		return "the header row lacks required columns: " + strings.Join(e.Missing, ", ")
	}
	return e.Reason
}

// Parser reads a P3KE file row by row. It is not safe for concurrent use.
type Parser struct {
	src     source
	tab     *wilayah.Table
	regency string // dotted PP.KK
	regName string // e.g. "Kabupaten Blitar", for messages
	idx     [numCols]int
	xlsx    bool           // dates may come as Excel serial numbers
	release func()         // Options.Admit's, or nothing
	seenID  map[string]int // id_keluarga_p3ke -> first row
	seenKK  map[uint64]int // No KK as a number -> first row
	seenNIK map[uint64]int // a member's NIK as a number -> first row
	// maxDesil is Options.MaxDesil, at least 1.
	maxDesil int
	// ahead is a row read past the end of a family's member rows, given
	// back by the next read.
	ahead *lookahead
}

// lookahead is one read of the source kept for the next call.
type lookahead struct {
	cells []string
	row   int
	err   error
}

// source yields the rows of a CSV or XLSX file.
type source interface {
	// next returns the cells of the next row and its spreadsheet row
	// number, io.EOF at the end, a *rowError for a row that cannot be
	// split into cells (reading may go on), any other error for a file
	// that cannot be read further.
	next() (cells []string, row int, err error)
	close() error
}

// rowError is a row that cannot be split into cells.
type rowError struct {
	row  int
	code reason.Code
	args []string
}

// reason renders the code in English.
func (e *rowError) reason() string { return english.MustRender(e.code, e.args) }

// Error describes the row for logs and tests; users see reason as an Issue.
func (e *rowError) Error() string { return fmt.Sprintf("row %d: %s", e.row, e.reason()) }

// zipMagic starts every XLSX file (a zip archive); oleMagic starts the old
// binary .xls format, which we name rather than misread as CSV.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xd0\xcf\x11\xe0")
)

// Open reads the header row of a P3KE file and returns a Parser for its
// rows. The format is found from the content, not a file name: a zip
// archive is XLSX, anything else is tried as CSV. A file that cannot be
// read at all is a *FormatError; a bad Options.Regency is a plain error.
//
// CSV is streamed. XLSX is a zip archive whose directory sits at the end:
// when r is also an io.ReaderAt of known size (*bytes.Reader, *os.File,
// *io.SectionReader) it is read in place, otherwise into memory first;
// either way its first sheet is decompressed and parsed row by row as
// Next asks, never held whole. A sheet that turns out damaged part way is
// a *FormatError from Next.
func Open(r io.Reader, opts Options) (*Parser, error) {
	tab := opts.Wilayah
	if tab == nil {
		tab = wilayah.Default()
	}
	regency, err := wilayah.Normalize(trim(opts.Regency))
	if err != nil || wilayah.LevelOf(regency) != wilayah.LevelRegency {
		return nil, fmt.Errorf("regency must be a regency or city code like 35.05, got %q", opts.Regency)
	}
	regName, ok := tab.Name(regency)
	if !ok {
		return nil, fmt.Errorf("regency %s is not in the Kemendagri 2025 region list", regency)
	}
	if opts.MaxDesil < 0 || opts.MaxDesil > 10 {
		return nil, fmt.Errorf("MaxDesil must be a desil from 1 to 10, got %d", opts.MaxDesil)
	}
	p := &Parser{
		tab:      tab,
		regency:  regency,
		regName:  regName,
		seenID:   make(map[string]int),
		seenKK:   make(map[uint64]int),
		seenNIK:  make(map[uint64]int),
		maxDesil: max(1, opts.MaxDesil),
	}

	p.src, p.xlsx, err = openSource(r)
	if err != nil {
		return nil, err
	}
	p.release = func() {}
	if x, ok := p.src.(*xlsxSource); ok && opts.Admit != nil {
		if p.release, err = opts.Admit(x.r.SharedStringsSize()); err != nil {
			p.src.close()
			return nil, err
		}
	}
	if err := p.readHeader(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// readHeader finds the first non-empty row and maps its cells to columns.
func (p *Parser) readHeader() error {
	var cells []string
	for {
		var err error
		cells, _, err = p.src.next()
		if err == io.EOF {
			return newFormatError(CodeNoHeader)
		}
		if re, ok := err.(*rowError); ok {
			return newFormatError(CodeHeaderUnreadable, reason.Nest(nil, re.code, re.args)...)
		}
		if err != nil {
			return err
		}
		if !blankRow(cells) {
			break
		}
	}
	for c := range numCols {
		p.idx[c] = -1
	}
	for i, h := range cells {
		c, ok := lookup(canonicalHeader(h))
		if !ok {
			continue // other columns are allowed and ignored
		}
		if j := p.idx[c]; j >= 0 {
			return newFormatError(CodeDuplicateColumn, colNames[c], columnLetter(j), columnLetter(i))
		}
		p.idx[c] = i
	}
	var missing []string
	for c := range numCols {
		if required[c] && p.idx[c] < 0 {
			missing = append(missing, colNames[c])
		}
	}
	if p.idx[cRowType] >= 0 {
		for _, c := range memberRequired {
			if p.idx[c] < 0 {
				missing = append(missing, colNames[c])
			}
		}
	}
	if len(missing) > 0 {
		return missingColumns(missing)
	}
	return nil
}

// Next returns the next family, validated with its member rows (a DTSEN
// file's), or io.EOF after the last. Rows whose cells are all blank are
// passed over but still counted in row numbers. A row that cannot stand
// alone (a member row with no family row above it, a jenis_baris that is
// neither kind, a row the CSV reader cannot split) comes back as a
// rejected Result of its own. Any other error means the file cannot be
// read further.
func (p *Parser) Next() (Result, error) {
	cells, row, err := p.read()
	if err != nil {
		if re, ok := err.(*rowError); ok {
			return splitResult(re), nil
		}
		return Result{}, err
	}
	switch p.kind(cells) {
	case kindMember:
		return p.orphan(row, cells), nil
	case kindUnknown:
		return p.badKind(row, cells), nil
	}
	res := p.validate(row, cells)
	res.LastRow = row
	if p.idx[cRowType] < 0 {
		return res, nil // a P3KE file: no member rows
	}
	fam := p.familyOf(row, cells)
	for {
		cells, row, err := p.read()
		if err == nil && p.kind(cells) == kindMember {
			p.member(&res, &fam, row, cells)
			continue
		}
		if err != io.EOF {
			p.unread(cells, row, err)
		}
		break
	}
	p.finishFamily(&res, &fam)
	return res, nil
}

// read returns the row kept by unread, or the next non-blank row.
func (p *Parser) read() ([]string, int, error) {
	if a := p.ahead; a != nil {
		p.ahead = nil
		return a.cells, a.row, a.err
	}
	for {
		cells, row, err := p.src.next()
		if err != nil || !blankRow(cells) {
			return cells, row, err
		}
	}
}

// unread keeps a row for the next read. The source reuses its cells
// slice, so it is copied.
func (p *Parser) unread(cells []string, row int, err error) {
	p.ahead = &lookahead{cells: slices.Clone(cells), row: row, err: err}
}

// splitResult is a row the CSV reader cannot split, rejected on its own.
func splitResult(re *rowError) Result {
	return Result{
		Status:  Rejected,
		Record:  Record{Row: re.row},
		LastRow: re.row,
		Issues:  []Issue{{Row: re.row, Column: RowColumn, Reason: re.reason(), Severity: SeverityError, Code: re.code, Args: re.args}},
	}
}

// All iterates over the remaining rows as Next returns them, stopping after
// the first error other than the end of the file.
func (p *Parser) All() iter.Seq2[Result, error] {
	return func(yield func(Result, error) bool) {
		for {
			res, err := p.Next()
			if err == io.EOF {
				return
			}
			if !yield(res, err) || err != nil {
				return
			}
		}
	}
}

// Close releases the file's decompressor and its admission (Options.Admit);
// it does not close r.
func (p *Parser) Close() error {
	p.release()
	p.release = func() {}
	return p.src.close()
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if trim(c) != "" {
			return false
		}
	}
	return true
}

// Report is the outcome of checking a whole file.
type Report struct {
	Summary
	// Issues are every error and warning, in row order: all rows' warnings
	// and the errors that rejected rows.
	Issues []Issue
}

// Check reads and validates a whole file without loading anything: the
// dry run behind `verval p3ke check`.
func Check(r io.Reader, opts Options) (*Report, error) {
	p, err := Open(r, opts)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rep := &Report{}
	for res, err := range p.All() {
		if err != nil {
			return nil, err
		}
		rep.Add(res)
		rep.Issues = append(rep.Issues, res.Issues...)
	}
	return rep, nil
}

// --- CSV ---

// csvSource reads CSV with encoding/csv, tracking spreadsheet row numbers.
type csvSource struct {
	r       *csv.Reader
	row     int // row number of the last record
	endLine int // input line on which the last record ended
}

// openCSV sniffs the separator from the header line and skips a UTF-8
// byte-order mark (Excel's "CSV UTF-8" writes one).
func openCSV(br *bufio.Reader) (source, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	// Look ahead just far enough to see the header line (at most 64 KiB,
	// enough for any real header), without waiting for more of a slow
	// stream than that.
	br.Peek(1)
	buf, _ := br.Peek(br.Buffered())
	for !hasLine(buf) && len(buf) < br.Size() {
		if _, err := br.Peek(len(buf) + 1); err != nil {
			break // the end of the file, or a read error the CSV reader will meet again
		}
		buf, _ = br.Peek(br.Buffered())
	}
	line := firstLine(buf)
	if !bytes.ContainsRune(buf, '\n') && bytes.ContainsRune(buf, '\r') {
		return nil, newFormatError(CodeCarriageReturn)
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, newFormatError(CodeNotText)
	}
	r := csv.NewReader(br)
	r.Comma = sniffSeparator(line)
	r.FieldsPerRecord = -1 // short rows are common; missing cells are empty
	r.ReuseRecord = true   // only the slice is reused; Records may keep the cell strings
	// LazyQuotes stays off: a stray quote is reported at its row instead
	// of silently merging the following rows into one cell.
	return &csvSource{r: r}, nil
}

// hasLine reports whether buf holds a complete non-blank line.
func hasLine(buf []byte) bool {
	for {
		line, rest, found := bytes.Cut(buf, []byte("\n"))
		if !found {
			return false
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return true
		}
		buf = rest
	}
}

// firstLine returns the first non-blank line of buf.
func firstLine(buf []byte) []byte {
	for len(buf) > 0 {
		line, rest, _ := bytes.Cut(buf, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			return line
		}
		buf = rest
	}
	return nil
}

// sniffSeparator picks the separator the header line uses most, outside
// quotes. Excel in Indonesian locale writes ';' (the comma is the decimal
// separator there), elsewhere ','; tab is what "Text (Tab delimited)" gives.
func sniffSeparator(line []byte) rune {
	var comma, semi, tab int
	inQuote := false
	for _, b := range line {
		switch {
		case b == '"':
			inQuote = !inQuote
		case inQuote:
		case b == ',':
			comma++
		case b == ';':
			semi++
		case b == '\t':
			tab++
		}
	}
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	}
	return ','
}

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.r.Read()
	// encoding/csv drops empty lines without a trace, but Excel shows them
	// as rows, so count the lines between this record and the last.
	if err != nil {
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			s.advance(perr.StartLine)
			s.endLine = perr.Line
			code, args := describeCSVError(perr)
			return nil, s.row, &rowError{row: s.row, code: code, args: args}
		}
		return nil, 0, err
	}
	start, _ := s.r.FieldPos(0)
	s.advance(start)
	last, _ := s.r.FieldPos(len(rec) - 1)
	// A quoted cell may span lines; the record ends where its last cell does.
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	return rec, s.row, nil
}

// advance sets the row number of a record starting on input line start.
func (s *csvSource) advance(start int) {
	s.row += 1 + max(0, start-s.endLine-1)
}

func describeCSVError(e *csv.ParseError) (reason.Code, []string) {
	switch {
	case errors.Is(e.Err, csv.ErrBareQuote):
		return CodeBareQuote, nil
	case errors.Is(e.Err, csv.ErrQuote):
		if e.Line > e.StartLine {
			return CodeQuoteRunsOn, []string{strconv.Itoa(e.Line)}
		}
		return CodeQuoteNotClosed, nil
	}
	return CodeRowUnsplittable, []string{e.Err.Error()}
}

func (s *csvSource) close() error { return nil }

// --- XLSX ---

// xlsxSource iterates the first sheet with xlsxread, which streams it
// from the zip archive.
type xlsxSource struct {
	r *xlsxread.Reader
}

// unzipLimit guards against zip bombs: a 150,000-row P3KE sheet unpacks
// to well under 256 MiB. A file that is not an io.ReaderAt is read into
// memory first, so it is held to the same size.
const unzipLimit = 256 << 20

// openXLSX opens the workbook in r (size bytes). A workbook that cannot be
// read is a *FormatError; an error reading r itself is returned as is.
func openXLSX(r io.ReaderAt, size int64) (source, error) {
	x, err := xlsxread.Open(r, size, xlsxread.Options{MaxUnzipped: unzipLimit})
	if err != nil {
		var fe *xlsxread.FormatError
		switch {
		case errors.Is(err, xlsxread.ErrNoWorkbook):
			return nil, newFormatError(CodeZipNotXLSX)
		case errors.Is(err, xlsxread.ErrNoSheets):
			return nil, newFormatError(CodeNoSheets)
		case errors.Is(err, xlsxread.ErrTooLarge):
			return nil, newFormatError(CodeWorkbookTooLarge)
		case errors.Is(err, xlsxread.ErrSheetMissing):
			return nil, newFormatError(CodeFirstSheet, err.Error())
		case errors.As(err, &fe):
			return nil, newFormatError(CodeXLSXUnopenable, err.Error())
		}
		return nil, err
	}
	return &xlsxSource{r: x}, nil
}

// next returns the next row. Raw values: the number as stored, not as
// displayed. A number cell's display format can hide digits or reorder a
// date (m/d/yy); validate turns Excel date serials into dates itself.
// Rows the sheet leaves out are skipped, and the row numbers are the
// sheet's. A damaged sheet is a *FormatError (its message names the row
// and part, never a cell's content).
func (s *xlsxSource) next() ([]string, int, error) {
	cells, row, err := s.r.Next()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var fe *xlsxread.FormatError
		if errors.As(err, &fe) {
			return nil, 0, newFormatError(CodeSheetUnreadable, err.Error())
		}
		return nil, 0, err
	}
	return cells, row, nil
}

func (s *xlsxSource) close() error { return s.r.Close() }
