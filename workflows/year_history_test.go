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

// TestOpenYearHistoryBound runs an enrolled household through twelve
// monthly changes (one a month, each recorded and confirmed) and the
// cycle's close on a real Temporal dev server, and holds every run's
// history to its bound: Continue-As-New after each change keeps the year's
// histories short however many changes come.
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
	r := &recorder{t: t, ctx: ctx, c: c, id: workflows.HouseholdWorkflowID(901, 1)}
	run, err := r.startHousehold(workflows.HouseholdInput{
		CycleID: 901, HouseholdID: 1, Year: now.Year(), RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
		Desil: 1, InDTKS: true, CycleOpenedAt: now.Add(-48 * time.Hour), DueAt: now.Add(30 * day),
	})
	if err != nil {
		t.Fatal(err)
	}
	first := run.GetRunID()
	r.stage(domain.StageAwaitingVerification)
	r.update(workflows.UpdateSubmitVerification, workflows.VerificationRequest{
		Actor: officer, Outcome: domain.OutcomeEligible, VisitDate: today,
		Indicators: workflows.VisitIndicators{JenisLantai: "tanah", JenisDinding: "bambu", JenisAtap: "rumbia"},
	}, false)
	if err := (workflows.Cases{Client: c}).MeetingClosed(ctx, 901, 1, 3); err != nil {
		t.Fatal(err)
	}
	r.stage(domain.StageAwaitingDecree)
	r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
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
	total, runs := 0, 0
	for id := first; id != ""; runs++ {
		h := r.history(id)
		n := len(h.Events)
		bound := yearRunBound
		if runs == 0 {
			bound = enrolRunBound
		}
		if n > bound {
			t.Errorf("run %d: %d events, bound %d", runs+1, n, bound)
		}
		total += n
		id = nextRun(h)
	}
	// The enrolling run, one run per change, and the last one the close ends.
	if runs != 14 {
		t.Errorf("%d runs, want 14", runs)
	}
	t.Logf("twelve monthly changes: %d runs, %d events in all", runs, total)
}
