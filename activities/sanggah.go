package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
)

// ObjectorGateway tells an objector how their sanggah stands: SMS or
// WhatsApp in production. In verval dev and the tests DBObjectorGateway
// writes the message to the notifications table instead.
type ObjectorGateway interface {
	// Send delivers m once per m.Key: a retried activity sends it again
	// with the same key.
	Send(ctx context.Context, m ObjectorMessage) error
}

// ObjectorMessage is one message to an objector. Phone is the objector's
// number, opened from its seal just before the send; it goes to the
// gateway and nowhere else (not into logs, histories or the database).
type ObjectorMessage struct {
	Key         string
	Phone       string
	Text        string
	CycleID     int64
	RegencyCode string
}

// DBObjectorGateway is the development and test gateway: it stores each
// message in the notifications table (kind NotifyObjector, addressed to
// the regency) without the phone number, once per key.
type DBObjectorGateway struct {
	Store *store.Store
}

// Send stores m's text as a notification of the regency.
func (g DBObjectorGateway) Send(ctx context.Context, m ObjectorMessage) error {
	return g.Store.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&store.Notification{
		IdemKey: m.Key, CycleID: m.CycleID, RegionCode: m.RegencyCode, Kind: NotifyObjector, Message: m.Text, CreatedAt: time.Now().UTC(),
	}).Error
}

// The sanggah's notification kinds: its reminders and escalations (to the
// re-verifier, the TKSK and Dinsos, as a visit's), and the message to the
// objector.
const (
	NotifySanggahNew            = "sanggah_new"
	NotifySanggahReminder       = "sanggah_reminder"
	NotifySanggahEscalateTKSK   = "sanggah_escalation_tksk"
	NotifySanggahEscalateDinsos = "sanggah_escalation_dinsos"
	NotifyObjector              = "sanggah_objector"
)

// The events an objector is told of.
const (
	InformRegistered = "registered"
	InformDecided    = "decided"
	// InformClosed: the cycle was closed before the objection was decided.
	InformClosed = "closed"
)

// InformInput tells a sanggah's objector of an event of its case.
type InformInput struct {
	SanggahID int64
	Event     string
}

// objectorGateway is the configured gateway, or the notifications table.
func (a *Activities) objectorGateway() ObjectorGateway {
	if a.Objector != nil {
		return a.Objector
	}
	return DBObjectorGateway{Store: a.Store}
}

// InformObjector tells a sanggah's objector, in Bahasa Indonesia, that it
// was registered (with its receipt code) or how it was decided. The
// objector's contact is opened here, from its seal, and handed to the
// gateway only. An objector who left no phone number is not told (they
// follow the case by its receipt).
func (a *Activities) InformObjector(ctx context.Context, in InformInput) error {
	sg, err := a.Store.SanggahByID(ctx, in.SanggahID)
	if err != nil {
		return classify(err)
	}
	who, err := a.Store.SanggahObjectorOf(sg)
	if err != nil {
		return fmt.Errorf("open the objector's seal: %w", err)
	}
	if who.Phone == "" {
		return nil
	}
	text := ObjectorText(sg, in.Event)
	if err := a.objectorGateway().Send(ctx, ObjectorMessage{
		Key: fmt.Sprintf("sanggah:%d:%s", sg.ID, in.Event), Phone: who.Phone, Text: text, CycleID: sg.CycleID, RegencyCode: sg.RegencyCode,
	}); err != nil {
		return fmt.Errorf("objector gateway: %w", err)
	}
	return classify(a.Store.SanggahInformed(ctx, sg.ID, time.Now()))
}

