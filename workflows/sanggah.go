package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// A sanggah (an objection to a household's decision) is a case of its own,
// SanggahWorkflow, beside the household's: the household's case may have
// ended long before (an enrolled household's has), and its re-verification
// is a task of the objection, not a reopening of the household. Its
// workflow ID is sanggah-<id>; its search attributes are the household
// ones (VervalStage holds "sanggah_<status>", StageEnteredAt when it
// entered it, and the region codes and year), so no attribute is added to
// the namespace's few.
//
// registered -> reverification (the village, or the TKSK, records a
// finding: UpdateSanggahFinding) -> awaiting_decision (Dinsos decides:
// UpdateSanggahDecide) -> upheld or rejected, with the objector told at
// registration and at the decision (InformObjector). Until it is decided
// the case reminds and escalates as a visit does: the re-verifier
// ReminderBefore the due date, the TKSK at it, Dinsos EscalateDinsosAfter
// after it.

// Update and query names of the sanggah workflow.
const (
	// UpdateSanggahFinding records the re-verification's finding.
	UpdateSanggahFinding = "sanggah-finding"
	// UpdateSanggahDecide records Dinsos' decision.
	UpdateSanggahDecide = "sanggah-decide"
	// UpdateSanggahClose ends an undecided objection: Dinsos closed the
	// cycle (tutup buku).
	UpdateSanggahClose = "sanggah-close"
)

// SanggahWorkflowID is the workflow ID of one objection's case: its
// database id only, so it reveals nobody.
func SanggahWorkflowID(sanggahID int64) string {
	return fmt.Sprintf("sanggah-%d", sanggahID)
}

// SanggahStage is the VervalStage search attribute of an objection's case
// in status st, apart from every household stage.
func SanggahStage(st domain.SanggahStatus) string { return "sanggah_" + string(st) }

// SanggahInput starts an objection's case.
type SanggahInput = domain.SanggahStart

// SanggahState is what the state query returns.
type SanggahState struct {
	Status          domain.SanggahStatus
	StatusAt        time.Time
	EscalationLevel int
}

// SanggahFinding is the re-verification's finding (an Update).
type SanggahFinding struct {
	Actor   Actor
	Outcome domain.Outcome
	Note    string
}

// SanggahClose ends an undecided objection when its cycle is closed (an
// Update the cycle's close sends).
type SanggahClose struct {
	Reason string
}

// SanggahDecision is Dinsos' decision (an Update).
type SanggahDecision struct {
	Actor  Actor
	Upheld bool
	Note   string
}

// SanggahWorkflow is one objection's case.
func SanggahWorkflow(ctx workflow.Context, in SanggahInput) (SanggahState, error) {
	in.Deadlines = in.Deadlines.WithDefaults()
	sg := &sanggah{in: in, state: SanggahState{Status: domain.SanggahReverification, StatusAt: workflow.Now(ctx)}}
	if err := sg.register(ctx); err != nil {
		return sg.state, err
	}
	// The re-verifier learns of the objection at once; the objector gets
	// the receipt.
	if err := sg.notify(ctx, activities.NotifySanggahNew, sg.reverifierRegion()); err != nil {
		return sg.state, err
	}
	if err := workflow.ExecuteActivity(oneTx(ctx), a.InformObjector, activities.InformInput{SanggahID: in.SanggahID, Event: activities.InformRegistered}).Get(ctx, nil); err != nil {
		return sg.state, err
	}
	for !sg.state.Status.Decided() && sg.closing == nil {
		at, kind, region, ok := sg.nextDeadline()
		decided := func() bool { return !sg.busy && (sg.state.Status.Decided() || sg.closing != nil) }
		if !ok {
			if err := workflow.Await(ctx, decided); err != nil {
				return sg.state, err
			}
			break
		}
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			done, err := awaitWithTimer(ctx, wait, decided)
			if err != nil {
				return sg.state, err
			}
			if done {
				break
			}
		}
		if err := workflow.Await(ctx, func() bool { return !sg.busy }); err != nil {
			return sg.state, err
		}
		if sg.state.Status.Decided() || sg.closing != nil {
			break
		}
		if err := sg.notify(ctx, kind, region); err != nil {
			return sg.state, err
		}
		sg.state.EscalationLevel++
	}
	if !sg.state.Status.Decided() {
		return sg.state, sg.close(ctx)
	}
	if err := workflow.ExecuteActivity(oneTx(ctx), a.InformObjector, activities.InformInput{SanggahID: in.SanggahID, Event: activities.InformDecided}).Get(ctx, nil); err != nil {
		return sg.state, err
	}
	if err := sg.applyUpheld(ctx); err != nil {
		return sg.state, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return sg.state, err
	}
	return sg.state, nil
}

type sanggah struct {
	in    SanggahInput
	state SanggahState
	busy  bool
	// decidedBy is who decided, for the reinstatement's audit entry.
	decidedBy Actor
	// closing is set when the cycle is closed before the decision.
	closing *SanggahClose
}

func (sg *sanggah) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SanggahState, error) { return sg.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSanggahFinding, sg.finding,
		workflow.UpdateHandlerOptions{Validator: sg.validateFinding}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSanggahDecide, sg.decide,
		workflow.UpdateHandlerOptions{Validator: sg.validateDecision}); err != nil {
		return err
	}
	// The close only marks the case: the main loop ends it once no
	// finding or decision is being written.
	return workflow.SetUpdateHandler(ctx, UpdateSanggahClose, func(ctx workflow.Context, c SanggahClose) error {
		if sg.closing == nil {
			sg.closing = &c
		}
		return nil
	})
}

