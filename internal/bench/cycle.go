package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/verval/verval/internal/apiclient"
	"github.com/verval/verval/internal/domain"

	"go.temporal.io/api/enums/v1"
	"golang.org/x/sync/errgroup"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// CycleOptions configure the whole-cycle benchmark.
type CycleOptions struct {
	// Households is the number of generated rows (families).
	Households int
	// Seed makes the file and the officers' outcomes reproducible.
	Seed uint64
	// FaultRate is the share of faulty rows; 0 means DefaultFaultRate.
	FaultRate float64
	// DTSEN, 1 to 5, makes the file a DTSEN file with member rows
	// (Households families of every desil) and the cycle's scope desil 1
	// to DTSEN; 0 is a P3KE file.
	DTSEN int
	// Officers is how many village officers submit at once; 0 means 50.
	Officers int
	// OfficerHouseholds gives a village one officer per this many of its
	// households, rounded up; the village's officers split its list. 0
	// means one officer per village, however large.
	OfficerHouseholds int
	// OfficerPause is how long an officer takes between two results (the
	// walk to the next house), drawn uniformly from half to one and a half
	// times it; 0 means none: results back to back, the system saturated.
	OfficerPause time.Duration
	// Lifecycles is how many trivial workflows measure the reference
	// lifecycle rate; 0 means min(Households, 1000).
	Lifecycles int
	// HistorySample is how many households' histories are counted; 0 means 100.
	HistorySample int
	// CapacityHouseholds is the size of the capacity run after the cycle
	// (verification with officers back to back, on a cycle of its own),
	// at most Households; 0 means none.
	CapacityHouseholds int
	// PhaseTimeout bounds waiting for workflows to catch up after a
	// phase's requests; 0 means 30 minutes.
	PhaseTimeout time.Duration
	// Stack is where the embedded stack runs.
	Stack StackOptions
	// Progress receives the progress bars; nil shows none.
	Progress io.Writer
}

// PhaseResult is one phase's figures. A phase that failed or did not run
// (after an earlier failure) says so in its note.
type PhaseResult struct {
	Name       string  `json:"name"`
	Households int     `json:"households"`
	Seconds    float64 `json:"seconds"`
	PerSec     float64 `json:"perSec"`
	// Memory is sampled over this phase alone (peaks reset at its start).
	Memory Memory `json:"memory"`
	Note   string `json:"note,omitempty"`
}

// HistoryReport is the Temporal history size of sampled households.
type HistoryReport struct {
	Sampled    int     `json:"sampled"`
	MeanEvents float64 `json:"meanEvents"`
	MaxEvents  int     `json:"maxEvents"`
	// ByType is the mean count per household of each event type.
	ByType map[string]float64 `json:"byType"`
	// Through names the last phase the households had been through.
	Through string `json:"through"`
}

// CycleReport is `verval bench cycle`'s result.
type CycleReport struct {
	Regency    string  `json:"regency"`
	Households int     `json:"households"`
	Seed       uint64  `json:"seed"`
	FaultRate  float64 `json:"faultRate"`
	Officers   int     `json:"officers"`
	// OfficerHouseholds is the households per village officer (0: one
	// officer per village).
	OfficerHouseholds int `json:"officerHouseholds"`
	// Villages and VillageOfficers are the villages with households and
	// the officers created for them.
	Villages        int `json:"villages"`
	VillageOfficers int `json:"villageOfficers"`
	// OfficerPauseSeconds is an officer's mean pause between two results.
	OfficerPauseSeconds float64 `json:"officerPauseSeconds"`
	// WorkflowCache is the worker's sticky workflow cache size.
	WorkflowCache int `json:"workflowCache"`
	// WorkflowPollers is the worker's workflow-task pollers.
	WorkflowPollers int `json:"workflowPollers"`
	// FanOutUpdates is the household Updates the fan-outs send at once (0: no bound).
	FanOutUpdates int           `json:"fanOutUpdates"`
	Phases        []PhaseResult `json:"phases"`
	// Complete is true when every phase ran and none failed; only then
	// does the whole-cycle time count against its target.
	Complete bool `json:"complete"`
	// Through is the last household phase that ran and succeeded
	// ("nothing" before the intake did); ThroughSeconds adds up the
	// household phases up to it.
	Through        string  `json:"through"`
	ThroughSeconds float64 `json:"throughSeconds"`
	// HouseholdRate is households stored over ThroughSeconds.
	HouseholdRate float64 `json:"householdRate"`
	// TrivialLifecycle is the reference workflow's lifecycle rate on the
	// same server, measured before the intake.
	TrivialLifecycle Rate `json:"trivialLifecycle"`
	// LifecycleRatio is HouseholdRate / TrivialLifecycle: capped by the
	// officers' pace, it is not the capacity figure (Capacity is).
	LifecycleRatio float64 `json:"lifecycleRatio"`
	// Capacity is the system at saturation: household steps per second
	// with officers back to back, against the same trivial lifecycle.
	Capacity *Capacity `json:"capacity,omitempty"`
	// SetupSeconds is creating and logging in the officers (not timed in
	// any phase).
	SetupSeconds float64        `json:"setupSeconds"`
	TaskList     LatencySummary `json:"taskList"`
	Submit       LatencySummary `json:"submit"`
	// SubmitSlowByTenth counts the result submissions slower than the
	// 250 ms target in each tenth of the time the submissions spanned.
	SubmitSlowByTenth []int `json:"submitSlowByTenth"`
	// SubmitParts is where the verify phase's time went, from the
	// process's own histograms (the API's, the Temporal client's and the
	// worker's).
	SubmitParts []Breakdown `json:"submitParts"`
	// ServerParts is the Temporal server's database time over the verify
	// phase by operation (its persistence_latency), when its metrics are
	// known: the dev server's, or a cluster's --temporal-metrics.
	ServerParts []Breakdown `json:"serverParts,omitempty"`
	// TemporalDBCalls is the dev server's database calls over the
	// household phases, per household stored; nil against a cluster.
	TemporalDBCalls *DBCallReport  `json:"temporalDBCalls,omitempty"`
	Meeting         LatencySummary `json:"meeting"`
	Outcomes        map[string]int `json:"outcomes"`
	// Retries counts submissions sent again after a 503 or 429.
	Retries  int           `json:"retries"`
	Errors   []string      `json:"errors,omitempty"`
	History  HistoryReport `json:"history"`
	Memory   Memory        `json:"memory"`
	Intake   IntakeRun     `json:"intake"`
	Expected p3ke.Summary  `json:"expected"`
	Targets  []Target      `json:"targets"`
}

