package workflows_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// checkSearchAttributes asserts that every stage change recorded in the
// database was also upserted to VervalStage / StageEnteredAt, at the same
// time and in the same order, and that nothing else was upserted; every
// upsert also carries the household's region codes and cycle year.
func (h *harness) checkSearchAttributes() {
	h.t.Helper()
	type change struct {
		Stage string
		At    time.Time
	}
	var recorded, upserted []change
	for _, c := range h.calls {
		switch in := c.In.(type) {
		case activities.RecordVisitInput:
			if in.Transition != nil {
				recorded = append(recorded, change{in.Transition.Stage, in.Transition.At})
			}
		case activities.TransitionInput:
			recorded = append(recorded, change{in.Stage, in.At})
		case activities.ReopenInput:
			recorded = append(recorded, change{in.Transition.Stage, in.Transition.At})
		case activities.SettleInput:
			recorded = append(recorded, change{in.Transition.Stage, in.Transition.At})
		case store.Reinstatement:
			recorded = append(recorded, change{in.Transition.Stage, in.Transition.At})
		case store.Exclusion:
			recorded = append(recorded, change{in.Transition.Stage, in.Transition.At})
		}
	}
	for _, u := range h.upserts {
		if !u.At.Equal(u.StageEnteredAt) {
			h.t.Errorf("upsert at %s says StageEnteredAt %s", offset(u.At), offset(u.StageEnteredAt))
		}
		upserted = append(upserted, change{u.Stage, u.StageEnteredAt})
		if want := fmt.Sprintf("%s %s %s %d", regency, kecamatan, desa, 2025); u.Region != want {
			h.t.Errorf("upsert at %s: region and year %q, want %q", offset(u.At), u.Region, want)
		}
	}
	testx.Equal(h.t, "search attribute upserts (stage, entered at) vs recorded stage changes", upserted, recorded)
}

func TestOnTimeSubmissionThenMeeting(t *testing.T) {
	h := newEnv(t)
	sub := h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	verified := h.stateAt(3 * day)
	meeting := h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	closed := h.stateAt(11 * day)
	h.run(input(false))

	mustAccept(t, "submission", sub)
	mustAccept(t, "meeting", meeting)
	testx.Equal(t, "update response", sub.result, any(workflows.VerificationResponse{Version: 1, Stage: domain.StageVerified}))
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"Transition -> awaiting_decree#2 close",
	})
	rv := h.callsOf("RecordVisit")[0]
	testx.Equal(t, "RecordVisit input", rv.In, any(activities.RecordVisitInput{
		CycleID: cycleID, HouseholdID: hhID, Version: 1, Actor: officer, At: t0.Add(2 * day),
		Result: domain.VisitResult{
			Outcome: "eligible", VisitDate: "2025-03-04",
			Indicators: domain.Indicators{JenisLantai: "tanah", JenisDinding: "bambu", JenisAtap: "rumbia"},
		},
		Transition: &activities.TransitionInput{HouseholdID: hhID, Seq: 1, Stage: "verified", At: t0.Add(2 * day)},
	}))
	// Database writes are local activities (one marker each, not three
	// events) with the 30-second start-to-close timeout.
	if !rv.Local || rv.StartToClose != 30*time.Second {
		t.Errorf("RecordVisit ran local=%v startToClose=%v, want a local activity with 30s", rv.Local, rv.StartToClose)
	}
	testx.Equal(t, "meeting transition", h.callsOf("Transition")[0].In, any(activities.TransitionInput{
		HouseholdID: hhID, Seq: 2, Stage: "awaiting_decree", At: t0.Add(10 * day), CloseTask: true,
	}))
	testx.Equal(t, "state after submission", *verified, workflows.HouseholdState{
		Stage: domain.StageVerified, StageEnteredAt: t0.Add(2 * day), Seq: 1, Version: 1,
		Outcome: domain.OutcomeEligible, DueAt: t0.Add(30 * day),
	})
	testx.Equal(t, "state after the meeting", *closed, workflows.HouseholdState{
		Stage: domain.StageAwaitingDecree, StageEnteredAt: t0.Add(10 * day), Seq: 2, Version: 1,
		Outcome: domain.OutcomeEligible, DueAt: t0.Add(30 * day),
	})
	testx.Equal(t, "notifications", h.notices(), nil)
	h.checkSearchAttributes()
	testx.Equal(t, "upserted stages", h.stages(), []string{"verified", "awaiting_decree"})
	h.stillWaiting()
}

func TestCorrectionBeforeMeeting(t *testing.T) {
	h := newEnv(t)
	first := h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	fix := h.updateAt(5*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 1))
	stale := h.updateAt(6*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 1))
	corrected := h.stateAt(7 * day)
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.run(input(false))

	mustAccept(t, "first result", first)
	mustAccept(t, "correction", fix)
	testx.Equal(t, "correction response", fix.result, any(workflows.VerificationResponse{Version: 2, Stage: domain.StageVerified}))
	mustReject(t, "correction against version 1 after version 2", stale, domain.KindConflict, "")
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"RecordVisit v2 not_poor", // a correction: no second transition
		"Transition -> not_eligible#2 close (verified not_poor, not in the registry)",
	})
	if c := h.callsOf("RecordVisit")[1]; !c.At.Equal(t0.Add(5 * day)) {
		t.Errorf("correction recorded at %s, want +5d", offset(c.At))
	}
	testx.Equal(t, "state after the correction", *corrected, workflows.HouseholdState{
		Stage: domain.StageVerified, StageEnteredAt: t0.Add(2 * day), Seq: 1, Version: 2,
		Outcome: domain.OutcomeNotPoor, DueAt: t0.Add(30 * day),
	})
	// The meeting closes on the corrected outcome: not poor and not in the
	// registry, so the case ends.
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{
		Stage: domain.StageNotEligible, Reason: "verified not_poor, not in the registry",
	})
	h.checkSearchAttributes()
}

