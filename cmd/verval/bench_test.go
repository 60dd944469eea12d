package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/verval/verval/internal/bench"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/devserver/devservertest"
)

// benchEnv lets the bench command use a ready Temporal CLI when the
// environment names one, and otherwise the repository's bin/temporal.
func benchEnv(k string) string {
	if k == "VERVAL_TEMPORAL_BIN" {
		return os.Getenv(k)
	}
	return ""
}

// TestBenchIntake runs `verval bench intake` on 200 households and checks
// the report agrees with itself: every accepted family stored, every stored
// family started, and a start rate of the same order as the raw one. The
// rates themselves are not asserted: the machine is shared.
func TestBenchIntake(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rep bench.IntakeReport
	benchReport(ctx, t, &rep, "bench", "intake", "--households", "200", "--seed", "7", "--json")
	in := rep.Intake
	if in.Accepted != rep.Expected.Accepted || in.Rejected != rep.Expected.Rejected || in.Skipped != rep.Expected.Skipped {
		t.Errorf("server counted %d/%d/%d accepted/rejected/skipped, generator planted %+v", in.Accepted, in.Rejected, in.Skipped, rep.Expected)
	}
	if in.Stored != in.Accepted || in.Started != in.Stored || in.AlreadyPresent != 0 {
		t.Errorf("stored %d, started %d, already present %d; want all %d accepted stored and started", in.Stored, in.Started, in.AlreadyPresent, in.Accepted)
	}
	if in.Store.Count != in.Stored || in.Start.Count != in.Started || in.Store.Seconds <= 0 || in.Start.Seconds <= 0 {
		t.Errorf("activity spans: store %+v, start %+v", in.Store, in.Start)
	}
	if rep.WorkflowCache != config.DefaultWorkflowCache || rep.WorkflowPollers != config.DefaultWorkflowPollers {
		t.Errorf("report says workflow cache %d, pollers %d; the stack runs with the defaults %d and %d",
			rep.WorkflowCache, rep.WorkflowPollers, config.DefaultWorkflowCache, config.DefaultWorkflowPollers)
	}
	if rep.Parse.Rows != 200 || rep.Parse.RowsPerSec <= 0 {
		t.Errorf("parse: %+v", rep.Parse)
	}
	if rep.RawStartBefore.Count != 200 || rep.RawStartAfter.Count != 200 || rep.RawStartCalls.Count != 200 {
		t.Errorf("raw starts: %+v, %+v, calls alone %+v", rep.RawStartBefore, rep.RawStartAfter, rep.RawStartCalls)
	}
	// The ratios are the same run's rates divided, whatever the machine's
	// speed (200 starts on a shared machine put them anywhere from half
	// to twice the reference: how fast is for the benchmark to show).
	raw := (rep.RawStartBefore.PerSec + rep.RawStartAfter.PerSec) / 2
	if in.Start.PerSec <= 0 || raw <= 0 || math.Abs(rep.StartRatio-in.Start.PerSec/raw) > 1e-9 {
		t.Errorf("intake start rate / raw start rate = %.3f, want %.1f / %.1f", rep.StartRatio, in.Start.PerSec, raw)
	}
	if rep.RawStartCalls.PerSec <= 0 || math.Abs(rep.StartCallsRatio-in.Start.PerSec/rep.RawStartCalls.PerSec) > 1e-9 {
		t.Errorf("intake start rate / start calls alone = %.3f, want %.1f / %.1f", rep.StartCallsRatio, in.Start.PerSec, rep.RawStartCalls.PerSec)
	}
	if rep.Memory.PeakRSSMB <= 0 || rep.Memory.PeakHeapMB <= 0 {
		t.Errorf("memory not measured: %+v", rep.Memory)
	}
	if len(rep.Targets) == 0 {
		t.Error("no targets reported")
	}
}

// TestBenchUsage: a wrong sub-command is refused with the usage.
func TestBenchUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"bench", "nope"}, benchEnv, nil, &out, &errOut); code == 0 || !bytes.Contains(errOut.Bytes(), []byte("verval bench intake")) ||
		!bytes.Contains(errOut.Bytes(), []byte("--dtsen N")) {
		t.Fatalf("bench nope: exit %d, stderr %s", code, errOut.String())
	}
}