// Phase is one step of the cycle.
type Phase struct {
	Name string
	Run  func(ctx context.Context, r *cycleRun) (PhaseResult, error)
	// Household phases count towards the household lifecycle rate.
	Household bool
}

// CyclePhases lists the cycle's phases in order, intake to enrolment.
func CyclePhases() []Phase {
	return []Phase{
		{Name: "generate", Run: phaseGenerate},
		{Name: "intake", Run: phaseIntake, Household: true},
		{Name: "officers", Run: phaseOfficers}, // setup: one logged-in officer per village
		// Each officer records its village's meeting right after the
		// village's last result, so the meetings run inside verify; the
		// meetings phase waits for the last households to move on.
		{Name: "verify", Run: phaseVerify, Household: true},
		{Name: "meetings", Run: phaseMeetings, Household: true},
		{Name: "decree", Run: phaseDecree, Household: true},
		{Name: "proposal", Run: phaseProposal, Household: true},
		// Enrolment runs in the final stage's local activity (on signing
		// for households already in DTKS, on Kemensos' acceptance for the
		// rest), so it is timed inside decree and proposal; this phase
		// only counts where every household ended.
		{Name: "enrolment", Run: phaseEnrolment},
	}
}

// cycleRun is the state the phases share.
type cycleRun struct {
	o       CycleOptions
	s       *Stack
	h       *http.Client
	dinsos  *apiclient.Client
	cycleID int64
	file    p3keFile
	want    p3ke.Summary
	intake  IntakeRun

	desas    []*desaWork
	shares   []share
	verified atomic.Int64
	meetings atomic.Int64
	retries  atomic.Int64
	setup    time.Duration

	taskList, submit, meeting Latencies
	verifyParts, serverParts  []Breakdown

	mu       sync.Mutex
	outcomes map[string]int
	errs     []string
	ids      []int64
}

// desaWork is one village: its households, its officers, and the list
// they share.
type desaWork struct {
	code     string
	total    int
	officers []*apiclient.Client

	list    sync.Once
	ids     []int64 // the village's open tasks, as its first officer at work listed them
	listErr error
	working atomic.Int32 // officers not yet done; the last one records the meeting
}

// share is one officer's part of a village's list: every n-th task from
// the k-th.
type share struct {
	d    *desaWork
	k, n int
}

// size is how many households the share holds.
func (s share) size() int { return (s.d.total - s.k + s.n - 1) / s.n }

func (r *cycleRun) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) < 10 {
		r.errs = append(r.errs, err.Error())
	}
}

