package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/worker"
	"github.com/verval/verval/workflows"
)

// day is a calendar day; deadlines in the workflow are counted in them.
const day = 24 * time.Hour

// t0 is when the cycle opens and the test workflow starts: 08:00 WIB on a
// Monday. Every time in these tests is t0 plus an offset.
var t0 = time.Date(2025, time.March, 3, 1, 0, 0, 0, time.UTC)

// Region codes of the household under test (Kab. Blitar).
const (
	regency   = "35.05"
	kecamatan = "35.05.01"
	desa      = "35.05.01.2001"
	cycleID   = int64(7)
	hhID      = int64(4201)
)

// input is the household every test starts: due 30 days after the cycle
// opened, not in the registry unless a test says so.
func input(inDTKS bool) workflows.HouseholdInput {
	return workflows.HouseholdInput{
		CycleID: cycleID, HouseholdID: hhID, Year: 2025,
		RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
		Desil: 1, InDTKS: inDTKS, CycleOpenedAt: t0, DueAt: t0.Add(30 * day),
	}
}

// officer is the village officer who submits visit results.
var officer = domain.Actor{UserID: 11, Role: "village", RequestID: "req-1"}

// visit is a valid visit result with outcome o, made against version.
func visit(o domain.Outcome, version int) workflows.VerificationRequest {
	r := workflows.VerificationRequest{
		Actor: officer, ExpectedVersion: version, Outcome: o, VisitDate: "2025-03-04",
		Indicators: workflows.VisitIndicators{JenisLantai: "tanah", JenisDinding: "bambu", JenisAtap: "rumbia"},
	}
	switch o {
	case domain.OutcomeEligible, domain.OutcomeNotPoor:
	default:
		r.Note = "keterangan ketua RT"
	}
	if o == domain.OutcomeDuplicate {
		r.DuplicateOf = hhID - 1
	}
	return r
}

// call is one activity the workflow ran, as the mock saw it.
type call struct {
	Name string
	// At is the test clock (env.Now) when the mock ran.
	At time.Time
	In any
	// Local reports whether it ran as a local activity.
	Local bool
	// StartToClose and Heartbeat are the activity's timeouts.
	StartToClose, Heartbeat time.Duration
	// Attempt counts from 1.
	Attempt int32
}

// upsert is one search-attribute upsert.
type upsert struct {
	At             time.Time
	Stage          string
	StageEnteredAt time.Time
	// Region is "regency kecamatan desa year" as upserted.
	Region string
}

// harness is a test environment whose activities are mocks that record
// every call, so a test asserts exactly which database writes happened.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu      sync.Mutex // the mocks run on their own goroutines
	calls   []call
	upserts []upsert
	// closeVillageFailures makes CloseVillage fail on its first attempts.
	closeVillageFailures int
	// recordVisit, when set, is RecordVisit's answer (nil: success).
	recordVisit func(activities.RecordVisitInput) error

	// changeDecree, when set, is ChangeDecree's answer (nil: success).
	changeDecree func(domain.DecreeChange) error
	// decreeHouseholds is how many households FanOutDecree reports;
	// fanOutDecreeFailures makes its first attempts fail.
	decreeHouseholds, fanOutDecreeFailures int
	// proposalHouseholds is how many households FanOutProposal reports.
	proposalHouseholds int
	// answerRounds are FanOutAnswers' results, one per call in order; a
	// call past the end answers nobody and leaves nobody waiting.
	answerRounds []activities.FanOutProposalResult
	// lateChecks are NotifyKemensosLate's results, one per call in order;
	// after them, nothing stored.
	lateChecks []activities.KemensosLateResult
	// submission is SubmitToKemensos' answer: the zero value is the file
	// gateway (answers come by upload).
	submission activities.SubmitResult
	// caseRunning makes ReinstateHousehold's first attempts find the
	// household's case still running.
	caseRunning int
	// exclude, when set, is Exclude's answer (nil: success).
	exclude func(store.Exclusion) error
}

