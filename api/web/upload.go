package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
)

type uploadData struct {
	Cycles []store.Cycle
	Cycle  *store.Cycle
	// ScopeSaved: the scope form was just saved.
	ScopeSaved bool
	// Errors are the form's messages by field.
	Errors map[string]string
	// References are the cycle's families outside its scope, per desil,
	// in the caller's region.
	References []store.DesilCount
}

// ReferenceTotal adds up References.
func (d uploadData) ReferenceTotal() store.DesilCount {
	var t store.DesilCount
	for _, r := range d.References {
		t.Families += r.Families
		t.Members += r.Members
	}
	return t
}

// renderUpload shows the upload page with d, its cycle's reference counts
// loaded.
func (h *pages) renderUpload(c *gin.Context, status int, v *view, d uploadData) {
	if d.Cycle != nil {
		var err error
		if d.References, err = h.d.Office.ReferenceCounts(c.Request.Context(), caller(c), d.Cycle.ID); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Title, v.Active, v.Data = "Unggah data P3KE", "unggah", d
	h.render(c, status, "upload", v)
}

// uploadColumn is a column of the P3KE file as the upload page lists it.
type uploadColumn struct {
	Name     string
	Required bool
}

// SampleSize is how many families the sample file holds.
func (uploadData) SampleSize() int { return office.SampleIntakeSize }

// Columns are the P3KE file's columns, required ones marked (docs/p3ke.md).
func (uploadData) Columns() []uploadColumn {
	req := p3ke.RequiredColumns()
	var out []uploadColumn
	for _, n := range p3ke.Columns() {
		out = append(out, uploadColumn{Name: n, Required: slices.Contains(req, n)})
	}
	return out
}

// Scopes are the desil a cycle's scope may end at (office.MaxScope).
func (uploadData) Scopes() []int {
	out := make([]int, office.MaxScope)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// setScope is POST /unggah/cakupan: the form's cycle verifies desil 1 to
// the form's desil (before its first upload; the page says why otherwise).
func (h *pages) setScope(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	desil, _ := strconv.Atoi(c.PostForm("desil"))
	_, err := h.d.Office.SetCycleScope(ctx, caller(c), cy, desil)
	if _, msg, status, ok := refusal(err); ok {
		cycles, err := h.d.Office.Cycles(ctx, caller(c))
		if err != nil {
			h.fail(c, err)
			return
		}
		h.renderUpload(c, status, &view{Error: msg}, uploadData{Cycles: cycles, Cycle: cy, Errors: map[string]string{"desil": msg}})
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/unggah?siklus=%d&cakupan=1", cy.ID))
}

// uploadLimit bounds the upload form's post: the file and a little for the
// other fields and the multipart framing.
func (h *pages) uploadLimit() int64 { return h.d.Office.MaxIntakeFile() + 1<<20 }

// uploadPage is Dinsos' P3KE upload. The form posts the file to POST
// /unggah (upload), which checks the session's CSRF token like every
// page's form and hands the file to the office's intake step; the page's
// script shows the upload's progress and then opens the intake's page.
func (h *pages) uploadPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.renderUpload(c, http.StatusOK, &view{}, uploadData{Cycles: cycles, Cycle: cy, ScopeSaved: c.Query("cakupan") == "1"})
}

// sampleFile is GET /unggah/contoh.csv: a small valid P3KE file of made-up
// families for the chosen cycle's regency, to see the columns and try the
// upload with.
func (h *pages) sampleFile(c *gin.Context) {
	_, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if cy == nil {
		h.fail(c, domain.Err(domain.CodeNotFound))
		return
	}
	var buf bytes.Buffer
	if err := h.d.Office.SampleIntakeFile(caller(c), cy, &buf); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="contoh-p3ke-%s.csv"`, strings.ReplaceAll(cy.RegencyCode, ".", "")))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// upload takes a P3KE file into the cycle named by the form's siklus (one
// outside the caller's region is not found) and
// opens the intake's page. A file that cannot be read as P3KE comes back
// on the form with the reason, in Indonesian, next to the file field.
func (h *pages) upload(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	cycles, err := h.d.Office.Cycles(ctx, caller(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	d := uploadData{Cycles: cycles, Cycle: cy, Errors: map[string]string{}}
	limit := h.uploadLimit() - 1<<20
	fh, err := c.FormFile("file")
	switch {
	case err != nil || fh.Size == 0:
		d.Errors["file"] = "Pilih berkas P3KE (CSV atau XLSX)."
	case fh.Size > limit:
		d.Errors["file"] = fmt.Sprintf("Berkas lebih dari %d MB; pecah per kecamatan lalu unggah satu per satu.", limit>>20)
	default:
		in, err := h.startIntake(c, cy, fh)
		var fe *p3ke.FormatError
		switch {
		case errors.As(err, &fe):
			d.Errors["file"] = "Berkas tidak dapat dibaca sebagai data P3KE: " + formatReason(fe)
		case err != nil:
			h.fail(c, err)
			return
		default:
			redirect(c, fmt.Sprintf("/unggah/%d", in.ID))
			return
		}
	}
	h.renderUpload(c, http.StatusUnprocessableEntity, &view{Error: "Berkas belum diunggah. Periksa isian yang ditandai."}, d)
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
	in, cy, err := h.d.Office.Intake(ctx, caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := intakeData{In: in, Cycle: cy, Running: in.Status == store.IntakeQueued || in.Status == store.IntakeRunning}
	d.Starting = d.Running && in.WorkflowsStarted > 0 && in.HouseholdsStored > 0
	if d.Issues, d.Total, err = h.d.Office.IntakeIssues(ctx, caller(c), in, intakeIssuesShown, 0); err != nil {
		h.fail(c, err)
		return
	}
	v := &view{Title: "Unggahan P3KE " + in.FileName, Active: "unggah", Refresh: d.Running, Data: d}
	if c.Query("dilanjutkan") == "1" {
		v.Flash = "Unggahan dilanjutkan dari baris yang sudah tersimpan; halaman ini mengikuti kemajuannya."
	}
	h.render(c, http.StatusOK, "intake", v)
}

// resumeIntake starts an intake's workflow again, for when its progress
// stopped (the workflow was terminated in the Temporal Web UI or failed);
// while it runs, or once the intake has ended, pressing it changes nothing.
func (h *pages) resumeIntake(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	in, err := h.d.Office.ResumeIntake(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/unggah/%d?dilanjutkan=1", in.ID))
}

// startIntake hands the uploaded file to the office, which reads it from
// the request's temporary file twice, never whole.
func (h *pages) startIntake(c *gin.Context, cy *store.Cycle, fh *multipart.FileHeader) (*store.Intake, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return h.d.Office.StartIntake(c.Request.Context(), caller(c), cy, office.Upload{Name: fh.Filename, Size: fh.Size, File: f})
}