func TestSecondFirstSubmissionRejected(t *testing.T) {
	h := newEnv(t)
	first := h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	again := h.updateAt(3*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 0))
	after := h.stateAt(4 * day)
	h.run(input(false))

	mustAccept(t, "first result", first)
	v := mustReject(t, "second first result", again, domain.KindConflict, "")
	if !strings.Contains(v.Message(), "send version 1") {
		t.Errorf("conflict message %q should tell the client which version to correct", v.Message())
	}
	if n := len(h.callsOf("RecordVisit")); n != 1 {
		t.Errorf("RecordVisit called %d times, want 1", n)
	}
	if after.Version != 1 || after.Outcome != domain.OutcomeEligible || after.Seq != 1 {
		t.Errorf("state after the rejected submission: %+v, want version 1, eligible, seq 1", *after)
	}
	h.stillWaiting()
}

// Two submissions in the same instant: the second is refused while the
// first is being written, rather than both being recorded as version 1.
func TestConcurrentSubmissionsConflict(t *testing.T) {
	h := newEnv(t)
	first, second := &updateResult{}, &updateResult{}
	h.at(2*day, func() {
		h.update(workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0), first)
		h.update(workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 0), second)
	})
	h.run(input(false))

	mustAccept(t, "first", first)
	mustReject(t, "second", second, domain.KindConflict, "")
	testx.Equal(t, "writes", h.writes(), []string{"RecordVisit v1 eligible -> verified#1"})
	h.stillWaiting()
}

func TestLateVillageRemindedThenEscalated(t *testing.T) {
	h := newEnv(t)
	level := h.stateAt(38 * day)
	h.run(input(false))

	// Reminder 3 days before the due date (+30d) to the village, the TKSK
	// of its kecamatan on the due date, Dinsos a week later; then nothing
	// more for the rest of the 400-day run.
	testx.Equal(t, "notifications", h.notices(), []string{
		"reminder to 35.05.01.2001 at +27d",
		"escalation_tksk to 35.05.01 at +30d",
		"escalation_dinsos to 35.05 at +37d",
	})
	for _, c := range h.callsOf("Notify") {
		in := c.In.(activities.NotifyInput)
		testx.Equal(t, in.Kind+" input", in, activities.NotifyInput{
			CycleID: cycleID, HouseholdID: hhID, Kind: in.Kind, RegionCode: in.RegionCode,
			DesaCode: desa, DueAt: t0.Add(30 * day), At: c.At,
		})
		if !c.Local {
			t.Errorf("%s should be a local activity", in.Kind)
		}
	}
	if level.EscalationLevel != 3 || level.Stage != domain.StageAwaitingVerification {
		t.Errorf("state after the escalations: %+v, want escalation level 3 awaiting verification", *level)
	}
	testx.Equal(t, "writes", h.writes(), nil)
	h.stillWaiting()
}

// A submission stops the escalations still to come; a cycle's own
// deadlines replace the defaults.
func TestEscalationStopsAtSubmission(t *testing.T) {
	for _, tc := range []struct {
		name      string
		deadlines domain.Deadlines
		submitAt  time.Duration
		want      []string
	}{
		{name: "before the reminder", submitAt: 26 * day, want: nil},
		{name: "after the reminder", submitAt: 28 * day, want: []string{"reminder to 35.05.01.2001 at +27d"}},
		{name: "after the TKSK", submitAt: 31 * day, want: []string{
			"reminder to 35.05.01.2001 at +27d", "escalation_tksk to 35.05.01 at +30d",
		}},
		{
			name:      "cycle deadlines",
			deadlines: domain.Deadlines{ReminderBefore: 5 * day, EscalateDinsosAfter: 2 * day},
			submitAt:  33 * day,
			want: []string{
				"reminder to 35.05.01.2001 at +25d", "escalation_tksk to 35.05.01 at +30d", "escalation_dinsos to 35.05 at +32d",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			sub := h.updateAt(tc.submitAt, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
			in := input(false)
			in.Deadlines = tc.deadlines
			h.run(in)

			mustAccept(t, "late submission", sub)
			testx.Equal(t, "notifications", h.notices(), tc.want)
			testx.Equal(t, "writes", h.writes(), []string{"RecordVisit v1 eligible -> verified#1"})
			h.stillWaiting()
		})
	}
}

// step is a signal sent at t0+at.
type step struct {
	at     time.Duration
	signal string
	arg    any
}

// meeting is the signal meetings sent before UpdateMeetingClosed; the
// step tests keep that path, which older histories replay, tested.
func meeting(at time.Duration) step {
	return step{at, workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3}}
}

func decree(at time.Duration, id int64) step {
	return step{at, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: id}}
}

func revoke(at time.Duration, id int64, reason string) step {
	return step{at, workflows.SignalDecreeRevoked, workflows.DecreeRevoked{DecreeID: id, Reason: reason}}
}

func proposal(at time.Duration, id int64) step {
	return step{at, workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: id}}
}

func answer(at time.Duration, id int64, reason string) step {
	return step{at, workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: id, Accepted: reason == "", Reason: reason, Date: "2025-06-20"}}
}

