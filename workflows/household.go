package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/wilayah"
)

// a is the nil receiver through which workflows name their activities.
var a *activities.Activities

// localOptions runs database writes as local activities: one marker event
// in history instead of three, which matters at millions of households. They
// retry without end (a database restart must not fail a case), backing off
// to a minute between tries.
var localOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// HouseholdWorkflow is one household's case in one cycle year: village
// verification, the village meeting, the decree, the Kemensos proposal and
// enrolment. It is driven by Updates (human steps with validators) and
// signals (batch steps fanned out to many households), and keeps its
// history short: every stage costs a search-attribute upsert and one local
// activity marker.
func HouseholdWorkflow(ctx workflow.Context, in HouseholdInput) (HouseholdResult, error) {
	in.Deadlines = in.Deadlines.WithDefaults()
	if in.Open != nil {
		return runYear(ctx, in)
	}
	if in.Reinstate != nil {
		return reinstate(ctx, in)
	}
	h := &household{in: in, state: HouseholdState{
		Stage: domain.StageAwaitingVerification, StageEnteredAt: workflow.Now(ctx), DueAt: in.DueAt,
	}}
	if err := h.register(ctx); err != nil {
		return HouseholdResult{}, err
	}
	return h.run(ctx)
}

// household is the workflow's state and its handlers.
type household struct {
	in    HouseholdInput
	state HouseholdState
	// busy is set while an update handler or the main loop (moveTo) is
	// writing, so the main loop waits for handlers and validators refuse
	// other updates instead of interleaving.
	busy bool

	// keys are the Idempotency-Keys of the Updates accepted (usedKeys).
	keys usedKeys

	// programmes the household was enrolled in when its case ended.
	programmes []string
	// enrolledOn is the day (YYYY-MM-DD) the household was enrolled
	// from, carried into its open year (domain.OpenYear.EnrolledOn).
	enrolledOn string

	meeting  *MeetingClosed
	decree   *DecreeSigned
	revoked  *DecreeRevoked
	proposal *ProposalSubmitted
	answer   *KemensosAnswer
	// closing is set when Dinsos closes the cycle; the main loop acts on it
	// at its next wait point, once no handler is writing.
	closing *CycleClosed
}

func (h *household) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (HouseholdState, error) { return h.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSubmitVerification, h.submitVerification,
		workflow.UpdateHandlerOptions{Validator: h.validateVerification}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReopen, h.reopen,
		workflow.UpdateHandlerOptions{Validator: h.validateReopen}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateExclude, h.exclude,
		workflow.UpdateHandlerOptions{Validator: h.validateExclude}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateMeetingClosed, func(ctx workflow.Context, m MeetingClosed) error {
		h.meeting = &m
		return nil
	}); err != nil {
		return err
	}
	// The close only marks the household: the main loop ends the case at
	// its wait point, after any update that is writing has finished, so a
	// close never interleaves with a visit, a reopen or a settlement.
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCycleClosed, func(ctx workflow.Context, c CycleClosed) error {
		if h.closing == nil {
			h.closing = &c
		}
		return nil
	}, workflow.UpdateHandlerOptions{Validator: h.validateClose}); err != nil {
		return err
	}
	// One coroutine receives every signal: each coroutine is a goroutine
	// with its own stack in every cached workflow, and a worker caches
	// thousands of households.
	sel := workflow.NewSelector(ctx)
	receive(ctx, sel, SignalMeetingClosed, &h.meeting)
	receive(ctx, sel, SignalDecreeSigned, &h.decree)
	receive(ctx, sel, SignalDecreeRevoked, &h.revoked)
	receive(ctx, sel, SignalProposalSubmitted, &h.proposal)
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalKemensosAnswer), func(ch workflow.ReceiveChannel, _ bool) {
		var v KemensosAnswer
		ch.Receive(ctx, &v)
		// Batch ids grow: a late copy of an earlier batch's answer never
		// replaces the answer to a later one.
		if h.answer == nil || v.ProposalID >= h.answer.ProposalID {
			h.answer = &v
		}
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel.Select(ctx)
		}
	})
	return nil
}

// receive keeps the latest value of a signal in *slot for the main loop.
func receive[T any](ctx workflow.Context, sel workflow.Selector, name string, slot **T) {
	sel.AddReceive(workflow.GetSignalChannel(ctx, name), func(ch workflow.ReceiveChannel, _ bool) {
		var v T
		ch.Receive(ctx, &v)
		*slot = &v
	})
}