// ObjectorText is the message an objector gets for an event: the receipt
// code, the status and a date, never the household's name or numbers.
func ObjectorText(sg *store.Sanggah, event string) string {
	day := func(t time.Time) string { return t.UTC().Format("02-01-2006") }
	switch {
	case event == InformRegistered:
		return fmt.Sprintf("Sanggah Anda tercatat dengan nomor tanda terima %s. Keputusan paling lambat %s. Cek status di halaman Status Sanggah dengan nomor ini.",
			sg.Receipt, day(sg.DueAt))
	case event == InformClosed:
		return fmt.Sprintf("Sanggah %s ditutup tanpa keputusan pada %s karena Dinas Sosial menutup siklus tahun ini (tutup buku). Anda dapat mengajukannya lagi pada siklus berikutnya.",
			sg.Receipt, day(sg.StatusAt))
	case sg.Status == domain.SanggahUpheld:
		return fmt.Sprintf("Sanggah %s DITERIMA Dinas Sosial pada %s. Hasilnya dimasukkan ke SK berikutnya.", sg.Receipt, day(sg.StatusAt))
	default:
		return fmt.Sprintf("Sanggah %s TIDAK DITERIMA Dinas Sosial pada %s: keputusan sebelumnya tetap berlaku.", sg.Receipt, day(sg.StatusAt))
	}
}

// RecordSanggahFinding records a re-verification's finding (a local
// activity of the sanggah's case). A step that no longer fits the
// objection fails the Update with the store's refusal.
func (a *Activities) RecordSanggahFinding(ctx context.Context, in store.SanggahStep) error {
	return refuseConflict(a.Store.RecordSanggahFinding(ctx, in))
}

// CloseSanggah records that the cycle's close ended an undecided
// objection (a local activity of its case).
func (a *Activities) CloseSanggah(ctx context.Context, in store.SanggahStep) error {
	return refuseConflict(a.Store.CloseSanggah(ctx, in))
}

// CloseSanggahResult counts the objections a cycle's close ended.
type CloseSanggahResult struct {
	Sanggah int
}

// FanOutCloseSanggah ends every objection of a closed cycle still
// undecided, through updateEach: each gets the close Update, keyed by the
// cycle, so one reached twice after a crash takes it once.
func (a *Activities) FanOutCloseSanggah(ctx context.Context, in CloseCycleInput) (CloseSanggahResult, error) {
	return updateEach(ctx, a.FanOutUpdates, "close sanggah",
		func(after int64) ([]int64, error) { return a.Store.OpenSanggah(ctx, in.CycleID, after, fanOutPage) },
		func(id int64, res *CloseSanggahResult) error {
			if err := a.Cases.SanggahClosed(ctx, in.CycleID, id, in.Reason); err != nil {
				return err
			}
			res.Sanggah++
			return nil
		}, nil)
}

// DecideSanggah records Dinsos' decision on an objection.
func (a *Activities) DecideSanggah(ctx context.Context, in store.SanggahStep) error {
	return refuseConflict(a.Store.DecideSanggah(ctx, in))
}

func refuseConflict(err error) error {
	if e, ok := domain.As(err); ok && e.Kind() == domain.KindConflict {
		return temporalx.Refuse(e)
	}
	return classify(err)
}

// UpheldInput names an upheld objection whose household is to be
// reinstated or excluded, and who upheld it.
type UpheldInput struct {
	SanggahID int64
	Actor     domain.Actor
}

// ErrCaseRunning is the type of the retryable failure ReinstateHousehold
// returns while the household's case is still running (its removal is
// still on the way to Kemensos): the activity is tried again, with
// growing pauses, until that case has ended.
const ErrCaseRunning = "HouseholdCaseRunning"

