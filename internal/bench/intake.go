package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/apiclient"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// Regency is where the generated families live: Kab. Blitar, whose real
// desil-1 list (about 135,000 people) is the domain's reference.
const Regency = "35.05"

// DefaultFaultRate is the share of generated rows with one typical fault.
const DefaultFaultRate = 0.03

// dinsosUser and dinsosPassword are the development Dinsos login that
// EnsureDevUsers creates on the bench's own throw-away database.
const (
	dinsosUser     = "dinsos"
	dinsosPassword = "dinsos-blitar-2026"
)

// IntakeOptions configure the intake benchmark.
type IntakeOptions struct {
	// Households is the number of generated rows (families).
	Households int
	// Seed makes the generated file reproducible.
	Seed uint64
	// FaultRate is the share of faulty rows; 0 means DefaultFaultRate.
	FaultRate float64
	// DTSEN, 1 to 5, makes the file a DTSEN file with member rows
	// (Households families of every desil) and the cycle's scope desil 1
	// to DTSEN; 0 is a P3KE file.
	DTSEN int
	// RawStarts is how many trivial workflows measure the raw start rate
	// (before and after the intake); 0 means min(Households, 3000).
	RawStarts int
	// Stack is where the embedded stack runs.
	Stack StackOptions
	// Progress receives the progress bar; nil shows none.
	Progress io.Writer
}

// ParseReport is the offline parse-and-validate figure.
type ParseReport struct {
	Rows       int     `json:"rows"`
	Passes     int     `json:"passes"`
	Seconds    float64 `json:"seconds"` // median pass
	RowsPerSec float64 `json:"rowsPerSec"`
	// PeakHeapMB is the parser's peak heap above what was in use before
	// (the file's bytes are in the baseline), sampled every 5 ms.
	PeakHeapMB float64 `json:"peakHeapMB"`
	// AllocBytesPerRow is what one row costs the allocator.
	AllocBytesPerRow float64 `json:"allocBytesPerRow"`
}

// IntakeRun is one intake through the API, with the server's counts and
// the exact duration of its two activities (from the intake workflow's
// history).
type IntakeRun struct {
	CycleID        int64 `json:"cycleId"`
	IntakeID       int64 `json:"intakeId"`
	Rows           int   `json:"rows"`
	Accepted       int   `json:"accepted"`
	Skipped        int   `json:"skipped"`
	Rejected       int   `json:"rejected"`
	Warnings       int   `json:"warnings"`
	Stored         int   `json:"stored"`
	AlreadyPresent int   `json:"alreadyPresent"`
	Started        int   `json:"started"`
	// UploadSeconds is the multipart POST until its 202.
	UploadSeconds float64 `json:"uploadSeconds"`
	// Store is ParseIntake: rows parsed, validated and stored with their
	// tasks, in batches of 500; Count is households stored.
	Store Rate `json:"store"`
	// Start is StartIntakeCases: one household workflow per stored family.
	Start Rate `json:"start"`
	// TotalSeconds is from the upload's first byte until the API showed
	// the intake done.
	TotalSeconds float64 `json:"totalSeconds"`
}

// Target is a goal the report compares a figure with; it is never an
// assertion.
type Target struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	Met  bool   `json:"met"`
}

