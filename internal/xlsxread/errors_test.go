package xlsxread

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// nik stands for the personal data a sheet holds: no error may show it.
const nik = "3505012501800001"

// TestOpenErrors covers workbooks Open refuses.
func TestOpenErrors(t *testing.T) {
	good := minimalParts(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), "")
	without := func(name string) []zipPart {
		var parts []zipPart
		for _, p := range good {
			if p.name != name {
				parts = append(parts, p)
			}
		}
		return parts
	}
	replace := func(name, body string) []zipPart {
		parts := without(name)
		return append(parts, zipPart{name, body})
	}
	tests := []struct {
		name string
		data []byte
		is   error  // a sentinel the error wraps, if any
		text string // what the message says
	}{
		{"not a zip archive", []byte("PK\x03\x04 not really a zip"), nil, "zip: not a valid zip file"},
		{"an empty archive", zipOf(t), ErrNoWorkbook, "xl/workbook.xml"},
		{"no workbook", zipOf(t, without("xl/workbook.xml")...), ErrNoWorkbook, "xl/workbook.xml: no workbook part"},
		{"no sheets", zipOf(t, replace("xl/workbook.xml", `<workbook xmlns="`+nsMain+`"><sheets/></workbook>`)...), ErrNoSheets, "no sheets"},
		{"the sheet's part is missing", zipOf(t, without("xl/worksheets/sheet1.xml")...), ErrSheetMissing, "first sheet"},
		{"no relationship for the sheet", zipOf(t, without("xl/_rels/workbook.xml.rels")...), ErrSheetMissing, "first sheet"},
		{"the workbook is not XML", zipOf(t, replace("xl/workbook.xml", "<workbook><sheets>")...), nil, "xl/workbook.xml: XML syntax error"},
		{"the relationships are not XML", zipOf(t, replace("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=rId1>")...), nil, "xl/_rels/workbook.xml.rels: XML syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(tt.data), int64(len(tt.data)), Options{})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want a *FormatError", err, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %q, want it to contain %q", err, tt.text)
			}
		})
	}
}

