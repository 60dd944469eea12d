package xlsxread

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetRow is one row with values, as both readers report it.
type sheetRow struct {
	Row   int
	Cells []string
}

func (r sheetRow) String() string {
	cells := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		cells[i] = short(c)
	}
	return fmt.Sprintf("%d%q", r.Row, cells)
}

// short cuts a long cell for a failure message.
func short(s string) string {
	if len(s) > 60 {
		return s[:40] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// diffCells describes how got differs from want, or returns "".
func diffCells(got, want []string) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w || i >= len(got) || i >= len(want) {
			fmt.Fprintf(&b, "cell %d = %q, want %q; ", i+1, short(g), short(w))
		}
	}
	return b.String()
}

// excelizeResult is what excelize gives for a workbook's first sheet.
type excelizeResult struct {
	opened bool       // the first sheet could be opened at all
	rows   []sheetRow // rows with values, numbered by counting Rows.Next
	err    error      // the error that ended the rows, if any
}

// readExcelize reads the first sheet the way p3ke used excelize: count
// Rows.Next calls for the row number, Columns with RawCellValue. Rows
// without values are left out (both readers give them no cells).
func readExcelize(data []byte) (res excelizeResult) {
	defer func() {
		if recover() != nil { // excelize's own bugs on fuzzed input are not ours
			res = excelizeResult{}
		}
	}()
	// A limit keeps a fuzzed zip bomb from taking the machine down.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return res
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return res
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return res
	}
	defer rows.Close()
	res.opened = true
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			res.err = err
			return res
		}
		if len(cells) > 0 {
			res.rows = append(res.rows, sheetRow{n, cells})
		}
	}
	res.err = rows.Error()
	return res
}

// ourResult is what Reader gives.
type ourResult struct {
	openErr error
	rows    []sheetRow
	err     error // the error that ended the rows; nil at io.EOF
}

func readOurs(data []byte, opts Options) (res ourResult) {
	r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		res.openErr = err
		return res
	}
	defer r.Close()
	for {
		cells, row, err := r.Next()
		if err == io.EOF {
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
		if len(cells) > 0 {
			res.rows = append(res.rows, sheetRow{row, slices.Clone(cells)})
		}
	}
}

func rowsEqual(a, b []sheetRow) bool {
	return slices.EqualFunc(a, b, func(x, y sheetRow) bool { return x.Row == y.Row && slices.Equal(x.Cells, y.Cells) })
}

// assertSameAsExcelize reads data with both readers and requires the same
// rows, without an error, and at least one row (so that the comparison
// means something).
func assertSameAsExcelize(t *testing.T, data []byte) []sheetRow {
	t.Helper()
	ex := readExcelize(data)
	if !ex.opened || ex.err != nil {
		t.Fatalf("excelize: opened %v, err %v", ex.opened, ex.err)
	}
	us := readOurs(data, Options{})
	if us.openErr != nil || us.err != nil {
		t.Fatalf("xlsxread: open %v, read %v", us.openErr, us.err)
	}
	if len(ex.rows) == 0 {
		t.Fatal("the workbook has no rows: nothing is compared")
	}
	if !rowsEqual(us.rows, ex.rows) {
		t.Fatalf("rows differ\nxlsxread: %v\nexcelize: %v", us.rows, ex.rows)
	}
	return us.rows
}