// IntakeReport is `verval bench intake`'s result.
type IntakeReport struct {
	Regency    string  `json:"regency"`
	Households int     `json:"households"`
	Seed       uint64  `json:"seed"`
	FaultRate  float64 `json:"faultRate"`
	FileMB     float64 `json:"fileMB"`
	// WorkflowCache is the worker's sticky workflow cache size.
	WorkflowCache int `json:"workflowCache"`
	// WorkflowPollers is the worker's workflow-task pollers.
	WorkflowPollers int          `json:"workflowPollers"`
	Expected        p3ke.Summary `json:"expected"`
	Parse           ParseReport  `json:"parse"`
	// RawStartBefore and RawStartAfter are the raw start rate of the same
	// server just before and just after the intake: a minimal workflow
	// (start, first workflow task, wait), timed until the reference worker
	// (polling like verval's) has run every one's first task.
	RawStartBefore Rate `json:"rawStartBefore"`
	RawStartAfter  Rate `json:"rawStartAfter"`
	// RawStartCalls is start calls alone, to a queue no worker polls: the
	// server's bare start capacity, none of the started workflows run.
	RawStartCalls Rate      `json:"rawStartCalls"`
	Intake        IntakeRun `json:"intake"`
	// StartRatio is the intake's start rate over the mean raw start rate.
	StartRatio float64 `json:"startRatio"`
	// StartCallsRatio is the intake's start rate over RawStartCalls.
	StartCallsRatio float64 `json:"startCallsRatio"`
	// Memory is sampled from the upload until the intake is done.
	Memory  Memory   `json:"memory"`
	Targets []Target `json:"targets"`
}

// Intake generates a file, measures the parser offline, starts a stack and
// loads the file through the API, measuring the same server's raw start
// rate before and after.
func Intake(ctx context.Context, o IntakeOptions) (*IntakeReport, error) {
	if o.Households < 1 {
		return nil, errors.New("households must be at least 1")
	}
	if o.FaultRate == 0 {
		o.FaultRate = DefaultFaultRate
	}
	if o.RawStarts <= 0 {
		o.RawStarts = min(o.Households, 3000)
	}
	rep := &IntakeReport{Regency: Regency, Households: o.Households, Seed: o.Seed, FaultRate: o.FaultRate}
	file, want, err := generate(o.Households, o.Seed, o.FaultRate, o.DTSEN)
	if err != nil {
		return nil, err
	}
	defer file.remove()
	rep.Expected, rep.FileMB = want, mib(uint64(file.size))
	if rep.Parse, err = measureParse(file, want); err != nil {
		return nil, err
	}

	s, err := StartStack(ctx, o.Stack)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep.WorkflowCache, rep.WorkflowPollers = s.App.Config.WorkflowCache, s.App.Config.WorkflowPollers
	tag := fmt.Sprint(time.Now().UnixNano())
	if rep.RawStartCalls, err = s.Reference.StartCalls(ctx, tag+"-calls", o.RawStarts); err != nil {
		return nil, err
	}
	if rep.RawStartBefore, err = s.Reference.Starts(ctx, tag+"-before", o.RawStarts); err != nil {
		return nil, err
	}
	h := newHTTPClient()
	dinsos, err := apiclient.Login(ctx, h, s.BaseURL, dinsosUser, dinsosPassword)
	if err != nil {
		return nil, err
	}
	cycleID, err := createCycle(ctx, dinsos, o.DTSEN)
	if err != nil {
		return nil, err
	}
	mem := StartMemSampler(100 * time.Millisecond)
	rep.Intake, err = runIntake(ctx, s, dinsos, cycleID, file, want, o.Progress)
	rep.Memory = s.stopSampler(mem)
	if err != nil {
		return nil, err
	}
	if rep.RawStartAfter, err = s.Reference.Starts(ctx, tag+"-after", o.RawStarts); err != nil {
		return nil, err
	}
	if raw := (rep.RawStartBefore.PerSec + rep.RawStartAfter.PerSec) / 2; raw > 0 {
		rep.StartRatio = rep.Intake.Start.PerSec / raw
	}
	if rep.RawStartCalls.PerSec > 0 {
		rep.StartCallsRatio = rep.Intake.Start.PerSec / rep.RawStartCalls.PerSec
	}
	rep.Targets = []Target{
		{Name: "parse and validate, one core", Want: ">= 25,000 rows/s (50,000 rows < 2 s)",
			Got: apiclient.Count(int(rep.Parse.RowsPerSec)) + " rows/s", Met: rep.Parse.RowsPerSec >= 25_000},
		{Name: "intake start rate / raw start rate", Want: ">= 70%",
			Got: fmt.Sprintf("%.0f%%", 100*rep.StartRatio), Met: rep.StartRatio >= 0.70},
		{Name: "peak process RSS during the intake", Want: "< 150 MB",
			Got: fmt.Sprintf("%.0f MB", rep.Memory.PeakRSSMB), Met: rep.Memory.PeakRSSMB < 150},
	}
	return rep, nil
}