// Cycle runs every implemented phase on one embedded stack.
func Cycle(ctx context.Context, o CycleOptions) (*CycleReport, error) {
	if o.Households < 1 {
		return nil, errors.New("households must be at least 1")
	}
	if o.FaultRate == 0 {
		o.FaultRate = DefaultFaultRate
	}
	if o.Officers <= 0 {
		o.Officers = 50
	}
	if o.Lifecycles <= 0 {
		o.Lifecycles = min(o.Households, 1000)
	}
	if o.HistorySample <= 0 {
		o.HistorySample = 100
	}
	if o.PhaseTimeout <= 0 {
		o.PhaseTimeout = 30 * time.Minute
	}
	rep := &CycleReport{Regency: Regency, Households: o.Households, Seed: o.Seed, FaultRate: o.FaultRate, Officers: o.Officers,
		OfficerPauseSeconds: o.OfficerPause.Seconds(), OfficerHouseholds: o.OfficerHouseholds}
	s, err := StartStack(ctx, o.Stack)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep.WorkflowCache, rep.WorkflowPollers = s.App.Config.WorkflowCache, s.App.Config.WorkflowPollers
	rep.FanOutUpdates = s.App.Config.FanOutUpdates
	tag := fmt.Sprint(time.Now().UnixNano())
	if rep.TrivialLifecycle, err = s.Reference.Lifecycles(ctx, tag, o.Lifecycles); err != nil {
		return nil, err
	}
	r := &cycleRun{o: o, s: s, h: newHTTPClient(), outcomes: map[string]int{}}
	defer func() { r.file.remove() }() // if the run stops before the intake
	if r.dinsos, err = apiclient.Login(ctx, r.h, s.BaseURL, dinsosUser, dinsosPassword); err != nil {
		return nil, err
	}
	if r.cycleID, err = createCycle(ctx, r.dinsos, r.o.DTSEN); err != nil {
		return nil, err
	}

	// The server's database calls are a figure of the report, not a
	// reason to lose the run: a failed read is listed with the errors.
	callsBefore, err := s.DBCalls(ctx)
	if err != nil {
		r.fail(fmt.Errorf("temporal database calls: %w", err))
	}
	var runErr error
	rep.Through = "nothing"
	for _, ph := range CyclePhases() {
		if runErr != nil {
			rep.Phases = append(rep.Phases, PhaseResult{Name: ph.Name, Note: "not run: an earlier phase failed"})
			continue
		}
		mem := StartMemSampler(100 * time.Millisecond)
		res, err := ph.Run(ctx, r)
		res.Memory = s.stopSampler(mem)
		rep.Memory = maxMemory(rep.Memory, res.Memory)
		res.Name = ph.Name
		if res.Seconds > 0 {
			res.PerSec = float64(res.Households) / res.Seconds
		}
		if err != nil {
			runErr = fmt.Errorf("phase %s: %w", ph.Name, err)
			res.Note = "failed: " + err.Error()
		} else if ph.Household {
			rep.Through = ph.Name
			rep.ThroughSeconds += res.Seconds
		}
		rep.Phases = append(rep.Phases, res)
	}
	rep.Complete = runErr == nil

	if callsBefore != nil {
		if calls, err := s.DBCalls(ctx); err != nil {
			r.fail(fmt.Errorf("temporal database calls: %w", err))
		} else {
			cr := calls.Since(callsBefore).Report(r.intake.Stored, 8)
			rep.TemporalDBCalls = &cr
		}
	}
	rep.Intake, rep.Expected, rep.SetupSeconds = r.intake, r.want, r.setup.Seconds()
	rep.TaskList, rep.Submit, rep.Meeting = r.taskList.Summary(), r.submit.Summary(), r.meeting.Summary()
	rep.SubmitParts, rep.ServerParts = r.verifyParts, r.serverParts
	rep.Villages, rep.VillageOfficers = len(r.desas), len(r.shares)
	rep.SubmitSlowByTenth = r.submit.SlowOverTime(submitTarget, 10)
	rep.Outcomes, rep.Errors, rep.Retries = r.outcomes, r.errs, int(r.retries.Load())
	if rep.ThroughSeconds > 0 {
		rep.HouseholdRate = float64(r.intake.Stored) / rep.ThroughSeconds
	}
	if rep.TrivialLifecycle.PerSec > 0 {
		rep.LifecycleRatio = rep.HouseholdRate / rep.TrivialLifecycle.PerSec
	}
	if len(r.ids) > 0 {
		rep.History, err = sampleHistories(ctx, r, rep.Through)
		if err != nil && runErr == nil {
			runErr = err
		}
	}
	if n := min(o.CapacityHouseholds, o.Households); n > 0 && runErr == nil {
		rep.Capacity, err = r.capacity(ctx, n, rep.TrivialLifecycle)
		if err != nil {
			runErr = fmt.Errorf("capacity run: %w", err)
		}
	}
	rep.Targets = cycleTargets(rep)
	return rep, runErr
}

func maxMemory(a, b Memory) Memory {
	return Memory{
		PeakRSSMB: max(a.PeakRSSMB, b.PeakRSSMB), PeakHeapMB: max(a.PeakHeapMB, b.PeakHeapMB),
		BaseHeapMB: max(a.BaseHeapMB, b.BaseHeapMB), TemporalPeakRSSMB: max(a.TemporalPeakRSSMB, b.TemporalPeakRSSMB),
		PeakStacksMB: max(a.PeakStacksMB, b.PeakStacksMB), PeakGoroutines: max(a.PeakGoroutines, b.PeakGoroutines),
		CPUSeconds: a.CPUSeconds + b.CPUSeconds, TemporalCPUSeconds: a.TemporalCPUSeconds + b.TemporalCPUSeconds,
		TemporalLocal: a.TemporalLocal || b.TemporalLocal,
	}
}

