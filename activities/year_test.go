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

// TestRevocationDatedByItsSigning: a revocation decree ends a household's
// aid from the day it was signed, not the day verval applies it: the
// fan-out tells running cases that day (the decree-revoked signal's
// Date) and dates by it the exits of cases that had ended (revokeSettled:
// an enrolled household's every programme and its revocation, which its
// HAPUS follows; a rejected one's BPJS-TK); the open year's revocation
// (DecideChange with the decree and its day) is dated the same way.
func TestRevocationDatedByItsSigning(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := newFixtureOn(t, db, 3, "awaiting_proposal")
		ended, rejected, open := f.ids[0], f.ids[1], f.ids[2]
		f.settled(t, ended, string(domain.StageEnrolled), enrol.PKH, enrol.BPNT)
		f.settled(t, rejected, string(domain.StageRejected), enrol.BPJSTK, enrol.BLTDD)
		f.settled(t, open, string(domain.StageEnrolled), enrol.PKH)
		f.signedDecree(t, domain.DecreeInitial, "add", f.ids)
		d := f.signedDecree(t, domain.DecreeRevocation, "revoke", []int64{ended, rejected})
		const signed = "2025-05-02"
		must(t, db.Model(&store.Decree{}).Where("id = ?", d.ID).Update("signed_date", signed).Error)
		cases := &fakeCases{finished: map[int64]bool{ended: true, rejected: true}}
		acts := &activities.Activities{Store: f.st, Cases: cases}
		env := newSuite(t).NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		_, err := env.ExecuteActivity(acts.FanOutDecree, activities.FanOutInput{DecreeID: d.ID, Reason: "SK dicabut"})
		must(t, err)
		for _, s := range cases.signals {
			if s.Date != signed {
				t.Errorf("signal %+v, want the decree's signing day %s", s, signed)
			}
		}
		applied := time.Date(2025, 5, 20, 2, 0, 0, 0, time.UTC)
		_, err = env.ExecuteActivity(acts.DecideChange, activities.DecideChangeInput{CycleID: f.cycle.ID, HouseholdID: open, Confirm: true,
			Note: "SK dicabut", At: applied, DecreeID: d.ID, On: signed,
			Transition: &activities.TransitionInput{HouseholdID: open, Seq: 4, Stage: string(domain.StageRevoked), At: applied, Reason: "revoked: SK dicabut"}})
		must(t, err)

		day := time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)
		for _, id := range f.ids {
			en, err := f.st.Enrolments(ctx, id)
			must(t, err)
			for _, e := range en {
				if e.Programme == enrol.BLTDD {
					continue // the rejected household keeps it
				}
				if e.Status != store.EnrolmentExited || e.ExitedAt == nil || !e.ExitedAt.Equal(day) {
					t.Errorf("household %d's %s: %s, exited %v; want exited on the revocation's signing day %s", id, e.Programme, e.Status, e.ExitedAt, signed)
				}
			}
		}
		for _, id := range []int64{ended, open} {
			changes, err := f.st.Changes(ctx, id)
			must(t, err)
			if len(changes) != 1 || changes[0].Kind != string(domain.ChangeRevoked) || changes[0].Date != signed || !changes[0].Hapus {
				t.Errorf("household %d's revocation %+v, want one dated %s, proposed HAPUS", id, changes, signed)
			}
		}
	})
}