// p3keFile is the generated P3KE file, on disk like an operator's: the
// bench's process holds none of it while the server takes it in.
type p3keFile struct {
	path string
	size int64
	// dtsen: a DTSEN file with member rows, read with the cycle's scope
	// desil 1 to dtsen; 0 for a P3KE file.
	dtsen int
}

func (f p3keFile) remove() {
	if f.path != "" {
		os.Remove(f.path)
	}
}

// generate writes the P3KE file (or, when dtsen is 1 to 5, a DTSEN file
// of n families of every desil with their members, for a cycle of scope
// desil 1 to dtsen) to a temporary file; remove it when done.
func generate(n int, seed uint64, faults float64, dtsen int) (p3keFile, p3ke.Summary, error) {
	out, err := os.CreateTemp("", "verval-bench-p3ke-*.csv")
	if err != nil {
		return p3keFile{}, p3ke.Summary{}, err
	}
	f := p3keFile{path: out.Name(), dtsen: dtsen}
	w := bufio.NewWriterSize(out, 1<<20)
	var want p3ke.Summary
	if dtsen > 0 {
		var plan p3ke.DTSENPlan
		plan, err = p3ke.GenerateDTSEN(w, p3ke.DTSENOptions{GenOptions: p3ke.GenOptions{Regency: Regency, Households: n, Seed: seed, FaultRate: faults}, MaxDesil: dtsen})
		want = plan.Summary
	} else {
		want, err = p3ke.GenerateCSV(w, p3ke.GenOptions{Regency: Regency, Households: n, Seed: seed, FaultRate: faults})
	}
	if err == nil {
		err = w.Flush()
	}
	if st, serr := out.Stat(); err == nil {
		err = serr
		if serr == nil {
			f.size = st.Size()
		}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.remove()
		return p3keFile{}, want, err
	}
	return f, want, nil
}

// parsePasses is how many times the file is parsed; the median counts.
const parsePasses = 3

// measureParse runs p3ke.Check over the file on one core (GOMAXPROCS 1,
// before the stack starts, so nothing else runs in the process) and
// checks it finds what the generator planted.
func measureParse(file p3keFile, want p3ke.Summary) (ParseReport, error) {
	tab := wilayah.Default() // loaded once per process, outside the timing
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var times []time.Duration
	rep := ParseReport{Passes: parsePasses}
	var alloc uint64
	for range parsePasses {
		in, err := os.Open(file.path)
		if err != nil {
			return rep, err
		}
		mem := StartMemSampler(5 * time.Millisecond)
		a0 := heapAllocated()
		t0 := time.Now()
		got, err := p3ke.Check(in, p3ke.Options{Regency: Regency, Wilayah: tab, MaxDesil: file.dtsen})
		d := time.Since(t0)
		in.Close()
		alloc = heapAllocated() - a0
		m := mem.Stop()
		if err != nil {
			return rep, fmt.Errorf("parse: %w", err)
		}
		if got.Summary != want {
			return rep, fmt.Errorf("parser found %v, the generator planted %v", got.Summary, want)
		}
		rep.Rows = got.Accepted + got.Skipped + got.Rejected
		rep.PeakHeapMB = max(rep.PeakHeapMB, m.PeakHeapMB-m.BaseHeapMB)
		times = append(times, d)
	}
	slices.Sort(times)
	med := times[len(times)/2]
	rep.Seconds = med.Seconds()
	rep.RowsPerSec = float64(rep.Rows) / med.Seconds()
	rep.AllocBytesPerRow = float64(alloc) / float64(max(rep.Rows, 1))
	return rep, nil
}

