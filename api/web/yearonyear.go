package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/xlsxwrite"
)

// YearOnYearSheets lay out the year-on-year report, for the API's download
// and the page's alike: per year, desa and programme the households in and
// out, of which moved in and out from another desa ("Tahunan"), and the
// reasons they went out ("Alasan keluar").
func YearOnYearSheets(rep *office.YearOnYear) []xlsxwrite.Sheet {
	main := xlsxwrite.Sheet{Name: "Tahunan", Header: []string{"Tahun", "Kode Kecamatan", "Kecamatan", "Kode Desa", "Desa/Kelurahan", "Program", "Masuk", "Keluar",
		"Pindah masuk (termasuk di Masuk)", "Pindah keluar (termasuk di Keluar)"}}
	why := xlsxwrite.Sheet{Name: "Alasan keluar", Header: []string{"Tahun", "Kode Desa", "Desa/Kelurahan", "Program", "Alasan", "Kode alasan", "Jumlah"}}
	for _, r := range rep.Desa {
		kec := r.DesaCode
		if len(kec) >= 8 {
			kec = kec[:8]
		}
		main.Rows = append(main.Rows, []any{r.Year, kec, regionName(kec), r.DesaCode, regionName(r.DesaCode), r.Programme, r.In, r.Out, r.MovedIn, r.MovedOut})
		for _, k := range sortedKeys(r.Reasons) {
			why.Rows = append(why.Rows, []any{r.Year, r.DesaCode, regionName(r.DesaCode), r.Programme, exitReasonName(k), k, r.Reasons[k]})
		}
	}
	return []xlsxwrite.Sheet{main, why}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// exitReasonName is an exit reason's key (store.ExitReasonKey) in Indonesian.
func exitReasonName(k string) string {
	if kind, ok := strings.CutPrefix(k, "change "); ok {
		return "Perubahan: " + ChangeKindName(kind)
	}
	return stageReason(k)
}

// yearChart draws the year-on-year totals as an inline SVG bar chart: per
// programme, the households in and out, the year before beside this year.
func yearChart(rep *office.YearOnYear) template.HTML {
	if rep == nil || len(rep.Total) == 0 {
		return ""
	}
	years := []int{rep.Year}
	if rep.PreviousYear != 0 {
		years = []int{rep.PreviousYear, rep.Year}
	}
	find := func(year int, prog string) *store.YearProgramme {
		for _, t := range rep.Total {
			if t.Year == year && t.Programme == prog {
				return t
			}
		}
		return &store.YearProgramme{}
	}
	maxV := 1
	for _, t := range rep.Total {
		maxV = max(maxV, t.In, t.Out)
	}
	const barW, gap, h = 12, 28, 120
	group := len(years)*2*barW + gap
	width := len(rep.Programmes)*group + 20
	colors := map[string]string{"in": "#2e7d32", "out": "#c62828"}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="Masuk dan keluar program per tahun" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, width, h+40, width, h+40)
	for i, prog := range rep.Programmes {
		x0 := 10 + i*group
		for j, y := range years {
			t := find(y, prog)
			for k, v := range []struct {
				kind string
				n    int
			}{{"in", t.In}, {"out", t.Out}} {
				bh := v.n * h / maxV
				x := x0 + (j*2+k)*barW
				opacity := "1"
				if y != rep.Year {
					opacity = "0.45"
				}
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" fill-opacity="%s"><title>%s %d %s: %d</title></rect>`,
					x, h-bh, barW-2, bh, colors[v.kind], opacity, template.HTMLEscapeString(prog), y, map[string]string{"in": "masuk", "out": "keluar"}[v.kind], v.n)
			}
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%s</text>`, x0, h+16, template.HTMLEscapeString(prog))
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11">hijau: masuk, merah: keluar; pucat: %s, penuh: %d</text></svg>`, h+34, yearLabel(rep.PreviousYear), rep.Year)
	return template.HTML(b.String())
}

func yearLabel(y int) string {
	if y == 0 {
		return "-"
	}
	return strconv.Itoa(y)
}

// sendWorkbook sends sheets as an XLSX download named filename, built
// whole first so a failure is still the error page.
func (h *pages) sendWorkbook(c *gin.Context, filename string, sheets []xlsxwrite.Sheet) {
	var buf bytes.Buffer
	if err := xlsxwrite.Write(&buf, sheets); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
	c.Data(http.StatusOK, xlsxwrite.ContentType, buf.Bytes())
}

type yearOnYearData struct {
	Cycles []store.Cycle
	Report *office.YearOnYear
	Chart  template.HTML
	XLSX   string
}

// yearOnYearPage shows the year-on-year report ("Laporan tahunan") with its
// chart, and downloads it as XLSX with format=xlsx: the same office step
// as GET /api/v1/cycles/{id}/year-on-year.
func (h *pages) yearOnYearPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := yearOnYearData{Cycles: cycles}
	if cy != nil {
		rep, err := h.d.Office.YearOnYear(c.Request.Context(), caller(c), cy.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		if c.Query("format") == "xlsx" {
			h.sendWorkbook(c, fmt.Sprintf("tahunan-%d.xlsx", cy.Year), YearOnYearSheets(rep))
			return
		}
		d.Report, d.Chart = rep, yearChart(rep)
		d.XLSX = "/laporan-tahunan?siklus=" + strconv.FormatInt(cy.ID, 10) + "&format=xlsx"
	}
	h.render(c, http.StatusOK, "yearonyear", &view{Title: "Laporan tahunan", Active: "dasbor", Data: d})
}
