package store

import (
	"context"
	"fmt"

	"github.com/verval/verval/internal/domain"
	"gorm.io/gorm"
)

// RecordMeeting stores a village meeting, refusing one while the village
// still has households without a visit result, and audits it.
func (s *Store) RecordMeeting(ctx context.Context, m *Meeting, actor domain.Actor) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ?", m.CycleID, m.DesaCode, domain.TaskOpen).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return conflict(domain.CodeMeetingOpenTasks, open)
		}
		var pending int64
		if err := tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ?", m.CycleID, m.DesaCode, domain.TaskSubmitted).Count(&pending).Error; err != nil {
			return err
		}
		if pending == 0 {
			return conflict(domain.CodeMeetingNothing)
		}
		m.HouseholdsTotal = int(pending)
		m.RecordedBy = actor.UserID
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		// The households this meeting closes: its one audit entry shows in
		// each one's history (HouseholdHistory).
		if err := tx.Exec("INSERT INTO meeting_households (meeting_id, household_id) SELECT ?, household_id FROM tasks WHERE cycle_id = ? AND desa_code = ? AND status = ?",
			m.ID, m.CycleID, m.DesaCode, domain.TaskSubmitted).Error; err != nil {
			return err
		}
		// Their results are final from now on (RecordVisit refuses a
		// correction), though each household learns of the meeting only
		// when the fan-out reaches it.
		if err := tx.Model(&Task{}).Where("cycle_id = ? AND desa_code = ? AND status = ?", m.CycleID, m.DesaCode, domain.TaskSubmitted).
			Update("closing_meeting_id", m.ID).Error; err != nil {
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
