package workflows_test

import (
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// proposalInput is the batch every proposal test runs: proposal 9 of the
// cycle under test, with the default reminder period unless a test sets one.
func proposalInput() workflows.ProposalInput {
	return workflows.ProposalInput{ProposalID: 9, CycleID: cycleID, RegencyCode: regency}
}

// uploadAt sends the answers-uploaded signal at t0+d.
func (h *harness) uploadAt(d time.Duration) {
	h.signalAt(d, workflows.SignalAnswersUploaded, nil)
}

// proposalResult is the proposal workflow's result; it fails the test if
// the workflow failed or is still waiting.
func (h *harness) proposalResult() workflows.ProposalResult {
	h.t.Helper()
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("proposal workflow did not complete")
	}
	var res workflows.ProposalResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("proposal workflow failed: %v", err)
	}
	return res
}

// callTimes lists when the calls of one activity ran, as offsets from t0.
func (h *harness) callTimes(name string) []string {
	var out []string
	for _, c := range h.callsOf(name) {
		out = append(out, offset(c.At))
	}
	return out
}

// checkProposalCalls asserts every fan-out and reminder names the batch
// and runs as a regular activity (they signal thousands of households, or
// read the database; none is a local activity).
func (h *harness) checkProposalCalls() {
	h.t.Helper()
	ref := activities.ProposalRef{ProposalID: 9}
	for _, name := range []string{"FanOutProposal", "FanOutAnswers", "NotifyKemensosLate", "SubmitToKemensos", "CollectKemensosAnswers"} {
		for _, c := range h.callsOf(name) {
			switch in := c.In.(type) {
			case activities.ProposalRef:
				testx.Equal(h.t, name+" input", in, ref)
			case activities.KemensosLateInput:
				testx.Equal(h.t, name+" input", in, activities.KemensosLateInput{ProposalID: 9, CycleID: cycleID, RegencyCode: regency, At: c.At})
			}
			want := 2 * time.Hour
			if name == "SubmitToKemensos" || name == "CollectKemensosAnswers" {
				want = 10 * time.Minute // one transaction, nothing to heartbeat
			}
			if c.Local || c.StartToClose != want {
				h.t.Errorf("%s ran local=%v startToClose=%v, want a regular activity with %v", name, c.Local, c.StartToClose, want)
			}
		}
	}
	if c := h.callsOf("FanOutProposal"); len(c) != 1 || !c[0].At.Equal(t0) || c[0].Heartbeat != 20*time.Second {
		h.t.Errorf("FanOutProposal: %+v, want one call at the start, heartbeating within 20s", c)
	}
	// Every batch is handed to the gateway once, after the fan-out; the
	// workflow started before the gateway (SimulateKemensos) is replay only.
	if c := h.callsOf("SubmitToKemensos"); len(c) != 1 || !c[0].At.Equal(t0) {
		h.t.Errorf("SubmitToKemensos: %+v, want one call at the start", c)
	}
	if n := len(h.callsOf("SimulateKemensos")); n != 0 {
		h.t.Errorf("SimulateKemensos ran %d times in a new workflow", n)
	}
}

// Kemensos answers the whole batch in one file: the households get their
// answers and the batch is done, with no reminder.
func TestProposalAnswered(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.answerRounds = []activities.FanOutProposalResult{{Households: 3}}
	h.uploadAt(20 * day)
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, proposalInput())

	testx.Equal(t, "result", h.proposalResult(), workflows.ProposalResult{Households: 3, Answered: 3})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), []string{"+20d"})
	testx.Equal(t, "reminders", h.callTimes("NotifyKemensosLate"), nil)
	if n := len(h.callsOf("CollectKemensosAnswers")); n != 0 {
		t.Errorf("CollectKemensosAnswers ran %d times for the file gateway", n)
	}
	h.checkProposalCalls()
	if end := h.now(); !end.Equal(t0.Add(20 * day)) {
		t.Errorf("the batch ended at %s, want when its last answers were given (+20d)", offset(end))
	}
}

