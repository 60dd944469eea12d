package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// listTasks lists the caller's verification tasks. Filters: cycle, status
// (open, submitted, closed), desa, overdue=true, q (name or address);
// paginated with page and perPage.
func (s *Server) listTasks(c *gin.Context) {
	f := store.TaskFilter{Status: domain.TaskStatus(c.Query("status")), Desa: c.Query("desa"), Query: c.Query("q"), Overdue: c.Query("overdue") == "true"}
	var err error
	for _, q := range []struct {
		name string
		dst  *int
	}{{"page", &f.Page}, {"perPage", &f.PerPage}} {
		if v := c.Query(q.name); v != "" {
			if *q.dst, err = strconv.Atoi(v); err != nil || *q.dst < 1 {
				s.fail(c, badRequest(q.name, "must be a positive whole number"))
				return
			}
		}
	}
	if v := c.Query("cycle"); v != "" {
		if f.CycleID, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.fail(c, badRequest("cycle", "must be a cycle id"))
			return
		}
	}
	tasks, total, err := s.deps.Office.Tasks(c.Request.Context(), caller(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if tasks == nil {
		tasks = []store.TaskView{}
	}
	c.JSON(http.StatusOK, gin.H{"tasks": tasks, "total": total, "page": max(f.Page, 1)})
}

func (s *Server) getTask(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, t)
}

func (s *Server) task(c *gin.Context) (*store.TaskView, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	t, err := s.deps.Office.Task(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return t, true
}

// ResultRequest is a visit result as the API takes it.
type ResultRequest struct {
	// Version is the task version being corrected; 0 for a first result.
	Version     int               `json:"version"`
	Outcome     string            `json:"outcome"`
	VisitDate   string            `json:"visitDate"`
	DuplicateOf int64             `json:"duplicateOf,omitempty"`
	Indicators  domain.Indicators `json:"indicators"`
	Note        string            `json:"note,omitempty"`
	// Location is where the phone was (optional): kept beside the case,
	// a visit without one is flagged for the TKSK.
	Location *office.Location `json:"location,omitempty"`
}

// submitResult records a village visit through the household workflow's
// Update; the workflow's validator decides, so a refused result leaves no
// trace. An Idempotency-Key header makes a retried submission apply once.
func (s *Server) submitResult(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	var req ResultRequest
	if !s.bind(c, &req, "must be a JSON visit result") {
		return
	}
	resp, err := s.deps.Office.SubmitResult(c.Request.Context(), caller(c), t, c.GetHeader("Idempotency-Key"), office.VisitResult{
		Version: req.Version, Outcome: domain.Outcome(req.Outcome), VisitDate: req.VisitDate,
		DuplicateOf: req.DuplicateOf, Indicators: req.Indicators, Note: req.Note, Location: req.Location,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": t.HouseholdID, "version": resp.Version, "stage": resp.Stage})
}

type reopenRequest struct {
	Reason string `json:"reason"`
}

// reopenTask sends a household back to village verification (TKSK, Dinsos).
func (s *Server) reopenTask(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	var req reopenRequest
	if !s.bind(c, &req, "must be JSON: {\"reason\":\"...\"}") {
		return
	}
	resp, err := s.deps.Office.Reopen(c.Request.Context(), caller(c), t, c.GetHeader("Idempotency-Key"), req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": t.HouseholdID, "stage": resp.Stage, "dueAt": resp.DueAt})
}

type assignRequest struct {
	AssigneeID int64 `json:"assigneeId"`
}

// assignTask gives a task to one village officer of its desa (TKSK, Dinsos);
// assigneeId 0 gives it back to the whole desa.
func (s *Server) assignTask(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	var req assignRequest
	if !s.bind(c, &req, "must be JSON: {\"assigneeId\":123}") {
		return
	}
	if err := s.deps.Office.Assign(c.Request.Context(), caller(c), t, req.AssigneeID); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": t.HouseholdID, "assigneeId": req.AssigneeID})
}
