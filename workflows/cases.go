package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/temporalx"
)

// Cases starts and signals household workflows through a Temporal client.
// It implements activities.Cases and is what the API uses too.
type Cases struct {
	Client client.Client
	// Namespace is the client's namespace.
	Namespace string
	// ResetSticky makes an Update first reset the household's sticky task
	// queue in Namespace (see update). It is for workers that cache
	// workflows (VERVAL_WORKFLOW_CACHE above 0): without a cache no task
	// goes to a sticky queue and the reset is a wasted round trip.
	ResetSticky bool
}

var _ activities.Cases = Cases{}

// StartHousehold starts a household's workflow. The workflow ID is derived
// from the cycle and household ids, and a second start of the same ID is
// refused by Temporal, so an intake that is retried or loaded twice never
// creates a second case.
//
// The start is eager: when a worker of the households' queue runs in this
// process (the intake activity runs in the worker), the server hands the
// first workflow task back with the start instead of through matching,
// and records the start and the task's start in one write. On the dev
// server that is a quarter less CPU per household started; where no such
// worker has a free slot the start is an ordinary one.
func (c Cases) StartHousehold(ctx context.Context, h domain.HouseholdStart) (bool, error) {
	_, err := c.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       HouseholdWorkflowID(h.CycleID, h.HouseholdID),
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		EnableEagerStart:         true,
		TypedSearchAttributes:    caseAttributes(string(domain.StageAwaitingVerification), h.CycleOpenedAt, h.RegencyCode, h.KecamatanCode, h.DesaCode, h.Year),
	}, HouseholdWorkflow, HouseholdInput{
		CycleID: h.CycleID, HouseholdID: h.HouseholdID, Year: h.Year,
		RegencyCode: h.RegencyCode, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode,
		Desil: h.Desil, InDTKS: h.InDTKS, CycleOpenedAt: h.CycleOpenedAt, DueAt: h.DueAt,
	})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return false, nil
	}
	return err == nil, err
}

// ReinstateHousehold starts a new run of a household whose case has ended
// (h.Reinstate says from where), under the same workflow ID: an upheld
// exclusion error puts it back on the way to the list (reinstate.go).
// While a run is open the start fails with
// serviceerror.WorkflowExecutionAlreadyStarted.
func (c Cases) ReinstateHousehold(ctx context.Context, h domain.HouseholdStart) error {
	_, err := c.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       HouseholdWorkflowID(h.CycleID, h.HouseholdID),
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    caseAttributes(string(h.Reinstate.From), h.CycleOpenedAt, h.RegencyCode, h.KecamatanCode, h.DesaCode, h.Year),
	}, HouseholdWorkflow, h)
	return err
}

// MeetingClosed sends the close-village-list Update and waits for the
// household to take it. Its ID names the meeting, so a fan-out page
// repeated after a crash applies once; a household whose workflow has
// finished is skipped.
func (c Cases) MeetingClosed(ctx context.Context, cycleID, householdID, meetingID int64) error {
	return skipFinished(c.update(ctx, cycleID, householdID, fmt.Sprintf("meeting-%d", meetingID), UpdateMeetingClosed, MeetingClosed{MeetingID: meetingID}, nil))
}

// CycleClosed sends the close-cycle Update and waits for the household to
// take it. Its ID names the cycle, so a page repeated after a crash applies
// once. A household whose case has ended (its workflow finished, or its
// validator refuses the close) reports closed=false.
func (c Cases) CycleClosed(ctx context.Context, cycleID, householdID int64, reason string) (bool, error) {
	err := c.update(ctx, cycleID, householdID, fmt.Sprintf("cycle-close-%d", cycleID), UpdateCycleClosed, CycleClosed{Reason: reason}, nil)
	if errors.Is(temporalx.RefusalOf(err), domain.Err(domain.CodeCaseEndedInStage)) {
		return false, nil
	}
	return delivered(err)
}

// DecreeSigned sends the decree-signed signal of decree decreeID, signed
// on date (YYYY-MM-DD).
func (c Cases) DecreeSigned(ctx context.Context, cycleID, householdID, decreeID int64, date string) error {
	return c.signal(ctx, cycleID, householdID, SignalDecreeSigned, DecreeSigned{DecreeID: decreeID, Date: date})
}

