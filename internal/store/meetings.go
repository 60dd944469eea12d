package store

import (
	"context"
	"fmt"

	"github.com/verval/verval/internal/domain"
	"gorm.io/gorm"
)

// RecordMeeting stores a village meeting, refusing one while the village
// still has households without a visit result, and audits it.
//
// A village's list is closed by exactly one meeting, whatever the timing
// (a double click, a retried request): the meeting claims its village's
// submitted tasks with a conditional UPDATE (closing_meeting_id from NULL
// to its id). The UPDATE takes each task's row lock, so a second
// recording running at the same time waits for the first to commit and
// then finds the tasks claimed (on SQLite the one writer serialises the
// two transactions); a meeting that could not claim every household it
// counted is rolled back and refused with CodeMeetingRecorded (409), as is
// one recorded later while the first meeting's fan-out is still moving
// the households on.
func (s *Store) RecordMeeting(ctx context.Context, m *Meeting, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ?", m.CycleID, m.DesaCode, domain.TaskOpen).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return conflict(domain.CodeMeetingOpenTasks, open)
		}
		waiting := func() *gorm.DB {
			return tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ? AND closing_meeting_id IS NULL", m.CycleID, m.DesaCode, domain.TaskSubmitted)
		}
		var pending int64
		if err := waiting().Count(&pending).Error; err != nil {
			return err
		}
		if pending == 0 {
			// Submitted tasks a meeting has claimed wait only for its
			// fan-out: this is a second recording of that meeting.
			var claimed int64
			if err := tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ? AND closing_meeting_id IS NOT NULL", m.CycleID, m.DesaCode, domain.TaskSubmitted).
				Count(&claimed).Error; err != nil {
				return err
			}
			if claimed > 0 {
				return conflict(domain.CodeMeetingRecorded)
			}
			return conflict(domain.CodeMeetingNothing)
		}
		m.HouseholdsTotal = int(pending)
		m.RecordedBy = actor.UserID
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		// Claim the households this meeting closes. Their results are final
		// from now on (RecordVisit refuses a correction), though each
		// household learns of the meeting only when the fan-out reaches it.
		res := waiting().Update("closing_meeting_id", m.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected < pending {
			// Another recording claimed them between our count and our
			// claim: it is the village's meeting, this one is rolled back.
			return conflict(domain.CodeMeetingRecorded)
		}
		if res.RowsAffected != pending {
			// A result submitted between the count and the claim (possible
			// on PostgreSQL) is closed by this meeting too.
			pending = res.RowsAffected
			m.HouseholdsTotal = int(pending)
			if err := tx.Model(m).Update("households_total", pending).Error; err != nil {
				return err
			}
		}
		// The households this meeting closes: its one audit entry shows in
		// each one's history (HouseholdHistory).
		if err := tx.Exec("INSERT INTO meeting_households (meeting_id, household_id) SELECT ?, household_id FROM tasks WHERE cycle_id = ? AND desa_code = ? AND closing_meeting_id = ?",
			m.ID, m.CycleID, m.DesaCode, m.ID).Error; err != nil {
			return err
		}
		return AppendAudit(tx, AuditEntry{
			IdemKey: meetingAuditKey(m.ID), At: s.now(), ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: m.CycleID, Action: "meeting.record",
			Detail: jsonString(map[string]any{"desaCode": m.DesaCode, "date": m.Date, "beritaAcaraNo": m.BeritaAcaraNo, "attendees": m.Attendees, "households": pending}),
		})
	})
}

// MeetingHouseholds lists, after afterID, up to limit households of the
// meeting's village whose result waits for the meeting: the fan-out's pages.
func (s *Store) MeetingHouseholds(ctx context.Context, meetingID, afterID int64, limit int) (*Meeting, []int64, error) {
	var m Meeting
	if err := s.DB.WithContext(ctx).Omit("document").First(&m, "id = ?", meetingID).Error; err != nil {
		return nil, nil, wrapNotFound(err)
	}
	var ids []int64
	err := s.DB.WithContext(ctx).Model(&Task{}).
		Where("cycle_id = ? AND desa_code = ? AND status = ? AND household_id > ?", m.CycleID, m.DesaCode, domain.TaskSubmitted, afterID).
		Order("household_id").Limit(limit).Pluck("household_id", &ids).Error
	return &m, ids, err
}

// meetingAuditKey is the IdemKey of a meeting's audit entry.
func meetingAuditKey(meetingID int64) string {
	return fmt.Sprintf("meeting:%d", meetingID)
}
