package workflows_test

import (
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// closeReason is Dinsos' reason for closing the cycle in these tests.
const closeReason = "tutup buku 2025"

// closeAt sends the cycle's close Update at t0+d.
func (h *harness) closeAt(d time.Duration) *updateResult {
	return h.updateAt(d, workflows.UpdateCycleClosed, workflows.CycleClosed{Reason: closeReason})
}

// A household still waiting when Dinsos closes the cycle ends in closed,
// with the stage it stood in as its reason, and its workflow completes.
func TestCloseEndsWaitingHouseholds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(h *harness)
		// closeAt is when the close comes.
		closeAt time.Duration
		// writes are every database write, in order.
		writes []string
		// notices are the notifications sent before the close.
		notices []string
		// from is the stage the close found the household in.
		from string
	}{
		{
			name:    "village never verifies",
			steps:   func(h *harness) {},
			closeAt: 60 * day, from: "awaiting_verification",
			writes: []string{"Transition -> closed#1 close (cycle closed in awaiting_verification: tutup buku 2025)"},
			// The reminders and escalations were sent; nothing after the close.
			notices: []string{"reminder to 35.05.01.2001 at +27d", "escalation_tksk to 35.05.01 at +30d", "escalation_dinsos to 35.05 at +37d"},
		},
		{
			name:    "closed before the first reminder",
			steps:   func(h *harness) {},
			closeAt: 5 * day, from: "awaiting_verification",
			writes: []string{"Transition -> closed#1 close (cycle closed in awaiting_verification: tutup buku 2025)"},
		},
		{
			name: "NIK_TIDAK_PADAN never corrected",
			steps: func(h *harness) {
				h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
				h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				for _, s := range []step{decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, workflows.RejectNIKNotMatched)} {
					h.signalAt(s.at, s.signal, s.arg)
				}
			},
			closeAt: 300 * day, from: "awaiting_proposal",
			writes: []string{
				"RecordVisit v1 eligible -> verified#1", "Transition -> awaiting_decree#2 close",
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
				"Transition -> awaiting_proposal#5 (rejected NIK_TIDAK_PADAN: correct and propose again)",
				"Transition -> closed#6 (cycle closed in awaiting_proposal: tutup buku 2025)",
			},
		},
		{
			name: "Kemensos never answers",
			steps: func(h *harness) {
				h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
				h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				for _, s := range []step{decree(20*day, 5), proposal(25*day, 9)} {
					h.signalAt(s.at, s.signal, s.arg)
				}
			},
			closeAt: 300 * day, from: "awaiting_kemensos",
			writes: []string{
				"RecordVisit v1 eligible -> verified#1", "Transition -> awaiting_decree#2 close",
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
				"Transition -> closed#5 (cycle closed in awaiting_kemensos: tutup buku 2025)",
			},
		},
		{
			name: "verified, the village never meets",
			steps: func(h *harness) {
				h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 0))
			},
			closeAt: 100 * day, from: "verified",
			writes: []string{
				"RecordVisit v1 not_poor -> verified#1",
				"Transition -> closed#2 close (cycle closed in verified: tutup buku 2025)",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			tc.steps(h)
			c := h.closeAt(tc.closeAt)
			// A second copy (a fan-out page repeated) finds the case ended.
			again := h.closeAt(tc.closeAt + time.Hour)
			h.run(input(false))

			mustAccept(t, "close", c)
			if again.accepted {
				t.Error("a second close was accepted after the case ended")
			}
			res := h.result()
			testx.Equal(t, "result", res, workflows.HouseholdResult{Stage: domain.StageClosed, Reason: "cycle closed in " + tc.from + ": " + closeReason})
			testx.Equal(t, "writes", h.writes(), tc.writes)
			testx.Equal(t, "notifications", h.notices(), tc.notices)
			if got := h.now(); got.After(t0.Add(tc.closeAt + 2*time.Hour)) {
				t.Errorf("workflow ended at %s, want right after the close at %s", offset(got), offset(t0.Add(tc.closeAt)))
			}
			h.checkSearchAttributes()
			if st := h.stages(); st[len(st)-1] != string(domain.StageClosed) {
				t.Errorf("last VervalStage upserted %q, want closed", st[len(st)-1])
			}
		})
	}
}

// A close that arrives while a visit result is being written waits for the
// write: the result is recorded whole, then the case closes from verified.
func TestCloseDuringVerificationUpdate(t *testing.T) {
	h := newEnv(t)
	sub, cl := &updateResult{}, &updateResult{}
	h.at(2*day, func() {
		h.update(workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0), sub)
		h.update(workflows.UpdateCycleClosed, workflows.CycleClosed{Reason: closeReason}, cl)
	})
	late := h.updateAt(2*day+time.Minute, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 1))
	h.run(input(false))

	mustAccept(t, "visit result", sub)
	mustAccept(t, "close", cl)
	if late.accepted {
		t.Error("a correction after the close was accepted")
	}
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"Transition -> closed#2 close (cycle closed in verified: tutup buku 2025)",
	})
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageClosed, Reason: "cycle closed in verified: tutup buku 2025"})
	h.checkSearchAttributes()
}

// Kemensos' answer and the close arriving together: the answer settles the
// household and the close changes nothing.
func TestCloseWithTheFinalAnswer(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
	h.signalAt(25*day, workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
	cl := &updateResult{}
	h.at(50*day, func() {
		h.env.SignalWorkflow(workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Accepted: true})
		h.update(workflows.UpdateCycleClosed, workflows.CycleClosed{Reason: closeReason}, cl)
	})
	h.run(input(false))

	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes})
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1", "Transition -> awaiting_decree#2 close",
		"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
		"Settle -> enrolled#5 [registry decree]",
	})
	h.checkSearchAttributes()
}

// The close's fan-out is one heartbeating activity, retried after a lost
// worker with the cycle and reason it was started with.
func TestCloseCycleWorkflowFansOut(t *testing.T) {
	h := newEnv(t)
	h.fanOutDecreeFailures = 1
	h.env.ExecuteWorkflow(workflows.CloseCycleWorkflow, workflows.CloseCycleInput{CycleID: cycleID, Reason: closeReason})
	var res activities.CloseCycleResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatalf("close workflow: %v", err)
	}
	testx.Equal(t, "result", res, activities.CloseCycleResult{Households: 3, Closed: 2, Finished: 1, Sanggah: 2})
	// After the households, the objections still undecided.
	if sg := h.callsOf("FanOutCloseSanggah"); len(sg) != 1 || sg[0].In.(activities.CloseCycleInput) != (activities.CloseCycleInput{CycleID: cycleID, Reason: closeReason}) ||
		sg[0].Local || sg[0].At.Before(h.callsOf("FanOutClose")[1].At) {
		t.Errorf("sanggah close: %+v", sg)
	}
	calls := h.callsOf("FanOutClose")
	if len(calls) != 2 {
		t.Fatalf("%d fan-out attempts, want 2 (one lost)", len(calls))
	}
	for _, c := range calls {
		testx.Equal(t, "fan-out input", c.In.(activities.CloseCycleInput), activities.CloseCycleInput{CycleID: cycleID, Reason: closeReason})
		if c.Local || c.Heartbeat == 0 {
			t.Errorf("fan-out ran local=%v with heartbeat timeout %s, want a heartbeating activity", c.Local, c.Heartbeat)
		}
	}
}
