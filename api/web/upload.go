package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/store"
)

type uploadData struct {
	Cycles []store.Cycle
	Cycle  *store.Cycle
}

// uploadPage is Dinsos' P3KE upload. The form posts the file straight to
// POST /api/v1/cycles/{id}/intake, the API's one intake path, with the
// session cookie (the API checks that the post is same-origin); the page's
// script shows the upload's progress and then opens the intake's page.
func (h *pages) uploadPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "upload", &view{Title: "Unggah data P3KE", Active: "unggah", Data: uploadData{Cycles: cycles, Cycle: cy}})
}

type intakeData struct {
	In    *store.Intake
	Cycle *store.Cycle
	// Running: the intake is not finished; the page polls
	// GET /api/v1/intakes/{id} (or, without JavaScript, reloads).
	Running bool
	// Starting: the rows are stored and the households' cases are being
	// started, so the bar can show started / stored.
	Starting bool
	Issues   []store.IntakeIssue
	Total    int64
}

// intakeIssuesShown is how many row issues the page lists; the CSV report
// has them all.
const intakeIssuesShown = 20

// intakePage shows an intake's progress with a live bar, its row issues and
// the link to the full row-error report (the API's CSV, which the session
// cookie opens).
func (h *pages) intakePage(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in, cy, err := h.d.Store.IntakeFor(ctx, principal(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := intakeData{In: in, Cycle: cy, Running: in.Status == store.IntakeQueued || in.Status == store.IntakeRunning}
	d.Starting = d.Running && in.WorkflowsStarted > 0 && in.HouseholdsStored > 0
	if d.Issues, d.Total, err = h.d.Store.IntakeIssues(ctx, in.ID, intakeIssuesShown, 0); err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "intake", &view{Title: "Unggahan P3KE " + in.FileName, Active: "unggah", Refresh: d.Running, Data: d})
}
