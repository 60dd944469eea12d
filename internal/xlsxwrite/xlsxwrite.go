// Package xlsxwrite writes verval's downloads as XLSX workbooks (through
// excelize's stream writer), for the API and the command line alike.
package xlsxwrite

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// Sheet is one worksheet: a header row, then rows. Cells are written as
// given: pass identifiers as strings so spreadsheet programs keep them as
// text.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// ContentType is an XLSX file's media type.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Write writes sheets as one workbook to w.
func Write(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.Name)
		if err != nil {
			return err
		}
		header := make([]any, len(sh.Header))
		for j, h := range sh.Header {
			header[j] = h
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		for r, row := range sh.Rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}
