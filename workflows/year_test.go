package workflows_test

import (
	"fmt"
	"testing"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// yearInput is an enrolled household's open year, as the enrolled case
// continues as new into it.
func yearInput() workflows.HouseholdInput {
	in := input(true)
	in.Open = &domain.OpenYear{Seq: 3, EnrolledAt: t0.Add(40 * day), EnrolledOn: "2025-04-10", DecreeID: 5, Programmes: []string{"PKH", "BPNT"}, Runs: 1}
	return in
}

var pendamping = domain.Actor{UserID: 12, Role: "pendamping", RequestID: "req-2"}

func change(kind domain.ChangeKind) workflows.ChangeRequest {
	return workflows.ChangeRequest{Actor: pendamping, Kind: kind, Date: "2025-04-20", Note: "laporan pendamping"}
}

// An enrolled household's case does not complete: it continues as new into
// its open year, carrying its stage counter, decree and programmes.
func TestEnrolledContinuesIntoOpenYear(t *testing.T) {
	h := newEnv(t)
	h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
	h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
	h.run(input(true))
	next, ok := h.continued()
	if !ok {
		t.Fatalf("enrolled case ended with %v, want it continued into its open year", h.env.GetWorkflowError())
	}
	testx.Equal(t, "open year", *next.Open, domain.OpenYear{
		Seq: 3, EnrolledAt: t0.Add(20 * day), EnrolledOn: "2025-03-23", DecreeID: 5, Runs: 1,
		Programmes: []string{"PKH", "BPNT", "PBI-JK", "BPJS-TK", "BLT-DD"},
	})
	testx.Equal(t, "region kept", next.DesaCode, desa)
}

// A change happens to an enrolled household: one dated before the day it
// was enrolled from (its decree signed on 10 April, though verval heard of
// it on the 12th) is refused, naming that day; one on that day is taken.
// A year continued before the day was carried knows only the cycle's
// opening.
func TestOpenYearChangeBeforeEnrolment(t *testing.T) {
	at := func(date string) workflows.ChangeRequest {
		c := change(domain.ChangeWithdrew)
		c.Date = date
		return c
	}
	h := newEnv(t)
	before := h.updateAt(50*day, workflows.UpdateRecordChange, at("2025-04-09"))
	on := h.updateAt(51*day, workflows.UpdateRecordChange, at("2025-04-10"))
	h.run(yearInput())
	e := mustReject(t, "a change the day before the enrolment", before, domain.KindInvalid, "date")
	testx.Equal(t, "refusal", fmt.Sprintf("%s %v", e.Code, e.Args), "change.before_enrolment [2025-04-10]")
	mustAccept(t, "a change on the enrolment's day", on)

	old := yearInput()
	old.Open.EnrolledOn = ""
	h = newEnv(t)
	before = h.updateAt(50*day, workflows.UpdateRecordChange, at("2025-04-09"))
	h.run(old)
	mustAccept(t, "a change in a year that does not know its enrolment's day", before)
}

// The head died and the family ends: recorded by the PKH companion, a
// second change refused while it waits, confirmed by the TKSK; the
// household leaves its programmes (exited) and the case completes.
func TestOpenYearHeadDiedFamilyEnds(t *testing.T) {
	h := newEnv(t)
	rec := h.updateAt(50*day, workflows.UpdateRecordChange, change(domain.ChangeHeadDied))
	again := h.updateAt(51*day, workflows.UpdateRecordChange, change(domain.ChangeWithdrew))
	refuse := h.updateAt(52*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk})
	ok := h.updateAt(53*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
	late := h.updateAt(54*day, workflows.UpdateRecordChange, change(domain.ChangeWithdrew))
	h.run(yearInput())

	mustAccept(t, "record", rec)
	testx.Equal(t, "record response", rec.result, any(workflows.ChangeResponse{ChangeID: 1, Stage: domain.StageEnrolled}))
	if e := mustReject(t, "second change", again, domain.KindConflict, ""); e.Code != domain.CodeChangePending {
		t.Errorf("second change refused %s, want %s", e.Code, domain.CodeChangePending)
	}
	mustReject(t, "refusal without a note", refuse, domain.KindInvalid, "note")
	mustAccept(t, "confirm", ok)
	if late.accepted {
		t.Errorf("a change after the family ended was accepted")
	}
	res := h.result()
	testx.Equal(t, "result", res, workflows.HouseholdResult{Stage: domain.StageExited, Reason: "change head_died: 2025-04-20"})
	testx.Equal(t, "decision", h.callsOf("DecideChange")[0].In, any(activities.DecideChangeInput{
		CycleID: cycleID, HouseholdID: hhID, ChangeID: 1, Confirm: true, Actor: tksk, At: t0.Add(53 * day),
		Transition: &activities.TransitionInput{HouseholdID: hhID, Seq: 4, Stage: "exited", At: t0.Add(53 * day), Reason: "change head_died: 2025-04-20"},
	}))
	testx.Equal(t, "upserted stages", h.stages(), []string{"exited"})
}

// A move within the regency is confirmed: the household goes on, handed
// to its new desa, in a new run (one change per run bounds the history).
func TestOpenYearMoveContinuesAsNew(t *testing.T) {
	h := newEnv(t)
	mv := change(domain.ChangeMovedDesa)
	mv.NewDesaCode, mv.NewKecamatanCode = "35.05.02.2003", "35.05.02"
	bad := change(domain.ChangeMovedDesa)
	bad.NewDesaCode, bad.NewKecamatanCode = "35.06.01.2001", "35.06.01"
	refused := h.updateAt(49*day, workflows.UpdateRecordChange, bad)
	h.updateAt(50*day, workflows.UpdateRecordChange, mv)
	h.updateAt(51*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
	h.run(yearInput())
	mustReject(t, "a move out of the regency as a move within", refused, domain.KindInvalid, "newDesaCode")
	next, ok := h.continued()
	if !ok {
		t.Fatalf("after a move: %v, want continued as new", h.env.GetWorkflowError())
	}
	testx.Equal(t, "new desa", next.DesaCode+" "+next.KecamatanCode, "35.05.02.2003 35.05.02")
	testx.Equal(t, "open year", *next.Open, domain.OpenYear{
		Seq: 3, EnrolledAt: t0.Add(40 * day), EnrolledOn: "2025-04-10", DecreeID: 5, Programmes: []string{"PKH", "BPNT"}, Changes: 1, Runs: 2,
	})
	if d := h.callsOf("DecideChange")[0].In.(activities.DecideChangeInput); d.Transition != nil {
		t.Errorf("a move ends the aid: %+v", d.Transition)
	}
}

// A revocation decree reaches the enrolled household in its open year: it
// leaves its programmes, ends revoked, and DecideChange records the HAPUS;
// the exits and the revocation are dated the day the decree was signed
// (On), the stage entered when the case heard of it.
func TestOpenYearRevoked(t *testing.T) {
	h := newEnv(t)
	h.signalAt(60*day, workflows.SignalDecreeRevoked, workflows.DecreeRevoked{DecreeID: 8, Reason: "SK dicabut", Date: "2025-04-25"})
	h.run(yearInput())
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageRevoked, Reason: "revoked: SK dicabut"})
	testx.Equal(t, "decision", h.callsOf("DecideChange")[0].In, any(activities.DecideChangeInput{
		CycleID: cycleID, HouseholdID: hhID, Confirm: true, Note: "SK dicabut", At: t0.Add(60 * day), DecreeID: 8, On: "2025-04-25",
		Transition: &activities.TransitionInput{HouseholdID: hhID, Seq: 4, Stage: "revoked", At: t0.Add(60 * day), Reason: "revoked: SK dicabut"},
	}))
}

