package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
)

// openYearChange marks the open year (version 1): an enrolled household's
// case no longer completes but continues as new into its open year, where
// it takes the year's changes. Histories recorded before it complete at
// enrolled, as they did.
const openYearChange = "open-year"

// ChangeRequest records a change to an enrolled household during the year
// (village officer, PSM, PKH companion or Dinsos). The office has checked
// what needs the database (the new desa is in the regency, the new head a
// member present) before sending it.
type ChangeRequest struct {
	Actor Actor
	Kind  domain.ChangeKind
	// Date is when it happened, YYYY-MM-DD.
	Date string
	Note string
	// NewDesaCode and NewKecamatanCode: a move within the regency.
	NewDesaCode, NewKecamatanCode string
	// NewHeadMemberID: the member who heads the family after the head
	// died; 0 when the family ends.
	NewHeadMemberID int64
	// MembersKey: a members_changed change's member edits, which the
	// office staged in the database under this key (names and NIKs never
	// travel in the workflow); the change takes them when recorded.
	MembersKey   string
	Key, KeyHash string
}

// ChangeResponse answers a recorded change.
type ChangeResponse struct {
	ChangeID int64
	Stage    domain.Stage
}

// DecideRequest confirms or refuses the change waiting (TKSK or Dinsos).
type DecideRequest struct {
	Actor   Actor
	Confirm bool
	// Note is why a change is refused (required then).
	Note         string
	Key, KeyHash string
}

// pendingChange is the change waiting for its confirmation.
type pendingChange struct {
	ID  int64
	Req ChangeRequest
}

// year is an enrolled household's open year: the case waits for the
// year's changes, a revocation or the end of the year (the cycle's close,
// or the next year's cycle opened from this one). Each decided change
// ends the run: the next one continues as new, so a run's history holds
// at most one change, and the year's history stays short whatever the
// number of changes (README, "The open year").
type year struct {
	household
	pending *pendingChange
	// decided: a change was decided and the case goes on (continue as new).
	decided bool
	// changes counts the changes decided this year, across runs.
	changes, runs int
}

// runYear is the open year's run of an enrolled household's case.
func runYear(ctx workflow.Context, in HouseholdInput) (HouseholdResult, error) {
	o := in.Open
	y := &year{household: household{in: in, programmes: o.Programmes, enrolledOn: o.EnrolledOn, state: HouseholdState{
		Stage: domain.StageEnrolled, StageEnteredAt: o.EnrolledAt, Seq: o.Seq, Outcome: domain.OutcomeEligible, DecreeID: o.DecreeID,
	}}, changes: o.Changes, runs: o.Runs}
	if err := y.registerYear(ctx); err != nil {
		return HouseholdResult{}, err
	}
	// One thing ends the run: a change decided, a revocation, the
	// year's end, or a change that ended the family's aid.
	if err := workflow.Await(ctx, func() bool {
		return !y.busy && (y.closing != nil || y.revoked != nil || y.decided || y.state.Stage != domain.StageEnrolled)
	}); err != nil {
		return HouseholdResult{}, err
	}
	if y.state.Stage == domain.StageEnrolled && y.closing == nil && y.revoked != nil {
		if err := y.revokeYear(ctx); err != nil {
			return HouseholdResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return !y.busy && workflow.AllHandlersFinished(ctx) }); err != nil {
		return HouseholdResult{}, err
	}
	if y.state.Stage == domain.StageEnrolled && y.closing == nil && y.decided {
		return HouseholdResult{}, y.continueYear(ctx, y.changes, y.runs)
	}
	return HouseholdResult{Stage: y.state.Stage, Reason: y.state.Reason, Programmes: y.programmes}, nil
}

// continueYear continues the case as new into (the next run of) its open
// year, carrying what the year needs.
func (h *household) continueYear(ctx workflow.Context, changes, runs int) error {
	in := h.in
	in.Open = &domain.OpenYear{
		Seq: h.state.Seq, EnrolledAt: h.state.StageEnteredAt, EnrolledOn: h.enrolledOn, DecreeID: h.state.DecreeID,
		Programmes: h.programmes, Changes: changes, Runs: runs + 1,
	}
	return workflow.NewContinueAsNewError(ctx, HouseholdWorkflow, in)
}

