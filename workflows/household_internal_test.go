package workflows

import (
	"testing"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/temporalx"
)

// codeOf is the refusal code of a validator's error ("" if none).
func codeOf(err error) domain.Code {
	if e, ok := domain.As(temporalx.RefusalOf(err)); ok {
		return e.Code
	}
	return ""
}

// A correction validated after the meeting's close-village-list Update (or
// signal) has reached the household, but before the main loop has moved it
// on, is refused as closed. On a real server that happens when the meeting
// and the correction arrive in one workflow task: update handlers run
// before the main loop, so the validator sees the meeting but the stage is
// still verified. The test environment runs a task per message and cannot
// reproduce that order, so this test sets the state directly.
func TestValidateVerificationAfterMeetingArrived(t *testing.T) {
	h := &household{in: HouseholdInput{HouseholdID: 42}, state: HouseholdState{Stage: domain.StageVerified, Version: 1}}
	correction := VerificationRequest{ExpectedVersion: 1, Outcome: domain.OutcomeNotPoor, VisitDate: "2025-03-04"}

	h.meeting = &MeetingClosed{MeetingID: 3}
	if err := h.validateVerification(nil, correction); codeOf(err) != domain.CodeListClosed {
		t.Fatalf("correction with the meeting pending: %v, want %s", err, domain.CodeListClosed)
	}

	// The same household without the meeting gets past the stage check: a
	// stale version is then refused as a conflict, not as closed.
	h.meeting = nil
	stale := correction
	stale.ExpectedVersion = 0
	if err := h.validateVerification(nil, stale); codeOf(err) != domain.CodeVisitSubmitted {
		t.Fatalf("stale correction without a meeting: %v, want %s", err, domain.CodeVisitSubmitted)
	}
}

// The cycle's close is refused, without a write, by a household whose case
// has ended (on a real server its final stage can be entered while its
// settlement is still being written, before the workflow completes), and
// accepted by every household still waiting.
func TestValidateCloseAfterTerminal(t *testing.T) {
	for _, st := range domain.Stages() {
		h := &household{state: HouseholdState{Stage: st}}
		err := h.validateClose(nil, CycleClosed{Reason: "tutup buku"})
		if st.Terminal() && codeOf(err) != domain.CodeCaseEndedInStage {
			t.Errorf("close of a %s household: %v, want %s", st, err, domain.CodeCaseEndedInStage)
		}
		if !st.Terminal() && err != nil {
			t.Errorf("close of a %s household refused: %v", st, err)
		}
	}
	if !domain.StageClosed.Terminal() {
		t.Error("closed is not a terminal stage")
	}
}
