package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

type meetingRequest struct {
	DesaCode      string `json:"desaCode" form:"desaCode"`
	Date          string `json:"date" form:"date"`
	BeritaAcaraNo string `json:"beritaAcaraNo" form:"beritaAcaraNo"`
	Attendees     int    `json:"attendees" form:"attendees"`
}

// maxMeetingDocument bounds the scanned berita acara.
const maxMeetingDocument = 10 << 20

// recordMeeting records a village meeting (JSON, or multipart with an
// optional scanned "document") and closes the village's list: a workflow
// tells each verified household, which then moves on.
func (s *Server) recordMeeting(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	p := principal(c)
	var req meetingRequest
	var doc []byte
	var docName string
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxMeetingDocument+1<<20)
		if err := c.ShouldBind(&req); err != nil {
			s.fail(c, badRequest("body", "malformed form"))
			return
		}
		if fh, err := c.FormFile("document"); err == nil {
			if fh.Size > maxMeetingDocument {
				s.fail(c, unprocessable("document", "is larger than 10 MB"))
				return
			}
			f, err := fh.Open()
			if err == nil {
				doc, err = io.ReadAll(f)
				f.Close()
			}
			if err != nil {
				s.fail(c, badRequest("document", "could not be read; upload it again"))
				return
			}
			docName = fh.Filename
		}
	} else if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"date\":\"2026-05-12\",\"beritaAcaraNo\":\"...\",\"attendees\":25}"))
		return
	}
	if req.DesaCode == "" {
		req.DesaCode = p.Region
	}
	if req.DesaCode != p.Region {
		s.fail(c, unprocessable("desaCode", "a village officer records only their own village's meeting"))
		return
	}
	d, err := time.Parse("2006-01-02", req.Date)
	switch {
	case err != nil:
		s.fail(c, unprocessable("date", "must be a date as YYYY-MM-DD"))
		return
	case d.After(s.deps.Now().Add(9 * time.Hour)):
		s.fail(c, unprocessable("date", "cannot be in the future"))
		return
	case d.Before(cy.OpenedAt.Truncate(24 * time.Hour)):
		s.fail(c, unprocessable("date", "cannot be before the cycle opened"))
		return
	}
	if strings.TrimSpace(req.BeritaAcaraNo) == "" || len(req.BeritaAcaraNo) > 100 {
		s.fail(c, unprocessable("beritaAcaraNo", "the berita acara number is required (at most 100 characters)"))
		return
	}
	if req.Attendees < 1 || req.Attendees > 10000 {
		s.fail(c, unprocessable("attendees", "must be the number of people present"))
		return
	}
	m := store.Meeting{CycleID: cy.ID, DesaCode: req.DesaCode, Date: req.Date, BeritaAcaraNo: strings.TrimSpace(req.BeritaAcaraNo),
		Attendees: req.Attendees, Document: doc, DocumentName: docName}
	ctx := c.Request.Context()
	if err := s.deps.Store.RecordMeeting(ctx, &m, actor(c)); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.MeetingWorkflowID(m.ID), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.MeetingWorkflow, workflows.MeetingInput{MeetingID: m.ID}); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cycles/"+strconv.FormatInt(cy.ID, 10)+"/meetings/"+strconv.FormatInt(m.ID, 10))
	c.JSON(http.StatusCreated, m)
}
