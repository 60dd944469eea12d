package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

type createCycleRequest struct {
	RegencyCode      string `json:"regencyCode"`
	Year             int    `json:"year"`
	VerificationDays int    `json:"verificationDays"`
	MaxDesil         int    `json:"maxDesil"`
	SanggahDays      int    `json:"sanggahDays"`
	OpenedOn         string `json:"openedOn"`
}

// cycleView is a cycle with its regency's name.
type cycleView struct {
	store.Cycle
	RegencyName string `json:"regencyName"`
}

func viewCycle(c store.Cycle) cycleView {
	name, _ := wilayah.Default().Name(c.RegencyCode)
	return cycleView{Cycle: c, RegencyName: name}
}

// createCycle opens a cycle for one regency and year (Dinsos, admin).
func (s *Server) createCycle(c *gin.Context) {
	var req createCycleRequest
	if !s.bind(c, &req, "must be JSON: {\"regencyCode\":\"35.05\",\"year\":2026}") {
		return
	}
	cy, err := s.deps.Office.CreateCycle(c.Request.Context(), caller(c), office.NewCycle(req))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewCycle(*cy))
}

func (s *Server) listCycles(c *gin.Context) {
	cs, err := s.deps.Office.Cycles(c.Request.Context(), caller(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]cycleView, len(cs))
	for i, cy := range cs {
		out[i] = viewCycle(cy)
	}
	c.JSON(http.StatusOK, gin.H{"cycles": out})
}

// cycleDetail is one cycle's answer: the cycle, and its families outside
// the scope (kept as reference, not verified) counted per desil inside
// the caller's region.
type cycleDetail struct {
	cycleView
	References []store.DesilCount `json:"references"`
}

func (s *Server) getCycle(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	refs, err := s.deps.Office.ReferenceCounts(c.Request.Context(), caller(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if refs == nil {
		refs = []store.DesilCount{}
	}
	c.JSON(http.StatusOK, cycleDetail{cycleView: viewCycle(*cy), References: refs})
}

// cycle loads the :id cycle if the caller may see it, answering 404 otherwise.
func (s *Server) cycle(c *gin.Context) (*store.Cycle, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	cy, err := s.deps.Office.Cycle(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return cy, true
}

// pathID parses the :id path parameter; a malformed id is simply not found.
func (s *Server) pathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, store.ErrNotFound)
		return 0, false
	}
	return id, true
}

// caller is who takes the request's step, for the office.
func caller(c *gin.Context) office.Caller {
	return office.Caller{Principal: principal(c), RequestID: c.GetString(requestIDKey)}
}

type progressDesa struct {
	Code    string           `json:"code"`
	Name    string           `json:"name"`
	Total   int64            `json:"total"`
	ByStage map[string]int64 `json:"byStage"`
}

type progressKecamatan struct {
	progressDesa
	Desa []*progressDesa `json:"desa"`
}

// progress counts a cycle's households per stage, per kecamatan and desa,
// inside the caller's region.
func (s *Server) progress(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	rows, err := s.deps.Office.Progress(c.Request.Context(), caller(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, buildProgress(cy.ID, rows))
}

func buildProgress(cycleID int64, rows []store.ProgressRow) gin.H {
	w := wilayah.Default()
	kecs := []*progressKecamatan{} // [] rather than null when nothing is in the region
	byKec := map[string]*progressKecamatan{}
	byDesa := map[string]*progressDesa{}
	totals := map[string]int64{}
	var total int64
	for _, r := range rows {
		k := byKec[r.KecamatanCode]
		if k == nil {
			name, _ := w.Name(r.KecamatanCode)
			k = &progressKecamatan{progressDesa: progressDesa{Code: r.KecamatanCode, Name: name, ByStage: map[string]int64{}}}
			byKec[r.KecamatanCode] = k
			kecs = append(kecs, k)
		}
		d := byDesa[r.DesaCode]
		if d == nil {
			name, _ := w.Name(r.DesaCode)
			d = &progressDesa{Code: r.DesaCode, Name: name, ByStage: map[string]int64{}}
			byDesa[r.DesaCode] = d
			k.Desa = append(k.Desa, d)
		}
		d.ByStage[r.Stage] += r.Count
		d.Total += r.Count
		k.ByStage[r.Stage] += r.Count
		k.Total += r.Count
		totals[r.Stage] += r.Count
		total += r.Count
	}
	return gin.H{"cycleId": cycleID, "total": total, "byStage": totals, "kecamatan": kecs}
}

// stuck lists cases in one stage longer than ?days=N (default 14), with a
// link to each in the Temporal Web UI.
func (s *Server) stuck(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	days := 14
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			s.fail(c, badRequest("days", "must be a whole number of days"))
			return
		}
		days = n
	}
	before := s.deps.Office.Now().Add(-time.Duration(days) * 24 * time.Hour)
	cases, err := s.deps.Office.Stuck(c.Request.Context(), caller(c), cy.ID, before, 500, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	type item struct {
		store.StuckCase
		TemporalURL string `json:"temporalUrl"`
	}
	out := make([]item, len(cases))
	for i, sc := range cases {
		out[i] = item{StuckCase: sc, TemporalURL: s.workflowURL(cy.ID, sc.HouseholdID)}
	}
	overdue, err := s.deps.Office.StuckSanggah(c.Request.Context(), caller(c), cy.ID, 500)
	if err != nil {
		s.fail(c, err)
		return
	}
	sanggah := make([]sanggahView, len(overdue))
	for i := range overdue {
		sanggah[i] = s.viewSanggah(&overdue[i])
	}
	c.JSON(http.StatusOK, gin.H{"days": days, "before": before.UTC(), "cases": out, "sanggah": sanggah,
		"temporalQueryUrl": s.stuckQueryURL(principal(c), cy, before)})
}

type closeCycleRequest struct {
	Reason string `json:"reason"`
}

// closeCycle closes a cycle (tutup buku, Dinsos of its regency): the close
// is recorded and audited, and a fan-out ends every household still
// waiting in stage closed. A cycle already closed is 409.
func (s *Server) closeCycle(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req closeCycleRequest
	if !s.bind(c, &req, "must be JSON: {\"reason\":\"...\"}") {
		return
	}
	closed, err := s.deps.Office.CloseCycle(c.Request.Context(), caller(c), cy, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, viewCycle(*closed))
}

// openNextCycle opens next year's cycle from this closed one, carrying its
// enrolled and unfinished households into re-verification (Dinsos).
func (s *Server) openNextCycle(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	next, err := s.deps.Office.OpenNextCycle(c.Request.Context(), caller(c), cy)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"cycle": viewCycle(*next.Cycle), "intakeId": next.IntakeID})
}

type cycleScopeRequest struct {
	MaxDesil int `json:"maxDesil"`
}

// setCycleScope sets which desil enter the cycle's verification (Dinsos,
// admin), before its first upload.
func (s *Server) setCycleScope(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req cycleScopeRequest
	if !s.bind(c, &req, "must be JSON: {\"maxDesil\":4}") {
		return
	}
	out, err := s.deps.Office.SetCycleScope(c.Request.Context(), caller(c), cy, req.MaxDesil)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewCycle(*out))
}