// ReinstateHousehold starts a new run of the household of an upheld
// exclusion error, at awaiting_decree (see store.Reinstate). The
// household's case must have ended: while it is running (a removal
// waiting for its batch or for Kemensos' answer) the activity fails with
// ErrCaseRunning and is retried until it has. Nothing is done for another
// kind or status of objection, for a closed cycle, or for a household
// already reinstated for this objection (it is idempotent).
func (a *Activities) ReinstateHousehold(ctx context.Context, in UpheldInput) error {
	t, err := a.Store.UpheldTargetOf(ctx, in.SanggahID)
	if err != nil {
		return classify(err)
	}
	sg, h := &t.Sanggah, &t.Household
	stage := domain.Stage(h.Stage)
	switch {
	case sg.Kind != domain.SanggahExclusion || sg.Status != domain.SanggahUpheld, t.Cycle.ClosedAt != nil, t.Reinstated:
		return nil
	case !stage.Terminal():
		return temporal.NewApplicationError("the household's case is still running", ErrCaseRunning, h.Stage)
	case stage == domain.StageEnrolled || stage == domain.StageClosed || stage == domain.StageExited:
		return nil // on the list already, or its cycle's cases are over
	}
	err = a.Cases.ReinstateHousehold(ctx, domain.HouseholdStart{
		CycleID: h.CycleID, HouseholdID: h.ID, Year: t.Cycle.Year,
		RegencyCode: h.RegencyCode, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode,
		Desil: h.Desil, InDTKS: h.InDTKS && stage != domain.StageRemoved, CycleOpenedAt: t.Cycle.OpenedAt,
		Reinstate: &domain.Reinstatement{SanggahID: sg.ID, Receipt: sg.Receipt, From: stage, Seq: h.StageSeq, Actor: in.Actor},
	})
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		// The ended case's run has not closed yet, or the new run has not
		// written its first step: either way, look again shortly.
		return temporal.NewApplicationError("the household's case is still running", ErrCaseRunning, h.Stage)
	}
	return err
}

// Reinstate records the first step of a reinstated household's new run
// (a local activity of that run).
func (a *Activities) Reinstate(ctx context.Context, r store.Reinstatement) error {
	return classify(a.Store.Reinstate(ctx, r))
}

// ExcludeHousehold takes the household of an upheld inclusion error off
// the way to the list while it still waits for its first decree (the
// household's sanggah-exclude Update): not eligible, or awaiting its
// removal when it is in the registry. A household a decree already lists,
// or that has moved on, is left to the revocation path; another kind or
// status of objection, or a closed cycle, is nothing to do. A household
// busy with another step is tried again.
func (a *Activities) ExcludeHousehold(ctx context.Context, in UpheldInput) error {
	t, err := a.Store.UpheldTargetOf(ctx, in.SanggahID)
	if err != nil {
		return classify(err)
	}
	sg, h := &t.Sanggah, &t.Household
	if sg.Kind != domain.SanggahInclusion || sg.Status != domain.SanggahUpheld || t.Cycle.ClosedAt != nil ||
		h.Stage != string(domain.StageAwaitingDecree) {
		return nil
	}
	outcome := domain.Outcome(sg.FindingOutcome)
	if outcome == domain.OutcomeEligible || !outcome.Valid() {
		outcome = domain.OutcomeNotPoor
	}
	err = a.Cases.ExcludeHousehold(ctx, h.CycleID, h.ID, sg.ID, ExcludeRequest{SanggahID: sg.ID, Receipt: sg.Receipt, Outcome: outcome, Actor: in.Actor})
	if e, ok := domain.As(temporalx.RefusalOf(err)); ok {
		switch e.Code {
		case domain.CodeSanggahPastDecree, domain.CodeCaseCycleClosed, domain.CodeCaseEndedInStage:
			return nil
		case domain.CodeCaseBusy:
			return fmt.Errorf("household busy: %w", e)
		}
	}
	return err
}

// ExcludeRequest is what ExcludeHousehold sends a household's case; the
// workflows package names it ExcludeRequest too.
type ExcludeRequest struct {
	SanggahID int64
	Receipt   string
	Outcome   domain.Outcome
	Actor     domain.Actor
}

// Exclude records an upheld inclusion error's exclusion (a local activity
// of the household's case); a decree listing the household meanwhile
// refuses it.
func (a *Activities) Exclude(ctx context.Context, e store.Exclusion) error {
	return refuseConflict(a.Store.Exclude(ctx, e))
}
