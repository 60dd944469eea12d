// Package xlsxread streams the rows of the first worksheet of an XLSX
// workbook as strings.
//
// Each cell comes back as excelize (v2.11.1) returns it from Rows and
// Columns with Options{RawCellValue: true}: the value as stored, not as
// displayed. A shared or inline string is its text (rich-text runs joined,
// phonetic runs left out, _xHHHH_ escapes decoded); a number, date, boolean
// ("1" or "0"), error ("#N/A") or formula result is the text of its <v>.
// Row and column positions, gaps and odd sheets are handled as excelize
// handles them, so callers that used excelize see the same rows; the
// differential tests and the fuzz target hold the two readers together.
//
// The sheet is decompressed and tokenized as it is read, never held whole,
// by a small XML scanner that keeps encoding/xml's rules: encoding/xml was
// 90% of excelize's time. Where excelize would quietly end a sheet at
// malformed XML, Next reports a *FormatError. The shared strings are held
// in memory. MaxUnzipped and MaxSharedStrings bound what a hostile file can
// make us decompress and hold.
package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Default limits.
const (
	// DefaultMaxUnzipped caps the bytes decompressed from a workbook, all
	// parts together: a 150,000-row sheet unpacks to well under this.
	DefaultMaxUnzipped = 256 << 20
	// DefaultMaxSharedStrings caps the shared-strings part, which is held
	// in memory decoded.
	DefaultMaxSharedStrings = 128 << 20
)

// Options are the limits of a Reader. Zero means the default.
type Options struct {
	// MaxUnzipped caps the uncompressed bytes read from the archive, all
	// parts together.
	MaxUnzipped int64
	// MaxSharedStrings caps the uncompressed size of the shared-strings
	// part. It is at most 1 GiB.
	MaxSharedStrings int64
}

// Errors a *FormatError may wrap; test them with errors.Is.
var (
	// ErrTooLarge means a part, or the parts together, unpack to more than
	// the limits allow, or a single XML token or the nesting of elements
	// is beyond what any spreadsheet program writes.
	ErrTooLarge = errors.New("the workbook unpacks to more than the size limit")
	// ErrNoWorkbook means the archive has no workbook part: it is a zip
	// file but not an XLSX workbook.
	ErrNoWorkbook = errors.New("no workbook part: a zip archive, but not an XLSX workbook")
	// ErrNoSheets means the workbook lists no sheets.
	ErrNoSheets = errors.New("the workbook has no sheets")
	// ErrSheetMissing means the first sheet's part is not in the archive.
	ErrSheetMissing = errors.New("the first sheet's part is missing from the archive")
)

// FormatError means the data is not a readable workbook: a damaged zip
// archive, a missing or malformed part, or a limit exceeded. Its message
// names the part, the row and the byte offset, never cell contents, since
// sheets hold NIKs.
type FormatError struct {
	Part   string // the archive member, e.g. "xl/worksheets/sheet1.xml"; empty for the archive itself
	Row    int    // the sheet row being read; 0 when none
	Offset int64  // byte offset in the uncompressed part; -1 when not known
	Err    error  // the problem
}

