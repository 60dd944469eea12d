package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

type meetingRequest struct {
	DesaCode      string `json:"desaCode" form:"desaCode"`
	Date          string `json:"date" form:"date"`
	BeritaAcaraNo string `json:"beritaAcaraNo" form:"beritaAcaraNo"`
	Attendees     int    `json:"attendees" form:"attendees"`
}

// recordMeeting records a village meeting (JSON, or multipart with an
// optional scanned "document") and closes the village's list: a workflow
// tells each verified household, which then moves on.
func (s *Server) recordMeeting(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req meetingRequest
	var doc []byte
	var docName string
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, office.MaxMeetingDocument+1<<20)
		if err := c.ShouldBind(&req); err != nil {
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				s.fail(c, errBodyTooLarge(tooBig.Limit))
				return
			}
			s.fail(c, badRequest("body", "malformed form"))
			return
		}
		if fh, err := c.FormFile("document"); err == nil {
			if fh.Size > office.MaxMeetingDocument {
				s.fail(c, domain.FieldErr("document", domain.CodeFileTooLarge, "10 MB"))
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
	} else {
		// JSON carries no document: the JSON bound applies.
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody)
		if !s.bind(c, &req, "must be JSON: {\"date\":\"2026-05-12\",\"beritaAcaraNo\":\"...\",\"attendees\":25}") {
			return
		}
	}
	m := store.Meeting{CycleID: cy.ID, DesaCode: req.DesaCode, Date: req.Date, BeritaAcaraNo: req.BeritaAcaraNo,
		Attendees: req.Attendees, Document: doc, DocumentName: docName}
	if err := s.deps.Office.RecordMeeting(c.Request.Context(), caller(c), cy, &m); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/cycles/"+strconv.FormatInt(cy.ID, 10)+"/meetings/"+strconv.FormatInt(m.ID, 10))
	c.JSON(http.StatusCreated, m)
}