// newEnv builds a test environment with the real workflows and activities
// registered (through worker.Register, as the worker does) and every
// activity mocked to record its call and succeed.
func newEnv(t *testing.T) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// Warnings and errors only, into the test's own output.
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(t0)
	// A household that is still waiting when the test's script ends times
	// out here instead of blocking the test.
	h.env.SetWorkflowRunTimeout(400 * day)
	acts := &activities.Activities{}
	worker.Register(h.env, acts)

	h.env.OnActivity(acts.RecordVisit, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.RecordVisitInput) error {
			h.record(ctx, "RecordVisit", in)
			if h.recordVisit != nil {
				return h.recordVisit(in)
			}
			return nil
		})
	recordOnly[activities.TransitionInput](h, acts.Transition, "Transition")
	// Settle enrols by the default programme rules, as the real one does
	// (exits enrol nobody), so a test can assert the programmes a case
	// ends with.
	h.env.OnActivity(acts.Settle, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SettleInput) (activities.SettleResult, error) {
			h.record(ctx, "Settle", in)
			if in.Exit {
				return activities.SettleResult{}, nil
			}
			return activities.SettleResult{Programmes: enrol.Programmes(enrol.DefaultRules(), enrol.Household{
				Desil: in.Desil, Eligible: in.Eligible, InRegistry: in.InRegistry, InSignedDecree: in.InSignedDecree,
			})}, nil
		})
	h.env.OnActivity(acts.RecordChange, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ChangeInput) (int64, error) {
			return int64(h.record(ctx, "RecordChange", in)), nil
		})
	recordOnly[activities.DecideChangeInput](h, acts.DecideChange, "DecideChange")
	recordOnly[activities.ReopenInput](h, acts.Reopen, "Reopen")
	recordOnly[activities.NotifyInput](h, acts.Notify, "Notify")
	h.env.OnActivity(acts.CloseVillage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.CloseVillageInput) (activities.CloseVillageResult, error) {
			n := h.record(ctx, "CloseVillage", in)
			if n <= h.closeVillageFailures {
				return activities.CloseVillageResult{}, errors.New("database restarting")
			}
			return activities.CloseVillageResult{Signalled: 3}, nil
		})
	h.env.OnActivity(acts.FanOutClose, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.CloseCycleInput) (activities.CloseCycleResult, error) {
			if n := h.record(ctx, "FanOutClose", in); n <= h.fanOutDecreeFailures {
				return activities.CloseCycleResult{}, errors.New("worker lost")
			}
			return activities.CloseCycleResult{Households: 3, Closed: 2, Finished: 1}, nil
		})
	h.env.OnActivity(acts.ChangeDecree, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in domain.DecreeChange) error {
			h.record(ctx, "ChangeDecree", in)
			if h.changeDecree != nil {
				return h.changeDecree(in)
			}
			return nil
		})
	h.env.OnActivity(acts.FanOutDecree, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.FanOutInput) (activities.FanOutResult, error) {
			if n := h.record(ctx, "FanOutDecree", in); n <= h.fanOutDecreeFailures {
				return activities.FanOutResult{}, errors.New("worker lost")
			}
			return activities.FanOutResult{Households: h.decreeHouseholds}, nil
		})
	h.env.OnActivity(acts.FanOutProposal, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ProposalRef) (activities.FanOutProposalResult, error) {
			h.record(ctx, "FanOutProposal", in)
			return activities.FanOutProposalResult{Households: h.proposalHouseholds}, nil
		})
	h.env.OnActivity(acts.FanOutAnswers, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ProposalRef) (activities.FanOutProposalResult, error) {
			n := h.record(ctx, "FanOutAnswers", in)
			if n <= len(h.answerRounds) {
				return h.answerRounds[n-1], nil
			}
			return activities.FanOutProposalResult{}, nil
		})
	h.env.OnActivity(acts.SubmitToKemensos, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ProposalRef) (activities.SubmitResult, error) {
			h.record(ctx, "SubmitToKemensos", in)
			return h.submission, nil
		})
	h.env.OnActivity(acts.CollectKemensosAnswers, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ProposalRef) (activities.CollectResult, error) {
			h.record(ctx, "CollectKemensosAnswers", in)
			return activities.CollectResult{Applied: h.proposalHouseholds}, nil
		})
	h.env.OnActivity(acts.SimulateKemensos, mock.Anything, mock.Anything).Return(
		//lint:ignore SA1019 the old proposal workflows still replay it
		func(ctx context.Context, in activities.SimulateInput) error {
			h.record(ctx, "SimulateKemensos", in)
			return nil
		})
	h.env.OnActivity(acts.NotifyKemensosLate, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.KemensosLateInput) (activities.KemensosLateResult, error) {
			n := h.record(ctx, "NotifyKemensosLate", in)
			if n <= len(h.lateChecks) {
				return h.lateChecks[n-1], nil
			}
			return activities.KemensosLateResult{}, nil
		})
	recordOnly[activities.InformInput](h, acts.InformObjector, "InformObjector")
	recordOnly[store.SanggahStep](h, acts.RecordSanggahFinding, "RecordSanggahFinding")
	recordOnly[store.SanggahStep](h, acts.DecideSanggah, "DecideSanggah")
	recordOnly[store.SanggahStep](h, acts.CloseSanggah, "CloseSanggah")
	h.env.OnActivity(acts.FanOutCloseSanggah, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.CloseCycleInput) (activities.CloseSanggahResult, error) {
			h.record(ctx, "FanOutCloseSanggah", in)
			return activities.CloseSanggahResult{Sanggah: 2}, nil
		})
	h.env.OnActivity(acts.ReinstateHousehold, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.UpheldInput) error {
			if n := h.record(ctx, "ReinstateHousehold", in); n <= h.caseRunning {
				return temporal.NewApplicationError("the household's case is still running", activities.ErrCaseRunning)
			}
			return nil
		})
	recordOnly[activities.UpheldInput](h, acts.ExcludeHousehold, "ExcludeHousehold")
	h.env.OnActivity(acts.Exclude, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in store.Exclusion) error {
			h.record(ctx, "Exclude", in)
			if h.exclude != nil {
				return h.exclude(in)
			}
			return nil
		})
	recordOnly[store.Reinstatement](h, acts.Reinstate, "Reinstate")
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		stage, _ := sa.GetKeyword(workflows.SAStage)
		at, _ := sa.GetTime(workflows.SAStageEnteredAt)
		reg, _ := sa.GetKeyword(workflows.SARegency)
		kec, _ := sa.GetKeyword(workflows.SAKecamatan)
		des, _ := sa.GetKeyword(workflows.SADesa)
		year, _ := sa.GetInt64(workflows.SACycleYear)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.upserts = append(h.upserts, upsert{At: h.now(), Stage: stage, StageEnteredAt: at,
			Region: fmt.Sprintf("%s %s %s %d", reg, kec, des, year)})
	}).Return()
	return h
}

