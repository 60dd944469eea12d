package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/xlsxwrite"
)

// ChangeReportSheet lays out the monthly change report per desa, for the
// API's download and the page's alike: the region, the changes recorded
// by kind (Indonesian, the code in brackets), then what became of them.
func ChangeReportSheet(rep *office.ChangeReport) xlsxwrite.Sheet {
	header := []string{"Bulan", "Kode Kecamatan", "Kecamatan", "Kode Desa", "Desa/Kelurahan"}
	kinds := append(domain.ChangeKinds(), domain.ChangeRevoked)
	for _, k := range kinds {
		header = append(header, fmt.Sprintf("Dicatat: %s [%s]", ChangeKindName(string(k)), k))
	}
	header = append(header, "Menunggu konfirmasi", "Dikonfirmasi", "Ditolak", "Keluar dari program", "Diusulkan HAPUS")
	sh := xlsxwrite.Sheet{Name: "Perubahan " + rep.Month, Header: header}
	for _, r := range rep.Desa {
		row := []any{rep.Month, r.KecamatanCode, regionName(r.KecamatanCode), r.DesaCode, regionName(r.DesaCode)}
		for _, k := range kinds {
			row = append(row, r.Recorded[string(k)])
		}
		sh.Rows = append(sh.Rows, append(row, r.Pending, r.Confirmed, r.Refused, r.Exits, r.Proposed))
	}
	return sh
}

type changeReportData struct {
	Cycles []store.Cycle
	Report *office.ChangeReport
	Kinds  []domain.ChangeKind
	Month  string
	XLSX   string
}

// changeReportPage shows the month's changes per desa ("Laporan perubahan
// bulanan"), and downloads them as XLSX with format=xlsx: the same office
// step as GET /api/v1/cycles/{id}/changes.
func (h *pages) changeReportPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	month := c.DefaultQuery("bulan", h.d.Office.Now().Format("2006-01"))
	d := changeReportData{Cycles: cycles, Kinds: append(domain.ChangeKinds(), domain.ChangeRevoked), Month: month}
	v := &view{Title: "Laporan perubahan bulanan", Active: "dasbor"}
	if cy != nil {
		rep, err := h.d.Office.ChangeReport(c.Request.Context(), caller(c), cy.ID, month)
		if _, msg, status, ok := refusal(err); ok {
			v.Error, v.Data = msg, d
			h.render(c, status, "changes", v)
			return
		} else if err != nil {
			h.fail(c, err)
			return
		}
		if c.Query("format") == "xlsx" {
			h.sendWorkbook(c, fmt.Sprintf("perubahan-%d-%s.xlsx", cy.Year, month), []xlsxwrite.Sheet{ChangeReportSheet(rep)})
			return
		}
		d.Report = rep
		d.XLSX = "/laporan-perubahan?siklus=" + strconv.FormatInt(cy.ID, 10) + "&bulan=" + month + "&format=xlsx"
	}
	v.Data = d
	h.render(c, http.StatusOK, "changes", v)
}