func cycleTargets(rep *CycleReport) []Target {
	whole := fmt.Sprintf("%.1f min through %s", rep.ThroughSeconds/60, rep.Through)
	if !rep.Complete {
		whole += "; the run stopped early"
	}
	return []Target{
		{Name: fmt.Sprintf("%s households through the whole cycle", apiclient.Count(rep.Households)), Want: "< 15 min (for 10,000)",
			Got: whole, Met: rep.Complete && rep.ThroughSeconds < 15*60},
		capacityTarget(rep.Capacity),
		{Name: "history events per household", Want: "<= 40 (whole cycle)",
			Got: fmt.Sprintf("%.1f mean, %d max, through %s", rep.History.MeanEvents, rep.History.MaxEvents, rep.History.Through),
			Met: rep.History.Sampled > 0 && rep.History.MaxEvents <= 40},
		{Name: fmt.Sprintf("task list p99, %d officers", rep.Officers), Want: "< 100 ms",
			Got: fmt.Sprintf("%.0f ms", rep.TaskList.P99), Met: rep.TaskList.Count > 0 && rep.TaskList.P99 < 100},
		{Name: fmt.Sprintf("result submission p99, %d officers", rep.Officers), Want: fmt.Sprintf("< %d ms", submitTarget.Milliseconds()),
			Got: fmt.Sprintf("%.0f ms", rep.Submit.P99), Met: rep.Submit.Count > 0 && rep.Submit.P99 < ms(submitTarget)},
	}
}

// capacityTarget is the capacity figure: household steps per second at
// saturation against the trivial lifecycle rate of the same run.
func capacityTarget(c *Capacity) Target {
	t := Target{Name: "household steps/s at saturation (verify, officers back to back) / trivial lifecycle rate", Want: ">= 40%", Got: "not measured"}
	if c != nil {
		t.Got = fmt.Sprintf("%.0f%% (%.1f/s against %.1f/s)", 100*c.Ratio, c.StepsPerSec, c.TrivialPerSec)
		t.Met = c.Ratio >= 0.40
	}
	return t
}

// Capacity is the verify phase run again with officers back to back (no
// pause between results) on a cycle of its own: the household steps per
// second the system sustains, which the paced run cannot show (its rate is
// set by the officers' pace). Each step is an officer's result: an Update,
// the household's workflow task and its local activity.
type Capacity struct {
	Households int `json:"households"`
	Officers   int `json:"officers"`
	// Seconds is the verify phase's time; StepsPerSec results per second.
	Seconds     float64 `json:"seconds"`
	StepsPerSec float64 `json:"stepsPerSec"`
	// TrivialPerSec is the run's trivial lifecycle rate; Ratio is
	// StepsPerSec over it.
	TrivialPerSec float64        `json:"trivialPerSec"`
	Ratio         float64        `json:"ratio"`
	Submit        LatencySummary `json:"submit"`
	Retries       int            `json:"retries"`
	// Parts is where the saturated phase's time went.
	Parts []Breakdown `json:"parts"`
	Note  string      `json:"note"`
}

// capacity runs verification at saturation on a second cycle of n new
// households (intake and officer logins untimed), as many officers at
// once as the paced run, back to back.
func (r *cycleRun) capacity(ctx context.Context, n int, trivial Rate) (*Capacity, error) {
	o := r.o
	o.Households, o.OfficerPause, o.Seed = n, 0, r.o.Seed+1
	c := &cycleRun{o: o, s: r.s, h: r.h, dinsos: r.dinsos, outcomes: map[string]int{}}
	var err error
	if c.cycleID, err = createCycle(ctx, r.dinsos, o.DTSEN); err != nil {
		return nil, err
	}
	if c.file, c.want, err = generate(n, o.Seed, o.FaultRate, o.DTSEN); err != nil {
		return nil, err
	}
	c.intake, err = runIntake(ctx, r.s, r.dinsos, c.cycleID, c.file, c.want, o.Progress)
	c.file.remove()
	if err != nil {
		return nil, err
	}
	if err := c.setupOfficers(ctx); err != nil {
		return nil, err
	}
	res, err := phaseVerify(ctx, c)
	out := &Capacity{Households: res.Households, Officers: o.Officers, Seconds: res.Seconds, TrivialPerSec: trivial.PerSec,
		Submit: c.submit.Summary(), Retries: int(c.retries.Load()), Parts: c.verifyParts,
		Note: fmt.Sprintf("a second cycle of %d households; %d officers at once, no pause; %d villages' meetings inside it", c.intake.Stored, o.Officers, c.meetings.Load())}
	if res.Seconds > 0 {
		out.StepsPerSec = float64(res.Households) / res.Seconds
	}
	if trivial.PerSec > 0 {
		out.Ratio = out.StepsPerSec / trivial.PerSec
	}
	if len(c.errs) > 0 {
		err = errors.Join(err, fmt.Errorf("first errors: %v", c.errs))
	}
	return out, err
}

// submitTarget is the result submission's p99 target.
const submitTarget = 250 * time.Millisecond

func phaseGenerate(_ context.Context, r *cycleRun) (PhaseResult, error) {
	t0 := time.Now()
	var err error
	r.file, r.want, err = generate(r.o.Households, r.o.Seed, r.o.FaultRate, r.o.DTSEN)
	return PhaseResult{Households: r.o.Households, Seconds: time.Since(t0).Seconds(),
		Note: fmt.Sprintf("%.1f MB CSV; %s", mib(uint64(r.file.size)), r.want)}, err
}

