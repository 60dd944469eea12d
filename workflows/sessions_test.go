package workflows_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/devserver/devservertest"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// The purge's workflow runs its activity on a real store: the sessions
// that expired or were revoked more than 30 days before the run are
// deleted; a session that ended 10 days ago, and a live one, stay.
func TestPurgeSessionsWorkflow(t *testing.T) {
	run := time.Date(2026, 6, 1, 19, 0, 0, 0, time.UTC)
	db := storetest.SQLite(t)
	clock := storetest.NewClock(run.Add(-60 * day))
	st := storetest.NewStore(db, clock.Now)
	ctx := t.Context()
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "desa1", Password: "rahasia-desa-2026", Name: "Operator", Role: auth.RoleVillage, Region: "35.05.01.2001"}); err != nil {
		t.Fatal(err)
	}
	login := func(at time.Time, ttl time.Duration) string {
		t.Helper()
		clock.Advance(at.Sub(clock.Now()))
		token, _, _, err := st.Login(ctx, "desa1", "rahasia-desa-2026", ttl)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	login(run.Add(-60*day), time.Hour)                   // expired 60 days ago: purged
	revoked := login(run.Add(-40*day), 100*day)          // revoked 35 days ago: purged
	login(run.Add(-10*day), time.Hour)                   // expired 10 days ago: kept
	recent := login(run.Add(-35*day-time.Hour), 100*day) // revoked 5 days ago: kept
	clock.Advance(run.Add(-35 * day).Sub(clock.Now()))
	if err := st.Logout(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	clock.Advance(run.Add(-5 * day).Sub(clock.Now()))
	if err := st.Logout(ctx, recent); err != nil {
		t.Fatal(err)
	}
	live := login(run.Add(-time.Hour), 12*time.Hour) // live: kept

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(run)
	env.RegisterActivity(&activities.Activities{Store: st, Log: storetest.Logger(t)})
	env.ExecuteWorkflow(workflows.PurgeSessionsWorkflow, workflows.PurgeSessionsInput{})
	var n int64
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&n); err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want 2", n, err)
	}
	var left int64
	db.Model(&store.Session{}).Count(&left)
	if left != 3 {
		t.Errorf("%d sessions left, want 3", left)
	}
	if _, err := st.Authenticate(ctx, live); err != nil {
		t.Errorf("the live session was purged: %v", err)
	}
}

// EnsureSchedules on a Temporal dev server: the first call creates the
// daily purge on the operations queue, a second (the next worker start,
// or a second worker) is no error and leaves one schedule; a schedule of
// that ID with another spec (an older release's) is brought up to date,
// and an operator's pause stays.
func TestEnsureSchedulesTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx := context.Background()
	srv := devservertest.Start(ctx, t, os.Getenv)
	c, err := client.Dial(client.Options{HostPort: srv.Address})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc := c.ScheduleClient()
	h := sc.GetHandle(ctx, workflows.SessionsPurgeScheduleID)
	ensureTwice := func(when string) {
		t.Helper()
		for i := range 2 {
			if err := workflows.EnsureSchedules(ctx, c); err != nil {
				t.Fatalf("EnsureSchedules %s, #%d: %v", when, i+1, err)
			}
		}
	}
	check := func(when string, paused bool) {
		t.Helper()
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := client.ScheduleIntervalSpec{Every: 24 * time.Hour, Offset: 19 * time.Hour}
		if iv := d.Schedule.Spec.Intervals; len(iv) != 1 || iv[0] != want {
			t.Errorf("%s: spec %+v, want daily at 19:00 UTC", when, iv)
		}
		act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
		if !ok || act.Workflow != "PurgeSessionsWorkflow" || act.TaskQueue != workflows.OpsTaskQueue || act.ID != workflows.SessionsPurgeScheduleID {
			t.Errorf("%s: action %+v", when, d.Schedule.Action)
		}
		if d.Schedule.Policy.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || d.Schedule.State.Paused != paused {
			t.Errorf("%s: overlap %v, paused %v; want skip, paused %v", when, d.Schedule.Policy.Overlap, d.Schedule.State.Paused, paused)
		}
	}

	// A fresh namespace: the first start creates it, a second is fine.
	ensureTwice("on an empty namespace")
	check("on an empty namespace", false)
	var ids []string
	// The list is eventually consistent (visibility): wait for it.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		it, err := sc.List(ctx, client.ScheduleListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if slices.Equal(ids, []string{workflows.SessionsPurgeScheduleID}) {
			break
		}
	}
	if !slices.Equal(ids, []string{workflows.SessionsPurgeScheduleID}) {
		t.Errorf("schedules %v, want only %s", ids, workflows.SessionsPurgeScheduleID)
	}

	// An older release's schedule: hourly, on the households' queue, and
	// paused by an operator.
	if err := h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec = &client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}}
		s.Action = &client.ScheduleWorkflowAction{ID: "old", Workflow: "PurgeSessionsWorkflow", TaskQueue: workflows.TaskQueue}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	// The scheduler takes the update in on its own time; a pause sent
	// before it has would be undone by the update's whole-schedule write.
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if d, err := h.Describe(ctx); err == nil && len(d.Schedule.Spec.Intervals) == 1 && d.Schedule.Spec.Intervals[0].Every == time.Hour {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the older release's schedule never showed in the description")
		}
	}
	if err := h.Pause(ctx, client.SchedulePauseOptions{Note: "operator"}); err != nil {
		t.Fatal(err)
	}
	// The schedule's own workflow takes the pause in; wait until its
	// description shows it (under load that is not at once).
	// Without it the ensure below would start from an unpaused schedule
	// and the test would blame EnsureSchedules for the lost pause.
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if d, err := h.Describe(ctx); err == nil && d.Schedule.State.Paused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the operator's pause never showed in the schedule's description")
		}
	}
	ensureTwice("over an older schedule")
	check("over an older schedule", true)
}
