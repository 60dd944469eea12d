package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// bar is one bar of a chart: a label, a count and its width in percent.
type bar struct {
	Label string
	Stage string
	Count int64
	Pct   float64
}

// areaProgress is one desa's or kecamatan's verification progress, drawn as
// a stacked bar: past the village meeting, visited (waiting for the
// meeting), not visited yet.
type areaProgress struct {
	Code, Name string
	Total      int64
	// NotVisited is awaiting_verification; Visited is verified; Closed is
	// every later stage.
	NotVisited, Visited, Closed int64
	// ClosedPct and VisitedPct are the bar segments' widths; DonePct is the
	// share visited at all, rounded, for the label.
	ClosedPct, VisitedPct float64
	DonePct               int
}

type kecamatanProgress struct {
	areaProgress
	Desa []*areaProgress
	// Open: the page draws this kecamatan's desa bars. A regency has up
	// to some 850 desa, too many bars for a phone on a slow connection, so
	// only the kecamatan chosen (?kecamatan=) opens, or the only one.
	Open bool
	// URL opens this kecamatan's desa bars.
	URL string
}

type dashboardData struct {
	Cycles []store.Cycle
	// ChangesURL links the monthly change report, for those who read reports.
	ChangesURL string
	// YearURL and YearChart: the year-on-year report and its chart.
	YearURL   string
	YearChart template.HTML
	// CanOpenNext: Dinsos may open next year's cycle from this closed one.
	CanOpenNext bool
	Cycle       *store.Cycle
	Total       int64
	Funnel      []bar
	Stages      []bar
	Kecamatan   []*kecamatanProgress
	// CanClose: the caller closes cycles (Dinsos) and this one is open.
	CanClose bool
	// CanResume: the caller closes cycles and this one is closed with
	// households still waiting: if the close's fan-out stopped, the page
	// offers to start it again.
	CanResume bool
	// Close is the close form: the reason typed and its error.
	Close closeForm
	// Waiting counts households whose case has not ended: on a closed
	// cycle, those the close's fan-out has still to reach.
	Waiting int64
	// Cases counts the usul and sanggah in the caller's region.
	Cases store.CaseCounts
}

// closeForm is Dinsos' close (tutup buku) form.
type closeForm struct {
	Reason string
	Errors map[string]string
}

func (a *areaProgress) add(stage string, n int64) {
	a.Total += n
	switch stage {
	case string(domain.StageAwaitingVerification):
		a.NotVisited += n
	case string(domain.StageVerified):
		a.Visited += n
	default:
		a.Closed += n
	}
}

func (a *areaProgress) finish() {
	if a.Total == 0 {
		return
	}
	a.ClosedPct = 100 * float64(a.Closed) / float64(a.Total)
	a.VisitedPct = 100 * float64(a.Visited) / float64(a.Total)
	a.DonePct = int((100*(a.Closed+a.Visited) + a.Total/2) / a.Total)
}

// buildDashboard turns store.Progress rows into the funnel, the per-stage
// bars and the per-kecamatan, per-desa progress bars.
func buildDashboard(rows []store.ProgressRow) (total int64, funnel, stages []bar, kecs []*kecamatanProgress) {
	byStage := map[string]int64{}
	byKec := map[string]*kecamatanProgress{}
	byDesa := map[string]*areaProgress{}
	for _, r := range rows {
		k := byKec[r.KecamatanCode]
		if k == nil {
			k = &kecamatanProgress{areaProgress: areaProgress{Code: r.KecamatanCode, Name: regionName(r.KecamatanCode)}}
			byKec[r.KecamatanCode] = k
			kecs = append(kecs, k)
		}
		d := byDesa[r.DesaCode]
		if d == nil {
			d = &areaProgress{Code: r.DesaCode, Name: regionName(r.DesaCode)}
			byDesa[r.DesaCode] = d
			k.Desa = append(k.Desa, d)
		}
		d.add(r.Stage, r.Count)
		k.add(r.Stage, r.Count)
		byStage[r.Stage] += r.Count
		total += r.Count
	}
	for _, k := range kecs {
		k.finish()
		for _, d := range k.Desa {
			d.finish()
		}
	}
	pct := func(n int64) float64 {
		if total == 0 {
			return 0
		}
		return 100 * float64(n) / float64(total)
	}
	// The funnel: how many households have got at least this far.
	var terminal int64
	for _, s := range domain.Stages() {
		if s.Terminal() {
			terminal += byStage[string(s)]
		}
	}
	visited := total - byStage[string(domain.StageAwaitingVerification)]
	met := visited - byStage[string(domain.StageVerified)]
	for _, b := range []bar{
		{Label: "Data P3KE masuk", Count: total},
		{Label: "Sudah dikunjungi desa", Count: visited},
		{Label: "Disahkan musyawarah desa", Count: met},
		{Label: "Selesai (tahap akhir)", Count: terminal},
	} {
		b.Pct = pct(b.Count)
		funnel = append(funnel, b)
	}
	for _, s := range domain.Stages() {
		if n := byStage[string(s)]; n > 0 {
			stages = append(stages, bar{Label: stageName(string(s)), Stage: string(s), Count: n, Pct: pct(n)})
		}
	}
	return total, funnel, stages, kecs
}

