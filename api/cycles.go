package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

type createCycleRequest struct {
	RegencyCode      string `json:"regencyCode"`
	Year             int    `json:"year"`
	VerificationDays int    `json:"verificationDays"`
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
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"regencyCode\":\"35.05\",\"year\":2026}"))
		return
	}
	p := principal(c)
	code, err := wilayah.Normalize(req.RegencyCode)
	if err != nil || wilayah.LevelOf(code) != wilayah.LevelRegency {
		s.fail(c, unprocessable("regencyCode", "must be a regency or city code such as 35.05"))
		return
	}
	if _, ok := wilayah.Default().Name(code); !ok {
		s.fail(c, unprocessable("regencyCode", "names no regency or city in the 2025 Kemendagri list"))
		return
	}
	if !p.Covers(code) {
		s.fail(c, unprocessable("regencyCode", "is outside your region"))
		return
	}
	if req.Year < 2020 || req.Year > 2100 {
		s.fail(c, unprocessable("year", "must be a year such as 2026"))
		return
	}
	if req.VerificationDays == 0 {
		req.VerificationDays = 30
	}
	if req.VerificationDays < 1 || req.VerificationDays > 365 {
		s.fail(c, unprocessable("verificationDays", "must be between 1 and 365"))
		return
	}
	cy := store.Cycle{RegencyCode: code, Year: req.Year, VerificationDays: req.VerificationDays, CreatedBy: p.UserID, OpenedAt: s.deps.Now().UTC()}
	ctx := c.Request.Context()
	if err := s.deps.Store.CreateCycle(ctx, &cy); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, cy.ID, nil, "cycle.create", map[string]any{"regencyCode": code, "year": req.Year})
	c.JSON(http.StatusCreated, viewCycle(cy))
}

func (s *Server) listCycles(c *gin.Context) {
	cs, err := s.deps.Store.ListCycles(c.Request.Context(), principal(c))
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

func (s *Server) getCycle(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, viewCycle(*cy))
}

// cycle loads the :id cycle if the caller may see it, answering 404 otherwise.
func (s *Server) cycle(c *gin.Context) (*store.Cycle, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	cy, err := s.deps.Store.GetCycle(c.Request.Context(), principal(c), id)
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

// audit appends an API-level action to the audit chain, after the action
// (a failure is logged: the action has happened). Actions that hand out
// personal data use auditBefore instead.
func (s *Server) audit(c *gin.Context, cycleID int64, householdID *int64, action string, detail any) {
	s.auditAs(c.Request.Context(), actor(c), cycleID, householdID, action, detail)
}

// auditBefore appends the entry and reports whether it was written: a
// handler that hands out full numbers gives nothing when it was not (no
// audit, no data).
func (s *Server) auditBefore(c *gin.Context, cycleID int64, householdID *int64, action string, detail any) error {
	return s.appendAudit(c.Request.Context(), actor(c), cycleID, householdID, action, detail)
}

// auditAs is audit for a step the web pages share (see webOffice), whose
// caller comes as an AuditActor.
func (s *Server) auditAs(ctx context.Context, a store.AuditActor, cycleID int64, householdID *int64, action string, detail any) {
	if err := s.appendAudit(ctx, a, cycleID, householdID, action, detail); err != nil {
		s.deps.Log.Error("audit append failed", "action", action, "requestId", a.RequestID, "err", err)
	}
}

// appendAudit writes one API-level entry, under a key of its own
// (store.UniqueAuditKey): an HTTP handler runs once per request, so no
// retry needs the key to repeat.
func (s *Server) appendAudit(ctx context.Context, a store.AuditActor, cycleID int64, householdID *int64, action string, detail any) error {
	return s.deps.Store.AppendAuditEntry(ctx, store.AuditEntry{
		IdemKey: store.UniqueAuditKey(action, a.RequestID), At: s.deps.Now(), ActorID: a.UserID, ActorRole: a.Role,
		RequestID: a.RequestID, CycleID: cycleID, HouseholdID: householdID, Action: action, Detail: store.JSON(detail),
	})
}

// actor is the caller as recorded in workflow inputs and the audit trail.
func actor(c *gin.Context) store.AuditActor {
	p := principal(c)
	return store.AuditActor{UserID: p.UserID, Role: string(p.Role), RequestID: c.GetString(requestIDKey)}
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
	rows, err := s.deps.Store.Progress(c.Request.Context(), principal(c), cy.ID)
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

// stuckStages are the stages a case can be stuck in (not final).
var stuckStages = []string{"awaiting_verification", "verified", "awaiting_decree", "awaiting_proposal", "awaiting_kemensos"}

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
	before := s.deps.Now().Add(-time.Duration(days) * 24 * time.Hour)
	cases, err := s.deps.Store.Stuck(c.Request.Context(), principal(c), cy.ID, before, stuckStages, 500, 0)
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
	c.JSON(http.StatusOK, gin.H{"days": days, "before": before.UTC(), "cases": out, "temporalQueryUrl": s.stuckQueryURL(principal(c), cy, before)})
}

// requireRegion refuses a code outside the caller's region.
func requireRegion(p auth.Principal, field, code string) error {
	if !p.Covers(code) {
		return unprocessable(field, "is outside your region")
	}
	return nil
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
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"reason\":\"...\"}"))
		return
	}
	closed, err := s.closeCycleAs(c.Request.Context(), actor(c), cy, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, viewCycle(*closed))
}

// closeCycleAs closes cy with reason and starts the close's fan-out; the
// JSON API and the dashboard both close through it. A missing reason is a
// *store.InvalidError; a cycle already closed is store.ErrCycleClosed.
func (s *Server) closeCycleAs(ctx context.Context, a store.AuditActor, cy *store.Cycle, reason string) (*store.Cycle, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, &store.InvalidError{Field: "reason", Msg: "say why the cycle is closed (at most 500 characters)"}
	}
	closed, err := s.deps.Store.CloseCycle(ctx, cy.ID, reason, a)
	if errors.Is(err, store.ErrCycleClosed) && cy.ClosedAt != nil {
		// Closed before, perhaps by a request whose fan-out did not start:
		// start it (a no-op if it runs or ran), then answer the conflict.
		if serr := s.startCycleClose(ctx, cy); serr != nil {
			return nil, serr
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.startCycleClose(ctx, closed); err != nil {
		return nil, err
	}
	return closed, nil
}

// startCycleClose starts the fan-out of a closed cycle; its workflow ID
// names the cycle, so a second start is a no-op while it runs or after it
// completed, and starts it again after it failed or was terminated (each
// household takes the close once: the Update's ID names the cycle).
func (s *Server) startCycleClose(ctx context.Context, cy *store.Cycle) error {
	_, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.CycleCloseWorkflowID(cy.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CloseCycleWorkflow, workflows.CloseCycleInput{CycleID: cy.ID, Reason: cy.CloseReason})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
