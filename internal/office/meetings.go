package office

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// MaxMeetingDocument bounds the scanned berita acara.
const MaxMeetingDocument = 10 << 20

// RecordMeeting checks a village meeting (musyawarah desa) of the
// caller's own desa, stores it and starts the workflow that closes the
// village's list: each verified household is told and moves on.
func (s *Service) RecordMeeting(ctx context.Context, c Caller, cy *store.Cycle, m *store.Meeting) error {
	if err := c.may(StepRecordMeeting); err != nil {
		return err
	}
	// An officer of one desa need not name it; one of several must.
	if regions := c.AllRegions(); m.DesaCode == "" && len(regions) == 1 {
		m.DesaCode = regions[0]
	}
	if m.DesaCode == "" || !slices.Contains(c.AllRegions(), m.DesaCode) {
		return domain.FieldErr("desaCode", domain.CodeMeetingOtherVillage)
	}
	d, err := time.Parse("2006-01-02", m.Date)
	// The day the cycle opened in western Indonesia, as a visit's date
	// is checked (workflows.ValidateVisit).
	opened, _ := time.Parse("2006-01-02", cy.OpenedAt.In(wilayah.WIB).Format("2006-01-02"))
	switch {
	case err != nil:
		return domain.FieldErr("date", domain.CodeDateMalformed)
	case d.After(s.now().Add(9 * time.Hour)):
		return domain.FieldErr("date", domain.CodeDateFuture)
	case d.Before(opened):
		return domain.FieldErr("date", domain.CodeDateBefore, opened.Format("2006-01-02"))
	}
	m.BeritaAcaraNo = strings.TrimSpace(m.BeritaAcaraNo)
	if m.BeritaAcaraNo == "" || utf8.RuneCountInString(m.BeritaAcaraNo) > 100 {
		return domain.FieldErr("beritaAcaraNo", domain.CodeMeetingNumber)
	}
	if e := domain.CheckChars("beritaAcaraNo", m.BeritaAcaraNo, false); e != nil {
		return e
	}
	if m.Attendees < 1 || m.Attendees > 10000 {
		return domain.FieldErr("attendees", domain.CodeMeetingAttendees)
	}
	if len(m.Document) > MaxMeetingDocument {
		return domain.FieldErr("document", domain.CodeFileTooLarge, "10 MB")
	}
	m.CycleID = cy.ID
	if err := s.store.RecordMeeting(ctx, m, c.Actor()); err != nil {
		return err
	}
	_, err = s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.MeetingWorkflowID(m.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.MeetingWorkflow, workflows.MeetingInput{MeetingID: m.ID})
	return err
}

// VillageTaskCounts counts the caller's desa's tasks still open and with a
// result, for the meeting form.
func (s *Service) VillageTaskCounts(ctx context.Context, c Caller, cycleID int64, desa string) (open, submitted int64, err error) {
	if err := c.may(StepRecordMeeting); err != nil {
		return 0, 0, err
	}
	if desa != "" && !slices.Contains(c.AllRegions(), desa) {
		return 0, 0, domain.FieldErr("desa", domain.CodeMeetingOtherVillage)
	}
	for _, q := range []struct {
		status domain.TaskStatus
		n      *int64
	}{{domain.TaskOpen, &open}, {domain.TaskSubmitted, &submitted}} {
		if _, *q.n, err = s.store.ListTasks(ctx, c.Principal, store.TaskFilter{CycleID: cycleID, Status: q.status, Desa: desa, PerPage: 1}); err != nil {
			return 0, 0, err
		}
	}
	return open, submitted, nil
}
