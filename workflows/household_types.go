package workflows

import (
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// HouseholdInput starts one household's case for one cycle year. It holds
// internal ids, region codes and flags only: no personal data enters the
// workflow's history.
type HouseholdInput struct {
	CycleID       int64
	HouseholdID   int64
	Year          int
	RegencyCode   string
	KecamatanCode string
	DesaCode      string
	// Desil is the P3KE welfare decile (1 = poorest 10%).
	Desil int
	// InDTKS: the household is already in the national social registry.
	InDTKS bool
	// CycleOpenedAt bounds visit dates from below.
	CycleOpenedAt time.Time
	// DueAt is when the village's verification is due.
	DueAt time.Time
	// Deadlines holds the reminder and escalation periods; zero fields take
	// the defaults of DefaultDeadlines.
	Deadlines Deadlines
}

// Deadlines are the periods that drive reminders and escalations.
type Deadlines struct {
	// ReminderBefore: the village is reminded this long before DueAt.
	ReminderBefore time.Duration
	// EscalateDinsosAfter: an overdue visit goes to the TKSK at DueAt and to
	// Dinsos this long after.
	EscalateDinsosAfter time.Duration
	// ReopenPeriod: a reopened verification is due this long after reopening.
	ReopenPeriod time.Duration
	// KemensosReminderAfter: Dinsos is reminded when Kemensos has not
	// answered a proposal batch this long after it was submitted. The
	// household workflow no longer uses it (the proposal workflow reminds
	// per batch); it stays so recorded inputs still decode.
	KemensosReminderAfter time.Duration
}

// DefaultDeadlines are the periods used when a cycle sets none.
func DefaultDeadlines() Deadlines {
	return Deadlines{
		ReminderBefore:        3 * 24 * time.Hour,
		EscalateDinsosAfter:   7 * 24 * time.Hour,
		ReopenPeriod:          14 * 24 * time.Hour,
		KemensosReminderAfter: 60 * 24 * time.Hour,
	}
}

func (d Deadlines) withDefaults() Deadlines {
	def := DefaultDeadlines()
	if d.ReminderBefore <= 0 {
		d.ReminderBefore = def.ReminderBefore
	}
	if d.EscalateDinsosAfter <= 0 {
		d.EscalateDinsosAfter = def.EscalateDinsosAfter
	}
	if d.ReopenPeriod <= 0 {
		d.ReopenPeriod = def.ReopenPeriod
	}
	if d.KemensosReminderAfter <= 0 {
		d.KemensosReminderAfter = def.KemensosReminderAfter
	}
	return d
}

// HouseholdState is what the state query returns.
type HouseholdState struct {
	Stage          Stage
	StageEnteredAt time.Time
	// Seq counts stage transitions; it keys the stage history rows so a
	// retried write is applied once.
	Seq int
	// Version counts visit results recorded; a correction names it.
	Version int
	Outcome Outcome
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
	Stage      Stage
	Reason     string
	Programmes []string
}

// Actor is who did a human step, for the audit trail.
type Actor = activities.Actor

// VisitIndicators are the housing and asset indicators the officer saw.
type VisitIndicators = store.Indicators

// VerificationRequest is a village officer's visit result (an Update).
type VerificationRequest struct {
	Actor Actor
	// ExpectedVersion is the task version the officer saw: 0 for the first
	// result, the current version for a correction.
	ExpectedVersion int
	Outcome         Outcome
	// VisitDate is YYYY-MM-DD.
	VisitDate string
	// DuplicateOf is the household this one duplicates (outcome duplicate);
	// the API checks it exists in the same cycle before sending the update.
	DuplicateOf int64
	Indicators  VisitIndicators
	Note        string
}

// VerificationResponse answers a recorded visit result.
type VerificationResponse struct {
	Version int
	Stage   Stage
}

// ReopenRequest reopens a household's verification (TKSK or Dinsos).
type ReopenRequest struct {
	Actor  Actor
	Reason string
}

// ReopenResponse answers a reopen.
type ReopenResponse struct {
	Stage Stage
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
}

// DecreeRevoked is the decree-revoked signal.
type DecreeRevoked struct {
	DecreeID int64
	Reason   string
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

// Kemensos rejection codes (domain.md, "The proposal file and Kemensos' answer").
const (
	RejectNIKNotMatched = "NIK_TIDAK_PADAN"
)

// NoKemensosAnswer is the Reason of an answer that is not Kemensos' but
// Dinsos' record that none came for the batch (kemensos.TidakDijawab,
// Accepted false): not a rejection, the household is proposed again.
const NoKemensosAnswer = kemensos.TidakDijawab