// Each outcome's path when the village meeting closes the list.
func TestMeetingRoutesEachOutcome(t *testing.T) {
	for _, o := range domain.Outcomes() {
		for _, inDTKS := range []bool{false, true} {
			next, reason, removal := domain.StageNotEligible, "verified "+string(o)+", not in the registry", false
			switch {
			case o == domain.OutcomeEligible:
				next, reason = domain.StageAwaitingDecree, ""
			case inDTKS:
				next, reason, removal = domain.StageAwaitingProposal, "removal: "+string(o), true
			}
			name := string(o) + "/not in DTKS"
			if inDTKS {
				name = string(o) + "/in DTKS"
			}
			t.Run(name, func(t *testing.T) {
				h := newEnv(t)
				sub := h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(o, 0))
				h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
				h.run(input(inDTKS))
				st := h.state() // at the end: terminal, or still waiting at the run timeout

				mustAccept(t, "submission", sub)
				close := "Transition -> " + string(next) + "#2 close"
				if reason != "" {
					close += " (" + reason + ")"
				}
				testx.Equal(t, "writes", h.writes(), []string{"RecordVisit v1 " + string(o) + " -> verified#1", close})
				testx.Equal(t, "transition", h.callsOf("Transition")[0].In, any(activities.TransitionInput{
					HouseholdID: hhID, Seq: 2, Stage: string(next), At: t0.Add(10 * day), Reason: reason, CloseTask: true,
				}))
				if st.Stage != next || st.Removal != removal || st.Reason != reason {
					t.Errorf("state after the meeting: %+v, want stage %s removal %v reason %q", st, next, removal, reason)
				}
				if next.Terminal() {
					testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: next, Reason: reason})
				} else {
					h.stillWaiting()
				}
				h.checkSearchAttributes()
			})
		}
	}
}

// Programmes a desil-1 household ends with (enrol.DefaultRules).
var (
	// allProgrammes: in the registry and in a signed decree.
	allProgrammes = []string{enrol.PKH, enrol.BPNT, enrol.PBIJK, enrol.BPJSTK, enrol.BLTDD}
	// regencyPaid: in a signed decree but not in the registry (Kemensos
	// rejected the addition): only what the regency and the village pay.
	regencyPaid = []string{enrol.BPJSTK, enrol.BLTDD}
)

// checkSettles asserts every Settle the household ran carries the case's
// cycle, desil and outcome, a transition stamped when it ran, and ran as a
// local activity.
func (h *harness) checkSettles(outcome domain.Outcome) {
	h.t.Helper()
	for _, c := range h.callsOf("Settle") {
		in := c.In.(activities.SettleInput)
		if in.CycleID != cycleID || in.Desil != 1 || in.Eligible != (outcome == domain.OutcomeEligible) {
			h.t.Errorf("Settle input %+v: want cycle %d, desil 1, eligible %v", in, cycleID, outcome == domain.OutcomeEligible)
		}
		if in.Transition.HouseholdID != hhID || !in.Transition.At.Equal(c.At) || in.Transition.CloseTask {
			h.t.Errorf("Settle transition %+v at %s: want household %d, stamped when it ran, not closing the task", in.Transition, offset(c.At), hhID)
		}
		if !c.Local || c.StartToClose != 30*time.Second {
			h.t.Errorf("Settle ran local=%v startToClose=%v, want a local activity with 30s", c.Local, c.StartToClose)
		}
	}
}

