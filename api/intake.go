package api

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// maxIntakeFile bounds an upload: 150,000 desil-1 rows (the largest
// regency) are about 40 MB of CSV.
const maxIntakeFile = 64 << 20

// createIntake takes a P3KE file (multipart field "file", CSV or XLSX) into
// a cycle. The header is checked at once, so an unreadable file is refused
// with the missing columns named; the rows are then stored and their
// workflows started by the intake workflow, whose progress GET
// /intakes/{id} shows.
func (s *Server) createIntake(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	fh, err := formFile(c, "the P3KE file")
	if err != nil {
		s.fail(c, err)
		return
	}
	// Read from the request's file (in memory up to 1 MiB, on disk above:
	// see Server's MaxMultipartMemory) twice, never whole: the check, then
	// sealed chunk by chunk into the database.
	in, err := s.startIntakeAs(c.Request.Context(), actor(c), cy, fh)
	if fe := (*p3ke.FormatError)(nil); errors.As(err, &fe) {
		s.fail(c, unprocessable("file", fe.Error()))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/intakes/"+strconv.FormatInt(in.ID, 10))
	c.JSON(http.StatusAccepted, in)
}

// startIntakeAs checks an uploaded P3KE file, stores it as a new intake of
// cy and starts the intake workflow; the JSON API and Dinsos' upload page
// (api/web) both take files through it. A file that would stop intake
// half-way (no header, missing columns, an XLSX sheet damaged part way) is
// a *p3ke.FormatError, and nothing is stored. Rows that fail validation
// are intake's to report.
func (s *Server) startIntakeAs(ctx context.Context, a store.AuditActor, cy *store.Cycle, fh *multipart.FileHeader) (*store.Intake, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read the file through once, as intake will. Under a second for the
	// largest regency's file.
	if _, err := p3ke.Check(io.NewSectionReader(f, 0, fh.Size), p3ke.Options{Regency: cy.RegencyCode}); err != nil {
		return nil, err
	}
	in := store.Intake{CycleID: cy.ID, FileName: fh.Filename, CreatedBy: a.UserID}
	if err := s.deps.Store.CreateIntake(ctx, &in, io.NewSectionReader(f, 0, fh.Size), fh.Size); err != nil {
		return nil, err
	}
	if _, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.IntakeWorkflowID(in.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.IntakeWorkflow, workflows.IntakeInput{IntakeID: in.ID}); err != nil {
		_ = s.deps.Store.FailIntake(ctx, in.ID, store.IntakeNotStartedMessage, store.IntakeNotStarted, nil)
		return nil, err
	}
	s.auditAs(ctx, a, cy.ID, nil, "intake.create", map[string]any{"intakeId": in.ID, "size": in.Size})
	return &in, nil
}

// intake loads the :id intake if its cycle is visible to the caller.
func (s *Server) intake(c *gin.Context) (*store.Intake, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	in, _, err := s.deps.Store.IntakeFor(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return in, true
}

// getIntake shows an intake's progress: rows parsed, households stored,
// workflows started.
func (s *Server) getIntake(c *gin.Context) {
	if in, ok := s.intake(c); ok {
		c.JSON(http.StatusOK, in)
	}
}

// intakeIssues lists an intake's rejected and warned rows; ?format=csv
// downloads them as the row-error report. The report is opened by Dinsos
// staff in a spreadsheet (the intake page links it), so it ends with the
// words the page shows: status (Ditolak/Peringatan) and alasan, the reason
// in Bahasa Indonesia. The first four columns stay as they were, codes and
// the English reason, for tools that read the file by position or match
// on the reason; the JSON form is for tools and stays English.
func (s *Server) intakeIssues(c *gin.Context) {
	in, ok := s.intake(c)
	if !ok {
		return
	}
	limit, offset := 1000, 0
	if c.Query("format") == "csv" {
		limit = 1_000_000
	} else if v, err := strconv.Atoi(c.DefaultQuery("offset", "0")); err == nil && v >= 0 {
		offset = v
	}
	issues, total, err := s.deps.Store.IntakeIssues(c.Request.Context(), in.ID, limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Disposition", `attachment; filename="p3ke-errors-`+strconv.FormatInt(in.ID, 10)+`.csv"`)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		w := csvWriter(c.Writer)
		_ = w.Write([]string{"row", "column", "severity", "reason", "status", "alasan"})
		for _, is := range issues {
			_ = w.Write([]string{strconv.Itoa(is.Row), is.Column, is.Severity, is.Reason, web.IssueSeverity(is.Severity), web.P3KEReason(is)})
		}
		w.Flush()
		return
	}
	if issues == nil {
		issues = []store.IntakeIssue{}
	}
	c.JSON(http.StatusOK, gin.H{"issues": issues, "total": total, "offset": offset})
}

// formFile finds multipart field "file" (at most maxIntakeFile bytes),
// answering the caller's mistakes with a 400 naming the field; what names
// the file in those messages.
func formFile(c *gin.Context, what string) (*multipart.FileHeader, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxIntakeFile+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, badRequest("file", "send "+what+" as multipart form field \"file\" (at most 64 MB)")
	}
	if fh.Size > maxIntakeFile {
		return nil, badRequest("file", "is larger than 64 MB; split it by kecamatan")
	}
	return fh, nil
}

// uploadedFile reads multipart field "file" whole (see formFile).
func uploadedFile(c *gin.Context, what string) ([]byte, string, error) {
	fh, err := formFile(c, what)
	if err != nil {
		return nil, "", err
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, "", badRequest("file", "could not be read completely; upload it again")
	}
	return data, fh.Filename, nil
}