// Error describes the problem, where it was found first.
func (e *FormatError) Error() string {
	var b strings.Builder
	if e.Part != "" {
		b.WriteString(e.Part)
	}
	if e.Row > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("row " + strconv.Itoa(e.Row))
	}
	if e.Offset >= 0 {
		var se *syntaxError
		if !errors.As(e.Err, &se) { // a syntax error says its offset itself
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString("byte " + strconv.FormatInt(e.Offset, 10))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the problem.
func (e *FormatError) Unwrap() error { return e.Err }

// SharedStringsSize is the uncompressed size of the workbook's shared
// strings, which the first Next decodes and holds in memory; 0 when it has
// none. archive/zip refuses a part that unpacks to more than it declares,
// so this bounds what a hostile file can make the reader hold.
func (r *Reader) SharedStringsSize() int64 {
	if r.sst == nil {
		return 0
	}
	return int64(r.sst.UncompressedSize64)
}

// Reader reads the rows of a workbook's first sheet. It is not safe for
// concurrent use.
type Reader struct {
	ra     *readerAt
	budget budget

	sheet, sst, contentTypes *zip.File

	started bool
	err     error // sticky: the error Next returned
	rc      io.ReadCloser
	rows    rowReader
}

// Open reads the zip directory of the workbook in r (size bytes), the
// workbook part and its relationships, and finds the first sheet. The
// package's content types and the shared strings are read by the first
// call to Next, which reports their problems, as excelize reports them
// when the first row is read.
//
// A workbook that cannot be read is a *FormatError; an error of r itself
// is returned wrapped, as it is.
func Open(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	if opts.MaxUnzipped <= 0 {
		opts.MaxUnzipped = DefaultMaxUnzipped
	}
	if opts.MaxSharedStrings <= 0 {
		opts.MaxSharedStrings = DefaultMaxSharedStrings
	}
	opts.MaxSharedStrings = min(opts.MaxSharedStrings, 1<<30) // shared-string offsets are 32-bit
	ra := &readerAt{r: r}
	rd := &Reader{ra: ra, budget: budget{left: opts.MaxUnzipped}}
	zr, err := zip.NewReader(ra, size)
	if err != nil && err != zip.ErrInsecurePath { // names are only looked up, never used as paths
		return nil, rd.wrap(&FormatError{Offset: -1, Err: err})
	}
	p := newPackage(zr)
	if err := p.locate(rd); err != nil {
		return nil, rd.wrap(err)
	}
	rd.sheet, rd.sst, rd.contentTypes = p.sheet, p.sst, p.contentTypes
	// Refuse a bomb before reading it: archive/zip holds each part to its
	// declared size, so the declared sizes bound what will be read.
	total := p.smallRead
	for _, f := range []*zip.File{p.sheet, p.sst, p.contentTypes} {
		if f != nil {
			total += f.UncompressedSize64
		}
	}
	switch {
	case p.sst != nil && p.sst.UncompressedSize64 > uint64(opts.MaxSharedStrings):
		return nil, &FormatError{Part: p.sst.Name, Offset: -1, Err: ErrTooLarge}
	case total > uint64(opts.MaxUnzipped):
		return nil, &FormatError{Part: p.sheet.Name, Offset: -1, Err: ErrTooLarge}
	}
	return rd, nil
}

// Next returns the cells of the next row and its row number (1 for the
// first row of the sheet), io.EOF after the last row, or an error for a
// sheet that cannot be read further. Rows the sheet leaves out are passed
// over (their number is skipped); a row element without values comes back
// with no cells. Empty cells before the last value of a row are "";
// nothing follows the last value.
//
// The slice is reused by the next call; the strings are not, and may be
// kept. They share memory, though: the strings of one row are one
// allocation, and a shared string is a piece of the whole shared-string
// table, which a kept string keeps alive; strings.Clone what must outlive
// the Reader by long.
func (r *Reader) Next() (cells []string, row int, err error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.err = r.wrap(err)
			return nil, 0, r.err
		}
	}
	rr := &r.rows
	ok, err := rr.advance()
	if err == nil && ok {
		if rr.curRow > rr.seekRow {
			// Rows rr.seekRow to rr.curRow-1 are not in the sheet: excelize
			// returns no cells for each; skip straight to the next one.
			rr.seekRow = rr.curRow
		}
		err = rr.columns()
	}
	switch {
	case err != nil:
		r.err = r.wrap(r.sheetError(err))
		return nil, 0, r.err
	case !ok:
		r.err = io.EOF
		return nil, 0, io.EOF
	}
	return rr.finish(), rr.seekRow, nil
}

// Close releases the sheet's decompressor. The rows already returned stay
// valid.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errors.New("xlsxread: Next after Close")
	}
	if r.rc != nil {
		rc := r.rc
		r.rc = nil
		return rc.Close()
	}
	return nil
}

// start checks the content types, reads the shared strings and opens the
// sheet.
func (r *Reader) start() error {
	if f := r.contentTypes; f != nil {
		data, err := r.readAll(f)
		if err != nil {
			return err
		}
		if err := checkContentTypes(data); err != nil {
			return &FormatError{Part: f.Name, Offset: -1, Err: err}
		}
	}
	if f := r.sst; f != nil {
		rc, err := r.open(f)
		if err != nil {
			return err
		}
		r.rows.sst, err = readSharedStrings(rc, int64(f.UncompressedSize64))
		rc.Close()
		if err != nil {
			return partError(f.Name, err)
		}
	}
	rc, err := r.open(r.sheet)
	if err != nil {
		return err
	}
	r.rc = rc
	r.rows.sc = newScanner(rc)
	return nil
}

