package workflows_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/devserver/devservertest"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/worker"
	"github.com/verval/verval/workflows"
)

// Event bounds of an enrolled household's case (README, "The open year"):
// the run that verifies and enrols it, and each run of its open year,
// which holds at most one change.
const (
	enrolRunBound = 30
	yearRunBound  = 20
	// twoChangesBound is a household's year with two changes, one that
	// goes on and one that ends the aid (README: 64 events in three runs,
	// 29 + 17 + 18).
	twoChangesBound = 64
)

// TestReplayOpenYear replays the recorded open year (household-open-year:
// enrolled, one change that goes on, one that ends the family's aid),
// every run of it, and requires it to be there: the open year is the
// path openYearChange added, and TestReplayHistories alone would pass
// without it.
func TestReplayOpenYear(t *testing.T) {
	r := newReplayer(t)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	for _, f := range []string{"household-open-year.json", "household-open-year-run2.json", "household-open-year-run3.json"} {
		path := "testdata/histories/" + f
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("recorded open year %s: %v", path, err)
		}
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, path); err != nil {
			t.Fatalf("replay %s: %v", path, err)
		}
	}
}

// TestOpenYearHistoryBound, on a real Temporal dev server, runs an
// enrolled household through the year README states the number of: two
// changes (one that goes on, one that ends the aid), held to 64 events in
// three runs; and another through twelve monthly changes (one a month,
// each recorded and confirmed) and the cycle's close. Every run's history
// is held to its bound: Continue-As-New after each change keeps the
// year's histories short however many changes come.
func TestOpenYearHistoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	srv := devservertest.Start(ctx, t, os.Getenv)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{&stubActivities{}}})
	worker.Register(w, &activities.Activities{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	start := func(householdID int64) (*recorder, client.WorkflowRun) {
		r := &recorder{t: t, ctx: ctx, c: c, id: workflows.HouseholdWorkflowID(901, householdID)}
		run, err := r.startHousehold(workflows.HouseholdInput{
			CycleID: 901, HouseholdID: householdID, Year: now.Year(), RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
			Desil: 1, InDTKS: true, CycleOpenedAt: now.Add(-48 * time.Hour), DueAt: now.Add(30 * day),
		})
		if err != nil {
			t.Fatal(err)
		}
		return r, run
	}

	// Two changes in a year: a change of members (the case goes on), then
	// the head's death that ends the family.
	two, twoRun := start(2)
	twoFirst := twoRun.GetRunID() // Get follows the runs, and GetRunID with it
	two.openYear(901, 2, today)
	var ended workflows.HouseholdResult
	if err := twoRun.Get(ctx, &ended); err != nil || ended.Stage != domain.StageExited {
		t.Fatalf("two changes: %+v, %v; want exited", ended, err)
	}
	counts := two.runEvents(twoFirst)
	sum := boundedRuns(t, "two changes", counts)
	if len(counts) != 3 || sum > twoChangesBound {
		t.Errorf("two changes in a year: %v events in %d runs, %d in all; want 3 runs and at most %d", counts, len(counts), sum, twoChangesBound)
	}
	t.Logf("two changes: %v events, %d in all", counts, sum)

	// Twelve monthly changes, then the cycle's close.
	r, run := start(1)
	first := run.GetRunID()
	r.enrol(901, 1, today)
	for month := 1; month <= 12; month++ {
		r.yearChange(domain.ChangeMembers, today, month)
	}
	r.waitForYearRun(12)
	if _, err := (workflows.Cases{Client: c}).CycleClosed(ctx, 901, 1, "tutup buku"); err != nil {
		t.Fatal(err)
	}
	var res workflows.HouseholdResult
	if err := run.Get(ctx, &res); err != nil || res.Stage != domain.StageEnrolled {
		t.Fatalf("the year's end: %+v, %v; want enrolled", res, err)
	}
	counts = r.runEvents(first)
	total, runs := boundedRuns(t, "twelve changes", counts), len(counts)
	// The enrolling run, one run per change, and the last one the close ends.
	if runs != 14 {
		t.Errorf("%d runs, want 14", runs)
	}
	t.Logf("twelve monthly changes: %d runs, %d events in all", runs, total)
}

// boundedRuns holds each run of a household's case to its bound (the
// enrolling run first, then the open year's) and returns their events in
// all.
func boundedRuns(t *testing.T, what string, counts []int) int {
	t.Helper()
	total := 0
	for i, n := range counts {
		bound := yearRunBound
		if i == 0 {
			bound = enrolRunBound
		}
		if n > bound {
			t.Errorf("%s, run %d: %d events, bound %d", what, i+1, n, bound)
		}
		total += n
	}
	return total
}