// DecreeRevoked sends the decree-revoked signal of decree decreeID, signed
// on date (YYYY-MM-DD); delivered is false when
// the household's workflow has finished.
func (c Cases) DecreeRevoked(ctx context.Context, cycleID, householdID, decreeID int64, reason, date string) (bool, error) {
	return delivered(c.Client.SignalWorkflow(ctx, HouseholdWorkflowID(cycleID, householdID), "", SignalDecreeRevoked, DecreeRevoked{DecreeID: decreeID, Reason: reason, Date: date}))
}

// ProposalSubmitted sends the proposal-submitted signal.
func (c Cases) ProposalSubmitted(ctx context.Context, cycleID, householdID, proposalID int64) error {
	return c.signal(ctx, cycleID, householdID, SignalProposalSubmitted, ProposalSubmitted{ProposalID: proposalID})
}

// KemensosAnswer sends the kemensos-answer signal.
func (c Cases) KemensosAnswer(ctx context.Context, cycleID, householdID int64, ans activities.Answer) error {
	return c.signal(ctx, cycleID, householdID, SignalKemensosAnswer, KemensosAnswer(ans))
}

// signal signals a household's workflow; one that has finished is skipped.
func (c Cases) signal(ctx context.Context, cycleID, householdID int64, signal string, arg any) error {
	return skipFinished(c.Client.SignalWorkflow(ctx, HouseholdWorkflowID(cycleID, householdID), "", signal, arg))
}

// skipFinished drops the error of a message to a household whose workflow
// has finished: Temporal answers NotFound (also for an Update the closing
// workflow aborted), and the household no longer needs the message.
func skipFinished(err error) error {
	_, err = delivered(err)
	return err
}

// delivered reads a message's error: a household whose workflow has
// finished answers NotFound, which is not a failure but "not delivered".
func delivered(err error) (bool, error) {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	return err == nil, err
}

// SubmitVerification sends a visit result as an Update and waits for it to
// be recorded. updateID (the client's Idempotency-Key, when given) makes a
// retried submission apply once.
func (c Cases) SubmitVerification(ctx context.Context, cycleID, householdID int64, updateID string, r VerificationRequest) (VerificationResponse, error) {
	var resp VerificationResponse
	err := c.update(ctx, cycleID, householdID, updateID, UpdateSubmitVerification, r, &resp)
	return resp, err
}

// Reopen sends a reopen Update.
func (c Cases) Reopen(ctx context.Context, cycleID, householdID int64, updateID string, r ReopenRequest) (ReopenResponse, error) {
	var resp ReopenResponse
	err := c.update(ctx, cycleID, householdID, updateID, UpdateReopen, r, &resp)
	return resp, err
}

// RecordChange sends a change to an enrolled household's open year.
func (c Cases) RecordChange(ctx context.Context, cycleID, householdID int64, updateID string, r ChangeRequest) (ChangeResponse, error) {
	var resp ChangeResponse
	err := c.update(ctx, cycleID, householdID, updateID, UpdateRecordChange, r, &resp)
	return resp, err
}

// DecideChange confirms or refuses the change waiting in a household's
// open year.
func (c Cases) DecideChange(ctx context.Context, cycleID, householdID int64, updateID string, r DecideRequest) (ChangeResponse, error) {
	var resp ChangeResponse
	err := c.update(ctx, cycleID, householdID, updateID, UpdateDecideChange, r, &resp)
	return resp, err
}