// createCycle opens a Kab. Blitar cycle in the first free year from 2026
// (a kept PostgreSQL database may hold earlier runs' cycles), verifying
// desil 1 to maxDesil (0: the default, 1).
func createCycle(ctx context.Context, dinsos *apiclient.Client, maxDesil int) (int64, error) {
	for year := 2026; year <= 2100; year++ {
		var cy struct{ ID int64 }
		_, err := dinsos.Call(ctx, http.MethodPost, "/api/v1/cycles", map[string]any{"regencyCode": Regency, "year": year, "maxDesil": maxDesil}, &cy)
		var se *apiclient.StatusError
		if errors.As(err, &se) && se.Status == http.StatusConflict {
			continue
		}
		return cy.ID, err
	}
	return 0, errors.New("no free cycle year for the bench")
}

// intakeStall bounds how long an intake may show no progress at all.
const intakeStall = 10 * time.Minute

// runIntake uploads the file as Dinsos and follows the intake to its end,
// drawing a progress bar from its counters.
func runIntake(ctx context.Context, s *Stack, dinsos *apiclient.Client, cycleID int64, file p3keFile, want p3ke.Summary, progress io.Writer) (IntakeRun, error) {
	run := IntakeRun{CycleID: cycleID}
	var in apiclient.Intake
	f, err := os.Open(file.path)
	if err != nil {
		return run, err
	}
	defer f.Close()
	t0 := time.Now()
	d, err := dinsos.Upload(ctx, fmt.Sprintf("/api/v1/cycles/%d/intake", cycleID), "p3ke-bench.csv", f, &in)
	if err != nil {
		return run, fmt.Errorf("upload: %w", err)
	}
	run.UploadSeconds = d.Seconds()
	rows := want.Accepted + want.Skipped + want.Rejected
	bar := apiclient.NewProgress(progress, "intake")
	lastChange, last := time.Now(), in
	for !in.Ended() {
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := dinsos.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/intakes/%d", in.ID), nil, &in); err != nil {
			return run, err
		}
		bar.Update(in.RowsParsed+in.WorkflowsStarted, rows+want.Accepted,
			fmt.Sprintf("parsed %s/%s, started %s/%s", apiclient.Count(in.RowsParsed), apiclient.Count(rows), apiclient.Count(in.WorkflowsStarted), apiclient.Count(in.HouseholdsStored)))
		if in != last {
			lastChange, last = time.Now(), in
		} else if time.Since(lastChange) > intakeStall {
			return run, fmt.Errorf("intake %d made no progress for %s (status %s)", in.ID, intakeStall, in.Status)
		}
	}
	bar.Done()
	run.TotalSeconds = time.Since(t0).Seconds()
	run.IntakeID = in.ID
	run.Rows, run.Accepted, run.Skipped, run.Rejected, run.Warnings = in.RowsParsed, in.Accepted, in.Skipped, in.Rejected, in.Warnings
	run.Stored, run.AlreadyPresent, run.Started = in.HouseholdsStored, in.AlreadyPresent, in.WorkflowsStarted
	if in.Status == "failed" {
		return run, fmt.Errorf("intake %d failed: %s", in.ID, in.Error)
	}
	spans, err := activitySpans(ctx, s.App.Temporal, workflows.IntakeWorkflowID(in.ID))
	if err != nil {
		return run, err
	}
	run.Store = rate(run.Stored, spans["ParseIntake"])
	run.Start = rate(run.Started, spans["StartIntakeCases"])
	return run, nil
}

// activitySpans reads a workflow's history and returns, per activity type,
// the time from its scheduling to its completion: exact, where polling the
// API would be off by its interval.
func activitySpans(ctx context.Context, c client.Client, workflowID string) (map[string]time.Duration, error) {
	type sched struct {
		name string
		at   time.Time
	}
	scheduled := map[int64]sched{}
	spans := map[string]time.Duration{}
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", workflowID, err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			a := ev.GetActivityTaskScheduledEventAttributes()
			scheduled[ev.GetEventId()] = sched{a.GetActivityType().GetName(), ev.GetEventTime().AsTime()}
		case enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			sc := scheduled[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()]
			spans[sc.name] = ev.GetEventTime().AsTime().Sub(sc.at)
		}
	}
	return spans, nil
}
