package activities_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestChangeExitIsDatedTheDayItHappened: a confirmed change that ends the
// family's aid, decided weeks after it happened, exits every programme on
// the change's date (the day it happened), not the day of the decision,
// with the change's reason; and the household is proposed HAPUS.
func TestChangeExitIsDatedTheDayItHappened(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := newFixtureOn(t, db, 1, "")
		id := f.ids[0]
		f.settled(t, id, string(domain.StageEnrolled), enrol.PKH, enrol.BPNT)
		recorded := time.Date(2025, 6, 20, 2, 0, 0, 0, time.UTC)
		change, err := f.st.RecordChange(ctx, store.NewChange{CycleID: f.cycle.ID, HouseholdID: id, Kind: domain.ChangeWithdrew, Date: "2025-06-03",
			Note: "mengundurkan diri", DesaCode: "35.05.01.2001", Actor: domain.Actor{UserID: 5, Role: "pendamping"}, At: recorded})
		must(t, err)
		decided := recorded.Add(9 * 24 * time.Hour)
		reason := "change withdrew: 2025-06-03"
		acts := &activities.Activities{Store: f.st}
		env := newSuite(t).NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		_, err = env.ExecuteActivity(acts.DecideChange, activities.DecideChangeInput{CycleID: f.cycle.ID, HouseholdID: id, ChangeID: change, Confirm: true,
			Actor: domain.Actor{UserID: 6, Role: "tksk"}, At: decided,
			Transition: &activities.TransitionInput{HouseholdID: id, Seq: 4, Stage: string(domain.StageExited), At: decided, Reason: reason}})
		must(t, err)
		en, err := f.st.Enrolments(ctx, id)
		must(t, err)
		if len(en) != 2 {
			t.Fatalf("enrolments %+v, want PKH and BPNT", en)
		}
		day := time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)
		for _, e := range en {
			if e.Status != store.EnrolmentExited || e.ExitedAt == nil || !e.ExitedAt.Equal(day) || e.ExitReason != reason {
				t.Errorf("%s: %s, exited %v (%q); want exited on the change's day %s", e.Programme, e.Status, e.ExitedAt, e.ExitReason, day.Format(time.DateOnly))
			}
		}
		c, err := f.st.GetChange(ctx, change)
		must(t, err)
		if c.Status != domain.ChangeConfirmed || !c.Hapus || c.DecidedAt == nil || !c.DecidedAt.Equal(decided) {
			t.Errorf("the change: %+v", c)
		}
	})
}
