package store_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
)

// TestMeetingInHouseholdHistory: a village meeting is one audit entry, and
// it shows in the history of each household whose list it closed, next to
// the household's own entries; not in another village's households.
func TestMeetingInHouseholdHistory(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		const jaten, salam = "35.05.01.2001", "35.05.01.2002"
		for _, task := range []store.Task{
			{HouseholdID: 1, DesaCode: jaten}, {HouseholdID: 2, DesaCode: jaten}, {HouseholdID: 3, DesaCode: salam},
		} {
			task.CycleID, task.KecamatanCode, task.DueAt, task.Status = cy.ID, "35.05.01", time.Now().Add(30*24*time.Hour), store.TaskOpen
			if err := db.Create(&task).Error; err != nil {
				t.Fatal(err)
			}
		}
		officer := store.AuditActor{UserID: 11, Role: "village", RequestID: "req-visit"}
		for _, hh := range []int64{1, 2, 3} {
			if err := st.RecordVisit(ctx, store.Visit{CycleID: cy.ID, HouseholdID: hh, Version: 1, Actor: officer, At: time.Now(),
				Result: store.VisitResult{Outcome: "eligible", VisitDate: "2026-03-04"}}); err != nil {
				t.Fatal(err)
			}
		}
		m := &store.Meeting{CycleID: cy.ID, DesaCode: jaten, Date: "2026-03-20", BeritaAcaraNo: "BA/1", Attendees: 23}
		if err := st.RecordMeeting(ctx, m, store.AuditActor{UserID: 11, Role: "village", RequestID: "req-meeting"}); err != nil {
			t.Fatal(err)
		}

		for hh, want := range map[int64][]string{
			1: {"verification.submit req-visit", "meeting.record req-meeting"},
			2: {"verification.submit req-visit", "meeting.record req-meeting"},
			3: {"verification.submit req-visit"}, // Salam has not met
		} {
			_, audit, err := st.HouseholdHistory(ctx, hh)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range audit {
				got = append(got, e.Action+" "+e.RequestID)
			}
			if len(got) != len(want) {
				t.Errorf("household %d's audit: %q, want %q", hh, got, want)
				continue
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("household %d's audit: %q, want %q", hh, got, want)
					break
				}
			}
		}
	})
}