// TestReadErrors covers sheets that break while their rows are read: the
// rows before come back, then an error that names the part and the row
// and never shows a cell's content.
func TestReadErrors(t *testing.T) {
	row1 := `<row r="1"><c r="A1" t="inlineStr"><is><t>` + nik + `</t></is></c></row>`
	tests := []struct {
		name     string
		parts    []zipPart
		rows     int    // rows read before the error
		part     string // the part named
		row      int    // the row named
		text     string
		excelize bool // excelize reports an error too (it ends quietly at malformed XML)
	}{
		{"truncated XML", minimalParts(strings.TrimSuffix(sheetXML(row1+`<row r="2"><c r="A2"><v>`+nik), "</sheetData></worksheet>"), ""),
			1, "xl/worksheets/sheet1.xml", 2, "unexpected EOF", false},
		{"an undefined entity", minimalParts(sheetXML(row1+`<row r="2"><c r="A2" t="inlineStr"><is><t>`+nik+`&nbsp;</t></is></c></row>`), ""),
			1, "xl/worksheets/sheet1.xml", 2, "invalid character entity", false},
		{"a bare ampersand", minimalParts(sheetXML(row1+`<row r="2"><c r="A2"><v>`+nik+` & co</v></c></row>`), ""),
			1, "xl/worksheets/sheet1.xml", 2, "invalid character entity", false},
		{"mismatched tags", minimalParts(sheetXML(row1+`<row r="2"><c r="A2"><v>`+nik+`</c></v></row>`), ""),
			1, "xl/worksheets/sheet1.xml", 2, "closed by an end tag", false},
		{"a character XML does not allow", minimalParts(sheetXML(row1+`<row r="2"><c r="A2"><v>`+nik+"\x01</v></c></row>"), ""),
			1, "xl/worksheets/sheet1.xml", 2, "illegal character code U+0001", false},
		{"invalid UTF-8", minimalParts(sheetXML(row1+`<row r="2"><c r="A2"><v>`+nik+"\xff</v></c></row>"), ""),
			1, "xl/worksheets/sheet1.xml", 2, "invalid UTF-8", false},
		{"an encoding other than UTF-8", minimalParts(`<?xml version="1.0" encoding="ISO-8859-1"?>`+sheetXML(row1)[len(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`):], ""),
			0, "xl/worksheets/sheet1.xml", 1, "encoding other than UTF-8", false},
		{"a bad cell reference", minimalParts(sheetXML(row1+`<row r="2"><c r="A0"><v>`+nik+`</v></c></row>`), ""),
			1, "xl/worksheets/sheet1.xml", 2, "not a cell reference", true},
		{"a bad row number", minimalParts(sheetXML(row1+`<row r="dua"><c r="A2"><v>`+nik+`</v></c></row>`), ""),
			0, "xl/worksheets/sheet1.xml", 1, "r attribute is not a number", true},
		// excelize fails the row before, when its cells end at the next row.
		{"a row number beyond Excel's", minimalParts(sheetXML(row1+`<row r="1048577"><c r="A2"><v>`+nik+`</v></c></row>`), ""),
			0, "xl/worksheets/sheet1.xml", 1, "above 1,048,576", true},
		{"damaged shared strings", minimalParts(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), `<sst><si><t>`+nik+`</si></sst>`),
			0, "xl/sharedStrings.xml", 0, "closed by an end tag", true},
		{"shared strings that are not a table", minimalParts(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), `<workbook><si><t>`+nik+`</t></si></workbook>`),
			0, "xl/sharedStrings.xml", 0, "not a shared string table", true},
		{"damaged content types", append(minimalParts(sheetXML(row1), "")[1:], zipPart{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extenon="1.rels" Cte ="x">< ContentType="x"/></Types>`}),
			0, "[Content_Types].xml", 0, "XML syntax error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := zipOf(t, tt.parts...)
			us := readOurs(data, Options{})
			if us.openErr != nil {
				t.Fatalf("Open: %v", us.openErr)
			}
			var fe *FormatError
			if !errors.As(us.err, &fe) {
				t.Fatalf("err = %v (%T), want a *FormatError", us.err, us.err)
			}
			if len(us.rows) != tt.rows {
				t.Errorf("%d rows before the error, want %d", len(us.rows), tt.rows)
			}
			if fe.Part != tt.part || fe.Row != tt.row {
				t.Errorf("error at %s row %d, want %s row %d", fe.Part, fe.Row, tt.part, tt.row)
			}
			msg := us.err.Error()
			if !strings.Contains(msg, tt.text) {
				t.Errorf("err = %q, want it to contain %q", msg, tt.text)
			}
			if strings.Contains(msg, nik) || strings.Contains(msg, nik[:10]) {
				t.Errorf("err = %q shows a cell's content", msg)
			}
			if ex := readExcelize(data); (ex.err != nil) != tt.excelize {
				t.Errorf("excelize: err %v, rows %v (want an error: %v)", ex.err, ex.rows, tt.excelize)
			}
			// The error stays.
			r, _ := Open(bytes.NewReader(data), int64(len(data)), Options{})
			for range tt.rows + 1 {
				r.Next()
			}
			if _, _, err := r.Next(); err == nil || err == io.EOF {
				t.Errorf("Next after the error = %v", err)
			}
		})
	}
}

// TestDamagedArchive flips bytes in the compressed sheet and content
// types: the damage is found while the part is read, as a *FormatError
// naming the part, from archive/zip's checks or the decompressor.
func TestDamagedArchive(t *testing.T) {
	var sb strings.Builder
	for r := 1; r <= 2000; r++ {
		sb.WriteString(`<row><c t="inlineStr"><is><t>` + nik + `</t></is></c><c><v>12345</v></c></row>`)
	}
	data := zipOf(t, minimalParts(sheetXML(sb.String()), "")...)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" && f.Name != "[Content_Types].xml" {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int64{off + 10, off + int64(f.CompressedSize64) - 8} {
			bad := bytes.Clone(data)
			bad[at] ^= 0x55
			us := readOurs(bad, Options{})
			var fe *FormatError
			if us.openErr != nil || !errors.As(us.err, &fe) || fe.Part != f.Name {
				t.Errorf("%s: byte %d flipped: open %v, err %v", f.Name, at, us.openErr, us.err)
				continue
			}
			if !damagedArchive(fe) {
				t.Errorf("%s: byte %d flipped: err %v (%T), want archive/zip's or the decompressor's", f.Name, at, fe.Err, fe.Err)
			}
			if strings.Contains(us.err.Error(), nik) {
				t.Errorf("err = %q shows a cell's content", us.err)
			}
		}
	}
}