// update sends an Update and waits for its result.
//
// A household is touched a handful of times a year, days apart, so the
// worker that ran its last workflow task has usually dropped it from its
// cache by the time an officer submits (or has stopped). The Update's
// workflow task would still go to that worker's sticky queue: it would
// wait there up to the sticky schedule-to-start timeout when the worker is
// gone, and otherwise make the worker fetch the whole history again, which
// on servers before 1.31 fails the task first (temporalio/temporal#7741:
// three more events and a second round trip). Resetting stickiness first
// sends the task, with the history, to any live worker. It costs one small
// request (25 ms on average, and a load of the workflow's state on the
// server, in the 10,000-household bench); when it fails the Update goes
// ahead as it would have. Without a cache (the default) it is skipped.
func (c Cases) update(ctx context.Context, cycleID, householdID int64, updateID, name string, arg, resp any) error {
	id := HouseholdWorkflowID(cycleID, householdID)
	if c.ResetSticky && c.Namespace != "" {
		_, _ = c.Client.WorkflowService().ResetStickyTaskQueue(ctx, &workflowservice.ResetStickyTaskQueueRequest{
			Namespace: c.Namespace, Execution: &common.WorkflowExecution{WorkflowId: id},
		})
	}
	h, err := c.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, resp)
}

// State queries a household workflow's state.
func (c Cases) State(ctx context.Context, cycleID, householdID int64) (HouseholdState, error) {
	var s HouseholdState
	v, err := c.Client.QueryWorkflow(ctx, HouseholdWorkflowID(cycleID, householdID), "", QueryState)
	if err != nil {
		return s, err
	}
	return s, v.Get(&s)
}

// StartSanggah starts an objection's case; a second start of the same
// objection is refused by Temporal and reports started=false.
func (c Cases) StartSanggah(ctx context.Context, in SanggahInput) (bool, error) {
	_, err := c.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: SanggahWorkflowID(in.SanggahID),
		// With the other cases that are not a household's: the households'
		// queue stays theirs.
		TaskQueue:                OpsTaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    caseAttributes(SanggahStage(domain.SanggahReverification), in.RegisteredAt, in.RegencyCode, in.KecamatanCode, in.DesaCode, in.Year),
	}, SanggahWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return false, nil
	}
	return err == nil, err
}

// SanggahFinding sends an objection's finding and waits for it to be
// recorded.
func (c Cases) SanggahFinding(ctx context.Context, sanggahID int64, updateID string, f SanggahFinding) (SanggahState, error) {
	return c.sanggahUpdate(ctx, sanggahID, updateID, UpdateSanggahFinding, f)
}

// SanggahDecide sends Dinsos' decision and waits for it to be recorded.
func (c Cases) SanggahDecide(ctx context.Context, sanggahID int64, updateID string, d SanggahDecision) (SanggahState, error) {
	return c.sanggahUpdate(ctx, sanggahID, updateID, UpdateSanggahDecide, d)
}

// ExcludeHousehold sends a household's case the sanggah-exclude Update and
// waits for it to be recorded; its ID names the objection, so a retried
// activity applies it once.
func (c Cases) ExcludeHousehold(ctx context.Context, cycleID, householdID, sanggahID int64, r ExcludeRequest) error {
	return c.update(ctx, cycleID, householdID, fmt.Sprintf("sanggah-exclude-%d", sanggahID), UpdateExclude, r, nil)
}

// SanggahClosed sends the close Update to an objection's case and waits
// for it to be taken. Its ID names the cycle, so a page repeated after a
// crash applies once; a case that has ended is skipped.
func (c Cases) SanggahClosed(ctx context.Context, cycleID, sanggahID int64, reason string) error {
	_, err := c.sanggahUpdate(ctx, sanggahID, fmt.Sprintf("cycle-close-%d", cycleID), UpdateSanggahClose, SanggahClose{Reason: reason})
	return skipFinished(err)
}

func (c Cases) sanggahUpdate(ctx context.Context, sanggahID int64, updateID, name string, arg any) (SanggahState, error) {
	var st SanggahState
	h, err := c.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: SanggahWorkflowID(sanggahID), UpdateID: updateID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return st, err
	}
	return st, h.Get(ctx, &st)
}

// caseAttributes are a case's search attributes at its start: its stage
// and when it entered it, its region's codes and its cycle's year (no
// personal data).
func caseAttributes(stage string, enteredAt time.Time, regency, kecamatan, desa string, year int) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SAStage.ValueSet(stage),
		SAStageEnteredAt.ValueSet(enteredAt),
		SARegency.ValueSet(regency),
		SAKecamatan.ValueSet(kecamatan),
		SADesa.ValueSet(desa),
		SACycleYear.ValueSet(int64(year)),
	)
}