// Each path from the meeting to the end of the cycle year.
func TestPathsAfterMeeting(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inDTKS  bool
		outcome domain.Outcome
		steps   []step
		// writes after the first result and the meeting's transition.
		writes []string
		// result is the terminal stage, reason and programmes; empty Stage:
		// still waiting.
		result workflows.HouseholdResult
		// state, when set, is checked at t0+stateAt.
		stateAt time.Duration
		state   func(*testing.T, workflows.HouseholdState)
		// end, when set, checks the state when the run ended.
		end func(*testing.T, workflows.HouseholdState)
	}{
		{
			name: "in DTKS: the decree enrols", inDTKS: true, outcome: domain.OutcomeEligible,
			steps:  []step{decree(20*day, 5)},
			writes: []string{"Settle -> enrolled#3 [registry decree]"},
			result: workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
		},
		{
			name: "new poor: decree, proposal, accepted", outcome: domain.OutcomeEligible,
			steps: []step{decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, "")},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> enrolled#5 [registry decree]",
			},
			result:  workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
			stateAt: 30 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingKemensos || s.DecreeID != 5 || s.ProposalID != 9 || s.Removal {
					t.Errorf("state while proposed: %+v", s)
				}
			},
		},
		{
			// An amendment decree lists households verified after the first
			// decree: to the household it is just the decree that lists it.
			name: "new poor in an amendment decree", outcome: domain.OutcomeEligible,
			steps: []step{decree(60*day, 6), proposal(70*day, 9), answer(90*day, 9, "")},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> enrolled#5 [registry decree]",
			},
			result:  workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
			stateAt: 65 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingProposal || s.DecreeID != 6 {
					t.Errorf("state after the amendment: %+v, want awaiting_proposal with decree 6", s)
				}
			},
		},
		{
			// The decree's fan-out repeats a page after a crash: copies of
			// the signal change nothing.
			name: "decree signal repeated", outcome: domain.OutcomeEligible,
			steps: []step{decree(20*day, 5), decree(21*day, 5), proposal(25*day, 9), decree(26*day, 5), answer(50*day, 9, "")},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> enrolled#5 [registry decree]",
			},
			result: workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
		},
		{
			name: "NIK not matched: corrected and proposed again", outcome: domain.OutcomeEligible,
			steps: []step{
				decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, workflows.RejectNIKNotMatched),
				proposal(80*day, 10),
				answer(90*day, 9, workflows.RejectNIKNotMatched), // a late copy of the old answer: ignored
				answer(100*day, 10, ""),
			},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
				"Transition -> awaiting_proposal#5 (rejected NIK_TIDAK_PADAN: correct and propose again)", "Transition -> awaiting_kemensos#6",
				"Settle -> enrolled#7 [registry decree]",
			},
			result:  workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
			stateAt: 60 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingProposal || s.Reason != "rejected NIK_TIDAK_PADAN: correct and propose again" {
					t.Errorf("state after the NIK rejection: %+v", s)
				}
			},
		},
		{
			// Dinsos recorded that Kemensos never answered batch 9: not a
			// rejection, the household waits for a later batch, is proposed
			// again and accepted. A late copy of the marking changes nothing.
			name: "no answer from Kemensos: addition proposed again", outcome: domain.OutcomeEligible,
			steps: []step{
				decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, workflows.NoKemensosAnswer),
				proposal(80*day, 10), answer(85*day, 9, workflows.NoKemensosAnswer), answer(100*day, 10, ""),
			},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
				"Transition -> awaiting_proposal#5 (no answer from Kemensos: propose again)", "Transition -> awaiting_kemensos#6",
				"Settle -> enrolled#7 [registry decree]",
			},
			result:  workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
			stateAt: 60 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingProposal || s.Reason != "no answer from Kemensos: propose again" || s.ProposalID != 9 || s.Removal {
					t.Errorf("state after the marking: %+v", s)
				}
			},
		},
		{
			// A removal Kemensos never answered is proposed again too (a
			// removal rejected, even NIK_TIDAK_PADAN, is final), still as a
			// removal.
			name: "no answer from Kemensos: removal proposed again", inDTKS: true, outcome: domain.OutcomeNotPoor,
			steps: []step{proposal(25*day, 9), answer(50*day, 9, workflows.NoKemensosAnswer), proposal(80*day, 10), answer(100*day, 10, "")},
			writes: []string{
				"Transition -> awaiting_kemensos#3", "Transition -> awaiting_proposal#4 (no answer from Kemensos: propose again)",
				"Transition -> awaiting_kemensos#5", "Settle -> removed#6 (removal accepted: verified not_poor) [ineligible exit]",
			},
			result:  workflows.HouseholdResult{Stage: domain.StageRemoved, Reason: "removal accepted: verified not_poor"},
			stateAt: 60 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingProposal || s.Reason != "no answer from Kemensos: propose again" || !s.Removal {
					t.Errorf("state after the marking: %+v", s)
				}
			},
		},
		{
			// Not registered, but still in the regent's decree: the
			// programmes the regency and the village pay still apply.
			name: "addition rejected for another reason", outcome: domain.OutcomeEligible,
			steps:  []step{decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, "PNS_TNI_POLRI")},
			writes: []string{"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> rejected#5 (rejected PNS_TNI_POLRI) [decree]"},
			result: workflows.HouseholdResult{Stage: domain.StageRejected, Reason: "rejected PNS_TNI_POLRI", Programmes: regencyPaid},
		},
		{
			name: "removal accepted", inDTKS: true, outcome: domain.OutcomeNotPoor,
			steps:  []step{proposal(25*day, 9), answer(50*day, 9, "")},
			writes: []string{"Transition -> awaiting_kemensos#3", "Settle -> removed#4 (removal accepted: verified not_poor) [ineligible exit]"},
			result: workflows.HouseholdResult{Stage: domain.StageRemoved, Reason: "removal accepted: verified not_poor"},
		},
		{
			// Kemensos keeps the household registered: its aid does not
			// change, so there is nothing to settle.
			name: "removal rejected for NIK is final", inDTKS: true, outcome: domain.OutcomeDeceased,
			steps:  []step{proposal(25*day, 9), answer(50*day, 9, workflows.RejectNIKNotMatched)},
			writes: []string{"Transition -> awaiting_kemensos#3", "Transition -> rejected#4 (removal rejected NIK_TIDAK_PADAN)"},
			result: workflows.HouseholdResult{Stage: domain.StageRejected, Reason: "removal rejected NIK_TIDAK_PADAN"},
		},
		{
			name: "removal rejected for another reason", inDTKS: true, outcome: domain.OutcomeMoved,
			steps:  []step{proposal(25*day, 9), answer(50*day, 9, "GANDA")},
			writes: []string{"Transition -> awaiting_kemensos#3", "Transition -> rejected#4 (removal rejected GANDA)"},
			result: workflows.HouseholdResult{Stage: domain.StageRejected, Reason: "removal rejected GANDA"},
		},
		{
			// The reminder that Kemensos is late belongs to the proposal
			// batch (ProposalWorkflow), not to each household.
			name: "Kemensos late: no reminder from the household, answer still taken", outcome: domain.OutcomeEligible,
			steps:   []step{decree(20*day, 5), proposal(25*day, 9), answer(150*day, 9, "")},
			writes:  []string{"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> enrolled#5 [registry decree]"},
			result:  workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes},
			stateAt: 120 * day,
			state: func(t *testing.T, s workflows.HouseholdState) {
				if s.Stage != domain.StageAwaitingKemensos {
					t.Errorf("after 95 days the household should still wait for Kemensos, state %+v", s)
				}
			},
		},
		{
			name: "Kemensos silent: no reminder from the household, still waiting", outcome: domain.OutcomeEligible,
			steps:  []step{decree(20*day, 5), proposal(25*day, 9)},
			writes: []string{"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4"},
		},
		{
			// A revocation names the revoking decree (8), not the one that
			// listed the household (5).
			name: "revoked while awaiting the proposal", outcome: domain.OutcomeEligible,
			steps:  []step{decree(20*day, 5), revoke(24*day, 8, "SK diubah")},
			writes: []string{"Transition -> awaiting_proposal#3 (addition)", "Settle -> revoked#4 (revoked: SK diubah) [decree exit]"},
			result: workflows.HouseholdResult{Stage: domain.StageRevoked, Reason: "revoked: SK diubah"},
			end: func(t *testing.T, s workflows.HouseholdState) {
				if s.DecreeID != 5 {
					t.Errorf("after the revocation the state names decree %d, want the decree that listed it (5)", s.DecreeID)
				}
			},
		},
		{
			name: "revoked while awaiting Kemensos", outcome: domain.OutcomeEligible,
			steps:  []step{decree(20*day, 5), proposal(25*day, 9), revoke(30*day, 8, "SK dicabut")},
			writes: []string{"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4", "Settle -> revoked#5 (revoked: SK dicabut) [decree exit]"},
			result: workflows.HouseholdResult{Stage: domain.StageRevoked, Reason: "revoked: SK dicabut"},
		},
		{
			name: "revoked after a NIK rejection", outcome: domain.OutcomeEligible,
			steps: []step{
				decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, workflows.RejectNIKNotMatched), revoke(60*day, 8, "SK dicabut"),
				proposal(80*day, 10), // too late: the case has ended
			},
			writes: []string{
				"Transition -> awaiting_proposal#3 (addition)", "Transition -> awaiting_kemensos#4",
				"Transition -> awaiting_proposal#5 (rejected NIK_TIDAK_PADAN: correct and propose again)",
				"Settle -> revoked#6 (revoked: SK dicabut) [decree exit]",
			},
			result: workflows.HouseholdResult{Stage: domain.StageRevoked, Reason: "revoked: SK dicabut"},
		},
		{
			// A removal has no decree, so no revocation applies to it.
			name: "removal: a revocation does not apply", inDTKS: true, outcome: domain.OutcomeNotPoor,
			steps:  []step{revoke(20*day, 8, "SK dicabut"), proposal(25*day, 9), revoke(30*day, 8, "SK dicabut"), answer(50*day, 9, "")},
			writes: []string{"Transition -> awaiting_kemensos#3", "Settle -> removed#4 (removal accepted: verified not_poor) [ineligible exit]"},
			result: workflows.HouseholdResult{Stage: domain.StageRemoved, Reason: "removal accepted: verified not_poor"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			var timers []string
			h.env.SetOnTimerScheduledListener(func(_ string, d time.Duration) {
				timers = append(timers, fmt.Sprintf("%s from %s", strings.TrimPrefix(offset(t0.Add(d)), "+"), offset(h.now())))
			})
			sub := h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(tc.outcome, 0))
			h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
			for _, s := range tc.steps {
				h.signalAt(s.at, s.signal, s.arg)
			}
			var st *workflows.HouseholdState
			if tc.state != nil {
				st = h.stateAt(tc.stateAt)
			}
			h.run(input(tc.inDTKS))

			mustAccept(t, "submission", sub)
			closed := "Transition -> awaiting_decree#2 close"
			if tc.outcome != domain.OutcomeEligible {
				closed = "Transition -> awaiting_proposal#2 close (removal: " + string(tc.outcome) + ")"
			}
			want := append([]string{"RecordVisit v1 " + string(tc.outcome) + " -> verified#1", closed}, tc.writes...)
			testx.Equal(t, "writes", h.writes(), want)
			// Verified on time: no notification at all, and no timer but
			// the village's reminder (due in 30 days less 3, cancelled by
			// the visit); none while waiting for the decree, the proposal
			// or Kemensos, however long they take.
			testx.Equal(t, "notifications", h.notices(), nil)
			testx.Equal(t, "timers", timers, []string{"27d from +0d"})
			if tc.result.Stage == "" {
				h.stillWaiting()
			} else {
				testx.Equal(t, "result", h.result(), tc.result)
			}
			if tc.state != nil {
				tc.state(t, *st)
			}
			if tc.end != nil {
				tc.end(t, h.state())
			}
			h.checkSettles(tc.outcome)
			h.checkSearchAttributes()
		})
	}
}

