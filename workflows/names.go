// Package workflows holds verval's Temporal workflows and every name shared
// between the workflows, the worker and the API: the task queue, workflow
// types, signal, update and query names, workflow-ID helpers and search
// attribute keys. Nothing here may carry personal data: workflow IDs and
// search attributes are stored unencrypted and browsed by administrators.
package workflows

import (
	"time"

	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the households' task queue: every household workflow runs
// on it.
const TaskQueue = "verval"

// OpsTaskQueue runs the workflows that act on many households at once
// (intake, village meeting, decree, proposal) and their activities. On a
// queue of their own their next step never waits behind the thousands of
// household tasks they cause: an intake that has started 48,900 cases is
// marked done at once, not after the worker has worked through them.
// verval's worker polls both queues and registers everything on each, so
// workflows started on either before a change still run.
const OpsTaskQueue = "verval-ops"

// Update, signal and query names of the household workflow.
const (
	// UpdateSubmitVerification records (or corrects) a village visit result.
	UpdateSubmitVerification = "submit-verification"
	// UpdateReopen lets a TKSK or Dinsos reopen a household's verification.
	UpdateReopen = "reopen-verification"
	// UpdateMeetingClosed tells a household its village meeting closed the
	// list. An Update, not a signal: its workflow task is speculative, so
	// the server writes the household once instead of three times (signal,
	// task started, task completed), and the meetings' fan-outs run while
	// officers submit (docs/performance.md).
	UpdateMeetingClosed = "close-village-list"
	// SignalMeetingClosed is what meetings sent before UpdateMeetingClosed;
	// households that received it must still replay it.
	SignalMeetingClosed = "village-meeting-closed"
	// SignalDecreeSigned tells a household the decree listing it was signed.
	SignalDecreeSigned = "decree-signed"
	// SignalDecreeRevoked tells a household a later decree revoked it.
	SignalDecreeRevoked = "decree-revoked"
	// SignalProposalSubmitted tells a household its Kemensos proposal was sent.
	SignalProposalSubmitted = "proposal-submitted"
	// SignalKemensosAnswer carries Kemensos' determination for a household.
	SignalKemensosAnswer = "kemensos-answer"
	// UpdateCycleClosed tells a household Dinsos closed its cycle: one still
	// waiting ends in StageClosed. An Update, not a signal: its ID names the
	// cycle, so a fan-out page repeated after a crash reaches each household
	// once (its history stays within budget), and its validator refuses a
	// household whose case has already ended without writing anything.
	UpdateCycleClosed = "close-cycle"
	// UpdateRecordChange records a change to an enrolled household during
	// its open year (workflows/year.go); it waits for confirmation.
	UpdateRecordChange = "record-change"
	// UpdateDecideChange confirms (or refuses) the change waiting.
	UpdateDecideChange = "decide-change"
	// UpdateExclude takes a household still waiting for its first decree
	// off the way to the list: Dinsos upheld an inclusion error against it
	// (workflows/reinstate.go).
	UpdateExclude = "sanggah-exclude"
	// QueryState returns a household workflow's current state.
	QueryState = "state"
)

// Update and query names of the decree workflow.
const (
	// UpdateDecreeSubmit sends a draft decree to the bupati's office.
	UpdateDecreeSubmit = "decree-submit"
	// UpdateDecreeReturn returns a decree to Dinsos with a reason.
	UpdateDecreeReturn = "decree-return"
	// UpdateDecreeSign signs a decree with its number and date.
	UpdateDecreeSign = "decree-sign"
)

// Search attribute keys. They hold stages, dates, region codes and years only:
// never a NIK, KK number or name (search attributes are not encrypted).
var (
	// SAStage is the household's current stage (see Stage).
	SAStage = temporal.NewSearchAttributeKeyKeyword("VervalStage")
	// SAStageEnteredAt is when the household entered its current stage.
	SAStageEnteredAt = temporal.NewSearchAttributeKeyTime("StageEnteredAt")
	// SARegency is the regency (kabupaten/kota) code, dotted: 35.05.
	SARegency = temporal.NewSearchAttributeKeyKeyword("RegencyCode")
	// SAKecamatan is the sub-district code, dotted: 35.05.01.
	SAKecamatan = temporal.NewSearchAttributeKeyKeyword("KecamatanCode")
	// SADesa is the village code, dotted: 35.05.01.2001.
	SADesa = temporal.NewSearchAttributeKeyKeyword("DesaCode")
	// SACycleYear is the cycle year.
	SACycleYear = temporal.NewSearchAttributeKeyInt64("CycleYear")
)

// SearchAttributeType names a custom search attribute's type as the Temporal
// CLI and operator API spell it.
type SearchAttributeType struct {
	Name string
	Type string
}

// SearchAttributes lists the custom search attributes verval needs, for
// registering them on a dev server or a cluster.
func SearchAttributes() []SearchAttributeType {
	return []SearchAttributeType{
		{SAStage.GetName(), "Keyword"},
		{SAStageEnteredAt.GetName(), "Datetime"},
		{SARegency.GetName(), "Keyword"},
		{SAKecamatan.GetName(), "Keyword"},
		{SADesa.GetName(), "Keyword"},
		{SACycleYear.GetName(), "Int"},
	}
}

// HouseholdWorkflowID is the workflow ID of one household's case in one
// cycle. It is built from internal ids only, so it reveals nobody.
func HouseholdWorkflowID(cycleID, householdID int64) string {
	return fmt.Sprintf("household-%d-%d", cycleID, householdID)
}

// IntakeWorkflowID is the workflow ID of one P3KE intake.
func IntakeWorkflowID(intakeID int64) string {
	return fmt.Sprintf("intake-%d", intakeID)
}

// MeetingWorkflowID is the workflow ID of the fan-out that closes one
// village's list after its meeting. A village may meet again after a reopen,
// so the meeting's own id is part of it.
func MeetingWorkflowID(meetingID int64) string {
	return fmt.Sprintf("meeting-%d", meetingID)
}

// CycleCloseWorkflowID is the workflow ID of the fan-out that closes a
// cycle (tutup buku); a cycle is closed once.
func CycleCloseWorkflowID(cycleID int64) string {
	return fmt.Sprintf("cycle-close-%d", cycleID)
}

// DecreeWorkflowID is the workflow ID of one decree's review and signing.
func DecreeWorkflowID(decreeID int64) string {
	return fmt.Sprintf("decree-%d", decreeID)
}

// ProposalWorkflowID is the workflow ID of one Kemensos proposal batch.
func ProposalWorkflowID(proposalID int64) string {
	return fmt.Sprintf("proposal-%d", proposalID)
}

// fanOutHeartbeat is the heartbeat timeout of the long activities (intake,
// fan-outs). Each heartbeats after every page, which takes a second or two;
// twenty silent seconds mean the worker died, and another worker resumes
// from the last page instead of waiting longer.
const fanOutHeartbeat = 20 * time.Second

// longActivity is the options of an activity that works through many
// households (an intake, a fan-out) and heartbeats as it goes: bounded by
// within (minutes for tens of thousands of signals or Updates; the bound
// only catches a wedged worker), retried with backoff up to a minute.
func longActivity(ctx workflow.Context, within time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: within,
		HeartbeatTimeout:    fanOutHeartbeat,
		RetryPolicy:         activityRetry,
	})
}

// oneTx is the options of an activity that is one database transaction
// (and, for the gateway, one call): no pages to heartbeat.
func oneTx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         activityRetry,
	})
}

// activityRetry retries an activity from a second's wait up to a minute's.
var activityRetry = &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute}