func phaseIntake(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	var err error
	r.intake, err = runIntake(ctx, r.s, r.dinsos, r.cycleID, r.file, r.want, r.o.Progress)
	r.file.remove() // the file is in the database now
	return PhaseResult{Households: r.intake.Stored, Seconds: r.intake.TotalSeconds,
		Note: fmt.Sprintf("stored %.0f/s, started %.0f/s", r.intake.Store.PerSec, r.intake.Start.PerSec)}, err
}

// progressView is GET /api/v1/cycles/{id}/progress.
type progressView struct {
	Total     int64            `json:"total"`
	ByStage   map[string]int64 `json:"byStage"`
	Kecamatan []struct {
		Desa []struct {
			Code  string `json:"code"`
			Total int64  `json:"total"`
		} `json:"desa"`
	} `json:"kecamatan"`
}

func (r *cycleRun) progress(ctx context.Context) (progressView, error) {
	var p progressView
	_, err := r.dinsos.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/cycles/%d/progress", r.cycleID), nil, &p)
	return p, err
}

// benchPassword is every bench officer's password.
const benchPassword = "bench-officer-2026"

// setupOfficers creates the village officers (through store.CreateUser,
// as an administrator would), one per village with households or, with
// OfficerHouseholds, one per that many of its households, and logs each in.
func (r *cycleRun) setupOfficers(ctx context.Context) error {
	p, err := r.progress(ctx)
	if err != nil {
		return err
	}
	r.desas, r.shares = nil, nil
	for _, k := range p.Kecamatan {
		for _, d := range k.Desa {
			if d.Total == 0 {
				continue
			}
			dw := &desaWork{code: d.Code, total: int(d.Total)}
			n := 1
			if r.o.OfficerHouseholds > 0 {
				n = (dw.total + r.o.OfficerHouseholds - 1) / r.o.OfficerHouseholds
			}
			dw.officers = make([]*apiclient.Client, n)
			dw.working.Store(int32(n))
			r.desas = append(r.desas, dw)
			for k := range n {
				r.shares = append(r.shares, share{d: dw, k: k, n: n})
			}
		}
	}
	// Largest shares first, so the last officers do not start a big one
	// while the others sit idle.
	slices.SortStableFunc(r.shares, func(a, b share) int { return b.size() - a.size() })
	g, gctx := errgroup.WithContext(ctx)
	// Password hashing takes 19 MiB and ~40 ms each: two at a time on two cores.
	g.SetLimit(2)
	for _, sh := range r.shares {
		g.Go(func() error {
			username := "bench." + strings.ReplaceAll(sh.d.code, ".", "")
			if sh.n > 1 {
				username += fmt.Sprintf(".%d", sh.k+1)
			}
			_, err := r.s.App.Store.CreateUser(gctx, store.NewUser{
				Username: username, Password: benchPassword, Name: "Bench officer " + sh.d.code,
				Role: auth.RoleVillage, Region: sh.d.code,
			})
			if err != nil && !domain.IsKind(err, domain.KindConflict) {
				return fmt.Errorf("create officer for %s: %w", sh.d.code, err)
			}
			sh.d.officers[sh.k], err = apiclient.Login(gctx, r.h, r.s.BaseURL, username, benchPassword)
			return err
		})
	}
	return g.Wait()
}

// phaseOfficers creates and logs in the village officers: setup, not a
// household phase (password hashing is deliberately slow).
func phaseOfficers(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	t0 := time.Now()
	err := r.setupOfficers(ctx)
	r.setup = time.Since(t0)
	return PhaseResult{Seconds: r.setup.Seconds(),
		Note: fmt.Sprintf("%d officers for %d villages: store.CreateUser + POST /login each (argon2id)", len(r.shares), len(r.desas))}, err
}

// taskRef is one row of GET /api/v1/tasks.
type taskRef struct {
	ID int64 `json:"id"`
}

// easternmost is WIT: the visit and meeting dates are "today" there, which
// the API accepts anywhere in Indonesia.
var easternmost = wilayah.WIT

func today() string { return time.Now().In(easternmost).Format("2006-01-02") }

// outcomeMix is the share of each visit outcome, in percent.
var outcomeMix = []struct {
	outcome domain.Outcome
	pct     int
}{
	{domain.OutcomeEligible, 70}, {domain.OutcomeNotPoor, 12}, {domain.OutcomeNotFound, 5},
	{domain.OutcomeDeceased, 5}, {domain.OutcomeMoved, 5}, {domain.OutcomeDuplicate, 3},
}

func pickOutcome(seed uint64, id int64) domain.Outcome {
	x := rand.New(rand.NewPCG(seed, uint64(id))).IntN(100)
	for _, m := range outcomeMix {
		if x < m.pct {
			return m.outcome
		}
		x -= m.pct
	}
	return domain.OutcomeEligible
}

