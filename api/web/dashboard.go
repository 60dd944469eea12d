package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
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
}

type dashboardData struct {
	Cycles    []store.Cycle
	Cycle     *store.Cycle
	Total     int64
	Funnel    []bar
	Stages    []bar
	Kecamatan []*kecamatanProgress
}

func (a *areaProgress) add(stage string, n int64) {
	a.Total += n
	switch stage {
	case string(workflows.StageAwaitingVerification):
		a.NotVisited += n
	case string(workflows.StageVerified):
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
	for _, s := range workflows.Stages() {
		if s.Terminal() {
			terminal += byStage[string(s)]
		}
	}
	visited := total - byStage[string(workflows.StageAwaitingVerification)]
	met := visited - byStage[string(workflows.StageVerified)]
	for _, b := range []bar{
		{Label: "Data P3KE masuk", Count: total},
		{Label: "Sudah dikunjungi desa", Count: visited},
		{Label: "Disahkan musyawarah desa", Count: met},
		{Label: "Selesai (tahap akhir)", Count: terminal},
	} {
		b.Pct = pct(b.Count)
		funnel = append(funnel, b)
	}
	for _, s := range workflows.Stages() {
		if n := byStage[string(s)]; n > 0 {
			stages = append(stages, bar{Label: stageName(string(s)), Stage: string(s), Count: n, Pct: pct(n)})
		}
	}
	return total, funnel, stages, kecs
}

// dashboard is the progress of a cycle in the caller's region: the funnel,
// households per stage, and per kecamatan and desa how far verification is.
func (h *pages) dashboard(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := dashboardData{Cycles: cycles, Cycle: cy}
	if cy != nil {
		rows, err := h.d.Store.Progress(c.Request.Context(), principal(c), cy.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		d.Total, d.Funnel, d.Stages, d.Kecamatan = buildDashboard(rows)
	}
	h.render(c, http.StatusOK, "dashboard", &view{Title: "Dasbor kemajuan", Active: "dasbor", Data: d})
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
	// Limited: the list stopped at its bound; the Temporal query has them all.
	Limited bool
}

// stuckLimit bounds the list; the Temporal Web UI query finds the rest.
const stuckLimit = 500

// stuckPage lists the cases in one stage for longer than ?hari=N days
// (default 14), each with a link into the Temporal Web UI, and the ready
// Web UI query for the whole list.
func (h *pages) stuckPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := stuckData{Cycles: cycles, Cycle: cy, Days: 14}
	if n, err := strconv.Atoi(c.Query("hari")); err == nil && n >= 0 && n <= 3650 {
		d.Days = n
	}
	if cy != nil {
		now := h.d.Now()
		before := now.Add(-time.Duration(d.Days) * 24 * time.Hour)
		cases, err := h.d.Store.Stuck(c.Request.Context(), principal(c), cy.ID, before, h.d.StuckStages, stuckLimit)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, sc := range cases {
			r := stuckRow{StuckCase: sc, DesaName: regionName(sc.DesaCode), Days: int(now.Sub(sc.StageEnteredAt).Hours() / 24)}
			if h.d.WorkflowURL != nil {
				r.TemporalURL = h.d.WorkflowURL(cy.ID, sc.HouseholdID)
			}
			d.Cases = append(d.Cases, r)
		}
		d.Limited = len(cases) == stuckLimit
		if h.d.StuckQueryURL != nil {
			d.QueryURL = h.d.StuckQueryURL(cy, before)
			if u, err := url.Parse(d.QueryURL); err == nil {
				d.Query = u.Query().Get("query")
			}
		}
	}
	h.render(c, http.StatusOK, "stuck", &view{Title: "Kasus macet", Active: "macet", Data: d})
}