// recordOnly mocks an activity that returns only an error: it records
// the call under name and succeeds.
func recordOnly[In any](h *harness, fn any, name string) {
	h.env.OnActivity(fn, mock.Anything, mock.Anything).Return(func(ctx context.Context, in In) error {
		h.record(ctx, name, in)
		return nil
	})
}

// record notes an activity call and returns how many calls of that name
// there have been, this one included.
func (h *harness) record(ctx context.Context, name string, in any) int {
	info := activity.GetInfo(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, call{Name: name, At: h.now(), In: in, Local: info.IsLocalActivity,
		StartToClose: info.StartToCloseTimeout, Heartbeat: info.HeartbeatTimeout, Attempt: info.Attempt})
	n := 0
	for _, c := range h.calls {
		if c.Name == name {
			n++
		}
	}
	return n
}

// now is the test clock, comparable with reflect.DeepEqual to the times
// the workflow sends (no monotonic reading, UTC).
func (h *harness) now() time.Time {
	return h.env.Now().Round(0).UTC()
}

// callsOf returns the recorded calls of one activity, in order.
func (h *harness) callsOf(name string) []call {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []call
	for _, c := range h.calls {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// writes summarizes the database writes in order, one line each, e.g.
// "RecordVisit v1 eligible -> verified#1" or
// "Transition -> awaiting_proposal#2 close (removal: moved)": stage, Seq,
// whether it closes the village task, and the reason if any. A final stage
// that settles the household's aid reads
// "Settle -> enrolled#5 [registry decree]", with the flags it was settled
// with: registry (in the national registry), decree (in a signed decree),
// exit (its aid ends), ineligible (not verified eligible).
// Notifications are left out (see notices).
func (h *harness) writes() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, c := range h.calls {
		switch in := c.In.(type) {
		case activities.RecordVisitInput:
			s := fmt.Sprintf("RecordVisit v%d %s", in.Version, in.Result.Outcome)
			if in.Transition != nil {
				s += fmt.Sprintf(" -> %s#%d", in.Transition.Stage, in.Transition.Seq)
			}
			out = append(out, s)
		case activities.TransitionInput:
			s := fmt.Sprintf("Transition -> %s#%d", in.Stage, in.Seq)
			if in.CloseTask {
				s += " close"
			}
			if in.Reason != "" {
				s += fmt.Sprintf(" (%s)", in.Reason)
			}
			out = append(out, s)
		case activities.ReopenInput:
			out = append(out, fmt.Sprintf("Reopen -> %s#%d (%s)", in.Transition.Stage, in.Transition.Seq, in.Transition.Reason))
		case store.Exclusion:
			out = append(out, fmt.Sprintf("Exclude -> %s#%d (%s) %s", in.Transition.Stage, in.Transition.Seq, in.Transition.Reason, in.Outcome))
		case store.Reinstatement:
			out = append(out, fmt.Sprintf("Reinstate -> %s#%d (%s) registry=%v", in.Transition.Stage, in.Transition.Seq, in.Transition.Reason, in.InDTKS))
		case activities.SettleInput:
			s := fmt.Sprintf("Settle -> %s#%d", in.Transition.Stage, in.Transition.Seq)
			if in.Transition.Reason != "" {
				s += fmt.Sprintf(" (%s)", in.Transition.Reason)
			}
			var flags []string
			for _, f := range []struct {
				on   bool
				name string
			}{{!in.Eligible, "ineligible"}, {in.InRegistry, "registry"}, {in.InSignedDecree, "decree"}, {in.Exit, "exit"}} {
				if f.on {
					flags = append(flags, f.name)
				}
			}
			out = append(out, s+" ["+strings.Join(flags, " ")+"]")
		}
	}
	return out
}

// notices summarizes the notifications: "reminder to 35.05.01.2001 at +27d".
func (h *harness) notices() []string {
	var out []string
	for _, c := range h.callsOf("Notify") {
		in := c.In.(activities.NotifyInput)
		out = append(out, fmt.Sprintf("%s to %s at %s", in.Kind, in.RegionCode, offset(c.At)))
	}
	return out
}

// stages lists the VervalStage values upserted, in order.
func (h *harness) stages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, u := range h.upserts {
		out = append(out, u.Stage)
	}
	return out
}

