package xlsxread

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The benchmarks of the P3KE workbook (inline strings, as excelize's
// stream writer writes them) are in internal/p3ke: BenchmarkXLSXRead50k
// and BenchmarkExcelizeRows50k. These use shared strings, as Excel saves
// a workbook: 50,000 rows of 16 cells, most of them strings of their own.

var sharedStrings50k = sync.OnceValues(func() ([]byte, error) {
	const rows, cols = 50_000, 16
	var sheet, sst strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><dimension ref="A1:P50000"/><sheetData>`)
	sst.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<sst xmlns="` + nsMain + `" count="800000" uniqueCount="800000">`)
	n := 0
	for r := 1; r <= rows; r++ {
		fmt.Fprintf(&sheet, `<row r="%d" spans="1:16">`, r)
		for c := range cols {
			ref := string(rune('A'+c)) + fmt.Sprint(r)
			switch c {
			case 8, 9: // desil, jumlah_anggota: numbers
				fmt.Fprintf(&sheet, `<c r="%s"><v>%d</v></c>`, ref, (r+c)%10+1)
			default:
				fmt.Fprintf(&sheet, `<c r="%s" t="s"><v>%d</v></c>`, ref, n)
				fmt.Fprintf(&sst, `<si><t>35%014d Dusun &amp; RT %03d</t></si>`, r*cols+c, c)
				n++
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	sst.WriteString(`</sst>`)
	return buildZip(minimalParts(sheet.String(), sst.String()))
})

// BenchmarkReaderSharedStrings reads the shared-strings workbook.
func BenchmarkReaderSharedStrings(b *testing.B) {
	data, err := sharedStrings50k()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		r, err := Open(bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		r.Close()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkExcelizeSharedStrings reads the same workbook with excelize's
// Rows iterator and raw values.
func BenchmarkExcelizeSharedStrings(b *testing.B) {
	data, err := sharedStrings50k()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: DefaultMaxUnzipped})
		if err != nil {
			b.Fatal(err)
		}
		it, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			b.Fatal(err)
		}
		for it.Next() {
			if _, err := it.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		it.Close()
		f.Close()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
