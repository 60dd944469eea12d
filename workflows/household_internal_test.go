package workflows

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"
)

// kindOf is the validation kind of a validator's error ("" if none).
func kindOf(err error) ValidationKind {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return ""
	}
	return ValidationFromApplicationError(app).Kind
}

// A correction validated after the meeting's close-village-list Update (or
// signal) has reached the household, but before the main loop has moved it
// on, is refused as closed. On a real server that happens when the meeting
// and the correction arrive in one workflow task: update handlers run
// before the main loop, so the validator sees the meeting but the stage is
// still verified. The test environment runs a task per message and cannot
// reproduce that order, so this test sets the state directly.
func TestValidateVerificationAfterMeetingArrived(t *testing.T) {
	h := &household{in: HouseholdInput{HouseholdID: 42}, state: HouseholdState{Stage: StageVerified, Version: 1}}
	correction := VerificationRequest{ExpectedVersion: 1, Outcome: OutcomeNotPoor, VisitDate: "2025-03-04"}

	h.meeting = &MeetingClosed{MeetingID: 3}
	if err := h.validateVerification(nil, correction); kindOf(err) != KindClosed {
		t.Fatalf("correction with the meeting pending: %v, want %s", err, KindClosed)
	}

	// The same household without the meeting gets past the stage check: a
	// stale version is then refused as a conflict, not as closed.
	h.meeting = nil
	stale := correction
	stale.ExpectedVersion = 0
	if err := h.validateVerification(nil, stale); kindOf(err) != KindConflict {
		t.Fatalf("stale correction without a meeting: %v, want %s", err, KindConflict)
	}
}

// The cycle's close is refused, without a write, by a household whose case
// has ended (on a real server its final stage can be entered while its
// settlement is still being written, before the workflow completes), and
// accepted by every household still waiting.
func TestValidateCloseAfterTerminal(t *testing.T) {
	for _, st := range Stages() {
		h := &household{state: HouseholdState{Stage: st}}
		err := h.validateClose(nil, CycleClosed{Reason: "tutup buku"})
		if st.Terminal() && kindOf(err) != KindClosed {
			t.Errorf("close of a %s household: %v, want %s", st, err, KindClosed)
		}
		if !st.Terminal() && err != nil {
			t.Errorf("close of a %s household refused: %v", st, err)
		}
	}
	if !StageClosed.Terminal() {
		t.Error("closed is not a terminal stage")
	}
}