func (y *year) registerYear(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (HouseholdState, error) { return y.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRecordChange, y.recordChange,
		workflow.UpdateHandlerOptions{Validator: y.validateChange}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecideChange, y.decideChange,
		workflow.UpdateHandlerOptions{Validator: y.validateDecide}); err != nil {
		return err
	}
	// The cycle's close (or the next year's cycle opened from this one)
	// ends the open year; the household stays enrolled.
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCycleClosed, func(ctx workflow.Context, c CycleClosed) error {
		if y.closing == nil {
			y.closing = &c
		}
		return nil
	}, workflow.UpdateHandlerOptions{Validator: func(workflow.Context, CycleClosed) error {
		if y.state.Stage != domain.StageEnrolled {
			return refuseWith(domain.CodeCaseEndedInStage, y.state.Stage)
		}
		return nil
	}}); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, SignalDecreeRevoked)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var v DecreeRevoked
			ch.Receive(ctx, &v)
			y.revoked = &v
		}
	})
	return nil
}

// yearOpen refuses a change once the year no longer takes one.
func (y *year) yearOpen() error {
	switch {
	case y.closing != nil:
		return refuseWith(domain.CodeCaseCycleClosed)
	case y.state.Stage != domain.StageEnrolled:
		return refuseWith(domain.CodeChangeNotOpen, y.state.Stage)
	case y.busy || y.decided || y.revoked != nil:
		return refuseWith(domain.CodeCaseBusy)
	}
	return nil
}

func (y *year) validateChange(ctx workflow.Context, r ChangeRequest) error {
	if y.keys.reused(r.Key, r.KeyHash) {
		return refuseField("Idempotency-Key", domain.CodeIdempotencyKeyReused)
	}
	if err := y.yearOpen(); err != nil {
		return err
	}
	if y.pending != nil {
		return refuseWith(domain.CodeChangePending)
	}
	return ValidateChange(r, y.in.RegencyCode, y.in.DesaCode, y.in.CycleOpenedAt, y.enrolledOn, workflow.Now(ctx))
}

// ValidateChange checks a change's fields against its kind. Its date is
// neither in the future, nor before the cycle opened, nor before the day
// the household was enrolled from (enrolledOn, YYYY-MM-DD; "" when the
// year does not know it).
func ValidateChange(r ChangeRequest, regency, desa string, cycleOpened time.Time, enrolledOn string, now time.Time) error {
	if !r.Kind.Valid() {
		return refuseField("kind", domain.CodeChangeKind)
	}
	if err := validDate("date", r.Date, cycleOpened, now); err != nil {
		return err
	}
	if enrolledOn != "" && r.Date < enrolledOn {
		// Both are YYYY-MM-DD: their order is the days'.
		return refuseField("date", domain.CodeChangeEnrolled, enrolledOn)
	}
	if r.Kind == domain.ChangeMovedDesa {
		if r.NewDesaCode == "" || r.NewDesaCode == desa || !strings.HasPrefix(r.NewDesaCode, regency+".") || !strings.HasPrefix(r.NewDesaCode, r.NewKecamatanCode+".") {
			return refuseField("newDesaCode", domain.CodeChangeDesa, regency)
		}
	} else if r.NewDesaCode != "" {
		return refuseField("newDesaCode", domain.CodeChangeDesa, regency)
	}
	if r.NewHeadMemberID != 0 && r.Kind != domain.ChangeHeadDied {
		return refuseField("newHeadMemberId", domain.CodeChangeHead)
	}
	if strings.TrimSpace(r.Note) == "" {
		return refuseField("note", domain.CodeChangeNote)
	}
	return refuseText("note", r.Note, domain.MaxNoteRunes, true)
}

// validDate checks a YYYY-MM-DD date is neither in the future nor before
// the cycle opened, as ValidateVisit does the visit's.
func validDate(field, date string, cycleOpened, now time.Time) error {
	if date == "" {
		return refuseField(field, domain.CodeRequired)
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return refuseField(field, domain.CodeDateMalformed)
	}
	today, _ := time.Parse("2006-01-02", now.In(easternmostZone).Format("2006-01-02"))
	if d.After(today) {
		return refuseField(field, domain.CodeDateFuture)
	}
	opened, _ := time.Parse("2006-01-02", cycleOpened.In(westernmostZone).Format("2006-01-02"))
	if !cycleOpened.IsZero() && d.Before(opened) {
		return refuseField(field, domain.CodeDateBefore, opened.Format("2006-01-02"))
	}
	return nil
}