// TestBenchCycle runs `verval bench cycle` on a few households: every
// stored household is verified by an officer and moved on by its village
// meeting, the decree and the Kemensos batch settle every household, and a
// history sample is counted.
func TestBenchCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rep bench.CycleReport
	benchReport(ctx, t, &rep, "bench", "cycle", "--households", "40", "--officers", "8", "--officer-households", "2", "--officer-pause", "100ms", "--lifecycles", "20", "--capacity-households", "20", "--json")
	phases := map[string]bench.PhaseResult{}
	for _, p := range rep.Phases {
		phases[p.Name] = p
	}
	if len(phases) != len(bench.CyclePhases()) {
		t.Errorf("report has phases %v, want every one of the cycle's %d", phases, len(bench.CyclePhases()))
	}
	stored := rep.Intake.Stored
	if stored == 0 || phases["intake"].Households != stored || phases["verify"].Households != stored || phases["meetings"].Households != stored {
		t.Errorf("households: stored %d, intake %d, verified %d, past the meeting %d", stored,
			phases["intake"].Households, phases["verify"].Households, phases["meetings"].Households)
	}
	sum := 0
	for _, n := range rep.Outcomes {
		sum += n
	}
	if sum != stored || rep.Submit.Count != stored || rep.Submit.Errors != 0 || rep.TaskList.Count == 0 {
		t.Errorf("outcomes %v, submissions %+v, task lists %+v", rep.Outcomes, rep.Submit, rep.TaskList)
	}
	if !rep.Complete || rep.Through != "proposal" || phases["decree"].Households == 0 || phases["proposal"].Households == 0 {
		t.Errorf("decree and proposal phases: complete %v, through %q, %+v, %+v", rep.Complete, rep.Through, phases["decree"], phases["proposal"])
	}
	// Villages of more than two households have their lists split
	// between officers; each village's meeting waited for its last one.
	if rep.Villages == 0 || rep.VillageOfficers <= rep.Villages {
		t.Errorf("%d officers for %d villages, want more officers than villages", rep.VillageOfficers, rep.Villages)
	}
	if rep.History.Sampled == 0 || rep.History.MeanEvents <= 0 {
		t.Errorf("history sample: %+v", rep.History)
	}
	// The bench's own dev server counts its database calls; a household
	// costs at least its start, a few workflow-task writes and its
	// search-attribute rows.
	if c := rep.TemporalDBCalls; c == nil || c.PerHousehold < 5 || len(c.Top) == 0 {
		t.Errorf("Temporal database calls: %+v", c)
	}
	if rep.TrivialLifecycle.Count != 20 || rep.LifecycleRatio <= 0 {
		t.Errorf("trivial lifecycle %+v, ratio %.2f", rep.TrivialLifecycle, rep.LifecycleRatio)
	}
	// The capacity run: a second cycle verified back to back, its rate
	// against the same trivial lifecycle.
	c := rep.Capacity
	if c == nil || c.Households == 0 || c.Submit.Count < c.Households || c.StepsPerSec <= 0 ||
		c.TrivialPerSec != rep.TrivialLifecycle.PerSec || c.Ratio != c.StepsPerSec/c.TrivialPerSec {
		t.Errorf("capacity run: %+v", c)
	}
	// The dev server's database time over verification, by operation.
	if len(rep.ServerParts) == 0 || rep.ServerParts[0].Count == 0 {
		t.Errorf("server parts: %+v", rep.ServerParts)
	}
}

// TestBenchCycleDTSEN runs `verval bench cycle --dtsen 4` on a couple of
// hundred families of every desil with their members: the families of
// desil 1 to 4 are stored and taken through the cycle, each household's
// history stays within the 40 events of the target (members never travel
// in the workflow), and the file had people to store.
func TestBenchCycleDTSEN(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var rep bench.CycleReport
	benchReport(ctx, t, &rep, "bench", "cycle", "--dtsen", "4", "--households", "200", "--officers", "8", "--officer-pause", "0",
		"--lifecycles", "20", "--capacity-households", "0", "--json")
	in := rep.Intake
	if in.Stored == 0 || in.Stored != rep.Expected.Accepted || in.Skipped != rep.Expected.Skipped || in.Skipped == 0 || rep.Expected.People <= in.Stored {
		t.Errorf("intake %+v, the file's plan %+v: want the families in scope stored, the others skipped, and more people than families", in, rep.Expected)
	}
	if !rep.Complete || rep.Through != "proposal" {
		t.Errorf("the cycle ran through %q (complete %v): %v", rep.Through, rep.Complete, rep.Errors)
	}
	if h := rep.History; h.Sampled == 0 || h.MaxEvents > 40 || h.MaxEvents == 0 {
		t.Errorf("history events per household: %+v, want at most 40", h)
	}
	t.Logf("%d households stored (%d people in the file's accepted families), %d kept as reference; history events mean %.1f, max %d",
		in.Stored, rep.Expected.People, in.Skipped, rep.History.MeanEvents, rep.History.MaxEvents)
}

// With --temporal-address the bench runs against that server, not a dev
// server of its own: the households' workflows are on the given server,
// and the report measures no Temporal process of its own.
func TestBenchIntakeAgainstACluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The "cluster": a server the bench did not start, with verval's
	// search attributes.
	srv := devservertest.Start(ctx, t, benchEnv)

	var rep bench.IntakeReport
	benchReport(ctx, t, &rep, "bench", "intake", "--households", "60", "--raw-starts", "20", "--temporal-address", srv.Address, "--json")
	if rep.Intake.Started == 0 || rep.Intake.Started != rep.Intake.Accepted {
		t.Fatalf("started %d of %d accepted", rep.Intake.Started, rep.Intake.Accepted)
	}
	if rep.Memory.TemporalLocal || rep.Memory.TemporalPeakRSSMB != 0 || rep.Memory.TemporalCPUSeconds != 0 {
		t.Errorf("the report measured a Temporal process of its own: %+v", rep.Memory)
	}

	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, 30*time.Second, "the households' workflows on the given server", func() bool {
		resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: `WorkflowType = "HouseholdWorkflow"`})
		return err == nil && resp.Count == int64(rep.Intake.Started)
	})
}

// benchReport runs `verval` with args (a bench with --json) and decodes its
// report into rep, failing the test on a non-zero exit or a report that
// is not JSON.
func benchReport(ctx context.Context, t *testing.T, rep any, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(ctx, args, benchEnv, nil, &out, &errOut); code != 0 {
		t.Fatalf("verval %s exited %d:\n%s\n%s", strings.Join(args[:2], " "), code, errOut.String(), out.String())
	}
	if err := json.Unmarshal(out.Bytes(), rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
}