// Kemensos answers in two files: the batch waits for the rest after the
// first, and ends when nobody is left waiting. Two uploads in the same
// instant are one fan-out.
func TestProposalAnsweredInTwoUploads(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.answerRounds = []activities.FanOutProposalResult{{Households: 2, Remaining: 1}, {Households: 1}}
	h.uploadAt(20 * day)
	h.uploadAt(45 * day)
	h.uploadAt(45 * day)
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, proposalInput())

	testx.Equal(t, "result", h.proposalResult(), workflows.ProposalResult{Households: 3, Answered: 3})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), []string{"+20d", "+45d"})
	testx.Equal(t, "reminders", h.callTimes("NotifyKemensosLate"), nil)
	h.checkProposalCalls()
}

// Kemensos never answers: Dinsos is reminded once per period, for the
// whole batch, and the batch keeps waiting.
func TestProposalNeverAnswered(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, proposalInput())

	h.stillWaiting()
	// Every 60 days (the default) until the test's 400-day run ends.
	testx.Equal(t, "reminders", h.callTimes("NotifyKemensosLate"), []string{"+60d", "+120d", "+180d", "+240d", "+300d", "+360d"})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), nil)
	h.checkProposalCalls()
}

// Kemensos is late, then answers part of the batch, then the rest: the
// reminders stop while answers come and start over from the last upload.
func TestProposalLateThenAnswered(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.answerRounds = []activities.FanOutProposalResult{{Households: 2, Remaining: 1}, {Households: 1}}
	h.uploadAt(75 * day)
	h.uploadAt(110 * day)
	in := proposalInput()
	in.ReminderAfter = 30 * day
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, in)

	testx.Equal(t, "result", h.proposalResult(), workflows.ProposalResult{Households: 3, Answered: 3})
	testx.Equal(t, "reminders", h.callTimes("NotifyKemensosLate"), []string{"+30d", "+60d", "+105d"})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), []string{"+75d", "+110d"})
	h.checkProposalCalls()
}

// Answers were stored but their upload's signal never arrived (the API
// could not reach Temporal): the next periodic check finds them and gives
// them, as an upload would, without waiting for a second upload.
func TestProposalLostUploadSignalPickedUp(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.answerRounds = []activities.FanOutProposalResult{{Households: 3}}
	// +60d: nothing stored yet (a reminder); +120d: answers stored.
	h.lateChecks = []activities.KemensosLateResult{{}, {Ungiven: 3}}
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, proposalInput())

	testx.Equal(t, "result", h.proposalResult(), workflows.ProposalResult{Households: 3, Answered: 3})
	testx.Equal(t, "checks", h.callTimes("NotifyKemensosLate"), []string{"+60d", "+120d"})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), []string{"+120d"})
	h.checkProposalCalls()
}

// A gateway that answers by itself (the simulated Kemensos of the local
// stack and benchmarks) is asked for its answers after the delay it gave,
// and they are given like an uploaded file's. The workflow's input says
// nothing about simulation: the deprecated Simulate field is ignored.
func TestProposalSimulated(t *testing.T) {
	h := newEnv(t)
	h.proposalHouseholds = 3
	h.answerRounds = []activities.FanOutProposalResult{{Households: 3}}
	h.submission = activities.SubmitResult{AnswersItself: true, AnswerAfter: 2 * time.Hour}
	in := proposalInput()
	in.Simulate = &workflows.SimulateKemensos{Delay: 9 * time.Hour, Seed: 42, RejectShare: 0.2}
	h.env.ExecuteWorkflow(workflows.ProposalWorkflow, in)

	testx.Equal(t, "result", h.proposalResult(), workflows.ProposalResult{Households: 3, Answered: 3})
	testx.Equal(t, "gateway answers collected", h.callTimes("CollectKemensosAnswers"), []string{"+0d2h0m0s"})
	testx.Equal(t, "answer fan-outs", h.callTimes("FanOutAnswers"), []string{"+0d2h0m0s"})
	testx.Equal(t, "reminders", h.callTimes("NotifyKemensosLate"), nil)
	h.checkProposalCalls()
}