// offset prints t as an offset from t0: "+27d" or "+2d3h".
func offset(t time.Time) string {
	d := t.Sub(t0)
	s := fmt.Sprintf("+%dd", int(d/day))
	if r := d % day; r != 0 {
		s += r.String()
	}
	return s
}

// at runs fn at t0+d on the test clock.
func (h *harness) at(d time.Duration, fn func()) {
	h.env.RegisterDelayedCallback(fn, d)
}

// signalAt sends a signal at t0+d.
func (h *harness) signalAt(d time.Duration, name string, arg any) {
	h.at(d, func() { h.env.SignalWorkflow(name, arg) })
}

// updateResult is what became of one update.
type updateResult struct {
	accepted, completed bool
	rejected            error
	// err is the handler's error, if it failed after being accepted.
	err    error
	result any
}

// updateAt sends an update at t0+d; the result is filled in as the
// workflow answers.
func (h *harness) updateAt(d time.Duration, name string, arg any) *updateResult {
	r := &updateResult{}
	h.at(d, func() { h.update(name, arg, r) })
	return r
}

// update sends an update now (from inside a delayed callback).
func (h *harness) update(name string, arg any, r *updateResult) {
	h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept:   func() { r.accepted = true },
		OnReject:   func(err error) { r.rejected = err },
		OnComplete: func(v any, err error) { r.completed, r.result, r.err = true, v, err },
	}, arg)
}

// stateAt queries the household's state at t0+d.
func (h *harness) stateAt(d time.Duration) *workflows.HouseholdState {
	s := &workflows.HouseholdState{}
	h.at(d, func() { *s = h.state() })
	return s
}

// state queries the household's state now.
func (h *harness) state() workflows.HouseholdState {
	h.t.Helper()
	return query[workflows.HouseholdState](h)
}

// query runs the state query of whichever workflow h runs, now.
func query[T any](h *harness) T {
	h.t.Helper()
	var s T
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	if err != nil {
		h.t.Fatalf("query state: %v", err)
	}
	if err := v.Get(&s); err != nil {
		h.t.Fatalf("decode state: %v", err)
	}
	return s
}