// dashboard is the progress of a cycle in the caller's region: the funnel,
// households per stage, and per kecamatan and desa how far verification is.
func (h *pages) dashboard(c *gin.Context) {
	v := &view{}
	switch {
	case c.Query("ditutup") == "1":
		v.Flash = "Siklus ditutup (tutup buku). Keluarga yang masih menunggu sedang ditutup satu per satu; halaman ini mengikuti kemajuannya."
	case c.Query("lanjutan") == "1":
		v.Flash = "Siklus baru dibuka. Keluarga penerima dan keluarga yang belum selesai tahun lalu sedang dimasukkan untuk diverifikasi ulang; unggah data P3KE tahun ini untuk keluarga baru."
	case c.Query("dilanjutkan") == "1":
		v.Flash = "Penutupan dilanjutkan. Keluarga yang masih menunggu ditutup satu per satu; halaman ini mengikuti kemajuannya."
	}
	h.showDashboard(c, http.StatusOK, v, closeForm{})
}

func (h *pages) showDashboard(c *gin.Context, status int, v *view, form closeForm) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := dashboardData{Cycles: cycles, Cycle: cy, Close: form}
	if cy != nil {
		rows, err := h.d.Office.Progress(c.Request.Context(), caller(c), cy.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		d.Total, d.Funnel, d.Stages, d.Kecamatan = buildDashboard(rows)
		chosen := c.Query("kecamatan")
		for _, k := range d.Kecamatan {
			k.Open = len(d.Kecamatan) == 1 || k.Code == chosen
			k.URL = "/dasbor?" + url.Values{"siklus": {strconv.FormatInt(cy.ID, 10)}, "kecamatan": {k.Code}}.Encode() + "#kec-" + k.Code
		}
		for _, r := range rows {
			if !domain.Stage(r.Stage).Terminal() {
				d.Waiting += r.Count
			}
		}
		if d.Cases, err = h.d.Office.CaseCounts(c.Request.Context(), caller(c), cy.ID); err != nil {
			h.fail(c, err)
			return
		}
		d.CanClose = principal(c).Role == auth.RoleDinsos && cy.ClosedAt == nil
		if office.Allowed(office.StepReport, principal(c).Role) {
			d.ChangesURL = "/laporan-perubahan?siklus=" + strconv.FormatInt(cy.ID, 10)
			d.YearURL = "/laporan-tahunan?siklus=" + strconv.FormatInt(cy.ID, 10)
			rep, err := h.d.Office.YearOnYear(c.Request.Context(), caller(c), cy.ID)
			if err != nil {
				h.fail(c, err)
				return
			}
			d.YearChart = yearChart(rep)
		}
		d.CanResume = principal(c).Role == auth.RoleDinsos && cy.ClosedAt != nil && d.Waiting > 0
		d.CanOpenNext = principal(c).Role == auth.RoleDinsos && cy.ClosedAt != nil && d.Waiting == 0
		// While the close's fan-out runs, the page follows its progress.
		v.Refresh = cy.ClosedAt != nil && d.Waiting > 0
	}
	v.Title, v.Active, v.Data = "Dasbor kemajuan", "dasbor", d
	h.render(c, status, "dashboard", v)
}

