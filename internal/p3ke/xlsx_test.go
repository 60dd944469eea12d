package p3ke

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXReaders reads the XLSX fixture through every kind of reader
// Open may get: in place through io.ReaderAt where it can, into memory
// where it cannot, and from where the reader stands, not from its start.
func TestXLSXReaders(t *testing.T) {
	data := fixtureXLSX(t)
	want := parseAll(t, data)
	const junk = "not part of the file"
	path := filepath.Join(t.TempDir(), "p3ke.xlsx")
	if err := os.WriteFile(path, []byte(junk+string(data)), 0o600); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func() io.Reader{
		"bytes.Reader": func() io.Reader { return bytes.NewReader(data) },
		"bytes.Reader, part read": func() io.Reader {
			r := bytes.NewReader([]byte(junk + string(data)))
			r.Seek(int64(len(junk)), io.SeekStart)
			return r
		},
		"strings.Reader": func() io.Reader { return strings.NewReader(string(data)) },
		"io.SectionReader": func() io.Reader {
			return io.NewSectionReader(bytes.NewReader([]byte(junk+string(data))), int64(len(junk)), int64(len(data)))
		},
		"os.File, part read": func() io.Reader {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			f.Seek(int64(len(junk)), io.SeekStart)
			return f
		},
		"a plain reader": func() io.Reader { return struct{ io.Reader }{bytes.NewReader(data)} },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			p, err := Open(r(), Options{Regency: "35.05"})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var got []Result
			for res, err := range p.All() {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, res)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("results differ from reading the bytes:\n%+v\n%+v", got, want)
			}
		})
	}
}

// countingReaderAt serves an XLSX file through ReadAt only, counting the
// bytes it hands out.
type countingReaderAt struct {
	r    *bytes.Reader
	read int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.read += int64(n)
	return n, err
}

func (c *countingReaderAt) Read([]byte) (int, error) {
	return 0, errors.New("read as a stream: the file was copied")
}

func (c *countingReaderAt) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }

// TestXLSXReadInPlace checks that an XLSX behind an io.ReaderAt is neither
// copied nor decompressed ahead: reading the header row touches a small
// part of a large file.
func TestXLSXReadInPlace(t *testing.T) {
	var xlsx bytes.Buffer
	if _, err := GenerateXLSX(&xlsx, GenOptions{Regency: "35.05", Households: 5000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	data := xlsx.Bytes()
	c := &countingReaderAt{r: bytes.NewReader(data)}
	p, err := Open(c, Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if c.read > int64(len(data))/10 {
		t.Errorf("Open read %d of %d bytes", c.read, len(data))
	}
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	if c.read > int64(len(data))/10 {
		t.Errorf("the first row took %d of %d bytes", c.read, len(data))
	}
	n := 1
	for _, err := range p.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 5000 || c.read < int64(len(data))/2 {
		t.Errorf("%d rows from %d of %d bytes", n, c.read, len(data))
	}
}

// TestXLSXDamagedSheet: a sheet that breaks part way gives its first rows,
// then a *FormatError that names the row and shows no NIK or No KK.
func TestXLSXDamagedSheet(t *testing.T) {
	good := fixtureXLSX(t)
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(r)
		r.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			// Cut the sheet inside row 5's NIK (a shared string index
			// there; the value is beside the point, the cut is not).
			i := bytes.Index(part, []byte(`<row r="5"`))
			if i < 0 {
				t.Fatalf("no row 5 in %s", part)
			}
			part = part[:i+40]
		}
		w, _ := zw.Create(f.Name)
		w.Write(part)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := Open(bytes.NewReader(buf.Bytes()), Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var rows []int
	for {
		res, err := p.Next()
		if err == nil {
			rows = append(rows, res.Record.Row)
			continue
		}
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "the sheet cannot be read") || !strings.Contains(err.Error(), "row 5") {
			t.Fatalf("err = %v (%T), want a *FormatError about row 5", err, err)
		}
		if sixteenDigits.MatchString(err.Error()) {
			t.Errorf("err = %q shows a number", err)
		}
		break
	}
	if !reflect.DeepEqual(rows, []int{2, 3, 4}) {
		t.Errorf("rows before the error = %v, want [2 3 4]", rows)
	}
}

// TestXLSXOpenErrors: a zip archive that is not a workbook, or whose
// first sheet is missing, is a *FormatError that says so.
func TestXLSXOpenErrors(t *testing.T) {
	zipOf := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, body := range files {
			w, _ := zw.Create(name)
			io.WriteString(w, body)
		}
		zw.Close()
		return buf.Bytes()
	}
	noSheets := buildXLSX(t, func(*excelize.File, string) {})
	zr, _ := zip.NewReader(bytes.NewReader(noSheets), int64(len(noSheets)))
	files := map[string]string{}
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		files[f.Name] = string(b)
	}
	delete(files, "xl/worksheets/sheet1.xml")
	tests := []struct {
		name, reason string
		data         []byte
	}{
		{"a zip of something else", "a zip archive but not an XLSX workbook", zipOf(map[string]string{"readme.txt": "hello"})},
		{"the first sheet is missing", "the first sheet cannot be read", zipOf(files)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(tt.data), Options{Regency: "35.05"})
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(fe.Reason, tt.reason) {
				t.Errorf("err = %v, want a *FormatError saying %q", err, tt.reason)
			}
		})
	}
}
