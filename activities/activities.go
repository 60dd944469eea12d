// Package activities is every side effect verval's workflows have: database
// writes, notifications, and starting or signalling other workflows. They
// are methods on Activities, registered once with real dependencies; the
// workflows call them through a nil *Activities. Each one is idempotent, so
// Temporal may retry it freely.
package activities

import (
	"context"
	"log/slog"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// Activities holds the dependencies of every activity.
type Activities struct {
	Store    *store.Store
	Cases    Cases
	Notifier Notifier
	// Objector is the gateway that tells objectors how their sanggah
	// stands (SMS or WhatsApp); nil means DBObjectorGateway on Store.
	Objector ObjectorGateway
	Log      *slog.Logger
	// Rules are the programmes' eligibility rules; nil means enrol.DefaultRules.
	Rules []enrol.Rule
	// Enrol is the gateway households are enrolled through; nil means
	// enrol.Export on Store (the programmes' enrolment lists).
	Enrol enrol.Gateway
	// Kemensos is the gateway proposal batches go through; nil means
	// kemensos.File (files both ways, by hand).
	Kemensos kemensos.Gateway
	// FanOutUpdates bounds the household Updates the fan-outs send at
	// once; nil means no bound.
	FanOutUpdates Slots
}

// Cases starts and signals household workflows. It is implemented in the
// workflows package (which owns the workflow names) and handed in by the
// worker, so this package does not import the workflows that call it.
type Cases interface {
	// StartHousehold starts a household's workflow; starting one that is
	// already running (or finished) is not an error and reports started=false.
	StartHousehold(ctx context.Context, h domain.HouseholdStart) (started bool, err error)
	// ReinstateHousehold starts a new run of a household whose case has
	// ended (h.Reinstate is set); while a run of it is still open the
	// start fails with serviceerror.WorkflowExecutionAlreadyStarted.
	ReinstateHousehold(ctx context.Context, h domain.HouseholdStart) error
	// ExcludeHousehold sends a household's case the sanggah-exclude
	// Update for an upheld inclusion error and waits for it; a refusal
	// comes back as the Update's error.
	ExcludeHousehold(ctx context.Context, cycleID, householdID, sanggahID int64, r ExcludeRequest) error
	// SanggahClosed tells an objection's case its cycle was closed; one
	// whose case has ended is not an error.
	SanggahClosed(ctx context.Context, cycleID, sanggahID int64, reason string) error
	// MeetingClosed tells a household its village meeting closed the list.
	// A household whose workflow has already finished is not an error.
	MeetingClosed(ctx context.Context, cycleID, householdID, meetingID int64) error
	// DecreeSigned tells a household the decree listing it was signed.
	DecreeSigned(ctx context.Context, cycleID, householdID, decreeID int64, date string) error
	// DecreeRevoked tells a household a decree revoked it; delivered is
	// false when its workflow has already finished.
	DecreeRevoked(ctx context.Context, cycleID, householdID, decreeID int64, reason, date string) (delivered bool, err error)
	// ProposalSubmitted tells a household it was proposed to Kemensos.
	ProposalSubmitted(ctx context.Context, cycleID, householdID, proposalID int64) error
	// KemensosAnswer gives a household Kemensos' determination.
	KemensosAnswer(ctx context.Context, cycleID, householdID int64, ans Answer) error
	// CycleClosed tells a household Dinsos closed its cycle; closed is
	// false when its case had already ended (nothing changed).
	CycleClosed(ctx context.Context, cycleID, householdID int64, reason string) (closed bool, err error)
}

// Answer is Kemensos' determination for one proposed household.
type Answer struct {
	ProposalID int64
	Accepted   bool
	// Reason is the rejection code, empty when accepted; or
	// kemensos.TidakDijawab when Dinsos recorded that none came.
	Reason string
	// Date is the determination date, YYYY-MM-DD.
	Date string
}