// checkAgainstExcelize is the fuzz targets' oracle. Where excelize reads
// the first sheet, our rows must be its rows, except in the documented
// cases: excelize ends a sheet quietly at malformed XML where we report an
// error (then the XML must really be malformed, and our rows must be its
// rows up to there), we apply limits, and we are lenient where excelize
// fails on attributes that do not change a value.
func checkAgainstExcelize(t *testing.T, data []byte) {
	t.Helper()
	us := readOurs(data, Options{})
	ex := readExcelize(data)
	if us.openErr != nil {
		var fe *FormatError
		if !errors.As(us.openErr, &fe) {
			t.Fatalf("Open of in-memory data: %T %v", us.openErr, us.openErr)
		}
		// A damaged part read at Open is refused; excelize, which checks
		// no checksum, may still read the sheet.
		if ex.opened && !errors.Is(us.openErr, ErrTooLarge) && !damagedArchive(fe) {
			t.Fatalf("Open failed (%v) where excelize reads %v", us.openErr, ex.rows)
		}
		return
	}
	if us.err != nil {
		var fe *FormatError
		if !errors.As(us.err, &fe) {
			t.Fatalf("Next on in-memory data: %T %v", us.err, us.err)
		}
		if fe.Part == "" || fe.Row < 0 {
			t.Fatalf("error without a place: %+v", fe)
		}
	}
	if !ex.opened || excludedFromComparison(data) {
		return
	}
	switch {
	case us.err == nil && ex.err == nil:
		if !rowsEqual(us.rows, ex.rows) {
			t.Fatalf("rows differ\nxlsxread: %v\nexcelize: %v", us.rows, ex.rows)
		}
	case us.err == nil:
		// excelize failed on a part we read leniently (a shared-strings
		// attribute of the wrong type, say); the rows it gave before are
		// still ours.
		if !rowsEqual(us.rows[:min(len(us.rows), len(ex.rows))], ex.rows) {
			t.Fatalf("rows differ before excelize's error %v\nxlsxread: %v\nexcelize: %v", ex.err, us.rows, ex.rows)
		}
	default:
		var fe *FormatError
		errors.As(us.err, &fe)
		var se *syntaxError
		switch {
		case errors.Is(us.err, ErrTooLarge), errors.Is(us.err, errEncoding), damagedArchive(fe):
			// Our limits, encodings other than UTF-8, which excelize
			// transcodes, and a damaged archive: a part whose checksum
			// or data descriptor does not match, which excelize does not
			// check, or whose compressed stream breaks off, which
			// excelize reads as far as it goes (its readFile drops
			// io.Copy's error).
		case errors.As(us.err, &se):
			if transcodes(t, data, fe.Part) {
				return // excelize reads invalid UTF-8 as U+FFFD under a label like "utf8"
			}
			if wellFormed(t, data, fe.Part) {
				t.Fatalf("syntax error %v in well-formed %s", us.err, fe.Part)
			}
			// excelize stops at the same place, keeping the partial row.
			if len(ex.rows) < len(us.rows) || len(ex.rows) > len(us.rows)+1 || !rowsEqual(us.rows, ex.rows[:len(us.rows)]) {
				t.Fatalf("rows differ before the syntax error %v\nxlsxread: %v\nexcelize: %v", us.err, us.rows, ex.rows)
			}
		default:
			// A bad row or cell reference, or a damaged part excelize
			// reads when the first row is: excelize fails there too.
			if ex.err == nil || !rowsEqual(us.rows, ex.rows) {
				t.Fatalf("error %v; excelize: %v\nxlsxread: %v\nexcelize: %v", us.err, ex.err, us.rows, ex.rows)
			}
		}
	}
}

// damagedArchive reports whether fe is archive/zip failing to unpack a
// part: its checksum or data descriptor does not match, or its deflate
// stream is corrupt or ends early. partReader wraps those errors
// unchanged, unlike the XML scanner's, which are *syntaxError.
func damagedArchive(fe *FormatError) bool {
	if fe == nil {
		return false
	}
	var ce flate.CorruptInputError
	return errors.Is(fe.Err, zip.ErrChecksum) || errors.Is(fe.Err, zip.ErrFormat) ||
		fe.Err == io.ErrUnexpectedEOF || errors.As(fe.Err, &ce)
}