// A bad submission is refused by the validator: the update is never
// accepted, so it writes nothing to the workflow's history (a rejected
// update leaves no event) and nothing to the database.
func TestInvalidSubmissionRejected(t *testing.T) {
	// The submission is sent at t0+2d = 2025-03-05 10:00 WIT.
	for _, tc := range []struct {
		name   string
		change func(*workflows.VerificationRequest)
		kind   domain.Kind
		field  string
	}{
		{"unknown outcome", func(r *workflows.VerificationRequest) { r.Outcome = "rich" }, domain.KindInvalid, "outcome"},
		{"no visit date", func(r *workflows.VerificationRequest) { r.VisitDate = "" }, domain.KindInvalid, "visitDate"},
		{"visit date not a date", func(r *workflows.VerificationRequest) { r.VisitDate = "05/03/2025" }, domain.KindInvalid, "visitDate"},
		{"visit date in the future", func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-06" }, domain.KindInvalid, "visitDate"},
		{"visit before the cycle opened", func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-02" }, domain.KindInvalid, "visitDate"},
		{"duplicate of itself", func(r *workflows.VerificationRequest) {
			r.Outcome, r.DuplicateOf, r.Note = domain.OutcomeDuplicate, hhID, "sama"
		}, domain.KindInvalid, "duplicateOf"},
		{"duplicate of nobody", func(r *workflows.VerificationRequest) {
			r.Outcome, r.DuplicateOf, r.Note = domain.OutcomeDuplicate, 0, "sama"
		}, domain.KindInvalid, "duplicateOf"},
		{"eligible without a roof", func(r *workflows.VerificationRequest) { r.Indicators.JenisAtap = " " }, domain.KindInvalid, "indicators"},
		{"not found without a note", func(r *workflows.VerificationRequest) {
			r.Outcome, r.Note = domain.OutcomeNotFound, ""
		}, domain.KindInvalid, "note"},
		{"first result claiming a version", func(r *workflows.VerificationRequest) { r.ExpectedVersion = 1 }, domain.KindConflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			req := visit(domain.OutcomeEligible, 0)
			tc.change(&req)
			bad := h.updateAt(2*day, workflows.UpdateSubmitVerification, req)
			after := h.stateAt(2*day + time.Hour)
			// The household is untouched: a good result goes in as version 1.
			good := h.updateAt(3*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
			h.run(input(false))

			mustReject(t, "submission", bad, tc.kind, tc.field)
			testx.Equal(t, "state after the rejection", *after, workflows.HouseholdState{
				Stage: domain.StageAwaitingVerification, StageEnteredAt: t0, DueAt: t0.Add(30 * day),
			})
			mustAccept(t, "good submission", good)
			testx.Equal(t, "writes", h.writes(), []string{"RecordVisit v1 eligible -> verified#1"})
			if c := h.callsOf("RecordVisit")[0]; !c.At.Equal(t0.Add(3 * day)) {
				t.Errorf("RecordVisit ran at %s, want only the good one at +3d", offset(c.At))
			}
		})
	}
}

// tksk is the sub-district social worker who reopens verifications.
var tksk = domain.Actor{UserID: 21, Role: "tksk", RequestID: "req-9"}

// A late village (escalated all the way to Dinsos) is verified, the
// meeting closes the list, and the TKSK reopens it: the reminders start
// over from the new due date.
func TestReopenAfterMeeting(t *testing.T) {
	h := newEnv(t)
	h.updateAt(38*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(40*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	// The meeting's fan-out repeats a page after a crash: a second copy of
	// its signal, which the reopen must forget.
	h.updateAt(41*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	noReason := h.updateAt(42*day, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "  "})
	longReason := h.updateAt(42*day, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: strings.Repeat("x", 1001)})
	reopen := h.updateAt(42*day, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "alamat salah"})
	reopened := h.stateAt(42*day + time.Hour)
	// After a reopen a first result is refused; the village corrects version 1.
	asNew := h.updateAt(64*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	fix := h.updateAt(64*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 1))
	corrected := h.stateAt(64*day + time.Hour)
	h.updateAt(65*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 4})
	h.run(input(false))

	mustReject(t, "reopen without a reason", noReason, domain.KindInvalid, "reason")
	mustReject(t, "reopen with a reason of 1001 characters", longReason, domain.KindInvalid, "reason")
	mustAccept(t, "reopen", reopen)
	due := t0.Add(56 * day) // reopened at +42d, due 14 days later
	testx.Equal(t, "reopen response", reopen.result, any(workflows.ReopenResponse{Stage: domain.StageAwaitingVerification, DueAt: due}))
	testx.Equal(t, "Reopen input", h.callsOf("Reopen")[0].In, any(activities.ReopenInput{
		CycleID: cycleID, HouseholdID: hhID, DueAt: due, Reason: "alamat salah", Actor: tksk,
		Transition: activities.TransitionInput{
			HouseholdID: hhID, Seq: 3, Stage: "awaiting_verification", At: t0.Add(42 * day), Reason: "reopened: alamat salah",
		},
	}))
	testx.Equal(t, "state after the reopen", *reopened, workflows.HouseholdState{
		Stage: domain.StageAwaitingVerification, StageEnteredAt: t0.Add(42 * day), Seq: 3, Version: 1,
		Outcome: domain.OutcomeEligible, DueAt: due, Reason: "reopened: alamat salah",
	})
	// The first round against the original due date (+30d), then a new
	// round against the reopened one (+56d).
	testx.Equal(t, "notifications", h.notices(), []string{
		"reminder to 35.05.01.2001 at +27d",
		"escalation_tksk to 35.05.01 at +30d",
		"escalation_dinsos to 35.05 at +37d",
		"reminder to 35.05.01.2001 at +53d",
		"escalation_tksk to 35.05.01 at +56d",
		"escalation_dinsos to 35.05 at +63d",
	})
	for _, c := range h.callsOf("Notify")[3:] {
		if in := c.In.(activities.NotifyInput); !in.DueAt.Equal(due) {
			t.Errorf("%s names due date %s, want %s", in.Kind, offset(in.DueAt), offset(due))
		}
	}
	mustReject(t, "first result after a reopen", asNew, domain.KindConflict, "")
	mustAccept(t, "correction after the reopen", fix)
	if corrected.Stage != domain.StageVerified {
		t.Errorf("after the correction the household waits for a new meeting, stage %s", corrected.Stage)
	}
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"Transition -> awaiting_decree#2 close",
		"Reopen -> awaiting_verification#3 (reopened: alamat salah)",
		"RecordVisit v2 eligible -> verified#4",
		"Transition -> awaiting_decree#5 close",
	})
	h.checkSearchAttributes()
	h.stillWaiting()
}

