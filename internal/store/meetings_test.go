package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
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
			task.CycleID, task.KecamatanCode, task.DueAt, task.Status = cy.ID, "35.05.01", time.Now().Add(30*24*time.Hour), domain.TaskOpen
			if err := db.Create(&task).Error; err != nil {
				t.Fatal(err)
			}
		}
		officer := domain.Actor{UserID: 11, Role: "village", RequestID: "req-visit"}
		for _, hh := range []int64{1, 2, 3} {
			if err := st.RecordVisit(ctx, store.Visit{CycleID: cy.ID, HouseholdID: hh, Version: 1, Actor: officer, At: time.Now(),
				Result: domain.VisitResult{Outcome: "eligible", VisitDate: "2026-03-04"}}); err != nil {
				t.Fatal(err)
			}
		}
		m := &store.Meeting{CycleID: cy.ID, DesaCode: jaten, Date: "2026-03-20", BeritaAcaraNo: "BA/1", Attendees: 23}
		if err := st.RecordMeeting(ctx, m, domain.Actor{UserID: 11, Role: "village", RequestID: "req-meeting"}); err != nil {
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

// TestCorrectionAfterMeetingRecorded: once the meeting is recorded, its
// village's results are final in the database, before the fan-out reaches
// each household: a correction is refused with ErrListClosed (a conflict),
// a retried write of a result already stored still succeeds, another
// village is untouched, and a reopen lets the household's next result in.
func TestCorrectionAfterMeetingRecorded(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		const jaten, salam = "35.05.01.2001", "35.05.01.2002"
		for _, task := range []store.Task{{HouseholdID: 1, DesaCode: jaten}, {HouseholdID: 2, DesaCode: salam}} {
			task.CycleID, task.KecamatanCode, task.DueAt, task.Status = cy.ID, "35.05.01", time.Now().Add(30*24*time.Hour), domain.TaskOpen
			if err := db.Create(&task).Error; err != nil {
				t.Fatal(err)
			}
		}
		officer := domain.Actor{UserID: 11, Role: "village"}
		visit := func(hh int64, version int, outcome domain.Outcome) error {
			return st.RecordVisit(ctx, store.Visit{CycleID: cy.ID, HouseholdID: hh, Version: version, Actor: officer, At: time.Now(),
				Result: domain.VisitResult{Outcome: outcome, VisitDate: "2026-03-04"}})
		}
		for _, hh := range []int64{1, 2} {
			if err := visit(hh, 1, "eligible"); err != nil {
				t.Fatal(err)
			}
		}
		m := &store.Meeting{CycleID: cy.ID, DesaCode: jaten, Date: "2026-03-20", BeritaAcaraNo: "BA/1", Attendees: 23}
		if err := st.RecordMeeting(ctx, m, officer); err != nil {
			t.Fatal(err)
		}

		if err := visit(1, 2, "not_poor"); !errors.Is(err, store.ErrListClosed) || !domain.IsKind(err, domain.KindConflict) {
			t.Fatalf("correction after the meeting was recorded: %v, want ErrListClosed", err)
		}
		if err := visit(1, 1, "eligible"); err != nil {
			t.Fatalf("a retried write of the stored result: %v", err)
		}
		if err := visit(2, 2, "not_poor"); err != nil {
			t.Fatalf("correction in Salam, which has not met: %v", err)
		}
		var task store.Task
		if err := db.First(&task, "household_id = ?", 1).Error; err != nil || task.Version != 1 || task.Result.Outcome != "eligible" {
			t.Fatalf("Jaten's task after the refused correction: %+v %v", task, err)
		}

		if err := st.ReopenTask(ctx, store.Reopen{CycleID: cy.ID, HouseholdID: 1, DueAt: time.Now().Add(14 * 24 * time.Hour), Reason: "cek ulang",
			Actor: domain.Actor{UserID: 12, Role: "tksk"}, Transition: store.Transition{HouseholdID: 1, Seq: 3, Stage: "awaiting_verification", At: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		if err := visit(1, 2, "not_poor"); err != nil {
			t.Fatalf("result after a reopen: %v", err)
		}
	})
}

// TestMeetingRecordedOnce: a village's list is closed by exactly one
// meeting, whatever the timing. Eight concurrent recordings of the same
// village's meeting (a double click, retried requests) store one meeting,
// one audit entry and one meeting_households row per household; the
// others are refused as conflicts with CodeMeetingRecorded. A later one,
// before the fan-out has moved the tasks on, is refused the same way.
func TestMeetingRecordedOnce(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := context.Background()
		const jaten = "35.05.01.2001"
		officer := domain.Actor{UserID: 11, Role: "village"}
		for _, hh := range []int64{1, 2, 3} {
			task := store.Task{HouseholdID: hh, CycleID: cy.ID, KecamatanCode: "35.05.01", DesaCode: jaten, DueAt: time.Now().Add(30 * 24 * time.Hour), Status: domain.TaskOpen}
			if err := db.Create(&task).Error; err != nil {
				t.Fatal(err)
			}
			if err := st.RecordVisit(ctx, store.Visit{CycleID: cy.ID, HouseholdID: hh, Version: 1, Actor: officer, At: time.Now(),
				Result: domain.VisitResult{Outcome: "eligible", VisitDate: "2026-03-04"}}); err != nil {
				t.Fatal(err)
			}
		}
		record := func() error {
			return st.RecordMeeting(ctx, &store.Meeting{CycleID: cy.ID, DesaCode: jaten, Date: "2026-03-20", BeritaAcaraNo: "BA/1", Attendees: 23}, officer)
		}
		const n = 8
		errs := make(chan error, n)
		start := make(chan struct{})
		for range n {
			go func() { <-start; errs <- record() }()
		}
		close(start)
		ok := 0
		for range n {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, domain.Err(domain.CodeMeetingRecorded)) && domain.IsKind(err, domain.KindConflict):
			default:
				t.Errorf("a concurrent recording: %v, want nil or %s", err, domain.CodeMeetingRecorded)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent recordings succeeded, want exactly 1", ok, n)
		}
		if err := record(); !errors.Is(err, domain.Err(domain.CodeMeetingRecorded)) {
			t.Errorf("a recording after the first, before its fan-out: %v, want %s", err, domain.CodeMeetingRecorded)
		}
		var meetings, audits, rows int64
		must(t, db.Model(&store.Meeting{}).Where("cycle_id = ? AND desa_code = ?", cy.ID, jaten).Count(&meetings).Error)
		must(t, db.Model(&store.AuditEntry{}).Where("action = ?", "meeting.record").Count(&audits).Error)
		must(t, db.Model(&store.MeetingHousehold{}).Count(&rows).Error)
		if meetings != 1 || audits != 1 || rows != 3 {
			t.Errorf("stored %d meetings, %d meeting.record audit entries, %d meeting_households rows; want 1, 1, 3", meetings, audits, rows)
		}
		var m store.Meeting
		must(t, db.First(&m, "cycle_id = ?", cy.ID).Error)
		if m.HouseholdsTotal != 3 {
			t.Errorf("the meeting's householdsTotal = %d, want 3", m.HouseholdsTotal)
		}
	})
}