// run is the main loop: each stage waits for what moves it on.
func (h *household) run(ctx workflow.Context) (HouseholdResult, error) {
	for !h.state.Stage.Terminal() {
		var err error
		switch {
		case h.closing != nil:
			err = h.close(ctx)
		case h.state.Stage == domain.StageAwaitingVerification:
			err = h.awaitVerification(ctx)
		case h.state.Stage == domain.StageVerified:
			err = h.awaitMeeting(ctx)
		case h.state.Stage == domain.StageAwaitingDecree:
			err = h.awaitDecree(ctx)
		case h.state.Stage == domain.StageAwaitingProposal:
			err = h.awaitProposal(ctx)
		case h.state.Stage == domain.StageAwaitingKemensos:
			err = h.awaitKemensos(ctx)
		default:
			err = fmt.Errorf("household in unknown stage %q", h.state.Stage)
		}
		if err != nil {
			return HouseholdResult{}, err
		}
	}
	// Let an update handler that is still writing finish before completing.
	if err := workflow.Await(ctx, func() bool { return !h.busy && workflow.AllHandlersFinished(ctx) }); err != nil {
		return HouseholdResult{}, err
	}
	if h.state.Stage == domain.StageEnrolled && h.closing == nil &&
		workflow.GetVersion(ctx, openYearChange, workflow.DefaultVersion, 1) >= 1 {
		// Enrolled: the case stays open for the year's changes, in a
		// new run with a short history (year.go).
		return HouseholdResult{}, h.continueYear(ctx, 0, 0)
	}
	return HouseholdResult{Stage: h.state.Stage, Reason: h.state.Reason, Programmes: h.programmes}, nil
}

// awaitVerification waits for the visit result, reminding the village
// before the due date and escalating to the TKSK, then Dinsos, after it.
func (h *household) awaitVerification(ctx workflow.Context) error {
	for h.state.Stage == domain.StageAwaitingVerification && h.closing == nil {
		at, kind, region, ok := h.nextDeadline()
		moved := func() bool { return h.state.Stage != domain.StageAwaitingVerification || h.closing != nil }
		if !ok {
			return workflow.Await(ctx, moved)
		}
		wait := at.Sub(workflow.Now(ctx))
		if wait > 0 {
			done, err := awaitWithTimer(ctx, wait, moved)
			if err != nil || done {
				return err
			}
		}
		if err := h.local(ctx, a.Notify, activities.NotifyInput{
			CycleID: h.in.CycleID, HouseholdID: h.in.HouseholdID, Kind: kind, RegionCode: region,
			DesaCode: h.in.DesaCode, DueAt: h.state.DueAt, At: workflow.Now(ctx),
		}); err != nil {
			return err
		}
		h.state.EscalationLevel++
	}
	return nil
}

// awaitWithTimer waits until cond holds or d passes, and reports whether
// cond held. Unlike workflow.AwaitWithTimeout it cancels its timer when
// cond wins: a cancelled timer costs one event, while a timer left to fire
// after the household moved on costs a timer-fired event and a whole empty
// workflow task, for every household of a village sharing a due date.
func awaitWithTimer(ctx workflow.Context, d time.Duration, cond func() bool) (bool, error) {
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(tctx, d)
	if err := workflow.Await(ctx, func() bool { return cond() || timer.IsReady() }); err != nil {
		return false, err
	}
	return cond(), nil
}

// nextDeadline is the next reminder or escalation still to send.
func (h *household) nextDeadline() (time.Time, string, string, bool) {
	d := h.in.Deadlines
	switch h.state.EscalationLevel {
	case 0:
		return h.state.DueAt.Add(-d.ReminderBefore), activities.NotifyReminder, h.in.DesaCode, true
	case 1:
		return h.state.DueAt, activities.NotifyEscalateTKSK, h.in.KecamatanCode, true
	case 2:
		return h.state.DueAt.Add(d.EscalateDinsosAfter), activities.NotifyEscalateDinsos, h.in.RegencyCode, true
	}
	return time.Time{}, "", "", false
}

// awaitMeeting waits until the village meeting closes the list; results can
// be corrected meanwhile (through the update).
func (h *household) awaitMeeting(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool {
		return !h.busy && (h.meeting != nil || h.closing != nil || h.state.Stage != domain.StageVerified)
	}); err != nil || h.state.Stage != domain.StageVerified || h.meeting == nil {
		return err
	}
	h.meeting = nil
	next, reason := domain.StageNotEligible, "verified "+string(h.state.Outcome)+", not in the registry"
	switch {
	case h.state.Outcome == domain.OutcomeEligible:
		next, reason = domain.StageAwaitingDecree, ""
	case h.in.InDTKS:
		// Verified not eligible but in the registry: propose its removal.
		next, reason = domain.StageAwaitingProposal, "removal: "+string(h.state.Outcome)
		h.state.Removal = true
	}
	return h.moveTo(ctx, next, reason, true)
}

