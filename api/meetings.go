package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/auth"
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
	m := store.Meeting{CycleID: cy.ID, DesaCode: req.DesaCode, Date: req.Date, BeritaAcaraNo: req.BeritaAcaraNo,
		Attendees: req.Attendees, Document: doc, DocumentName: docName}
	if err := s.recordMeetingAs(c.Request.Context(), p, actor(c), cy, &m); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cycles/"+strconv.FormatInt(cy.ID, 10)+"/meetings/"+strconv.FormatInt(m.ID, 10))
	c.JSON(http.StatusCreated, m)
}

// recordMeetingAs checks a village meeting, stores it and starts the
// workflow that closes the village's list; the JSON API and the web pages
// (api/web) both record meetings through it. A broken rule is a
// *store.InvalidError naming the field (422).
func (s *Server) recordMeetingAs(ctx context.Context, p auth.Principal, a store.AuditActor, cy *store.Cycle, m *store.Meeting) error {
	if m.DesaCode == "" {
		m.DesaCode = p.Region
	}
	if m.DesaCode != p.Region {
		return &store.InvalidError{Field: "desaCode", Msg: "a village officer records only their own village's meeting"}
	}
	d, err := time.Parse("2006-01-02", m.Date)
	switch {
	case err != nil:
		return &store.InvalidError{Field: "date", Msg: "must be a date as YYYY-MM-DD"}
	case d.After(s.deps.Now().Add(9 * time.Hour)):
		return &store.InvalidError{Field: "date", Msg: "cannot be in the future"}
	case d.Before(cy.OpenedAt.Truncate(24 * time.Hour)):
		return &store.InvalidError{Field: "date", Msg: "cannot be before the cycle opened"}
	}
	m.BeritaAcaraNo = strings.TrimSpace(m.BeritaAcaraNo)
	if m.BeritaAcaraNo == "" || len(m.BeritaAcaraNo) > 100 {
		return &store.InvalidError{Field: "beritaAcaraNo", Msg: "the berita acara number is required (at most 100 characters)"}
	}
	if m.Attendees < 1 || m.Attendees > 10000 {
		return &store.InvalidError{Field: "attendees", Msg: "must be the number of people present"}
	}
	m.CycleID = cy.ID
	if err := s.deps.Store.RecordMeeting(ctx, m, a); err != nil {
		return err
	}
	_, err = s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.MeetingWorkflowID(m.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.MeetingWorkflow, workflows.MeetingInput{MeetingID: m.ID})
	return err
}
