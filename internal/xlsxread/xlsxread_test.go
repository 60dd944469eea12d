package xlsxread

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestExcelizeWorkbooks reads workbooks excelize writes and compares every
// row with what excelize reads back from them.
func TestExcelizeWorkbooks(t *testing.T) {
	const sheet = "Sheet1"
	tests := []struct {
		name string
		fill func(f *excelize.File) error
		want []sheetRow // a few rows checked by value too, so a shared mistake shows
	}{
		{
			name: "shared strings and numbers",
			fill: func(f *excelize.File) error {
				return f.SetSheetRow(sheet, "A1", &[]any{"NIK", int64(3505121234560001), 3.50512e15, "3.50512E+15",
					-0.5, 1e-7, 0.1 + 0.2, int64(math.MaxInt64), uint64(math.MaxUint64), float32(1.5), 0})
			},
			want: []sheetRow{{1, []string{"NIK", "3505121234560001", "3505120000000000", "3.50512E+15",
				"-0.5", "0.0000001", "0.3", "9223372036854775807", "18446744073709551615", "1.5", "0"}}},
		},
		{
			name: "booleans, dates and number formats",
			fill: func(f *excelize.File) error {
				date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
				if err != nil {
					return err
				}
				custom := "0.00%"
				pct, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
				if err != nil {
					return err
				}
				if err := f.SetSheetRow(sheet, "A1", &[]any{true, false, time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC),
					time.Date(2025, 4, 18, 13, 30, 0, 0, time.UTC), 0.25, 90 * time.Minute, "teks"}); err != nil {
					return err
				}
				for _, c := range []struct {
					cell  string
					style int
				}{{"C1", date}, {"D1", date}, {"E1", pct}, {"G1", pct}} {
					if err := f.SetCellStyle(sheet, c.cell, c.cell, c.style); err != nil {
						return err
					}
				}
				return nil
			},
			want: []sheetRow{{1, []string{"1", "0", "29245", "45765.5625", "0.25", "0.0625", "teks"}}},
		},
		{
			name: "formulas",
			fill: func(f *excelize.File) error {
				if err := f.SetSheetRow(sheet, "A1", &[]any{2, 3}); err != nil {
					return err
				}
				if err := f.SetCellFormula(sheet, "C1", "A1+B1"); err != nil { // no cached value
					return err
				}
				return f.SetCellFormula(sheet, "E1", `CONCATENATE("a","b")`)
			},
			want: []sheetRow{{1, []string{"2", "3", "", "", ""}}},
		},
		{
			name: "gaps: empty cells, missing rows, far columns",
			fill: func(f *excelize.File) error {
				for _, c := range []struct {
					cell string
					v    any
				}{{"A1", "a"}, {"C1", "c"}, {"D1", ""}, {"B3", "b3"}, {"AA7", "aa7"}, {"XFD9", "last"}, {"A10", ""}, {"A12", 12}} {
					if err := f.SetCellValue(sheet, c.cell, c.v); err != nil {
						return err
					}
				}
				return nil
			},
			want: []sheetRow{{1, []string{"a", "", "c"}}, {3, []string{"", "b3"}}},
		},
		{
			name: "text that needs escaping",
			fill: func(f *excelize.File) error {
				return f.SetSheetRow(sheet, "A1", &[]any{`& < > " '`, "Ñoño 日本語 😀", "'0123", "  spaces  ",
					"a\nb", "a\r\nb", "tab\there", "ctl\x01\x1f", "_x000D_ literal", "<t>not markup</t>", "]]>",
					strings.Repeat("panjang ", 4000), "\u00a0nbsp\u200b", "\ufeffbom"})
			},
			// excelize writes control characters as U+FFFD, and _x000D_
			// as it is, which then reads back as a carriage return.
			want: []sheetRow{{1, []string{`& < > " '`, "Ñoño 日本語 😀", "'0123", "  spaces  ",
				"a\nb", "a\r\nb", "tab\there", "ctl\ufffd\ufffd", "\r literal", "<t>not markup</t>", "]]>",
				strings.Repeat("panjang ", 4000), "\u00a0nbsp\u200b", "\ufeffbom"}}},
		},
		{
			name: "rich text",
			fill: func(f *excelize.File) error {
				if err := f.SetCellRichText(sheet, "A1", []excelize.RichTextRun{
					{Text: "Budi "},
					{Text: "Santoso", Font: &excelize.Font{Bold: true, Size: 12, Color: "FF0000", Family: "Arial"}},
					{Text: " & co", Font: &excelize.Font{Italic: true, VertAlign: "superscript"}},
				}); err != nil {
					return err
				}
				return f.SetCellValue(sheet, "B1", "plain")
			},
			want: []sheetRow{{1, []string{"Budi Santoso & co", "plain"}}},
		},
		{
			name: "stream writer: inline strings",
			fill: func(f *excelize.File) error {
				sw, err := f.NewStreamWriter(sheet)
				if err != nil {
					return err
				}
				rows := [][]any{
					{"id_keluarga_p3ke", "no_kk", "tanggal_lahir", "desil", "pkh"},
					{"A-1", "3505010101200001", time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC), 1, true},
					{nil, "x & y", nil, 2.5, false},
					{[]excelize.RichTextRun{{Text: "ka"}, {Text: "ya", Font: &excelize.Font{Bold: true}}}, excelize.Cell{Formula: "1+1", Value: 2}},
				}
				for i, r := range rows {
					cell, _ := excelize.CoordinatesToCellName(1, i*2+1) // every other row
					if err := sw.SetRow(cell, r); err != nil {
						return err
					}
				}
				return sw.Flush()
			},
			want: []sheetRow{{1, []string{"id_keluarga_p3ke", "no_kk", "tanggal_lahir", "desil", "pkh"}},
				{3, []string{"A-1", "3505010101200001", "29245", "1", "1"}},
				{5, []string{"", "x & y", "", "2.5", "0"}},
				{7, []string{"kaya", "2"}}},
		},
		{
			name: "many rows across the scanner's window",
			fill: func(f *excelize.File) error {
				rng := rand.New(rand.NewPCG(1, 2))
				for r := 1; r <= 3000; r++ {
					row := make([]any, 12)
					for c := range row {
						row[c] = randomCell(rng)
					}
					cell, _ := excelize.CoordinatesToCellName(1+r%3, r+r/100)
					if err := f.SetSheetRow(sheet, cell, &row); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			name: "many rows, stream writer",
			fill: func(f *excelize.File) error {
				sw, err := f.NewStreamWriter(sheet)
				if err != nil {
					return err
				}
				rng := rand.New(rand.NewPCG(3, 4))
				for r := 1; r <= 3000; r++ {
					row := make([]any, 12)
					for c := range row {
						row[c] = randomCell(rng)
					}
					cell, _ := excelize.CoordinatesToCellName(1, r+r/50)
					if err := sw.SetRow(cell, row); err != nil {
						return err
					}
				}
				return sw.Flush()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := assertSameAsExcelize(t, buildXLSX(t, tt.fill))
			for _, w := range tt.want {
				found := false
				for _, r := range rows {
					if r.Row == w.Row {
						found = true
						if d := diffCells(r.Cells, w.Cells); d != "" {
							t.Errorf("row %d: %s", w.Row, d)
						}
					}
				}
				if !found {
					t.Errorf("row %d missing from %v", w.Row, rows)
				}
			}
		})
	}
}