// visitBody is a valid visit result for outcome; dup is another household
// of the same village, for a duplicate.
func visitBody(o domain.Outcome, dup int64) map[string]any {
	b := map[string]any{
		"outcome": string(o), "visitDate": today(),
		"indicators": map[string]string{"jenisLantai": "Tanah", "jenisDinding": "Bambu", "jenisAtap": "Seng"},
	}
	switch o {
	case domain.OutcomeNotFound:
		b["note"] = "tidak ditemukan di alamat, menurut ketua RT"
	case domain.OutcomeDeceased:
		b["note"] = "meninggal dunia, keterangan kepala dusun"
	case domain.OutcomeMoved:
		b["note"] = "pindah ke luar kabupaten menurut tetangga"
	case domain.OutcomeDuplicate:
		b["note"] = "satu keluarga dengan KK lain di desa ini"
		b["duplicateOf"] = dup
	}
	return b
}

// phaseVerify is the village officers, Officers at a time: each takes its
// share of a village's open tasks (the village's first officer at work
// pages through them) and submits a result for every one; the village's
// last officer to finish records the meeting.
func phaseVerify(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	total := r.intake.Stored
	bar := apiclient.NewProgress(r.o.Progress, "verify")
	var done atomic.Int64
	jobs := make(chan share)
	var wg sync.WaitGroup
	start := time.Now()
	hist := snapshotHistograms(r.s.App.Metrics.Registry, verifySpecs)
	server := r.s.persistenceLatency(ctx)
	defer func() {
		r.verifyParts = breakdowns(hist, snapshotHistograms(r.s.App.Metrics.Registry, verifySpecs), verifySpecs)
		if server != nil {
			r.serverParts = serverParts(server, r.s.persistenceLatency(ctx), 10)
		}
	}()
	for i := range r.o.Officers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Officers open the app within one pause of each other, not
			// all in the same millisecond.
			if r.o.OfficerPause > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(time.Duration(i) * r.o.OfficerPause / time.Duration(r.o.Officers)):
				}
			}
			for sh := range jobs {
				r.verifyShare(ctx, sh, func() {
					n := done.Add(1)
					bar.Update(int(n), total, fmt.Sprintf("%s/%s results", apiclient.Count(int(n)), apiclient.Count(total)))
				})
			}
		}()
	}
	for _, sh := range r.shares {
		select {
		case jobs <- sh:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	bar.Done()
	res := PhaseResult{Households: int(r.verified.Load()), Seconds: time.Since(start).Seconds(),
		Note: fmt.Sprintf("%d officers at once over %d villages (%d officers: %s), %s between results, each village's meeting after its last result; %d submissions retried, %d households not verified after %d tries",
			r.o.Officers, len(r.desas), len(r.shares), villageOfficersNote(r.o.OfficerHouseholds), pauseNote(r.o.OfficerPause), r.retries.Load(), total-int(r.verified.Load()), submitTries)}
	if r.verified.Load() == 0 {
		return res, fmt.Errorf("no result was recorded; first errors: %v", r.errs)
	}
	return res, ctx.Err()
}

// villageOfficersNote says how many officers a village has.
func villageOfficersNote(perOfficer int) string {
	if perOfficer <= 0 {
		return "one per village"
	}
	return fmt.Sprintf("a village's list split between one per %d of its households", perOfficer)
}

// villageList pages through d's open tasks as officer sees them.
func (r *cycleRun) villageList(ctx context.Context, officer *apiclient.Client) ([]int64, error) {
	var ids []int64
	for page := 1; ; page++ {
		var tl struct {
			Tasks []taskRef `json:"tasks"`
			Total int       `json:"total"`
		}
		lat, err := officer.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/tasks?status=open&cycle=%d&page=%d", r.cycleID, page), nil, &tl)
		r.taskList.Add(lat, err)
		if err != nil {
			return nil, err
		}
		for _, t := range tl.Tasks {
			ids = append(ids, t.ID)
		}
		if len(tl.Tasks) == 0 || len(ids) >= tl.Total {
			return ids, nil
		}
	}
}

func (r *cycleRun) verifyShare(ctx context.Context, sh share, tick func()) {
	d, officer := sh.d, sh.d.officers[sh.k]
	// The first of the village's officers at work lists the village's
	// tasks; the others wait for the list and take their part of it, as a
	// village splits its printed list between its officers.
	d.list.Do(func() {
		d.ids, d.listErr = r.villageList(ctx, officer)
		r.mu.Lock()
		r.ids = append(r.ids, d.ids...)
		r.mu.Unlock()
	})
	if d.listErr != nil {
		r.fail(d.listErr)
		return
	}
	var ids []int64
	for i := sh.k; i < len(d.ids); i += sh.n {
		ids = append(ids, d.ids[i])
	}
	pace := rand.New(rand.NewPCG(r.o.Seed, uint64(sh.k)<<40|uint64(len(d.code))<<32|uint64(d.total)))
	for i, id := range ids {
		if i > 0 && r.o.OfficerPause > 0 {
			pause := r.o.OfficerPause/2 + time.Duration(pace.Int64N(int64(r.o.OfficerPause)))
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
		}
		o := pickOutcome(r.o.Seed, id)
		dup := int64(0)
		if o == domain.OutcomeDuplicate {
			if len(ids) < 2 {
				o = domain.OutcomeEligible
			} else {
				dup = ids[(i+1)%len(ids)]
			}
		}
		if err := r.submitResult(ctx, officer, id, visitBody(o, dup)); err != nil {
			r.fail(err)
			continue
		}
		r.verified.Add(1)
		r.mu.Lock()
		r.outcomes[string(o)]++
		r.mu.Unlock()
		tick()
	}
	if d.working.Add(-1) > 0 {
		return
	}
	// The village's list is done: its last officer records the musyawarah desa.
	body := map[string]any{"date": today(), "beritaAcaraNo": "BA/BENCH/" + d.code, "attendees": 20}
	lat, err := officer.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/meetings", r.cycleID), body, nil)
	r.meeting.Add(lat, err)
	if err != nil {
		r.fail(fmt.Errorf("meeting of %s: %w", d.code, err))
		return
	}
	r.meetings.Add(1)
}

// submitTries is how often an officer's app sends a result that the API
// answered "try again shortly" (503, 429) or that timed out; the same
// Idempotency-Key makes a retry apply once.
const submitTries = 3

// submitResult posts a visit result, retrying as the officers' app does.
// Every attempt's latency is recorded; a failed attempt counts as an error.
func (r *cycleRun) submitResult(ctx context.Context, officer *apiclient.Client, id int64, body map[string]any) error {
	var err error
	for try := 1; try <= submitTries; try++ {
		var lat time.Duration
		lat, err = officer.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/result", id), body, nil,
			"Idempotency-Key", fmt.Sprintf("bench-%d", id))
		r.submit.Add(lat, err)
		var se *apiclient.StatusError
		if err == nil || ctx.Err() != nil || (errors.As(err, &se) && se.Status != http.StatusServiceUnavailable && se.Status != http.StatusTooManyRequests) {
			return err
		}
		if try < submitTries {
			r.retries.Add(1)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(try) * time.Second):
			}
		}
	}
	return err
}