// awaitDecree waits for the decree that lists the household to be signed.
func (h *household) awaitDecree(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool {
		return !h.busy && (h.decree != nil || h.closing != nil || h.state.Stage != domain.StageAwaitingDecree)
	}); err != nil || h.state.Stage != domain.StageAwaitingDecree || h.decree == nil {
		return err
	}
	h.state.DecreeID = h.decree.DecreeID
	signed := h.decree.Date
	h.decree = nil
	if h.in.InDTKS {
		// Already registered: the decree is all it needs to be enrolled,
		// from the day it was signed.
		return h.settle(ctx, domain.StageEnrolled, "", signed, true, false)
	}
	return h.moveTo(ctx, domain.StageAwaitingProposal, "addition", false)
}

// awaitProposal waits until the household is sent to Kemensos in a batch.
func (h *household) awaitProposal(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool {
		return !h.busy && (h.proposal != nil || h.revokedNow() || h.closing != nil || h.state.Stage != domain.StageAwaitingProposal)
	}); err != nil || h.state.Stage != domain.StageAwaitingProposal || (h.proposal == nil && !h.revokedNow()) {
		return err
	}
	if h.revokedNow() {
		return h.revoke(ctx)
	}
	h.state.ProposalID = h.proposal.ProposalID
	h.proposal = nil
	// Keep an answer to this batch that came before (or with) the batch's
	// own signal; drop one left over from an earlier batch.
	if h.answer != nil && h.answer.ProposalID != h.state.ProposalID {
		h.answer = nil
	}
	return h.moveTo(ctx, domain.StageAwaitingKemensos, "", false)
}

// awaitKemensos waits for Kemensos' determination, however long it takes.
// The reminder when Kemensos is late belongs to the proposal batch (one
// notice per batch for Dinsos), not to each household: a per-household
// timer would cost every household history events for nothing.
func (h *household) awaitKemensos(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool {
		return h.revokedNow() || h.answered() || h.closing != nil
	}); err != nil {
		return err
	}
	if h.revokedNow() {
		return h.revoke(ctx)
	}
	if !h.answered() {
		return nil // closed: the main loop ends the case
	}
	ans := *h.answer
	h.answer = nil
	switch {
	case ans.Accepted && h.state.Removal:
		// The reason is what the village found, which Kemensos accepted;
		// it is also the exit reason of the aid the household loses.
		return h.settle(ctx, domain.StageRemoved, "removal accepted: verified "+string(h.state.Outcome), ans.Date, false, true)
	case ans.Accepted:
		return h.settle(ctx, domain.StageEnrolled, "", ans.Date, true, false)
	case ans.Reason == NoKemensosAnswer:
		// Dinsos recorded that Kemensos never answered: nothing was
		// decided, so an addition and a removal alike wait for a later
		// batch. Only this answer takes this branch, so histories from
		// before it replay unchanged.
		return h.moveTo(ctx, domain.StageAwaitingProposal, reasonNoKemensosAnswer, false)
	case ans.Reason == RejectNIKNotMatched && !h.state.Removal:
		// Fixable: once the NIK is corrected it goes into next month's batch.
		return h.moveTo(ctx, domain.StageAwaitingProposal, "rejected "+ans.Reason+": correct and propose again", false)
	}
	if h.state.Removal {
		// Kemensos keeps the household registered; nothing changes in its aid.
		return h.moveTo(ctx, domain.StageRejected, "removal rejected "+ans.Reason, false)
	}
	// Not registered, but still in the regent's decree: programmes that do
	// not need the registry (paid by the regency) still apply.
	return h.settle(ctx, domain.StageRejected, "rejected "+ans.Reason, ans.Date, false, false)
}

// reasonNoKemensosAnswer is the stage reason of a household sent back to
// wait for a later batch because Kemensos did not answer its batch.
const reasonNoKemensosAnswer = "no answer from Kemensos: propose again"

// answered: Kemensos' answer to the batch the household is in has come.
func (h *household) answered() bool {
	return h.answer != nil && h.answer.ProposalID == h.state.ProposalID
}