// TestReaderAtErrors: a failure of the underlying io.ReaderAt is not the
// workbook's fault, so it is not a *FormatError.
func TestReaderAtErrors(t *testing.T) {
	data := zipOf(t, minimalParts(sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 5000)), "")...)
	disk := errors.New("disk on fire")
	for _, after := range []int64{0, int64(len(data)) - 100, 2000} {
		r := &failingReaderAt{data: data, after: after, err: disk}
		x, err := Open(r, int64(len(data)), Options{})
		for err == nil {
			_, _, err = x.Next()
		}
		var fe *FormatError
		if err == io.EOF || errors.As(err, &fe) || !errors.Is(err, disk) {
			t.Errorf("failing after %d bytes: err = %v (%T), want the reader's error", after, err, err)
		}
	}
}

// failingReaderAt fails every read that reaches past byte after.
type failingReaderAt struct {
	data  []byte
	after int64
	err   error
}

func (r *failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.after {
		return 0, r.err
	}
	return copy(p, r.data[off:]), nil
}

// TestLimits checks that a hostile workbook is stopped by a limit, not by
// running out of memory or time.
func TestLimits(t *testing.T) {
	bigSheet := sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 50_000)) // about 1.3 MB
	t.Run("the parts unpack to more than MaxUnzipped", func(t *testing.T) {
		data := zipOf(t, minimalParts(bigSheet, "")...)
		if len(data) > 100_000 {
			t.Fatalf("the bomb is %d bytes compressed", len(data))
		}
		_, err := Open(bytes.NewReader(data), int64(len(data)), Options{MaxUnzipped: 1 << 20})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
		if _, err := Open(bytes.NewReader(data), int64(len(data)), Options{MaxUnzipped: 2 << 20}); err != nil {
			t.Fatalf("under the limit: %v", err)
		}
	})
	t.Run("the shared strings are larger than MaxSharedStrings", func(t *testing.T) {
		sst := sstXML(strings.Split(strings.Repeat("<t>"+nik+"</t>,", 2000), ",")...)
		data := zipOf(t, minimalParts(sheetXML(`<row><c t="s"><v>0</v></c></row>`), sst)...)
		_, err := Open(bytes.NewReader(data), int64(len(data)), Options{MaxSharedStrings: 10_000})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "xl/sharedStrings.xml") {
			t.Fatalf("err = %v, want ErrTooLarge for the shared strings", err)
		}
	})
	t.Run("a part larger than it says", func(t *testing.T) {
		// archive/zip holds a part to its declared size: the declared
		// sizes that Open checks bound what is read.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, p := range minimalParts(bigSheet, "") {
			if p.name != "xl/worksheets/sheet1.xml" {
				w, _ := zw.Create(p.name)
				io.WriteString(w, p.body)
				continue
			}
			var comp bytes.Buffer
			fw := zip.NewWriter(&comp)
			w, _ := fw.Create("x")
			io.WriteString(w, p.body)
			fw.Close()
			zr, _ := zip.NewReader(bytes.NewReader(comp.Bytes()), int64(comp.Len()))
			raw, _ := zr.File[0].OpenRaw()
			deflated, _ := io.ReadAll(raw)
			w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: zr.File[0].CRC32,
				CompressedSize64: uint64(len(deflated)), UncompressedSize64: 1000})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(deflated)
		}
		zw.Close()
		us := readOurs(buf.Bytes(), Options{MaxUnzipped: 1 << 20})
		var fe *FormatError
		if us.openErr != nil || !errors.As(us.err, &fe) || !errors.Is(us.err, zip.ErrFormat) {
			t.Fatalf("open %v, err %v, want zip.ErrFormat", us.openErr, us.err)
		}
	})
	t.Run("a token longer than 4 MiB", func(t *testing.T) {
		data := zipOf(t, minimalParts(sheetXML(`<row><c><v>1</v></c></row><row><c><v>`+strings.Repeat("9", 5<<20)+`</v></c></row>`), "")...)
		us := readOurs(data, Options{})
		if !errors.Is(us.err, ErrTooLarge) || len(us.rows) != 1 {
			t.Fatalf("rows %d, err %v, want 1 row then ErrTooLarge", len(us.rows), us.err)
		}
	})
	t.Run("elements nested 5000 deep", func(t *testing.T) {
		data := zipOf(t, minimalParts(sheetXML(`<row><c>`+strings.Repeat("<x>", 5000)+strings.Repeat("</x>", 5000)+`</c></row>`), "")...)
		if us := readOurs(data, Options{}); !errors.Is(us.err, ErrTooLarge) {
			t.Fatalf("err %v, want ErrTooLarge", us.err)
		}
	})
	t.Run("more than 16,384 cells in a row", func(t *testing.T) {
		data := zipOf(t, minimalParts(sheetXML(`<row>`+strings.Repeat(`<c/>`, 20_000)+`<c><v>x</v></c></row>`), "")...)
		us := readOurs(data, Options{})
		if us.err == nil || !strings.Contains(us.err.Error(), "16,384") {
			t.Fatalf("err %v, want the column limit", us.err)
		}
		// excelize pads the row out to the value.
		if ex := readExcelize(data); ex.err != nil || len(ex.rows) != 1 || len(ex.rows[0].Cells) != 20_001 {
			t.Fatalf("excelize: %v %d rows", ex.err, len(ex.rows))
		}
	})
	t.Run("a slow reader", func(t *testing.T) {
		// One byte at a time: every token straddles the window's end.
		data := zipOf(t, minimalParts(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b</t></is></c><!-- x --><c r="B1"><v><![CDATA[x]]></v></c></row>`), "")...)
		sc := newScanner(iotest.OneByteReader(strings.NewReader(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b</t></is></c></row>`))))
		n := 0
		for {
			if err := sc.next(); err != nil {
				t.Fatal(err)
			}
			if sc.kind == tokEOF {
				break
			}
			n++
		}
		if n != 15 {
			t.Errorf("%d tokens, want 15", n)
		}
		assertSameAsExcelize(t, data)
	})
}

