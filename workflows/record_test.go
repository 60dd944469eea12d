package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/devserver/devservertest"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/worker"
	"github.com/verval/verval/workflows"
)

// EnvRecordHistories turns on TestRecordHistories.
const EnvRecordHistories = "VERVAL_RECORD_HISTORIES"

// TestRecordHistories records the histories TestReplayHistories replays. It
// runs the real workflows on a real Temporal dev server (bin/temporal) and a
// real worker, driving each household through one path with the same
// updates and signals the API and the fan-outs send, and writes each
// history to testdata/histories/<scenario>.json.
//
// The activities do not touch a database: a worker interceptor completes
// each one with the result the real activity returns on success (nothing
// for the database writes and notifications), so the history is exactly
// what a production run of the same path records. Payloads are written
// unencrypted (no codec) and the data are synthetic: ids, region codes and
// notes, no personal data.
//
// Record after a release, before changing a workflow:
//
//	VERVAL_RECORD_HISTORIES=1 go test ./workflows/ -run TestRecordHistories -v
func TestRecordHistories(t *testing.T) {
	if os.Getenv(EnvRecordHistories) == "" {
		t.Skipf("set %s=1 to record histories on a Temporal dev server", EnvRecordHistories)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	srv := devservertest.Start(ctx, t, os.Getenv)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: logger, Identity: "verval-history-recorder"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		Interceptors: []interceptor.WorkerInterceptor{&stubActivities{}},
	})
	worker.Register(w, &activities.Activities{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	out := filepath.Join("testdata", "histories")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sc := range recordScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			r := &recorder{t: t, ctx: ctx, c: c, id: sc.id}
			run, err := sc.start(r)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			first := run.GetRunID() // Get follows a continued run to its last
			sc.drive(r)
			if err := run.Get(ctx, nil); err != nil {
				t.Fatalf("workflow: %v", err)
			}
			for i, n := range r.saveRuns(out, sc.name, first) {
				t.Logf("%s run %d: %d events", sc.name, i+1, n)
			}
		})
	}
}

// stubActivities completes every activity, local or not, without running
// it, with what the real one returns on success.
type stubActivities struct {
	interceptor.WorkerInterceptorBase
	mu sync.Mutex
	// answerRounds counts FanOutAnswers calls per proposal.
	answerRounds map[int64]int
}

func (s *stubActivities) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &stubActivity{s: s}
}

type stubActivity struct {
	interceptor.ActivityInboundInterceptorBase
	s *stubActivities
}

func (*stubActivity) Init(interceptor.ActivityOutboundInterceptor) error { return nil }

func (a *stubActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	switch activity.GetInfo(ctx).ActivityType.Name {
	case "CloseVillage":
		return activities.CloseVillageResult{Signalled: 2}, nil
	case "Settle":
		// The programmes by the default rules, as the real Settle enrols.
		si := in.Args[0].(activities.SettleInput)
		if si.Exit {
			return activities.SettleResult{}, nil
		}
		return activities.SettleResult{Programmes: enrol.Programmes(enrol.DefaultRules(), enrol.Household{
			Desil: si.Desil, Eligible: si.Eligible, InRegistry: si.InRegistry, InSignedDecree: si.InSignedDecree,
		})}, nil
	case "RecordChange":
		return int64(1), nil
	case "FanOutDecree":
		return activities.FanOutResult{Households: 2}, nil
	case "FanOutProposal":
		return activities.FanOutProposalResult{Households: 2}, nil
	case "SubmitToKemensos":
		// Proposal recordSimulated goes through the simulated gateway,
		// any other through the file gateway.
		if in.Args[0].(activities.ProposalRef).ProposalID == recordSimulated {
			return activities.SubmitResult{AnswersItself: true, AnswerAfter: time.Second}, nil
		}
		return activities.SubmitResult{}, nil
	case "CollectKemensosAnswers":
		return activities.CollectResult{Applied: 2}, nil
	case "FanOutAnswers":
		// Proposal recordAnswersInTwo is answered one household per
		// upload; any other batch all at once.
		ref := in.Args[0].(activities.ProposalRef)
		a.s.mu.Lock()
		defer a.s.mu.Unlock()
		if a.s.answerRounds == nil {
			a.s.answerRounds = map[int64]int{}
		}
		a.s.answerRounds[ref.ProposalID]++
		if ref.ProposalID == recordAnswersInTwo && a.s.answerRounds[ref.ProposalID] == 1 {
			return activities.FanOutProposalResult{Households: 1, Remaining: 1}, nil
		}
		if ref.ProposalID == recordAnswersInTwo {
			return activities.FanOutProposalResult{Households: 1}, nil
		}
		return activities.FanOutProposalResult{Households: 2}, nil
	}
	return nil, nil
}