// sheetError places an error met reading the sheet: its part, row, and
// the offset of the token that showed it.
func (r *Reader) sheetError(err error) error {
	var fe *FormatError
	if !errors.As(err, &fe) {
		fe = &FormatError{Part: r.sheet.Name, Offset: r.rows.sc.tokOff, Err: err}
		var se *syntaxError
		if errors.As(err, &se) {
			fe.Offset = se.offset
		}
	}
	if fe.Row == 0 {
		fe.Row = r.rows.seekRow
	}
	return fe
}

// partError makes err, met reading part, a *FormatError.
func partError(part string, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	fe = &FormatError{Part: part, Offset: -1, Err: err}
	var se *syntaxError
	if errors.As(err, &se) {
		fe.Offset = se.offset
	}
	return fe
}

// wrap returns the error of the underlying io.ReaderAt, if reading it
// failed: the data may well be fine. Otherwise it returns err.
func (r *Reader) wrap(err error) error {
	if r.ra.err != nil {
		return fmt.Errorf("xlsxread: reading the workbook: %w", r.ra.err)
	}
	return err
}

// open opens a part for reading within the budget.
func (r *Reader) open(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, &FormatError{Part: f.Name, Offset: -1, Err: err}
	}
	return &partReader{rc: rc, b: &r.budget, name: f.Name}, nil
}

// readAll reads a small part whole.
func (r *Reader) readAll(f *zip.File) ([]byte, error) {
	rc, err := r.open(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, partError(f.Name, err)
	}
	return data, nil
}

// budget is what is left of MaxUnzipped.
type budget struct{ left int64 }

// partReader counts what a part's decompressor gives against the budget
// and names the part in its errors.
type partReader struct {
	rc   io.ReadCloser
	b    *budget
	name string
	read int64
}

func (p *partReader) Read(b []byte) (int, error) {
	n, err := p.rc.Read(b)
	p.read += int64(n)
	if p.b.left -= int64(n); p.b.left < 0 {
		return n, &FormatError{Part: p.name, Offset: p.read, Err: ErrTooLarge}
	}
	if err != nil && err != io.EOF {
		err = &FormatError{Part: p.name, Offset: p.read, Err: err}
	}
	return n, err
}

func (p *partReader) Close() error { return p.rc.Close() }

// readerAt remembers the first error of the underlying io.ReaderAt (other
// than io.EOF, which a short archive gives), to tell an I/O failure from a
// damaged archive.
type readerAt struct {
	r   io.ReaderAt
	err error
}

func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		// archive/zip computes offsets from the archive's directory: a
		// negative one means the directory is damaged, not the reader.
		return 0, errors.New("an offset before the start of the file")
	}
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// Relationship types, transitional and strict.
const (
	relOfficeDocument       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relOfficeDocumentStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
	relSharedStrings        = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
	relSharedStringsStrict  = "http://purl.oclc.org/ooxml/officeDocument/relationships/sharedStrings"
	nsRelationships         = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRelationshipsStrict   = "http://purl.oclc.org/ooxml/officeDocument/relationships"
	nsContentTypes          = "http://schemas.openxmlformats.org/package/2006/content-types"
)

// Part names excelize matches without regard to case.
const (
	partContentTypes  = "[Content_Types].xml"
	partSharedStrings = "xl/sharedStrings.xml"
)

// maxSmallPart caps each of the small XML parts read whole (relationships,
// workbook, content types).
const maxSmallPart = 16 << 20

// pkg is the archive's parts by name, and what locate finds.
type pkg struct {
	files map[string]*zip.File

	workbook, sheet, sst, contentTypes *zip.File
	smallRead                          uint64 // declared size of the small parts read
}

// newPackage indexes the archive's members by name as excelize does:
// backslashes read as slashes, the content types and shared strings
// matched without regard to case, and a later member of the same name
// replacing an earlier one.
func newPackage(zr *zip.Reader) *pkg {
	p := &pkg{files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		switch strings.ToLower(name) {
		case strings.ToLower(partContentTypes):
			name = partContentTypes
		case strings.ToLower(partSharedStrings):
			name = partSharedStrings
		}
		p.files[name] = f
	}
	return p
}

