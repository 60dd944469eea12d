package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
)

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
	fh, err := s.formFile(c, "the P3KE file")
	if err != nil {
		s.fail(c, err)
		return
	}
	// Read from the request's file (in memory up to 1 MiB, on disk above:
	// see Server's MaxMultipartMemory) twice, never whole: the check, then
	// sealed chunk by chunk into the database.
	f, err := fh.Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	in, err := s.deps.Office.StartIntake(c.Request.Context(), caller(c), cy, office.Upload{Name: fh.Filename, Size: fh.Size, File: f})
	if fe := (*p3ke.FormatError)(nil); errors.As(err, &fe) {
		s.fail(c, domain.FieldErr("file", domain.CodeFileFormat, fe.Error()))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/intakes/"+strconv.FormatInt(in.ID, 10))
	c.JSON(http.StatusAccepted, in)
}

// intake loads the :id intake if its cycle is visible to the caller.
func (s *Server) intake(c *gin.Context) (*store.Intake, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	in, _, err := s.deps.Office.Intake(c.Request.Context(), caller(c), id)
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

// resumeIntake starts an intake's workflow again if it ended (terminated,
// failed) while the intake was not done, from what is stored; a no-op
// while it runs or once the intake has ended. It answers the intake.
func (s *Server) resumeIntake(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	in, err := s.deps.Office.ResumeIntake(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, in)
}

// intakeIssues lists an intake's rejected and warned rows, a page at a
// time; ?format=csv downloads them all as the row-error report
// (issuesReport).
func (s *Server) intakeIssues(c *gin.Context) {
	in, ok := s.intake(c)
	if !ok {
		return
	}
	if c.Query("format") == "csv" {
		s.issuesReport(c, in)
		return
	}
	offset := 0
	if v, err := strconv.Atoi(c.DefaultQuery("offset", "0")); err == nil && v >= 0 {
		offset = v
	}
	issues, total, err := s.deps.Office.IntakeIssues(c.Request.Context(), caller(c), in, 1000, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	if issues == nil {
		issues = []store.IntakeIssue{}
	}
	c.JSON(http.StatusOK, gin.H{"issues": issues, "total": total, "offset": offset})
}

// reportPage is how many rows of the row-error report are read and
// written at a time: the report is streamed, never held whole.
var reportPage = 5000

// reportBudget bounds the row-error report's time. The /api/v1 request
// timeout (30 s) is too short for a report of millions of rows; the HTTP
// server's write timeout (5 minutes) would cut the connection in the
// middle of a row. Within this budget the report is whole; past it, it
// ends after the page being written with a line saying it was cut. A
// database read that hangs is ended half a minute later.
var reportBudget = 4 * time.Minute

// errReportBudget ends a row-error report whose time is up.
var errReportBudget = errors.New("the report's time is up")

// issuesReport writes the row-error report: every rejected and warned row,
// streamed in row order. The report is opened by Dinsos staff in a
// spreadsheet (the intake page links it), so it ends with the words the
// page shows: status (Ditolak/Peringatan) and alasan, the reason in Bahasa
// Indonesia. The first four columns stay as they were, codes and the
// English reason, for tools that read the file by position or match on the
// reason; the JSON form is for tools and stays English. A report that
// cannot be finished (its time is up, the database fails) ends with whole
// rows and then one last row saying it was cut and how many rows are left
// out, never in the middle of a row.
func (s *Server) issuesReport(c *gin.Context, in *store.Intake) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), reportBudget+30*time.Second)
	defer cancel()
	w := csvWriter(c.Writer)
	started := false
	start := func() {
		if !started {
			started = true
			c.Header("Content-Disposition", `attachment; filename="p3ke-errors-`+strconv.FormatInt(in.ID, 10)+`.csv"`)
			c.Header("Content-Type", "text/csv; charset=utf-8")
			_ = w.Write([]string{"row", "column", "severity", "reason", "status", "alasan"})
		}
	}
	var written int64
	total, err := s.deps.Office.EachIntakeIssuePage(ctx, caller(c), in, reportPage, func(page []store.IntakeIssue) error {
		start()
		for _, is := range page {
			_ = w.Write([]string{strconv.Itoa(is.Row), is.Column, is.Severity, is.Reason, web.IssueSeverity(is.Severity), web.P3KEReason(is)})
		}
		w.Flush()
		written += int64(len(page))
		if err := w.Error(); err != nil {
			return err // the client went away
		}
		if time.Since(began) > reportBudget {
			return errReportBudget
		}
		return nil
	})
	if err != nil && !started && total == 0 {
		s.fail(c, err) // refused, or the count failed: nothing sent yet
		return
	}
	start()
	if w.Error() == nil && (err != nil || written < total) {
		s.deps.Log.Warn("row-error report cut", "requestId", c.GetString(requestIDKey), "intake", in.ID, "written", written, "total", total, "err", err)
		left := max(total-written, 0)
		status, alasan := web.ReportCut(left)
		_ = w.Write([]string{"", "", "cut", fmt.Sprintf("report cut: %d of %d rows left out", left, total), status, alasan})
	}
	w.Flush()
}

// formFile finds multipart field "file" (at most the office's
// MaxIntakeFile bytes),
// answering the caller's mistakes with a 400 naming the field; what names
// the file in those messages.
func (s *Server) formFile(c *gin.Context, what string) (*multipart.FileHeader, error) {
	limit := s.deps.Office.MaxIntakeFile()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	fh, err := c.FormFile("file")
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return nil, errBodyTooLarge(tooBig.Limit)
	}
	if err != nil {
		return nil, badRequest("file", fmt.Sprintf("send %s as multipart form field \"file\" (at most %d MB)", what, limit>>20))
	}
	if fh.Size > limit {
		return nil, badRequest("file", fmt.Sprintf("is larger than %d MB; split it by kecamatan", limit>>20))
	}
	return fh, nil
}

// uploadedFile reads multipart field "file" whole (see formFile).
func (s *Server) uploadedFile(c *gin.Context, what string) ([]byte, string, error) {
	fh, err := s.formFile(c, what)
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
		return nil, "", domain.FieldErr("file", domain.CodeFileUnreadable)
	}
	return data, fh.Filename, nil
}