// recordAnswersInTwo is the recorded proposal whose answers come in two uploads.
const recordAnswersInTwo = 9

// recordSimulated is the recorded proposal the simulated gateway answers.
const recordSimulated = 10

// scenario is one path through a workflow, recorded as one history.
type scenario struct {
	name  string
	id    string
	start func(*recorder) (client.WorkflowRun, error)
	drive func(*recorder)
}

// recorder drives one workflow on the dev server.
type recorder struct {
	t   *testing.T
	ctx context.Context
	c   client.Client
	id  string
}

// startHousehold starts a household the way workflows.Cases does, with in.
func (r *recorder) startHousehold(in workflows.HouseholdInput) (client.WorkflowRun, error) {
	return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{
		ID: r.id, TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SAStage.ValueSet(string(domain.StageAwaitingVerification)),
			workflows.SAStageEnteredAt.ValueSet(in.CycleOpenedAt),
			workflows.SARegency.ValueSet(in.RegencyCode),
			workflows.SAKecamatan.ValueSet(in.KecamatanCode),
			workflows.SADesa.ValueSet(in.DesaCode),
			workflows.SACycleYear.ValueSet(int64(in.Year)),
		),
	}, workflows.HouseholdWorkflow, in)
}

// update sends an update and waits for its answer; wantReject says whether
// the validator should refuse it.
func (r *recorder) update(name string, arg any, wantReject bool) {
	r.t.Helper()
	h, err := r.c.UpdateWorkflow(r.ctx, client.UpdateWorkflowOptions{
		WorkflowID: r.id, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(r.ctx, nil)
	}
	if (err != nil) != wantReject {
		r.t.Fatalf("update %s: err=%v, want rejected=%v", name, err, wantReject)
	}
}

func (r *recorder) signal(name string, arg any) {
	r.t.Helper()
	if err := r.c.SignalWorkflow(r.ctx, r.id, "", name, arg); err != nil {
		r.t.Fatalf("signal %s: %v", name, err)
	}
}

// waitFor polls the state query until ok holds.
func (r *recorder) waitFor(what string, ok func(workflows.HouseholdState) bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := r.c.QueryWorkflow(r.ctx, r.id, "", workflows.QueryState)
		if err == nil {
			var s workflows.HouseholdState
			if err := v.Get(&s); err == nil && ok(s) {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for %s: last error %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// proposedAgain sends a household waiting to be proposed into batch 9,
// gives it ans, an answer that sends it back to wait (NIK_TIDAK_PADAN, or
// Dinsos' record that none came), and proposes it again in batch 10.
func (r *recorder) proposedAgain(ans workflows.KemensosAnswer) {
	r.t.Helper()
	r.signal(workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
	r.stage(domain.StageAwaitingKemensos)
	r.signal(workflows.SignalKemensosAnswer, ans)
	r.waitFor("back to awaiting_proposal", func(s workflows.HouseholdState) bool {
		return s.Stage == domain.StageAwaitingProposal && s.ProposalID == 9
	})
	r.signal(workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 10})
	r.waitFor("second proposal", func(s workflows.HouseholdState) bool {
		return s.Stage == domain.StageAwaitingKemensos && s.ProposalID == 10
	})
}

func (r *recorder) stage(s domain.Stage) {
	r.t.Helper()
	r.waitFor(string(s), func(st workflows.HouseholdState) bool { return st.Stage == s })
}

// waitForTask polls the workflow's history until its first workflow task
// completed: a human step comes later than the start, as in production,
// so the recorded history does not depend on the recorder's speed.
func (r *recorder) waitForTask() {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		it := r.c.GetWorkflowHistory(r.ctx, r.id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				r.t.Fatal(err)
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatal("waiting for the first workflow task")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitForActivity polls the workflow's history until n activities of type
// name have completed.
func (r *recorder) waitForActivity(name string, n int) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scheduled := map[int64]bool{}
		done := 0
		it := r.c.GetWorkflowHistory(r.ctx, r.id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				r.t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == name {
				scheduled[ev.GetEventId()] = true
			}
			if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
				done++
			}
		}
		if done >= n {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for %d %s: %d completed", n, name, done)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runEvents is the number of events of the run and of every run it
// continued as new into, in order.
func (r *recorder) runEvents(runID string) []int {
	r.t.Helper()
	var counts []int
	for runID != "" {
		h := r.history(runID)
		counts = append(counts, len(h.Events))
		runID = nextRun(h)
	}
	return counts
}

// saveRuns writes the history of the run and of every run it continued
// as new into: name.json for the first, name-run2.json and on for the
// next (a household's open year), and returns their numbers of events.
func (r *recorder) saveRuns(dir, name, runID string) []int {
	r.t.Helper()
	var counts []int
	for i := 1; runID != ""; i++ {
		file := name + ".json"
		if i > 1 {
			file = fmt.Sprintf("%s-run%d.json", name, i)
		}
		h := r.history(runID)
		r.save(filepath.Join(dir, file), h)
		counts = append(counts, len(h.Events))
		runID = nextRun(h)
	}
	return counts
}

// nextRun is the run a history continued as new into, "" if none.
func nextRun(h *historypb.History) string {
	last := h.Events[len(h.Events)-1]
	return last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
}

// history is one run's whole history.
func (r *recorder) history(runID string) *historypb.History {
	r.t.Helper()
	it := r.c.GetWorkflowHistory(r.ctx, r.id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			r.t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

// save writes a run's history as JSON.
func (r *recorder) save(path string, h *historypb.History) {
	r.t.Helper()
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// recordScenarios are the recorded paths. Short deadlines (seconds) let the
// reminders, escalations and the Kemensos reminder fire on a real clock.
func recordScenarios() []scenario {
	now := time.Now().UTC()
	in := func(hh int64, inDTKS bool) workflows.HouseholdInput {
		return workflows.HouseholdInput{
			CycleID: 900, HouseholdID: hh, Year: now.Year(), RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
			Desil: 1, InDTKS: inDTKS, CycleOpenedAt: now.Add(-48 * time.Hour), DueAt: now.Add(30 * day),
		}
	}
	today := now.Format("2006-01-02")
	sub := func(o domain.Outcome, version int) workflows.VerificationRequest {
		r := visit(o, version)
		r.VisitDate = today
		return r
	}
	reopen := workflows.ReopenRequest{Actor: tksk, Reason: "cek ulang"}
	return []scenario{
		{
			// The plain path of a new poor household: verified, decree,
			// proposal, accepted. Its event count is the history budget.
			name: "household-eligible-new-poor-enrolled", id: workflows.HouseholdWorkflowID(900, 1),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(1, false)) },
			drive: func(r *recorder) {
				// As in production, the visit comes after the first workflow
				// task has started the reminder timer, not in the same task.
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingDecree)
				r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
				r.stage(domain.StageAwaitingProposal)
				r.signal(workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
				r.stage(domain.StageAwaitingKemensos)
				r.signal(workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Accepted: true, Date: today})
			},
		},
		{
			// A late village: reminded and escalated, verified, corrected,
			// reopened, verified again; proposed for removal, removal
			// accepted. Rejected updates on the way.
			name: "household-late-reopened-removed", id: workflows.HouseholdWorkflowID(900, 2),
			start: func(r *recorder) (client.WorkflowRun, error) {
				x := in(2, true)
				x.DueAt = time.Now().Add(3 * time.Second)
				x.Deadlines = domain.Deadlines{ReminderBefore: 2 * time.Second, EscalateDinsosAfter: 2 * time.Second}
				return r.startHousehold(x)
			},
			drive: func(r *recorder) {
				r.waitFor("escalation to Dinsos", func(s workflows.HouseholdState) bool { return s.EscalationLevel == 3 })
				r.update(workflows.UpdateReopen, reopen, true) // still open: refused
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeNotPoor, 0), false)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeMoved, 0), true) // stale: refused
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeMoved, 1), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingProposal)
				r.update(workflows.UpdateReopen, reopen, false)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeNotPoor, 2), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 4})
				r.stage(domain.StageAwaitingProposal)
				r.signal(workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
				r.stage(domain.StageAwaitingKemensos)
				r.signal(workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Accepted: true, Date: today})
			},
		},
		{
			// NIK not matched, proposed again, then revoked by a revocation
			// decree (8), which names itself, not the decree that listed it.
			name: "household-nik-rejected-revoked", id: workflows.HouseholdWorkflowID(900, 3),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(3, false)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingDecree)
				r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
				r.stage(domain.StageAwaitingProposal)
				r.proposedAgain(workflows.KemensosAnswer{ProposalID: 9, Reason: workflows.RejectNIKNotMatched, Date: today})
				r.signal(workflows.SignalDecreeRevoked, workflows.DecreeRevoked{DecreeID: 8, Reason: "SK dicabut"})
			},
		},
		{
			name: "household-deceased-not-eligible", id: workflows.HouseholdWorkflowID(900, 4),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(4, false)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeDeceased, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
			},
		},
		{
			// Today's meeting path: the meeting closes the list with the
			// close-village-list Update, sent as the meeting's fan-out
			// sends it (Cases.MeetingClosed, ID meeting-3); a repeat of the
			// same Update (a fan-out page retried) applies once, and a
			// correction after it is refused. In DTKS: the decree enrols it.
			name: "household-meeting-update-decree-enrolled", id: workflows.HouseholdWorkflowID(900, 7),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(7, true)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeNotPoor, 0), false)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 1), false) // a correction
				cases := workflows.Cases{Client: r.c}
				for range 2 {
					if err := cases.MeetingClosed(r.ctx, 900, 7, 3); err != nil {
						r.t.Fatalf("close-village-list: %v", err)
					}
				}
				r.stage(domain.StageAwaitingDecree)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeNotPoor, 2), true) // closed: refused
				r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
			},
		},
		{
			// Already registered: the decree settles it, enrolled.
			name: "household-in-dtks-decree-enrolled", id: workflows.HouseholdWorkflowID(900, 5),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(5, true)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingDecree)
				r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
			},
		},
		{
			// The open year (openYearChange): enrolled by the decree, the
			// case continues as new; a change of members is recorded and
			// confirmed (a new run), then the head dies and the family
			// ends: confirmed, exited. Three runs, three files.
			name: "household-open-year", id: workflows.HouseholdWorkflowID(900, 11),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(11, true)) },
			drive: func(r *recorder) { r.openYear(900, 11, today) },
		},
		{
			// Kemensos rejects the addition: settled rejected, with the
			// programmes the regency pays.
			name: "household-addition-rejected", id: workflows.HouseholdWorkflowID(900, 6),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(6, false)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingDecree)
				r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
				r.stage(domain.StageAwaitingProposal)
				r.signal(workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
				r.stage(domain.StageAwaitingKemensos)
				r.signal(workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Reason: "PNS_TNI_POLRI", Date: today})
			},
		},
		{
			// A removal Kemensos never answered: Dinsos records that
			// (TIDAK_DIJAWAB), the household waits for a later batch, is
			// proposed again and the removal is accepted (Settle: removed).
			name: "household-no-answer-proposed-again", id: workflows.HouseholdWorkflowID(900, 8),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(8, true)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeNotPoor, 0), false)
				if err := (workflows.Cases{Client: r.c}).MeetingClosed(r.ctx, 900, 8, 3); err != nil {
					r.t.Fatalf("close-village-list: %v", err)
				}
				r.stage(domain.StageAwaitingProposal)
				r.proposedAgain(workflows.KemensosAnswer{ProposalID: 9, Reason: workflows.NoKemensosAnswer, Date: today})
				r.signal(workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 10, Accepted: true, Date: today})
			},
		},
		{
			// Submitted, returned (a return without a reason refused),
			// revised, submitted again, signed (a future date refused),
			// then the fan-out.
			name: "decree-returned-revised-signed", id: workflows.DecreeWorkflowID(5),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: "initial"})
			},
			drive: func(r *recorder) {
				r.waitForTask()
				r.update(workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos}, false)
				r.update(workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati}, true)
				r.update(workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: "lampiran belum lengkap"}, false)
				r.update(workflows.UpdateDecreeRevise, workflows.DecreeRequest{Actor: dinsos}, false)
				r.update(workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos}, false)
				r.update(workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "400/5/KEP/2025", Date: now.AddDate(0, 0, 3).Format("2006-01-02")}, true)
				r.update(workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "400/5/KEP/2025", Date: today}, false)
			},
		},
		{
			name: "decree-revocation", id: workflows.DecreeWorkflowID(8),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 8, Kind: "revocation", Reason: "SK dicabut"})
			},
			drive: func(r *recorder) {
				r.waitForTask()
				r.update(workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos}, false)
				r.update(workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "400/8/KEP/2025", Date: today}, false)
			},
		},
		{
			// Kemensos late (one reminder, short period), then answers in
			// two uploads, through the file gateway. (proposal-late-two-uploads.json
			// is the same path recorded before the gateway.)
			name: "proposal-gateway-late-two-uploads", id: workflows.ProposalWorkflowID(recordAnswersInTwo),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.ProposalWorkflow, workflows.ProposalInput{
						ProposalID: recordAnswersInTwo, CycleID: 900, RegencyCode: regency, ReminderAfter: 2 * time.Second,
					})
			},
			drive: func(r *recorder) {
				r.waitForActivity("NotifyKemensosLate", 1)
				r.signal(workflows.SignalAnswersUploaded, nil)
				r.waitForActivity("FanOutAnswers", 1)
				r.signal(workflows.SignalAnswersUploaded, nil)
			},
		},
		{
			// The simulated gateway answers by itself after 1 s.
			// (proposal-simulated.json is the simulated Kemensos before the
			// gateway, from ProposalInput.Simulate.)
			name: "proposal-gateway-simulated", id: workflows.ProposalWorkflowID(recordSimulated),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.ProposalWorkflow, workflows.ProposalInput{ProposalID: recordSimulated, CycleID: 900, RegencyCode: regency})
			},
			drive: func(*recorder) {},
		},
		{
			// An exclusion error: re-verified, upheld, the objector told,
			// and the household reinstated (sanggahUpheldChange).
			name: "sanggah-exclusion-upheld", id: workflows.SanggahWorkflowID(41),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.SanggahWorkflow, workflows.SanggahInput{
						SanggahID: 41, CycleID: 900, HouseholdID: 21, Year: now.Year(), RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
						Reverifier: domain.ReverifyVillage, RegisteredAt: now, DueAt: now.Add(14 * day), Kind: domain.SanggahExclusion,
					})
			},
			drive: func(r *recorder) {
				r.waitForTask()
				r.update(workflows.UpdateSanggahFinding, workflows.SanggahFinding{Actor: officer, Outcome: domain.OutcomeEligible, Note: "Rumah bilik"}, false)
				r.update(workflows.UpdateSanggahDecide, workflows.SanggahDecision{Actor: dinsos, Upheld: true, Note: "Diterima"}, false)
			},
		},
		{
			// An objection the cycle's close ends undecided (closeSanggah).
			name: "sanggah-closed", id: workflows.SanggahWorkflowID(42),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.SanggahWorkflow, workflows.SanggahInput{
						SanggahID: 42, CycleID: 900, HouseholdID: 22, Year: now.Year(), RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
						Reverifier: domain.ReverifyTKSK, RegisteredAt: now, DueAt: now.Add(14 * day), Kind: domain.SanggahInclusion,
					})
			},
			drive: func(r *recorder) {
				r.waitForTask()
				r.update(workflows.UpdateSanggahClose, workflows.SanggahClose{Reason: "tutup buku"}, false)
			},
		},
		{
			// A household found not poor, reinstated by an upheld
			// exclusion error: a new run at awaiting_decree, closed with
			// the cycle.
			name: "household-reinstated-closed", id: workflows.HouseholdWorkflowID(900, 21),
			start: func(r *recorder) (client.WorkflowRun, error) {
				x := in(21, false)
				x.Reinstate = &domain.Reinstatement{SanggahID: 41, Receipt: "SGH-3505-2026-000041", From: domain.StageNotEligible, Seq: 3, Actor: dinsos}
				return r.startHousehold(x)
			},
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingDecree)
				r.update(workflows.UpdateCycleClosed, workflows.CycleClosed{Reason: "tutup buku"}, false)
			},
		},
		{
			// An upheld inclusion error before the decree: the household
			// waiting for it is excluded (not eligible).
			name: "household-excluded-before-decree", id: workflows.HouseholdWorkflowID(900, 22),
			start: func(r *recorder) (client.WorkflowRun, error) { return r.startHousehold(in(22, false)) },
			drive: func(r *recorder) {
				r.stage(domain.StageAwaitingVerification)
				r.update(workflows.UpdateSubmitVerification, sub(domain.OutcomeEligible, 0), false)
				r.signal(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				r.stage(domain.StageAwaitingDecree)
				r.update(workflows.UpdateExclude, workflows.ExcludeRequest{SanggahID: 43, Receipt: "SGH-3505-2026-000043", Outcome: domain.OutcomeNotPoor, Actor: dinsos}, false)
			},
		},
		{
			name: "meeting", id: workflows.MeetingWorkflowID(3),
			start: func(r *recorder) (client.WorkflowRun, error) {
				return r.c.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{ID: r.id, TaskQueue: workflows.TaskQueue},
					workflows.MeetingWorkflow, workflows.MeetingInput{MeetingID: 3})
			},
			drive: func(*recorder) {},
		},
	}
}