// excludedFromComparison reports the workbooks on which excelize's result
// is not a fact about the workbook: it rewrites the strict-OOXML name
// space inside shared-string text, reads the shared strings from
// xl/sharedStrings.xml whatever the relationships say, and picks a sheet
// at random when two sheet names differ only in case.
func excludedFromComparison(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return true
	}
	p := newPackage(zr)
	rd := &Reader{ra: &readerAt{r: bytes.NewReader(data)}, budget: budget{left: DefaultMaxUnzipped}}
	if p.locate(rd) != nil {
		return true
	}
	if p.sst != nil {
		if p.sst != p.files[partSharedStrings] {
			return true
		}
		if sst, err := rd.readAll(p.sst); err != nil || bytes.Contains(sst, []byte("purl.oclc.org")) {
			return true
		}
	}
	// Sheet names equal but for case.
	wbData, err := rd.readAll(p.workbook)
	if err != nil {
		return true
	}
	var doc struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
		} `xml:"sheets>sheet"`
	}
	if xml.Unmarshal(wbData, &doc) != nil {
		return true
	}
	for i, a := range doc.Sheets {
		for _, b := range doc.Sheets[i+1:] {
			if strings.EqualFold(a.Name, b.Name) {
				return true
			}
		}
	}
	return false
}

// wellFormed reports whether encoding/xml (strict, no charset readers)
// reads the whole part without an error.
func wellFormed(t *testing.T, data []byte, part string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("reopening the archive: %v", err)
	}
	p := newPackage(zr)
	f := p.files[part]
	if f == nil {
		t.Fatalf("no part %s", part)
	}
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	d := newXMLDecoder(rc)
	for {
		if _, err := d.Token(); err != nil {
			return err == io.EOF
		}
	}
}

// transcodes reports whether an XML declaration in the part names UTF-8
// other than as "utf-8", which makes excelize's decoder transcode.
func transcodes(t *testing.T, data []byte, part string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("reopening the archive: %v", err)
	}
	rc, err := newPackage(zr).files[part].Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	for {
		i := bytes.Index(b, []byte("<?xml"))
		if i < 0 {
			return false
		}
		b = b[i+5:]
		end := bytes.Index(b, []byte("?>"))
		if end < 0 {
			end = len(b)
		}
		if enc := procInstParam("encoding", string(b[:end])); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return true
		}
	}
}

// zipPart is one member of a test archive.
type zipPart struct {
	name, body string
}

// zipOf builds an archive of parts in order, deflated.
func zipOf(tb testing.TB, parts ...zipPart) []byte {
	tb.Helper()
	data, err := buildZip(parts)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func buildZip(parts []zipPart) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// storedZipOf builds an archive of parts stored uncompressed with no CRC,
// which archive/zip then does not check: a fuzzer's changes to the XML in
// it reach the XML readers instead of failing the checksum.
func storedZipOf(tb testing.TB, parts ...zipPart) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: p.name, Method: zip.Store,
			CompressedSize64: uint64(len(p.body)), UncompressedSize64: uint64(len(p.body)),
		})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

	contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`
	rootRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
)

// sheetXML wraps sheetData content in a worksheet.
func sheetXML(sheetData string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheetData>` + sheetData + `</sheetData></worksheet>`
}

// sstXML makes a shared string table of plain strings.
func sstXML(items ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<sst xmlns="` + nsMain + `">`)
	for _, it := range items {
		b.WriteString("<si>" + it + "</si>")
	}
	b.WriteString("</sst>")
	return b.String()
}

// minimalParts is a one-sheet package around a worksheet part and a
// shared-strings part (left out when empty).
func minimalParts(sheet, sst string) []zipPart {
	parts := []zipPart{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", rootRelsXML},
		{"xl/workbook.xml", workbookXML},
		{"xl/_rels/workbook.xml.rels", workbookRelsXML},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	if sst != "" {
		parts = append(parts, zipPart{"xl/sharedStrings.xml", sst})
	}
	return parts
}

// buildXLSX makes a workbook with excelize; fill writes its first sheet,
// "Sheet1".
func buildXLSX(tb testing.TB, fill func(f *excelize.File) error) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := fill(f); err != nil {
		tb.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