// postMeeting reports how many households have left village verification.
func postMeeting(p progressView) int {
	return int(p.Total - p.ByStage[string(domain.StageAwaitingVerification)] - p.ByStage[string(domain.StageVerified)])
}

// phaseMeetings waits until every verified household has moved to its
// post-meeting stage: the officers recorded the meetings in verify.
func phaseMeetings(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	start := time.Now()
	if n := int(r.meetings.Load()); n != len(r.desas) {
		return PhaseResult{}, fmt.Errorf("%d of %d villages recorded their meeting; first errors: %v", n, len(r.desas), r.errs)
	}
	want := int(r.verified.Load())
	bar := apiclient.NewProgress(r.o.Progress, "meetings")
	deadline := time.Now().Add(r.o.PhaseTimeout)
	for {
		p, err := r.progress(ctx)
		if err != nil {
			return PhaseResult{}, err
		}
		n := postMeeting(p)
		bar.Update(n, want, fmt.Sprintf("%s/%s households past the meeting", apiclient.Count(n), apiclient.Count(want)))
		if n >= want {
			bar.Done()
			return PhaseResult{Households: n, Seconds: time.Since(start).Seconds(),
				Note: fmt.Sprintf("the last households after %d meetings; %s", len(r.desas), stages(p))}, nil
		}
		if time.Now().After(deadline) {
			bar.Done()
			return PhaseResult{Households: n, Seconds: time.Since(start).Seconds()},
				fmt.Errorf("only %d of %d households past the meeting after %s", n, want, r.o.PhaseTimeout)
		}
		select {
		case <-ctx.Done():
			return PhaseResult{}, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// pauseNote describes the officers' pause between results.
func pauseNote(d time.Duration) string {
	if d <= 0 {
		return "no pause"
	}
	return fmt.Sprintf("%s ±50%%", d)
}

func stages(p progressView) string {
	var parts []string
	for _, st := range domain.Stages() {
		if n := p.ByStage[string(st)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", st, apiclient.Count(int(n))))
		}
	}
	return strings.Join(parts, ", ")
}

// bupatiUser and bupatiPassword are the development bupati's office login.
const (
	bupatiUser     = "bupati"
	bupatiPassword = "bupati-blitar-2026"
)

// waitStages polls the cycle's progress until done holds, drawing a bar of
// n(p) out of want.
func (r *cycleRun) waitStages(ctx context.Context, label string, want int, n func(progressView) int, done func(progressView) bool) (progressView, error) {
	bar := apiclient.NewProgress(r.o.Progress, label)
	defer bar.Done()
	deadline := time.Now().Add(r.o.PhaseTimeout)
	for {
		p, err := r.progress(ctx)
		if err != nil {
			return p, err
		}
		bar.Update(n(p), want, fmt.Sprintf("%s/%s households", apiclient.Count(n(p)), apiclient.Count(want)))
		if done(p) {
			return p, nil
		}
		if time.Now().After(deadline) {
			return p, fmt.Errorf("%s: gave up after %s (%s)", label, r.o.PhaseTimeout, stages(p))
		}
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (p progressView) stage(s domain.Stage) int { return int(p.ByStage[string(s)]) }

// phaseDecree drafts the SK Bupati from every household verified eligible
// (Dinsos), submits it, has the bupati's office sign it, and waits until
// no household awaits the decree.
func phaseDecree(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	before, err := r.progress(ctx)
	if err != nil {
		return PhaseResult{}, err
	}
	want := before.stage(domain.StageAwaitingDecree)
	bupati, err := apiclient.Login(ctx, r.h, r.s.BaseURL, bupatiUser, bupatiPassword)
	if err != nil {
		return PhaseResult{}, err
	}
	start := time.Now()
	var d struct {
		ID         int64 `json:"id"`
		Households int   `json:"households"`
	}
	if _, err := r.dinsos.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/decrees", r.cycleID), nil, &d); err != nil {
		return PhaseResult{}, fmt.Errorf("draft: %w", err)
	}
	if _, err := r.dinsos.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); err != nil {
		return PhaseResult{}, fmt.Errorf("submit: %w", err)
	}
	drafted := time.Since(start)
	sign := map[string]string{"number": fmt.Sprintf("188/BENCH-%d/%d", d.ID, time.Now().Year()), "date": today()}
	lat, err := bupati.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), sign, nil)
	if err != nil {
		return PhaseResult{}, fmt.Errorf("sign: %w", err)
	}
	p, err := r.waitStages(ctx, "decree", want,
		func(p progressView) int { return want - p.stage(domain.StageAwaitingDecree) },
		func(p progressView) bool { return p.stage(domain.StageAwaitingDecree) == 0 })
	res := PhaseResult{Households: d.Households, Seconds: time.Since(start).Seconds(),
		Note: fmt.Sprintf("draft+submit %.1f s, sign %.0f ms; %s", drafted.Seconds(), ms(lat), stages(p))}
	if err == nil && d.Households != want {
		err = fmt.Errorf("the decree lists %d households, %d awaited it", d.Households, want)
	}
	return res, err
}

// phaseProposal builds this month's Kemensos batch (additions and
// removals), submits it, and waits for the simulated Kemensos' answer to
// reach every household of the batch.
func phaseProposal(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	start := time.Now()
	var p struct {
		ID    int64 `json:"id"`
		Items int   `json:"items"`
	}
	body := map[string]string{"month": time.Now().Format("2006-01")}
	if _, err := r.dinsos.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/proposals", r.cycleID), body, &p); err != nil {
		return PhaseResult{}, fmt.Errorf("build: %w", err)
	}
	if _, err := r.dinsos.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/submit", p.ID), nil, nil); err != nil {
		return PhaseResult{}, fmt.Errorf("submit: %w", err)
	}
	var answered int
	pv, err := r.waitStages(ctx, "proposal", p.Items,
		func(pv progressView) int {
			var q struct {
				Answered int `json:"answered"`
			}
			if _, err := r.dinsos.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/proposals/%d", p.ID), nil, &q); err == nil {
				answered = q.Answered
			}
			return answered
		},
		func(pv progressView) bool {
			return answered >= p.Items && pv.stage(domain.StageAwaitingKemensos) == 0
		})
	return PhaseResult{Households: p.Items, Seconds: time.Since(start).Seconds(),
		Note: fmt.Sprintf("simulated Kemensos, answer delay %s included; %s", kemensosDelay, stages(pv))}, err
}