// close ends a case the cycle's close found still waiting, in StageClosed
// with a reason naming the stage it stood in. An update that is writing
// finishes first; one that took the household to a final stage meanwhile
// leaves nothing to close.
func (h *household) close(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return !h.busy }); err != nil || h.state.Stage.Terminal() {
		return err
	}
	from := h.state.Stage
	// A village task still open (or correctable) is closed with the case.
	closeTask := from == domain.StageAwaitingVerification || from == domain.StageVerified
	return h.moveTo(ctx, domain.StageClosed, "cycle closed in "+string(from)+": "+h.closing.Reason, closeTask)
}

// validateClose refuses the close of a household whose case has already
// ended: nothing is written, and the fan-out counts it as skipped.
func (h *household) validateClose(_ workflow.Context, _ CycleClosed) error {
	if h.state.Stage.Terminal() {
		return refuseWith(domain.CodeCaseEndedInStage, h.state.Stage)
	}
	return nil
}

// revokedNow: a later decree revoked the household, which a signed decree
// had listed. A revocation names the revoking decree, not the original.
func (h *household) revokedNow() bool {
	return h.revoked != nil && h.state.DecreeID != 0
}

func (h *household) revoke(ctx workflow.Context) error {
	reason, signed := "revoked: "+h.revoked.Reason, h.revoked.Date
	h.revoked = nil
	// The aid ends from the day the revocation decree was signed.
	return h.settle(ctx, domain.StageRevoked, reason, signed, false, true)
}

// settle enters a final stage and, in the same local activity, enrols the
// household in the programmes it now qualifies for (inRegistry: it is in the
// national registry) or ends the aid it had (exit), dated on: the day of
// the decision (the decree's signing, Kemensos' determination), "" for
// today.
func (h *household) settle(ctx workflow.Context, stage domain.Stage, reason, on string, inRegistry, exit bool) error {
	h.busy = true
	defer func() { h.busy = false }()
	t := h.enter(ctx, stage, reason)
	if err := h.upsertStage(ctx); err != nil {
		return err
	}
	var res activities.SettleResult
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.Settle, activities.SettleInput{
		CycleID: h.in.CycleID, Transition: t, Desil: h.in.Desil, Eligible: h.state.Outcome == domain.OutcomeEligible,
		InRegistry: inRegistry, InSignedDecree: h.state.DecreeID != 0, Exit: exit, On: on,
	}).Get(ctx, &res)
	h.programmes = res.Programmes
	if stage == domain.StageEnrolled {
		h.enrolledOn = enrolmentDay(on, t.At)
	}
	return err
}

// enrolmentDay is the day a household enrolled at at, by the decision of
// day on, is enrolled from, as Settle dates its enrolments: on, or at's
// day (the earliest it is anywhere in Indonesia) when on is empty,
// malformed or after at.
func enrolmentDay(on string, at time.Time) string {
	if d := domain.DecidedOn(on, at); !d.Equal(at) {
		return d.Format("2006-01-02")
	}
	return at.In(westernmostZone).Format("2006-01-02")
}

// moveTo enters a new stage: search attributes for the Temporal UI, and the
// application database's copy through one local activity.
func (h *household) moveTo(ctx workflow.Context, stage domain.Stage, reason string, closeTask bool) error {
	// A reopen accepted while this write is in flight would run its own
	// write concurrently (the database could end with the task closed after
	// it was reopened) and leave the main loop on the old due date.
	h.busy = true
	defer func() { h.busy = false }()
	t := h.enter(ctx, stage, reason)
	if err := h.upsertStage(ctx); err != nil {
		return err
	}
	t.CloseTask = closeTask
	return h.local(ctx, a.Transition, t)
}

// enter changes the in-memory stage and returns the transition to record.
func (h *household) enter(ctx workflow.Context, stage domain.Stage, reason string) activities.TransitionInput {
	now := workflow.Now(ctx)
	h.state.Seq++
	h.state.Stage, h.state.StageEnteredAt, h.state.Reason = stage, now, reason
	return activities.TransitionInput{HouseholdID: h.in.HouseholdID, Seq: h.state.Seq, Stage: string(stage), At: now, Reason: reason}
}

