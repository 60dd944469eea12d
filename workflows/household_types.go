package workflows

import (
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
)

// HouseholdInput starts one household's case for one cycle year.
type HouseholdInput = domain.HouseholdStart

// HouseholdState is what the state query returns.
type HouseholdState struct {
	Stage          domain.Stage
	StageEnteredAt time.Time
	// Seq counts stage transitions; it keys the stage history rows so a
	// retried write is applied once.
	Seq int
	// Version counts visit results recorded; a correction names it.
	Version int
	Outcome domain.Outcome
	DueAt   time.Time
	// EscalationLevel: 0 none, 1 reminded, 2 escalated to the TKSK, 3 to Dinsos.
	EscalationLevel int
	DecreeID        int64
	ProposalID      int64
	// Removal: the household was proposed for removal from the registry.
	Removal bool
	// Reason explains the current stage (e.g. Kemensos' rejection code).
	Reason string
}

// HouseholdResult is the workflow's result: the terminal stage and why.
type HouseholdResult struct {
	Stage      domain.Stage
	Reason     string
	Programmes []string
}

// Actor is who did a human step, for the audit trail.
type Actor = domain.Actor

// VisitIndicators are the housing and asset indicators the officer saw.
type VisitIndicators = domain.Indicators

// VerificationRequest is a village officer's visit result (an Update).
type VerificationRequest struct {
	Actor Actor
	// ExpectedVersion is the task version the officer saw: 0 for the first
	// result, the current version for a correction.
	ExpectedVersion int
	Outcome         domain.Outcome
	// VisitDate is YYYY-MM-DD.
	VisitDate string
	// DuplicateOf is the household this one duplicates (outcome duplicate);
	// the API checks it exists in the same cycle before sending the update.
	DuplicateOf int64
	Indicators  VisitIndicators
	Note        string
	// Key is the client's Idempotency-Key scoped to the caller ("u11-abc"),
	// "" without one; KeyHash is a short hash of the request sent with it.
	// The Update ID holds both, so a resent request gets the first answer;
	// the validator refuses a key already used with another request.
	Key, KeyHash string
}

// VerificationResponse answers a recorded visit result.
type VerificationResponse struct {
	Version int
	Stage   domain.Stage
}

// ReopenRequest reopens a household's verification (TKSK or Dinsos).
type ReopenRequest struct {
	Actor  Actor
	Reason string
	// Key is the client's Idempotency-Key scoped to the caller ("u11-abc"),
	// "" without one; KeyHash is a short hash of the request sent with it.
	// The Update ID holds both, so a resent request gets the first answer;
	// the validator refuses a key already used with another request.
	Key, KeyHash string
}

// ReopenResponse answers a reopen.
type ReopenResponse struct {
	Stage domain.Stage
	DueAt time.Time
}

// MeetingClosed is the close-village-list Update (and the older signal).
type MeetingClosed struct {
	MeetingID int64
}

// CycleClosed is the close-cycle Update: Dinsos closed the household's cycle.
type CycleClosed struct {
	// Reason is Dinsos' reason for the close, kept in the household's.
	Reason string
}

// DecreeSigned is the decree-signed signal.
type DecreeSigned struct {
	DecreeID int64
	// Date is the day the decree was signed, YYYY-MM-DD ("" in a signal
	// sent before it was carried): a registered household is enrolled
	// from that day.
	Date string
}

// DecreeRevoked is the decree-revoked signal.
type DecreeRevoked struct {
	DecreeID int64
	Reason   string
	// Date is the day the revocation decree was signed, YYYY-MM-DD (""
	// in a signal sent before it was carried): the household's exits are
	// dated that day.
	Date string
}

// ProposalSubmitted is the proposal-submitted signal.
type ProposalSubmitted struct {
	ProposalID int64
}

// KemensosAnswer is the kemensos-answer signal: the ministry's determination.
type KemensosAnswer struct {
	ProposalID int64
	Accepted   bool
	// Reason is the rejection code (NIK_TIDAK_PADAN, ...), empty if accepted.
	Reason string
	// Date is the determination date, YYYY-MM-DD.
	Date string
}

// Kemensos rejection codes (docs/kemensos.md, "The answer file").
const (
	RejectNIKNotMatched = "NIK_TIDAK_PADAN"
)

// NoKemensosAnswer is the Reason of an answer that is not Kemensos' but
// Dinsos' record that none came for the batch (kemensos.TidakDijawab,
// Accepted false): not a rejection, the household is proposed again.
const NoKemensosAnswer = kemensos.TidakDijawab
