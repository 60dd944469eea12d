package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// listTasks lists the caller's verification tasks. Filters: cycle, status
// (open, submitted, closed), desa, overdue=true, q (name or address);
// paginated with page and perPage.
func (s *Server) listTasks(c *gin.Context) {
	f := store.TaskFilter{Status: c.Query("status"), Desa: c.Query("desa"), Query: c.Query("q"), Overdue: c.Query("overdue") == "true"}
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
	switch f.Status {
	case "", store.TaskOpen, store.TaskSubmitted, store.TaskClosed:
	default:
		s.fail(c, badRequest("status", "must be open, submitted or closed"))
		return
	}
	tasks, total, err := s.deps.Store.ListTasks(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if tasks == nil {
		tasks = []store.TaskView{}
	}
	p := principal(c)
	for i := range tasks {
		maskTask(p, &tasks[i])
	}
	c.JSON(http.StatusOK, gin.H{"tasks": tasks, "total": total, "page": max(f.Page, 1)})
}

func (s *Server) getTask(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	maskTask(principal(c), t)
	c.JSON(http.StatusOK, t)
}

// maskTask hides the family's name and address from the roles that do not
// work with it, as getHousehold does: an administrator fixing a stuck case
// does not need them.
func maskTask(p auth.Principal, t *store.TaskView) {
	if !p.Is(auth.RoleVillage, auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati) {
		t.Name, t.Address = maskName(t.Name), "(hidden)"
	}
}

func (s *Server) task(c *gin.Context) (*store.TaskView, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	t, err := s.deps.Store.GetTask(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return t, true
}

// ResultRequest is a visit result as the API takes it.
type ResultRequest struct {
	// Version is the task version being corrected; 0 for a first result.
	Version     int              `json:"version"`
	Outcome     string           `json:"outcome"`
	VisitDate   string           `json:"visitDate"`
	DuplicateOf int64            `json:"duplicateOf,omitempty"`
	Indicators  store.Indicators `json:"indicators"`
	Note        string           `json:"note,omitempty"`
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
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be a JSON visit result"))
		return
	}
	updateID, err := s.updateID(c, "visit", t.HouseholdID)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if req.DuplicateOf != 0 && req.DuplicateOf != t.HouseholdID {
		// The duplicate must be a household of the same cycle the officer can see.
		d, err := s.deps.Store.GetHousehold(ctx, principal(c), req.DuplicateOf)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.CycleID != t.CycleID) {
			s.fail(c, unprocessable("duplicateOf", "names no household of this cycle in your village"))
			return
		} else if err != nil {
			s.fail(c, err)
			return
		}
	}
	resp, err := s.cases().SubmitVerification(ctx, t.CycleID, t.HouseholdID, updateID, workflows.VerificationRequest{
		Actor:           workflows.Actor(actor(c)),
		ExpectedVersion: req.Version, Outcome: workflows.Outcome(req.Outcome), VisitDate: req.VisitDate,
		DuplicateOf: req.DuplicateOf, Indicators: req.Indicators, Note: strings.TrimSpace(req.Note),
	})
	if err != nil {
		s.fail(c, caseError(err))
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
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"reason\":\"...\"}"))
		return
	}
	updateID, err := s.updateID(c, "reopen", t.HouseholdID)
	if err != nil {
		s.fail(c, err)
		return
	}
	resp, err := s.cases().Reopen(c.Request.Context(), t.CycleID, t.HouseholdID, updateID, workflows.ReopenRequest{
		Actor: workflows.Actor(actor(c)), Reason: strings.TrimSpace(req.Reason),
	})
	if err != nil {
		s.fail(c, caseError(err))
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
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"assigneeId\":123}"))
		return
	}
	if err := s.deps.Store.AssignTask(c.Request.Context(), t.HouseholdID, t.DesaCode, req.AssigneeID, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": t.HouseholdID, "assigneeId": req.AssigneeID})
}

// updateID builds the Temporal Update ID from the Idempotency-Key header,
// scoped to the caller and the household so keys cannot collide across
// users; without the header every request is new.
func (s *Server) updateID(c *gin.Context, kind string, householdID int64) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		key = hex.EncodeToString(b[:])
	} else if len(key) > 100 {
		return "", badRequest("Idempotency-Key", "must be at most 100 characters")
	}
	return fmt.Sprintf("%s-%d-u%d-%s", kind, householdID, principal(c).UserID, key), nil
}

func (s *Server) cases() workflows.Cases {
	return workflows.Cases{Client: s.deps.Temporal, Namespace: s.deps.TemporalNamespace, ResetSticky: s.deps.ResetSticky}
}

// caseError maps Temporal's answers about a household workflow: a finished
// case can no longer take human steps.
func caseError(err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) || strings.Contains(err.Error(), "workflow execution already completed") {
		return &workflows.ValidationError{Kind: workflows.KindClosed, Message: "this household's case has ended"}
	}
	return err
}
