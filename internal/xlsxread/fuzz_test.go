package xlsxread

import (
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// readerSeeds are small workbooks for FuzzReader: some written by
// excelize, some by hand and stored without a checksum, so that the
// fuzzer's changes reach the XML.
func readerSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		buildXLSX(tb, func(f *excelize.File) error {
			if err := f.SetSheetRow("Sheet1", "A1", &[]any{"no_kk", int64(3505010101200001), 3.50512e15, true,
				time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC), "a & <b>"}); err != nil {
				return err
			}
			if err := f.SetCellRichText("Sheet1", "B3", []excelize.RichTextRun{{Text: "ka"}, {Text: "ya", Font: &excelize.Font{Bold: true}}}); err != nil {
				return err
			}
			return f.SetCellFormula("Sheet1", "D3", "A1")
		}),
		buildXLSX(tb, func(f *excelize.File) error {
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			if err := sw.SetRow("A2", []any{"inline", 1.5, nil, false, excelize.Cell{Formula: "1+1", Value: 2}}); err != nil {
				return err
			}
			return sw.Flush()
		}),
		[]byte("PK\x03\x04"),
		{},
	}
	for _, s := range sheetSeeds {
		seeds = append(seeds, storedZipOf(tb, minimalParts(sheetXML(s), seedSST)...))
	}
	return seeds
}

// seedSST is the shared strings behind the sheet seeds.
var seedSST = sstXML(`<t>nol</t>`, `<r><rPr><b/><sz val="11"/></rPr><t>sa</t></r><r><t>tu</t></r><rPh sb="0" eb="1"><t>x</t></rPh>`,
	`<t xml:space="preserve"> _x000D_ &amp; </t>`)

// sheetSeeds are sheetData contents for the fuzz targets.
var sheetSeeds = []string{
	`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>x&amp;y</t></is></c><c r="D1"><v>3505010101200001</v></c></row><row r="3"><c r="B3" t="s"><v>1</v></c></row>`,
	`<row><c><v>1</v></c><c/><c t="b"><v>1</v></c></row><row r="2" spans="1:3"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="d"><v>2024-01-02</v></c></row>`,
	`<row r="2"><c r="B2"><f>A1</f><v>2</v></c><c r="A2" s="1" t="str"><v>s</v></c></row><row r="1"><c r="A1" t="s"><v> 2 </v></c></row>`,
	`<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><sz val="9"/></rPr><t>a</t></r><t>b</t></is></c><c r="B1"><v><![CDATA[<c>]]></v><!-- c --></c></row>`,
	`<row r="900"><c r="AB900"><v>last</v></c></row>`,
}

// FuzzReader opens arbitrary bytes as a workbook: it must not panic,
// hang or run out of memory, and where excelize reads the first sheet our
// rows must be its rows (see checkAgainstExcelize).
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstExcelize(t, data)
	})
}

// FuzzSheetXML puts arbitrary bytes in a workbook as its first sheet,
// which reaches the row logic far more often than mutating whole
// archives does, and compares with excelize.
func FuzzSheetXML(f *testing.F) {
	for _, s := range sheetSeeds {
		f.Add([]byte(sheetXML(s)))
	}
	f.Add([]byte(`<x:worksheet xmlns:x="` + nsMain + `"><x:sheetData><x:row><x:c t="s"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		checkAgainstExcelize(t, zipOf(t, minimalParts(string(sheet), seedSST)...))
	})
}