// closeCycle closes a cycle (tutup buku) through the office (internal/office), then
// shows the dashboard following the close's progress.
func (h *pages) closeCycle(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.dashboardCycle(c)
	if !ok {
		return
	}
	form := closeForm{Reason: c.PostForm("alasan")}
	_, err := h.d.Office.CloseCycle(ctx, caller(c), cy, form.Reason)
	if e, msg, status, ok := refusal(err); ok {
		v := &view{}
		if e.Field == "reason" {
			form.Errors = map[string]string{"reason": msg}
		} else {
			v.Error = msg
		}
		h.showDashboard(c, status, v, form)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/dasbor?siklus=%d&ditutup=1", cy.ID))
}

// formCycle is the cycle a form names in its siklus field, within the
// caller's region (another region's is not found, and the page says so).
func (h *pages) formCycle(c *gin.Context) (*store.Cycle, bool) {
	cycleID, _ := strconv.ParseInt(c.PostForm("siklus"), 10, 64)
	cy, err := h.d.Office.Cycle(c.Request.Context(), caller(c), cycleID)
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return cy, true
}

// dashboardCycle is formCycle for the dashboard's own forms: the
// dashboard shown again after them is that cycle's.
func (h *pages) dashboardCycle(c *gin.Context) (*store.Cycle, bool) {
	cy, ok := h.formCycle(c)
	if ok {
		c.Request.URL.RawQuery = url.Values{"siklus": {strconv.FormatInt(cy.ID, 10)}}.Encode()
	}
	return cy, ok
}

// openNextCycle opens next year's cycle from the closed one shown (the same
// office step as POST /api/v1/cycles/{id}/next), then shows the new cycle.
func (h *pages) openNextCycle(c *gin.Context) {
	cy, ok := h.dashboardCycle(c)
	if !ok {
		return
	}
	next, err := h.d.Office.OpenNextCycle(c.Request.Context(), caller(c), cy)
	if _, msg, status, ok := refusal(err); ok {
		h.showDashboard(c, status, &view{Error: msg}, closeForm{})
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/dasbor?siklus=%d&lanjutan=1", next.Cycle.ID))
}

// resumeClose starts a closed cycle's close fan-out again, for when its
// progress stopped (the fan-out failed or an administrator stopped it);
// while it runs, pressing it changes nothing.
func (h *pages) resumeClose(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.dashboardCycle(c)
	if !ok {
		return
	}
	if cy.ClosedAt == nil {
		h.showDashboard(c, http.StatusConflict, &view{Error: "Siklus ini belum ditutup; tidak ada penutupan untuk dilanjutkan."}, closeForm{})
		return
	}
	if err := h.d.Office.ResumeCycleClose(ctx, caller(c), cy); err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/dasbor?siklus=%d&dilanjutkan=1", cy.ID))
}

type stuckRow struct {
	store.StuckCase
	DesaName    string
	Days        int
	TemporalURL string
}

type stuckData struct {
	Cycles   []store.Cycle
	Cycle    *store.Cycle
	Days     int
	Cases    []stuckRow
	QueryURL string
	Query    string
	// Page is the 1-based page shown; First is the number of its first
	// case. PrevURL and NextURL link the neighbouring pages ("" at the
	// ends), keeping the cycle and the number of days.
	Page, First      int
	PrevURL, NextURL string
	// Sanggah are the objections past their due date, undecided; the
	// caller opens them when MaySanggah.
	Sanggah    []store.Sanggah
	MaySanggah bool
}

// stuckPageSize is how many cases one page lists: on a village's phone a
// page of 50 stays a few tens of KB, and the Temporal Web UI query has the
// whole list at once.
const stuckPageSize = 50

// stuckPage lists the cases in one stage for longer than ?hari=N days
// (default 14), each with a link into the Temporal Web UI, a page of
// stuckPageSize at a time (?halaman=N), and the ready Web UI query for the
// whole list.
func (h *pages) stuckPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := stuckData{Cycles: cycles, Cycle: cy, Days: 14, Page: 1}
	if n, err := strconv.Atoi(c.Query("hari")); err == nil && n >= 0 && n <= 3650 {
		d.Days = n
	}
	// The bound keeps the offset's multiplication far from overflow.
	if n, err := strconv.Atoi(c.Query("halaman")); err == nil && n >= 1 && n <= 1_000_000 {
		d.Page = n
	}
	if cy != nil {
		now := h.d.Office.Now()
		before := now.Add(-time.Duration(d.Days) * 24 * time.Hour)
		offset := (d.Page - 1) * stuckPageSize
		// One more than a page says whether a next page exists.
		cases, err := h.d.Office.Stuck(c.Request.Context(), caller(c), cy.ID, before, stuckPageSize+1, offset)
		if err != nil {
			h.fail(c, err)
			return
		}
		more := len(cases) > stuckPageSize
		if more {
			cases = cases[:stuckPageSize]
		}
		for _, sc := range cases {
			r := stuckRow{StuckCase: sc, DesaName: regionName(sc.DesaCode), Days: int(now.Sub(sc.StageEnteredAt).Hours() / 24)}
			if h.d.WorkflowURL != nil {
				r.TemporalURL = h.d.WorkflowURL(cy.ID, sc.HouseholdID)
			}
			d.Cases = append(d.Cases, r)
		}
		d.First = offset + 1
		page := func(n int) string {
			q := url.Values{"siklus": {strconv.FormatInt(cy.ID, 10)}, "hari": {strconv.Itoa(d.Days)}}
			if n > 1 {
				q.Set("halaman", strconv.Itoa(n))
			}
			return "/macet?" + q.Encode()
		}
		if d.Page > 1 {
			d.PrevURL = page(d.Page - 1)
		}
		if more {
			d.NextURL = page(d.Page + 1)
		}
		if d.Sanggah, err = h.d.Office.StuckSanggah(c.Request.Context(), caller(c), cy.ID, 200); err != nil {
			h.fail(c, err)
			return
		}
		d.MaySanggah = office.Allowed(office.StepReadSanggah, principal(c).Role)
		if h.d.StuckQueryURL != nil {
			d.QueryURL = h.d.StuckQueryURL(principal(c), cy, before)
			if u, err := url.Parse(d.QueryURL); err == nil {
				d.Query = u.Query().Get("query")
			}
		}
	}
	h.render(c, http.StatusOK, "stuck", &view{Title: "Kasus macet", Active: "macet", Data: d})
}