// A removal (in DTKS, verified not poor) can be reopened before it is
// proposed; verified again as eligible it is no longer a removal.
func TestReopenRemoval(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	reopen := h.updateAt(12*day, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "masih miskin"})
	reopened := h.stateAt(12*day + time.Hour)
	fix := h.updateAt(13*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 1))
	h.updateAt(14*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 4})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
	h.run(input(true))

	mustAccept(t, "reopen", reopen)
	mustAccept(t, "correction", fix)
	if reopened.Removal || reopened.Stage != domain.StageAwaitingVerification {
		t.Errorf("state after reopening a removal: %+v", *reopened)
	}
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 not_poor -> verified#1",
		"Transition -> awaiting_proposal#2 close (removal: not_poor)",
		"Reopen -> awaiting_verification#3 (reopened: masih miskin)",
		"RecordVisit v2 eligible -> verified#4",
		"Transition -> awaiting_decree#5 close",
		"Settle -> enrolled#6 [registry decree]",
	})
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes})
	h.checkSettles(domain.OutcomeEligible)
	h.checkSearchAttributes()
}

// A reopen is refused while the village can still correct the result
// itself, and once the household is in a signed decree.
func TestReopenRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		submit bool
		steps  []step
		at     time.Duration
		stage  domain.Stage
	}{
		{name: "awaiting verification", at: 1 * day, stage: domain.StageAwaitingVerification},
		{name: "verified, before the meeting", submit: true, at: 5 * day, stage: domain.StageVerified},
		{name: "in a signed decree", submit: true, steps: []step{meeting(10 * day), decree(20*day, 5)}, at: 21 * day, stage: domain.StageAwaitingProposal},
		{name: "proposed to Kemensos", submit: true, steps: []step{meeting(10 * day), decree(20*day, 5), proposal(25*day, 9)}, at: 26 * day, stage: domain.StageAwaitingKemensos},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			if tc.submit {
				h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
			}
			for _, s := range tc.steps {
				h.signalAt(s.at, s.signal, s.arg)
			}
			before := h.stateAt(tc.at - time.Minute)
			r := h.updateAt(tc.at, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "cek ulang"})
			h.run(input(false))

			if before.Stage != tc.stage {
				t.Fatalf("set-up reached %s, want %s", before.Stage, tc.stage)
			}
			mustReject(t, "reopen", r, kindClosed, "")
			if n := len(h.callsOf("Reopen")); n != 0 {
				t.Errorf("Reopen called %d times", n)
			}
		})
	}
}