// The cycle's close ends the open year; the household stays enrolled.
func TestOpenYearEndsAtClose(t *testing.T) {
	h := newEnv(t)
	none := h.updateAt(30*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
	cl := h.updateAt(300*day, workflows.UpdateCycleClosed, workflows.CycleClosed{Reason: "tutup buku"})
	h.run(yearInput())
	if e := mustReject(t, "nothing to confirm", none, domain.KindConflict, ""); e.Code != domain.CodeChangeNone {
		t.Errorf("refused %s, want %s", e.Code, domain.CodeChangeNone)
	}
	mustAccept(t, "close", cl)
	testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageEnrolled, Programmes: []string{"PKH", "BPNT"}})
}

// The head died and a member heads the family now: confirmed, the family
// stays enrolled with its programmes, nothing is exited, and the case goes
// on in a new run; DecideChange gets the change to apply (the new head).
func TestOpenYearHeadDiedNewHead(t *testing.T) {
	h := newEnv(t)
	died := change(domain.ChangeHeadDied)
	died.NewHeadMemberID = 77
	rec := h.updateAt(50*day, workflows.UpdateRecordChange, died)
	ok := h.updateAt(53*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
	h.run(yearInput())
	mustAccept(t, "record", rec)
	mustAccept(t, "confirm", ok)
	next, cont := h.continued()
	if !cont {
		t.Fatalf("after a new head: %v, want continued as new", h.env.GetWorkflowError())
	}
	testx.Equal(t, "open year", *next.Open, domain.OpenYear{
		Seq: 3, EnrolledAt: t0.Add(40 * day), EnrolledOn: "2025-04-10", DecreeID: 5, Programmes: []string{"PKH", "BPNT"}, Changes: 1, Runs: 2,
	})
	testx.Equal(t, "recorded", h.callsOf("RecordChange")[0].In.(activities.ChangeInput).NewHeadMemberID, int64(77))
	testx.Equal(t, "decision", h.callsOf("DecideChange")[0].In, any(activities.DecideChangeInput{
		CycleID: cycleID, HouseholdID: hhID, ChangeID: 1, Confirm: true, Actor: tksk, At: t0.Add(53 * day),
	}))
	testx.Equal(t, "upserted stages", h.stages(), []string(nil))
}

// A move out of the regency and a withdrawal of the family's own will end
// the aid: exited, with the change's kind and the day it happened as the
// reason (the exits are dated that day, not the decision's: the activity
// reads the date from the change, ChangeID), the HAPUS left to the batch.
func TestOpenYearExits(t *testing.T) {
	for _, kind := range []domain.ChangeKind{domain.ChangeMovedOut, domain.ChangeWithdrew} {
		t.Run(string(kind), func(t *testing.T) {
			h := newEnv(t)
			h.updateAt(50*day, workflows.UpdateRecordChange, change(kind))
			h.updateAt(80*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
			h.run(yearInput())
			reason := "change " + string(kind) + ": 2025-04-20"
			testx.Equal(t, "result", h.result(), workflows.HouseholdResult{Stage: domain.StageExited, Reason: reason})
			testx.Equal(t, "decision", h.callsOf("DecideChange")[0].In, any(activities.DecideChangeInput{
				CycleID: cycleID, HouseholdID: hhID, ChangeID: 1, Confirm: true, Actor: tksk, At: t0.Add(80 * day),
				Transition: &activities.TransitionInput{HouseholdID: hhID, Seq: 4, Stage: "exited", At: t0.Add(80 * day), Reason: reason},
			}))
			testx.Equal(t, "upserted stages", h.stages(), []string{"exited"})
		})
	}
}

// A change of members: the workflow carries only the key of the edits
// the office staged (never a name or NIK) to the record; confirmed, the
// family stays enrolled with its programmes and the case goes on in a new
// run (DecideChange applies the edits).
func TestOpenYearMembersChanged(t *testing.T) {
	h := newEnv(t)
	ch := change(domain.ChangeMembers)
	ch.MembersKey = "f00d"
	h.updateAt(50*day, workflows.UpdateRecordChange, ch)
	h.updateAt(51*day, workflows.UpdateDecideChange, workflows.DecideRequest{Actor: tksk, Confirm: true})
	h.run(yearInput())
	testx.Equal(t, "recorded with the edits' key", h.callsOf("RecordChange")[0].In.(activities.ChangeInput).MembersKey, "f00d")
	next, ok := h.continued()
	if !ok {
		t.Fatalf("after a change of members: %v, want continued as new", h.env.GetWorkflowError())
	}
	testx.Equal(t, "programmes kept", next.Open.Programmes, []string{"PKH", "BPNT"})
	if d := h.callsOf("DecideChange")[0].In.(activities.DecideChangeInput); d.Transition != nil || !d.Confirm {
		t.Errorf("the decision: %+v", d)
	}
}