// randomCell is a value of any of the kinds a P3KE export holds, with
// characters that need escaping now and then.
func randomCell(rng *rand.Rand) any {
	switch rng.IntN(8) {
	case 0:
		return nil
	case 1:
		return rng.Int64N(1e16)
	case 2:
		return rng.Float64() * 1e6
	case 3:
		return rng.IntN(2) == 0
	case 4:
		return fmt.Sprintf("35%014d", rng.Int64N(1e14))
	}
	const alphabet = "abcdefghij KLMNOP &<>\"' é日\t\n_x000D_"
	runes := []rune(alphabet)
	b := make([]rune, rng.IntN(40))
	for i := range b {
		b[i] = runes[rng.IntN(len(runes))]
	}
	return string(b)
}

// TestHandmadeWorkbooks reads packages written by hand the way other
// programs write them, or oddly, and compares with excelize and with the
// values we expect.
func TestHandmadeWorkbooks(t *testing.T) {
	sst := sstXML("<t>nol</t>", "<t>satu</t>", "<t>dua</t>")
	tests := []struct {
		name  string
		parts []zipPart
		want  []sheetRow
	}{
		{
			name: "name space prefixes, as the OpenXML SDK writes",
			parts: minimalParts(
				`<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="`+nsMain+`"><x:sheetData>`+
					`<x:row r="1"><x:c r="A1" t="s"><x:v>1</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c><x:c r="D1"><x:v>4</x:v></x:c></x:row>`+
					`</x:sheetData></x:worksheet>`,
				`<x:sst xmlns:x="`+nsMain+`"><x:si><x:t>a</x:t></x:si><x:si><x:r><x:t>r</x:t></x:r><x:r><x:t>un</x:t></x:r></x:si></x:sst>`),
			want: []sheetRow{{1, []string{"run", "b", "", "4"}}},
		},
		{
			name: "rows and cells without r",
			parts: minimalParts(sheetXML(
				`<row><c><v>1</v></c><c/><c t="inlineStr"><is><t>3</t></is></c></row>`+
					`<row><c r="C2"><v>c</v></c><c><v>d</v></c></row>`+
					`<row r="5"><c><v>5</v></c></row><row><c t="s"><v>2</v></c></row>`), sst),
			want: []sheetRow{{1, []string{"1", "", "3"}}, {2, []string{"", "", "c", "d"}}, {5, []string{"5"}}, {6, []string{"dua"}}},
		},
		{
			name: "XML as some writers write it",
			parts: minimalParts(
				"\ufeff<?xml version='1.0' encoding='UTF-8'?>\r\n<!DOCTYPE worksheet [ <!ELEMENT c ANY> <!-- a <comment> --> ]>\r\n"+
					`<worksheet xmlns="`+nsMain+`">`+"\r\n  <!-- rows follow -->\r\n  <sheetData>\r\n"+
					`    <row r="1" spans="1:4">`+"\r\n"+
					`      <c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b &lt;&gt; &quot;&apos; &#65;&#x42;&#x1F600; </t></is></c>`+"\r\n"+
					`      <c r="B1" t="str"><v><![CDATA[<cdata> & ]]></v></c>`+"\r\n"+
					`      <c r="C1" t="inlineStr"><is><t>line1`+"\r\n"+`line2`+"\r"+`line3&#13;&#10;</t></is></c>`+"\r\n"+
					`      <c r="D1"><v>1<?pi ignored?>2<!-- c -->3</v></c>`+"\r\n"+
					`      <c r = 'E1' t = "inlineStr" ><is><t/></is></c><c r="F1"><v/></c><c r="G1" t="inlineStr"><is><t>g</t></is></c>`+"\r\n"+
					"    </row>\r\n  </sheetData>\r\n</worksheet>\r\n", ""),
			want: []sheetRow{{1, []string{" a&b <> \"' AB😀 ", "<cdata> & ", "line1\nline2\nline3\r\n", "123", "", "", "g"}}},
		},
		{
			name: "cell types",
			parts: minimalParts(sheetXML(`<row r="1">`+
				`<c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="e"><v>#N/A</v></c>`+
				`<c r="D1" t="d"><v>2024-01-02T03:04:05Z</v></c><c r="E1" t="str"><f>A1</f><v>TRUE</v></c>`+
				`<c r="F1" t="n"><v>1.5E+20</v></c><c r="G1" t="weird"><v>w</v></c>`+
				`<c r="H1" t="s"><v> 1 </v></c><c r="I1" t="s"><v>7</v></c><c r="J1" t="s"><v>x</v></c><c r="K1" t="s"><v></v></c>`+
				`<c r="L1" t="s"><v>-1</v></c><c r="M1" t="s"><v>99999999999999999999</v></c><c r="N1" t="inlineStr"><v>v</v></c>`+
				`<c r="O1" s="3"><v>0003</v></c></row>`), sst),
			want: []sheetRow{{1, []string{"1", "0", "#N/A", "2024-01-02T03:04:05Z", "TRUE", "1.5E+20", "w",
				"satu", "", "nol", "", "", "", "v", "0003"}}},
		},
		{
			name: "rows out of order and repeated are merged, cells out of order appended",
			parts: minimalParts(sheetXML(
				`<row r="2"><c r="B2"><v>b</v></c><c r="A2"><v>a</v></c></row>`+
					`<row r="2"><c r="C2"><v>c</v></c></row><row r="1"><c r="A1"><v>one</v></c></row>`+
					`<row r="4"><c r="A4"><v>four</v></c></row>`), ""),
			want: []sheetRow{{2, []string{"", "b", "a", "c", "one"}}, {4, []string{"four"}}},
		},
		{
			name: "rich text, phonetic runs and escapes in shared strings",
			parts: minimalParts(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>`+
				`<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>`),
				sstXML(`<r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="Calibri"/></rPr><t>Ri</t></r><r><t xml:space="preserve"> ch</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh><phoneticPr fontId="1" type="noConversion"/>`,
					`<t>a</t><t>b</t>`,
					`<t>x_x000D_y_x005F_x0041_z_xD800__x0041_</t>`,
					`<r><t>run first</t></r><t>then t </t>`,
					`<t>after</t><extra><t>hidden</t></extra>`)),
			want: []sheetRow{{1, []string{"Ri ch", "b", "x\ry_x0041_zA", "then t run first", "after"}}},
		},
		{
			name:  "a cell whose style index is not a number keeps no value",
			parts: minimalParts(sheetXML(`<row r="1"><c r="A1" s="x"><v>1</v></c><c r="B1" t="s" s=""><v>0</v></c><c r="C1" s="2"><v>3</v></c></row>`), sst),
			want:  []sheetRow{{1, []string{"", "", "3"}}},
		},
		{
			name:  "a formula attribute of the wrong type hides the cached value",
			parts: minimalParts(sheetXML(`<row r="1"><c r="A1"><f ca="maybe">1+1</f><v>2</v></c><c r="B1"><f ca="1">1+2</f><v>3</v></c><c r="C1"><f si="0" t="shared"/><v>4</v></c></row>`), ""),
			want:  []sheetRow{{1, []string{"", "3", "4"}}},
		},
		{
			name: "an inline run with a property of the wrong type is dropped",
			parts: minimalParts(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><rPr><sz val="big"/></rPr><t>b</t></r><r><t>c</t></r></is></c>`+
				`<c r="B1" t="inlineStr"><is><t>t1</t></is><is><r><t>r</t></r><t>t2</t></is></c></row>`), ""),
			want: []sheetRow{{1, []string{"a", "t2r"}}},
		},
		{
			name: "values nested deeper in a cell still count",
			parts: minimalParts(sheetXML(`<row r="1"><c r="A1"><extLst><v>5</v></extLst></c><c r="B1"><v>6</v><c/><v>7</v></c>`+
				`<c r="C1"><v>4<b>5</b>6</v></c><c r="D1" t="inlineStr"><is><t>a<b>x</b>c</t></is></c></row>`), ""),
			want: []sheetRow{{1, []string{"5", "6", "46", "ac"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, data := range [][]byte{zipOf(t, tt.parts...), storedZipOf(t, tt.parts...)} {
				rows := assertSameAsExcelize(t, data)
				if !rowsEqual(rows, tt.want) {
					t.Errorf("rows = %v, want %v", rows, tt.want)
				}
			}
		})
	}
}

// TestFindsTheFirstSheet checks how the sheet is found: from the workbook's
// first <sheet> through the relationships, wherever its part is.
func TestFindsTheFirstSheet(t *testing.T) {
	dataSheet := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>data</t></is></c></row>`)
	otherSheet := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>other</t></is></c></row>`)
	rels := func(rels string) string {
		return `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`
	}
	wb := func(sheets string) string {
		return `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` + sheets + `</sheets></workbook>`
	}
	const ws = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
	tests := []struct {
		name  string
		parts []zipPart
	}{
		{"first sheet is not sheet1.xml, and is the first zip member", []zipPart{
			{"xl/worksheets/data.xml", dataSheet},
			{"[Content_Types].xml", contentTypesXML},
			{"_rels/.rels", rootRelsXML},
			{"xl/workbook.xml", wb(`<sheet name="Data" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/>`)},
			{"xl/_rels/workbook.xml.rels", rels(`<Relationship Id="rId1" Type="` + ws + `" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="` + ws + `" Target="worksheets/data.xml"/>`)},
			{"xl/worksheets/sheet1.xml", otherSheet},
		}},
		{"absolute targets", []zipPart{
			{"[Content_Types].xml", contentTypesXML},
			{"_rels/.rels", strings.Replace(rootRelsXML, `Target="xl/workbook.xml"`, `Target="/xl/workbook.xml"`, 1)},
			{"xl/workbook.xml", wb(`<sheet name="Data" sheetId="1" r:id="rId1"/>`)},
			{"xl/_rels/workbook.xml.rels", rels(`<Relationship Id="rId1" Type="` + ws + `" Target="/xl/worksheets/data.xml"/>`)},
			{"xl/worksheets/data.xml", dataSheet},
		}},
		{"workbook outside xl/", []zipPart{
			{"[Content_Types].xml", contentTypesXML},
			{"_rels/.rels", strings.Replace(rootRelsXML, `Target="xl/workbook.xml"`, `Target="book/wb.xml"`, 1)},
			{"book/wb.xml", wb(`<sheet name="Data" sheetId="1" r:id="rId1"/>`)},
			{"book/_rels/wb.xml.rels", rels(`<Relationship Id="rId1" Type="` + ws + `" Target="sheets/../sheets/s.xml"/>`)},
			{"book/sheets/s.xml", dataSheet},
		}},
		{"strict OOXML name spaces", []zipPart{
			{"[Content_Types].xml", contentTypesXML},
			{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{"xl/workbook.xml", `<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId3"/></sheets></workbook>`},
			{"xl/_rels/workbook.xml.rels", rels(`<Relationship Id="rId3" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="worksheets/sheet1.xml"/>`)},
			{"xl/worksheets/sheet1.xml", strings.Replace(dataSheet, nsMain, "http://purl.oclc.org/ooxml/spreadsheetml/main", 1)},
		}},
		{"backslashes in member names", []zipPart{
			{"[content_types].xml", contentTypesXML},
			{`_rels\.rels`, rootRelsXML},
			{`xl\workbook.xml`, wb(`<sheet name="Data" sheetId="1" r:id="rId1"/>`)},
			{`xl\_rels\workbook.xml.rels`, rels(`<Relationship Id="rId1" Type="` + ws + `" Target="worksheets/sheet1.xml"/>`)},
			{`xl\worksheets\sheet1.xml`, dataSheet},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := assertSameAsExcelize(t, zipOf(t, tt.parts...))
			if want := []sheetRow{{1, []string{"data"}}}; !rowsEqual(rows, want) {
				t.Errorf("rows = %v, want %v", rows, want)
			}
		})
	}
}

// TestLargeSharedStrings compares a workbook whose shared strings pass
// 16 MiB, which excelize reads by another path (a temporary file), and
// whose 50,000 rows cross the scanner's window many times.
func TestLargeSharedStrings(t *testing.T) {
	if testing.Short() {
		t.Skip("about 10 s: excelize is slow on a 36 MB shared-string table")
	}
	data, err := sharedStrings50k()
	if err != nil {
		t.Fatal(err)
	}
	if rows := assertSameAsExcelize(t, data); len(rows) != 50_000 {
		t.Fatalf("%d rows", len(rows))
	}
}