// queryAt runs the state query at t0+d.
func queryAt[T any](h *harness, d time.Duration) *T {
	s := new(T)
	h.at(d, func() { *s = query[T](h) })
	return s
}

// run executes the household workflow to its end (or the run timeout).
func (h *harness) run(in workflows.HouseholdInput) {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.HouseholdWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
}

// result is the workflow's result; it fails the test if the workflow failed.
// An enrolled case continues as new into its open year: its result is the
// stage and programmes it carries there.
func (h *harness) result() workflows.HouseholdResult {
	h.t.Helper()
	var res workflows.HouseholdResult
	if next, ok := h.continued(); ok {
		return workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: next.Open.Programmes}
	}
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return res
}

// continued is the input the workflow continued as new with, if it did.
func (h *harness) continued() (workflows.HouseholdInput, bool) {
	h.t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(h.env.GetWorkflowError(), &can) {
		return workflows.HouseholdInput{}, false
	}
	var next workflows.HouseholdInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil || next.Open == nil {
		h.t.Fatalf("continued as new without the open year: %v", err)
	}
	return next, true
}

// stillWaiting asserts the workflow was still waiting when the run timeout
// ended it, i.e. it did not finish on its own.
func (h *harness) stillWaiting() {
	h.t.Helper()
	if err := h.env.GetWorkflowError(); !temporal.IsTimeoutError(err) {
		h.t.Fatalf("workflow should still be waiting (ended by the run timeout), got %v", err)
	}
}

// kindClosed is the tests' name for a refusal because the step is no
// longer open at this stage: a conflict whose code is one of closedCodes.
const kindClosed domain.Kind = "closed"

// closedCodes are the refusals of a step the stage no longer allows.
var closedCodes = []domain.Code{
	domain.CodeCaseEnded, domain.CodeCaseEndedInStage, domain.CodeCaseCycleClosed, domain.CodeListClosed,
	domain.CodeDecreeStep, domain.CodeDecreeWithdrawn, domain.CodeReopenInDecree, domain.CodeReopenStillOpen,
	domain.CodeReopenPastVerified,
}

// kindOf is a refusal's kind, kindClosed for the closed codes.
func kindOf(e *domain.Error) domain.Kind {
	if slices.Contains(closedCodes, e.Code) {
		return kindClosed
	}
	return e.Kind()
}

// validation unwraps an update rejection into the *domain.Error the API
// would answer with.
func validation(t *testing.T, err error) *domain.Error {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		t.Fatalf("rejection is %T (%v), want *temporal.ApplicationError", err, err)
	}
	if !domain.Known(domain.Code(app.Type())) {
		t.Fatalf("rejection type %q is not a domain code", app.Type())
	}
	if !app.NonRetryable() {
		t.Errorf("rejection should be non-retryable")
	}
	v, ok := domain.As(temporalx.RefusalOf(err))
	if !ok {
		t.Fatalf("RefusalOf(%v) is no *domain.Error", err)
	}
	return v
}

// mustAccept fails the test unless the update was accepted and completed
// without error.
func mustAccept(t *testing.T, what string, r *updateResult) {
	t.Helper()
	if r.rejected != nil {
		t.Fatalf("%s rejected: %v", what, r.rejected)
	}
	if !r.accepted || !r.completed || r.err != nil {
		t.Fatalf("%s: accepted=%v completed=%v err=%v", what, r.accepted, r.completed, r.err)
	}
}

// mustReject fails the test unless the update was rejected by its
// validator with kind and field, and returns the rejection.
func mustReject(t *testing.T, what string, r *updateResult, kind domain.Kind, field string) *domain.Error {
	t.Helper()
	if r.accepted || r.completed {
		t.Fatalf("%s was accepted (completed=%v, result=%+v, err=%v), want rejected", what, r.completed, r.result, r.err)
	}
	if r.rejected == nil {
		t.Fatalf("%s: no answer at all (was it sent?)", what)
	}
	v := validation(t, r.rejected)
	if kindOf(v) != kind || v.Field != field {
		t.Fatalf("%s rejected as %s field %q (%s), want %s field %q", what, kindOf(v), v.Field, v.Message(), kind, field)
	}
	return v
}