// The village meeting's close and a reopen can land in the same workflow
// task. The reopen must not run while the meeting's CloseTask write is in
// flight: the two local activities would race in the database and could
// leave the task closed while the workflow waits for a new visit.
func TestReopenDuringMeetingClose(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	r := &updateResult{}
	h.at(10*day, func() {
		h.env.SignalWorkflow(workflows.SignalMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
		h.update(workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "cek ulang"}, r)
	})
	retry := h.updateAt(11*day, workflows.UpdateReopen, workflows.ReopenRequest{Actor: tksk, Reason: "cek ulang"})
	h.run(input(false))

	mustReject(t, "reopen during the meeting's write", r, domain.KindConflict, "")
	mustAccept(t, "reopen retried", retry)
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"Transition -> awaiting_decree#2 close",
		"Reopen -> awaiting_verification#3 (reopened: cek ulang)",
	})
	// Reopened at +11d: due +25d, and the reminders follow that date.
	testx.Equal(t, "notifications", h.notices(), []string{
		"reminder to 35.05.01.2001 at +22d",
		"escalation_tksk to 35.05.01 at +25d",
		"escalation_dinsos to 35.05 at +32d",
	})
	h.checkSearchAttributes()
}

// A household is enrolled from the day of the decision, not the day
// verval hears of it: a registered household from the day its decree was
// signed, a new one from the day of Kemensos' determination (Settle's On).
func TestSettledOnTheDayOfTheDecision(t *testing.T) {
	for _, tc := range []struct {
		inDTKS bool
		steps  []step
		on     string
		// enrolledOn is the open year's enrolment day: the decision's,
		// or the transition's when the decision's is later (a date
		// Settle does not take either).
		enrolledOn string
	}{
		{true, []step{{20 * day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5, Date: "2025-02-10"}}}, "2025-02-10", "2025-02-10"},
		{false, []step{decree(20*day, 5), proposal(25*day, 9), answer(50*day, 9, "")}, "2025-06-20", "2025-04-22"},
	} {
		h := newEnv(t)
		h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
		h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
		for _, s := range tc.steps {
			h.signalAt(s.at, s.signal, s.arg)
		}
		h.run(input(tc.inDTKS))
		settles := h.callsOf("Settle")
		if len(settles) != 1 || settles[0].In.(activities.SettleInput).On != tc.on {
			t.Errorf("registered %v: Settle %+v, want one on %s", tc.inDTKS, settles, tc.on)
		}
		if next, ok := h.continued(); !ok || next.Open.EnrolledOn != tc.enrolledOn {
			t.Errorf("registered %v: the open year %+v, want it enrolled on %s", tc.inDTKS, next.Open, tc.enrolledOn)
		}
	}
}

// A revocation ends the aid from the day its decree was signed (carried in
// the decree-revoked signal), not the day the case hears of it.
func TestRevokedOnTheDayOfTheDecree(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5, Date: "2025-03-21"})
	h.signalAt(40*day, workflows.SignalDecreeRevoked, workflows.DecreeRevoked{DecreeID: 8, Reason: "SK dicabut", Date: "2025-04-01"})
	h.run(input(false))
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageRevoked, Reason: "revoked: SK dicabut"})
	settles := h.callsOf("Settle")
	if len(settles) != 1 {
		t.Fatalf("Settle %+v, want one", settles)
	}
	if in := settles[0].In.(activities.SettleInput); !in.Exit || in.On != "2025-04-01" {
		t.Errorf("Settle %+v, want the exits on the revocation's signing day 2025-04-01", in)
	}
}

// The commands behind a household's history, for the plain path of a new
// poor household (verified on time, decree, proposal, accepted). The test
// environment has no event history; the recorded history of the same path
// (testdata/histories/household-eligible-new-poor-enrolled.json) has 38
// events. Each extra local activity, upsert or timer here costs events in
// millions of histories.
func TestHistoryBudget(t *testing.T) {
	h := newEnv(t)
	var timers []time.Duration
	var fired, cancelled int
	h.env.SetOnTimerScheduledListener(func(_ string, d time.Duration) { timers = append(timers, d) })
	h.env.SetOnTimerFiredListener(func(string) { fired++ })
	h.env.SetOnTimerCanceledListener(func(string) { cancelled++ })
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
	h.signalAt(25*day, workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
	h.signalAt(50*day, workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Accepted: true})
	h.run(input(false))

	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: allProgrammes})
	var names []string
	for _, c := range h.calls {
		if !c.Local {
			t.Errorf("%s ran as a regular activity (three events, not one marker)", c.Name)
		}
		names = append(names, c.Name)
	}
	// One local activity and one upsert per stage change; the final stage
	// and its enrolments are one Settle, not a Transition and another write.
	testx.Equal(t, "local activities", names, []string{"RecordVisit", "Transition", "Transition", "Transition", "Settle"})
	if len(h.upserts) != 5 {
		t.Errorf("%d upserts, want 5 (one per stage change)", len(h.upserts))
	}
	// Only the village's reminder (due - 3 days, from the start), and it is
	// cancelled when the visit comes (one event) instead of left to fire
	// (an event and an empty workflow task). No Kemensos timer.
	testx.Equal(t, "timers", timers, []time.Duration{27 * day})
	if fired != 0 || cancelled != 1 {
		t.Errorf("timers fired %d, cancelled %d: want the reminder cancelled, none fired", fired, cancelled)
	}

	// The recorded history of the same path stays within 40 events.
	const f, budget = "testdata/histories/household-eligible-new-poor-enrolled.json", 40
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatalf("the plain path's recorded history: %v", err)
	}
	var hist struct{ Events []json.RawMessage }
	if err := json.Unmarshal(b, &hist); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	if len(hist.Events) == 0 || len(hist.Events) > budget {
		t.Errorf("%s has %d events, want 1 to %d", f, len(hist.Events), budget)
	}
}