// TestCloseStopsReading: Next after Close is an error, not a read from a
// closed decompressor.
func TestCloseStopsReading(t *testing.T) {
	data := zipOf(t, minimalParts(sheetXML(`<row><c><v>1</v></c></row><row><c><v>2</v></c></row>`), "")...)
	r, err := Open(bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cells, row, err := r.Next(); err != nil || row != 1 || len(cells) != 1 || cells[0] != "1" {
		t.Fatalf("first row: %q %d %v", cells, row, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err == nil || err == io.EOF {
		t.Fatalf("Next after Close = %v", err)
	}
}

// TestDamagedPartAtOpen: a part read while opening (the package's
// relationships) whose stored bytes no longer match their checksum is
// refused by Open as a damaged archive, even where excelize, which does
// not check, still finds the sheet; the comparison with excelize accepts
// that (the fuzzer found such a workbook).
func TestDamagedPartAtOpen(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range minimalParts(sheetXML(sheetSeeds[0]), seedSST) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	at := bytes.Index(data, []byte(`Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"`))
	if at < 0 {
		t.Fatal("no root relationship in the archive")
	}
	data[at+len(`Id="rId`)] = '9' // the id of the root relationship is read by nobody
	us := readOurs(data, Options{})
	var fe *FormatError
	if !errors.As(us.openErr, &fe) || fe.Part != "_rels/.rels" || !damagedArchive(fe) {
		t.Fatalf("Open = %v, want the damaged _rels/.rels", us.openErr)
	}
	if ex := readExcelize(data); !ex.opened {
		t.Fatalf("excelize does not open it (%v); the test no longer covers the comparison", ex.err)
	}
	checkAgainstExcelize(t, data)
}