// openYear drives a household in the registry to enrolled, then through
// its open year: a change of members confirmed (the case goes on in a new
// run), then the head's death with the family ending, confirmed (exited).
func (r *recorder) openYear(cycleID, householdID int64, today string) {
	r.t.Helper()
	r.enrol(cycleID, householdID, today)
	r.yearChange(domain.ChangeMembers, today, 1)
	r.yearChange(domain.ChangeHeadDied, today, 2)
}

// enrol takes a registered household's case to enrolled: an eligible
// visit, the village's meeting, the decree signed.
func (r *recorder) enrol(cycleID, householdID int64, today string) {
	r.t.Helper()
	r.stage(domain.StageAwaitingVerification)
	r.update(workflows.UpdateSubmitVerification, workflows.VerificationRequest{
		Actor: officer, Outcome: domain.OutcomeEligible, VisitDate: today,
		Indicators: workflows.VisitIndicators{JenisLantai: "tanah", JenisDinding: "bambu", JenisAtap: "rumbia"},
	}, false)
	if err := (workflows.Cases{Client: r.c}).MeetingClosed(r.ctx, cycleID, householdID, 3); err != nil {
		r.t.Fatalf("close-village-list: %v", err)
	}
	r.stage(domain.StageAwaitingDecree)
	r.signal(workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
}

// yearChange records a change in the open year and confirms it; changes
// is the year's count once it is decided.
func (r *recorder) yearChange(kind domain.ChangeKind, today string, changes int) {
	r.t.Helper()
	r.waitFor("the open year", func(s workflows.HouseholdState) bool { return s.Stage == domain.StageEnrolled })
	r.waitForYearRun(changes - 1)
	r.update(workflows.UpdateRecordChange, workflows.ChangeRequest{Actor: officer, Kind: kind, Date: today, Note: "laporan desa"}, false)
	r.update(workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true}, false)
}

// waitForYearRun waits until the current run is an open year's run that
// has decided changes changes before it.
func (r *recorder) waitForYearRun(changes int) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		desc, err := r.c.DescribeWorkflowExecution(r.ctx, r.id, "")
		if err == nil {
			run := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
			h := r.history(run)
			ev := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
			var in workflows.HouseholdInput
			if ev != nil && converter.GetDefaultDataConverter().FromPayloads(ev.GetInput(), &in) == nil &&
				in.Open != nil && in.Open.Changes == changes && len(h.Events) >= 4 {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for the open year's run after %d changes: %v", changes, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