// Under load a proposal batch's signal and Kemensos' answer can reach the
// household together, in one workflow task, or the answer first (the
// batch's fan-out is retrying while the answer file is applied). The
// answer to the batch the household is in must not be dropped as if it
// were left over from an earlier batch: the household would wait for it
// for ever.
func TestAnswerBeforeTheProposalSignal(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
	// An answer to another batch is still ignored.
	h.signalAt(24*day, workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 8, Accepted: true, Date: "2025-06-20"})
	h.signalAt(24*day+time.Hour, workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 9, Accepted: true, Date: "2025-06-20"})
	// A late copy of the earlier batch's answer does not replace it.
	h.signalAt(24*day+2*time.Hour, workflows.SignalKemensosAnswer, workflows.KemensosAnswer{ProposalID: 8, Accepted: false, Reason: "GANDA", Date: "2025-06-20"})
	h.signalAt(25*day, workflows.SignalProposalSubmitted, workflows.ProposalSubmitted{ProposalID: 9})
	h.run(input(false))

	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"Transition -> awaiting_decree#2 close",
		"Transition -> awaiting_proposal#3 (addition)",
		"Transition -> awaiting_kemensos#4",
		"Settle -> enrolled#5 [registry decree]",
	})
	h.checkSearchAttributes()
}

// The meeting is recorded in the database after a correction was accepted
// and before the meeting's fan-out reaches the household: RecordVisit
// refuses the correction (the list is closed) and the Update fails as
// closed, leaving the first result, which the meeting then routes.
func TestCorrectionRefusedOnceMeetingRecorded(t *testing.T) {
	h := newEnv(t)
	h.recordVisit = func(in activities.RecordVisitInput) error {
		if in.Version > 1 {
			return temporal.NewNonRetryableApplicationError("the village meeting has closed this household's list", activities.ErrTypeListClosed, nil)
		}
		return nil
	}
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	fix := h.updateAt(5*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeNotPoor, 1))
	after := h.stateAt(6 * day)
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.run(input(false))

	if !fix.accepted || !fix.completed || fix.err == nil {
		t.Fatalf("correction: accepted=%v completed=%v err=%v, want accepted then failed", fix.accepted, fix.completed, fix.err)
	}
	if v := validation(t, fix.err); kindOf(v) != kindClosed {
		t.Errorf("correction failed as %s (%s), want %s", kindOf(v), v.Message(), kindClosed)
	}
	if n := len(h.callsOf("RecordVisit")); n != 2 {
		t.Errorf("RecordVisit ran %d times, want 2 (the refusal is not retried)", n)
	}
	testx.Equal(t, "state after the refused correction", *after, workflows.HouseholdState{
		Stage: domain.StageVerified, StageEnteredAt: t0.Add(2 * day), Seq: 1, Version: 1,
		Outcome: domain.OutcomeEligible, DueAt: t0.Add(30 * day),
	})
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"RecordVisit v2 not_poor",
		"Transition -> awaiting_decree#2 close",
	})
	h.checkSearchAttributes()
	h.stillWaiting()
}

// An Idempotency-Key is bound to the request it came with: the same key
// with another request (another outcome) is refused 422 on the key,
// whatever else it says, and changes nothing; the same key and request
// share an Update ID, which Temporal answers with the first result.
func TestIdempotencyKeyReusedWithAnotherRequest(t *testing.T) {
	h := newEnv(t)
	keyed := func(r workflows.VerificationRequest, key, hash string) workflows.VerificationRequest {
		r.Key, r.KeyHash = key, hash
		return r
	}
	first := h.updateAt(2*day, workflows.UpdateSubmitVerification, keyed(visit(domain.OutcomeEligible, 0), "u11-k1", "aaaa"))
	other := h.updateAt(3*day, workflows.UpdateSubmitVerification, keyed(visit(domain.OutcomeNotPoor, 1), "u11-k1", "bbbb"))
	fresh := h.updateAt(4*day, workflows.UpdateSubmitVerification, keyed(visit(domain.OutcomeNotPoor, 1), "u11-k2", "bbbb"))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.run(input(false))

	mustAccept(t, "first use of the key", first)
	if e := mustReject(t, "the key with another request", other, domain.KindInvalid, "Idempotency-Key"); e.Code != domain.CodeIdempotencyKeyReused {
		t.Errorf("refused as %s, want %s", e.Code, domain.CodeIdempotencyKeyReused)
	}
	mustAccept(t, "a new key", fresh)
	testx.Equal(t, "writes", h.writes(), []string{
		"RecordVisit v1 eligible -> verified#1",
		"RecordVisit v2 not_poor",
		"Transition -> not_eligible#2 close (verified not_poor, not in the registry)",
	})
}
