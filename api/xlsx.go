package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// sheet is one worksheet of a download.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// sendXLSX streams sheets as an XLSX download. Cells are written as given:
// callers pass identifiers as strings so Excel keeps them as text.
func (s *Server) sendXLSX(c *gin.Context, filename string, sheets []sheet) {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				s.fail(c, err)
				return
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			s.fail(c, err)
			return
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			s.fail(c, err)
			return
		}
		header := make([]any, len(sh.header))
		for j, h := range sh.header {
			header[j] = h
		}
		if err := sw.SetRow("A1", header); err != nil {
			s.fail(c, err)
			return
		}
		for r, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				s.fail(c, err)
				return
			}
		}
		if err := sw.Flush(); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Status(http.StatusOK)
	if err := f.Write(c.Writer); err != nil {
		s.deps.Log.Error("write xlsx", "file", filename, "err", err)
	}
}