// locate finds the workbook, its first sheet and the shared strings:
// _rels/.rels names the workbook (xl/workbook.xml when it does not), the
// workbook's first <sheet> names a relationship, and the workbook's
// relationships give its part.
func (p *pkg) locate(rd *Reader) error {
	p.contentTypes = p.files[partContentTypes]
	if f := p.contentTypes; f != nil && f.UncompressedSize64 > maxSmallPart {
		return &FormatError{Part: f.Name, Offset: -1, Err: ErrTooLarge}
	}
	wbPath := "xl/workbook.xml"
	if rels, err := p.rels(rd, "_rels/.rels"); err != nil {
		return err
	} else {
		for _, rel := range rels {
			if rel.Type == relOfficeDocument || rel.Type == relOfficeDocumentStrict {
				wbPath = path.Clean(strings.TrimPrefix(rel.Target, "/"))
				break
			}
		}
	}
	p.workbook = p.files[wbPath]
	if p.workbook == nil {
		return &FormatError{Part: wbPath, Offset: -1, Err: ErrNoWorkbook}
	}
	data, err := p.readSmall(rd, p.workbook)
	if err != nil {
		return err
	}
	rid, err := firstSheet(data)
	if err != nil {
		return &FormatError{Part: wbPath, Offset: -1, Err: err}
	}
	dir, base := path.Split(wbPath)
	rels, err := p.rels(rd, dir+"_rels/"+base+".rels")
	if err != nil {
		return err
	}
	for _, rel := range rels {
		target := resolveTarget(dir, rel.Target)
		f := p.files[target]
		if f == nil {
			continue
		}
		// As excelize does, the last relationship with the sheet's id
		// whose part exists wins.
		if rel.ID == rid {
			p.sheet = f
		}
		if p.sst == nil && (rel.Type == relSharedStrings || rel.Type == relSharedStringsStrict) {
			p.sst = f
		}
	}
	if p.sheet == nil {
		return &FormatError{Part: wbPath, Offset: -1, Err: ErrSheetMissing}
	}
	if p.sst == nil {
		p.sst = p.files[partSharedStrings] // where excelize always looks
	}
	return nil
}

// resolveTarget is a relationship target's part name: relative to the
// source part's directory, or from the package root when it starts with
// a slash.
func resolveTarget(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+dir+target), "/")
}

// relationship is one <Relationship> of a .rels part.
type relationship struct {
	ID     string `xml:"Id,attr"`
	Target string `xml:"Target,attr"`
	Type   string `xml:"Type,attr"`
}

// rels reads a relationships part; a missing part has none.
func (p *pkg) rels(rd *Reader, name string) ([]relationship, error) {
	f := p.files[name]
	if f == nil {
		return nil, nil
	}
	data, err := p.readSmall(rd, f)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Relationships []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil && err != io.EOF {
		return nil, &FormatError{Part: name, Offset: -1, Err: err}
	}
	return doc.Relationships, nil
}

// readSmall reads a small part whole, within its own cap and the budget.
func (p *pkg) readSmall(rd *Reader, f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxSmallPart {
		return nil, &FormatError{Part: f.Name, Offset: -1, Err: ErrTooLarge}
	}
	p.smallRead += f.UncompressedSize64
	return rd.readAll(f)
}

// firstSheet returns the relationship id of the workbook's first sheet:
// the first <sheet> of <sheets>, with r:id in the relationships name
// space (transitional or strict).
func firstSheet(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	inSheets := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", ErrNoSheets
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 2 && t.Name.Local == "sheets":
				inSheets = true
			case depth == 3 && inSheets && t.Name.Local == "sheet":
				// The last r:id counts, as encoding/xml fills excelize's
				// field; without one, the id is "" (and matches a
				// relationship without an Id, as in excelize).
				id := ""
				for _, a := range t.Attr {
					if a.Name.Local == "id" && (a.Name.Space == nsRelationships || a.Name.Space == nsRelationshipsStrict) {
						id = a.Value
					}
				}
				return id, nil
			}
		case xml.EndElement:
			if depth == 2 {
				inSheets = false
			}
			depth--
		}
	}
}

// checkContentTypes is excelize's reading of [Content_Types].xml, which
// fails the first row when the part is damaged: its first element must be
// <Types> in the content-types name space, well formed to its end tag.
func checkContentTypes(data []byte) error {
	var doc struct {
		XMLName xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	}
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && err != io.EOF {
		return err
	}
	return nil
}