// phaseEnrolment reports where the households ended; enrolment itself ran
// inside the decree and proposal phases.
func phaseEnrolment(ctx context.Context, r *cycleRun) (PhaseResult, error) {
	p, err := r.progress(ctx)
	return PhaseResult{Households: p.stage(domain.StageEnrolled),
		Note: "enrolled in the final stages of decree and proposal (not timed apart); " + stages(p)}, err
}

// sampleHistories counts the events of HistorySample households' histories,
// spread evenly over the households verified.
func sampleHistories(ctx context.Context, r *cycleRun, through string) (HistoryReport, error) {
	ids := slices.Clone(r.ids)
	slices.Sort(ids)
	n := min(r.o.HistorySample, len(ids))
	rep := HistoryReport{Sampled: n, ByType: map[string]float64{}, Through: through}
	total := 0
	for i := range n {
		id := ids[i*len(ids)/n]
		it := r.s.App.Temporal.GetWorkflowHistory(ctx, workflows.HouseholdWorkflowID(r.cycleID, id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events := 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return rep, fmt.Errorf("history of household %d: %w", id, err)
			}
			events++
			name := strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_")
			if a := ev.GetWorkflowTaskTimedOutEventAttributes(); a != nil {
				// Schedule-to-start: the task waited on a worker's sticky
				// queue too long; start-to-close: a worker took it and did
				// not finish in time.
				name += " (" + strings.TrimPrefix(a.GetTimeoutType().String(), "TIMEOUT_TYPE_") + ")"
			}
			rep.ByType[name]++
		}
		total += events
		rep.MaxEvents = max(rep.MaxEvents, events)
	}
	if n > 0 {
		rep.MeanEvents = float64(total) / float64(n)
		for k := range rep.ByType {
			rep.ByType[k] /= float64(n)
		}
	}
	return rep, nil
}