// close ends an objection its cycle's close reached undecided: recorded
// (status closed), its attributes upserted, the objector told.
func (sg *sanggah) close(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return !sg.busy }); err != nil {
		return err
	}
	if _, err := sg.step(ctx, domain.SanggahClosed, a.CloseSanggah, store.SanggahStep{
		SanggahID: sg.in.SanggahID, At: workflow.Now(ctx), Note: sg.closing.Reason,
	}); err != nil {
		return err
	}
	if err := workflow.ExecuteActivity(oneTx(ctx), a.InformObjector, activities.InformInput{SanggahID: sg.in.SanggahID, Event: activities.InformClosed}).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// nextDeadline is the next reminder or escalation: the re-verifier (the
// desa, or the kecamatan when the TKSK re-verifies), then the TKSK, then
// Dinsos.
func (sg *sanggah) nextDeadline() (time.Time, string, string, bool) {
	d := sg.in.Deadlines
	switch sg.state.EscalationLevel {
	case 0:
		return sg.in.DueAt.Add(-d.ReminderBefore), activities.NotifySanggahReminder, sg.reverifierRegion(), true
	case 1:
		return sg.in.DueAt, activities.NotifySanggahEscalateTKSK, sg.in.KecamatanCode, true
	case 2:
		return sg.in.DueAt.Add(d.EscalateDinsosAfter), activities.NotifySanggahEscalateDinsos, sg.in.RegencyCode, true
	}
	return time.Time{}, "", "", false
}

// reverifierRegion is who re-verifies: the desa, or the kecamatan when
// the TKSK does.
func (sg *sanggah) reverifierRegion() string {
	if sg.in.Reverifier == domain.ReverifyTKSK {
		return sg.in.KecamatanCode
	}
	return sg.in.DesaCode
}

// notify sends a notification of kind about the objection to region (one
// local activity).
func (sg *sanggah) notify(ctx workflow.Context, kind, region string) error {
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), a.Notify, activities.NotifyInput{
		CycleID: sg.in.CycleID, HouseholdID: sg.in.HouseholdID, Kind: kind, RegionCode: region,
		DesaCode: sg.in.DesaCode, DueAt: sg.in.DueAt, At: workflow.Now(ctx),
	}).Get(ctx, nil)
}

func (sg *sanggah) validateStatus(want domain.SanggahStatus) error {
	if sg.closing != nil {
		return refuseWith(domain.CodeCycleClosed)
	}
	if sg.state.Status != want {
		return refuseWith(domain.CodeSanggahStatus, sg.state.Status, want)
	}
	if sg.busy {
		return refuseWith(domain.CodeCaseBusy)
	}
	return nil
}

func (sg *sanggah) validateFinding(_ workflow.Context, f SanggahFinding) error {
	if err := sg.validateStatus(domain.SanggahReverification); err != nil {
		return err
	}
	if !f.Outcome.Valid() {
		return refuseField("outcome", domain.CodeVisitOutcome)
	}
	return sg.validateNote(f.Note)
}

func (sg *sanggah) validateDecision(_ workflow.Context, d SanggahDecision) error {
	if err := sg.validateStatus(domain.SanggahAwaitingDecision); err != nil {
		return err
	}
	return sg.validateNote(d.Note)
}

func (sg *sanggah) validateNote(note string) error {
	if strings.TrimSpace(note) == "" {
		return refuseField("note", domain.CodeSanggahNote)
	}
	return refuseText("note", note, domain.MaxReasonRunes, true)
}

func (sg *sanggah) finding(ctx workflow.Context, f SanggahFinding) (SanggahState, error) {
	return sg.step(ctx, domain.SanggahAwaitingDecision, a.RecordSanggahFinding, store.SanggahStep{
		SanggahID: sg.in.SanggahID, Actor: f.Actor, At: workflow.Now(ctx), Outcome: string(f.Outcome), Note: strings.TrimSpace(f.Note),
	})
}

func (sg *sanggah) decide(ctx workflow.Context, d SanggahDecision) (SanggahState, error) {
	to := domain.SanggahRejected
	if d.Upheld {
		to = domain.SanggahUpheld
	}
	sg.decidedBy = d.Actor
	return sg.step(ctx, to, a.DecideSanggah, store.SanggahStep{
		SanggahID: sg.in.SanggahID, Actor: d.Actor, At: workflow.Now(ctx), Upheld: d.Upheld, Note: strings.TrimSpace(d.Note),
	})
}

// step records a finding or a decision (one local activity) and enters
// its status, with the search attributes in one upsert.
func (sg *sanggah) step(ctx workflow.Context, to domain.SanggahStatus, fn any, st store.SanggahStep) (SanggahState, error) {
	sg.busy = true
	defer func() { sg.busy = false }()
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localOptions), fn, st).Get(ctx, nil); err != nil {
		return sg.state, err
	}
	sg.state.Status, sg.state.StatusAt = to, st.At
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		SAStage.ValueSet(SanggahStage(to)), SAStageEnteredAt.ValueSet(st.At)); err != nil {
		return sg.state, err
	}
	return sg.state, nil
}