// upsertStage sets the case's search attributes at a stage change: the
// stage and when it was entered, with the region codes and cycle year
// alongside (the start sets them too; repeating them keeps a case findable
// by region and year even if it was started without them). All in one
// upsert: one event, however many attributes.
func (h *household) upsertStage(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		SAStage.ValueSet(string(h.state.Stage)),
		SAStageEnteredAt.ValueSet(h.state.StageEnteredAt),
		SARegency.ValueSet(h.in.RegencyCode),
		SAKecamatan.ValueSet(h.in.KecamatanCode),
		SADesa.ValueSet(h.in.DesaCode),
		SACycleYear.ValueSet(int64(h.in.Year)))
}

func (h *household) local(ctx workflow.Context, fn, arg any) error {
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), fn, arg).Get(ctx, nil)
}

// validateVerification refuses a bad visit result before it reaches the
// history: the API answers 422 naming the field, or 409 for a stale or
// closed task.
func (h *household) validateVerification(ctx workflow.Context, r VerificationRequest) error {
	if h.keys.reused(r.Key, r.KeyHash) {
		return refuseField("Idempotency-Key", domain.CodeIdempotencyKeyReused)
	}
	// A meeting that has reached the household but that the main loop has
	// not yet acted on (its Update or signal came in the same workflow task
	// as this correction, and ran first) has closed the list all the same.
	if h.closing != nil {
		return refuseWith(domain.CodeCaseCycleClosed)
	}
	if (h.state.Stage != domain.StageAwaitingVerification && h.state.Stage != domain.StageVerified) ||
		(h.state.Stage == domain.StageVerified && h.meeting != nil) {
		return refuseWith(domain.CodeListClosed)
	}
	if h.busy {
		return refuseWith(domain.CodeVisitBusy)
	}
	if r.ExpectedVersion != h.state.Version {
		if h.state.Version > 0 && r.ExpectedVersion == 0 {
			return refuseWith(domain.CodeVisitSubmitted, h.state.Version)
		}
		return refuseWith(domain.CodeVisitStale, h.state.Version, r.ExpectedVersion)
	}
	return ValidateVisit(r, h.in.HouseholdID, h.in.CycleOpenedAt, workflow.Now(ctx))
}

// easternmostZone is WIT (UTC+9): a visit dated "today" anywhere in
// Indonesia is not in the future there, so no officer is refused a same-day
// visit because of the server's clock.
var easternmostZone = wilayah.WIT

// westernmostZone is WIB (UTC+7): the day a cycle opened there is the
// earliest date it opened anywhere in Indonesia, so an officer in Java who
// visits on the evening the cycle opened is not refused because the date
// has already turned in Papua.
var westernmostZone = wilayah.WIB

// ValidateVisit checks a visit result's fields against its outcome.
func ValidateVisit(r VerificationRequest, householdID int64, cycleOpened, now time.Time) error {
	if !r.Outcome.Valid() {
		return refuseField("outcome", domain.CodeVisitOutcome)
	}
	if r.VisitDate == "" {
		return refuseField("visitDate", domain.CodeRequired)
	}
	d, err := time.Parse("2006-01-02", r.VisitDate)
	if err != nil {
		return refuseField("visitDate", domain.CodeDateMalformed)
	}
	today, _ := time.Parse("2006-01-02", now.In(easternmostZone).Format("2006-01-02"))
	if d.After(today) {
		return refuseField("visitDate", domain.CodeDateFuture)
	}
	opened, _ := time.Parse("2006-01-02", cycleOpened.In(westernmostZone).Format("2006-01-02"))
	if !cycleOpened.IsZero() && d.Before(opened) {
		return refuseField("visitDate", domain.CodeDateBefore, opened.Format("2006-01-02"))
	}
	switch r.Outcome {
	case domain.OutcomeDuplicate:
		if r.DuplicateOf == 0 {
			return refuseField("duplicateOf", domain.CodeVisitDuplicateMissing)
		}
		if r.DuplicateOf == householdID {
			return refuseField("duplicateOf", domain.CodeVisitDuplicateSelf)
		}
	default:
		if r.DuplicateOf != 0 {
			return refuseField("duplicateOf", domain.CodeVisitDuplicateOnly)
		}
	}
	if r.Outcome == domain.OutcomeEligible || r.Outcome == domain.OutcomeNotPoor {
		// Eligibility rests on what the officer saw: the house must be described.
		if strings.TrimSpace(r.Indicators.JenisLantai) == "" || strings.TrimSpace(r.Indicators.JenisDinding) == "" || strings.TrimSpace(r.Indicators.JenisAtap) == "" {
			return refuseField("indicators", domain.CodeVisitIndicators, r.Outcome)
		}
	}
	if r.Outcome != domain.OutcomeEligible && r.Outcome != domain.OutcomeNotPoor && strings.TrimSpace(r.Note) == "" {
		return refuseField("note", domain.CodeVisitNote)
	}
	if err := refuseText("note", r.Note, domain.MaxNoteRunes, true); err != nil {
		return err
	}
	// Every indicator is bounded too: the whole request goes into the
	// Update's acceptance in history, which Temporal refuses past 2 MB by
	// failing the workflow task and terminating the case.
	for _, f := range r.Indicators.Fields() {
		if err := refuseText("indicators."+f.Name, f.Value, domain.MaxIndicatorRunes, false); err != nil {
			return err
		}
	}
	return nil
}