// recordChange stores the change; it waits for the TKSK or Dinsos.
func (y *year) recordChange(ctx workflow.Context, r ChangeRequest) (ChangeResponse, error) {
	y.keys.use(r.Key, r.KeyHash)
	y.busy = true
	defer func() { y.busy = false }()
	var id int64
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.RecordChange, activities.ChangeInput{
		CycleID: y.in.CycleID, HouseholdID: y.in.HouseholdID, Kind: r.Kind, Date: r.Date, Note: r.Note,
		DesaCode: y.in.DesaCode, NewDesaCode: r.NewDesaCode, NewKecamatanCode: r.NewKecamatanCode,
		NewHeadMemberID: r.NewHeadMemberID, MembersKey: r.MembersKey, Actor: r.Actor, At: workflow.Now(ctx),
	}).Get(ctx, &id); err != nil {
		return ChangeResponse{}, err
	}
	y.pending = &pendingChange{ID: id, Req: r}
	return ChangeResponse{ChangeID: id, Stage: y.state.Stage}, nil
}

func (y *year) validateDecide(_ workflow.Context, r DecideRequest) error {
	if y.keys.reused(r.Key, r.KeyHash) {
		return refuseField("Idempotency-Key", domain.CodeIdempotencyKeyReused)
	}
	if err := y.yearOpen(); err != nil {
		return err
	}
	if y.pending == nil {
		return refuseWith(domain.CodeChangeNone)
	}
	if !r.Confirm && strings.TrimSpace(r.Note) == "" {
		return refuseField("note", domain.CodeChangeDecision)
	}
	return refuseText("note", r.Note, domain.MaxNoteRunes, true)
}

// decideChange confirms or refuses the change waiting. A confirmed change
// acts: one that ends the family's aid leaves every programme (dated the
// day it happened) and the household enters exited, to be proposed HAPUS
// in the next monthly batch; a move hands the household to its new
// village; a new head heads the family.
func (y *year) decideChange(ctx workflow.Context, r DecideRequest) (ChangeResponse, error) {
	y.keys.use(r.Key, r.KeyHash)
	y.busy = true
	defer func() { y.busy = false }()
	p := *y.pending
	in := activities.DecideChangeInput{
		CycleID: y.in.CycleID, HouseholdID: y.in.HouseholdID, ChangeID: p.ID, Confirm: r.Confirm,
		Note: r.Note, Actor: r.Actor, At: workflow.Now(ctx),
	}
	prev := y.state
	exits := r.Confirm && p.Req.Kind.Exits(p.Req.NewHeadMemberID != 0)
	if exits {
		t := y.enter(ctx, domain.StageExited, "change "+string(p.Req.Kind)+": "+p.Req.Date)
		in.Transition = &t
	}
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.DecideChange, in).Get(ctx, nil); err != nil {
		y.state = prev
		return ChangeResponse{}, err
	}
	y.pending, y.changes = nil, y.changes+1
	if r.Confirm && p.Req.Kind == domain.ChangeMovedDesa {
		y.in.DesaCode, y.in.KecamatanCode = p.Req.NewDesaCode, p.Req.NewKecamatanCode
	}
	if exits {
		y.programmes = nil
	} else {
		y.decided = true
	}
	if exits || (r.Confirm && p.Req.Kind == domain.ChangeMovedDesa) {
		if err := y.upsertStage(ctx); err != nil {
			return ChangeResponse{}, err
		}
	}
	return ChangeResponse{ChangeID: p.ID, Stage: y.state.Stage}, nil
}

// revokeYear applies a revocation decree to the enrolled household: it
// leaves every programme (from the day the decree was signed) and ends
// revoked, and (being in the registry) is proposed HAPUS in the next
// monthly batch.
func (y *year) revokeYear(ctx workflow.Context) error {
	y.busy = true
	defer func() { y.busy = false }()
	rv := *y.revoked
	t := y.enter(ctx, domain.StageRevoked, "revoked: "+rv.Reason)
	if err := y.upsertStage(ctx); err != nil {
		return err
	}
	y.programmes = nil
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.DecideChange, activities.DecideChangeInput{
		CycleID: y.in.CycleID, HouseholdID: y.in.HouseholdID, Confirm: true, DecreeID: rv.DecreeID,
		Note: rv.Reason, At: t.At, On: rv.Date, Transition: &t,
	}).Get(ctx, nil)
}