// submitVerification records a visit result (or a correction).
func (h *household) submitVerification(ctx workflow.Context, r VerificationRequest) (VerificationResponse, error) {
	h.keys.use(r.Key, r.KeyHash)
	h.busy = true
	defer func() { h.busy = false }()
	version := h.state.Version + 1
	in := activities.RecordVisitInput{
		CycleID: h.in.CycleID, HouseholdID: h.in.HouseholdID, Version: version, Actor: r.Actor, At: workflow.Now(ctx),
		Result: domain.VisitResult{Outcome: r.Outcome, VisitDate: r.VisitDate, DuplicateOf: r.DuplicateOf, Indicators: r.Indicators, Note: r.Note},
	}
	prev := h.state
	if h.state.Stage == domain.StageAwaitingVerification {
		t := h.enter(ctx, domain.StageVerified, "")
		in.Transition = &t
	}
	if err := h.local(ctx, a.RecordVisit, in); err != nil {
		h.state = prev
		// The meeting was recorded in the database after this correction
		// was accepted and before the meeting's fan-out reached the
		// household: the list is closed all the same.
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == activities.ErrTypeListClosed {
			return VerificationResponse{}, refuseWith(domain.CodeListClosed)
		}
		return VerificationResponse{}, err
	}
	if in.Transition != nil {
		if err := h.upsertStage(ctx); err != nil {
			return VerificationResponse{}, err
		}
	}
	h.state.Version, h.state.Outcome = version, r.Outcome
	return VerificationResponse{Version: version, Stage: h.state.Stage}, nil
}

func (h *household) validateReopen(ctx workflow.Context, r ReopenRequest) error {
	if h.keys.reused(r.Key, r.KeyHash) {
		return refuseField("Idempotency-Key", domain.CodeIdempotencyKeyReused)
	}
	if h.closing != nil {
		return refuseWith(domain.CodeCaseCycleClosed)
	}
	switch h.state.Stage {
	case domain.StageAwaitingDecree, domain.StageAwaitingProposal:
		if h.state.Stage == domain.StageAwaitingProposal && h.state.DecreeID != 0 {
			return refuseWith(domain.CodeReopenInDecree)
		}
	case domain.StageAwaitingVerification, domain.StageVerified:
		return refuseWith(domain.CodeReopenStillOpen)
	default:
		return refuseWith(domain.CodeReopenPastVerified, h.state.Stage)
	}
	if h.busy {
		return refuseWith(domain.CodeCaseBusy)
	}
	if strings.TrimSpace(r.Reason) == "" {
		return refuseField("reason", domain.CodeReopenReason)
	}
	return refuseText("reason", r.Reason, domain.MaxReasonRunes, true)
}

// reopen sends a household back to village verification with a new due date.
func (h *household) reopen(ctx workflow.Context, r ReopenRequest) (ReopenResponse, error) {
	h.keys.use(r.Key, r.KeyHash)
	h.busy = true
	defer func() { h.busy = false }()
	prev := h.state
	due := workflow.Now(ctx).Add(h.in.Deadlines.ReopenPeriod)
	t := h.enter(ctx, domain.StageAwaitingVerification, "reopened: "+r.Reason)
	if err := h.local(ctx, a.Reopen, activities.ReopenInput{
		CycleID: h.in.CycleID, HouseholdID: h.in.HouseholdID, DueAt: due, Reason: r.Reason, Actor: r.Actor, Transition: t,
	}); err != nil {
		h.state = prev
		return ReopenResponse{}, err
	}
	h.state.DueAt, h.state.EscalationLevel, h.state.Removal = due, 0, false
	// Signals meant for the household's earlier pass through the village
	// no longer apply.
	h.meeting, h.decree = nil, nil
	if err := h.upsertStage(ctx); err != nil {
		return ReopenResponse{}, err
	}
	return ReopenResponse{Stage: h.state.Stage, DueAt: due}, nil
}
