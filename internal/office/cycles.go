package office

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// NewCycle opens a cycle: one regency's year.
type NewCycle struct {
	RegencyCode string
	Year        int
	// VerificationDays is how long the villages have for their visits
	// (default 30).
	VerificationDays int
	// MaxDesil is the highest desil that enters verification (default 1,
	// at most MaxScope).
	MaxDesil int
	// SanggahDays is an objection's service level (default 14 days).
	SanggahDays int
	// OpenedOn (YYYY-MM-DD, optional) is the day the regency's year
	// opened, when it opened before the cycle comes into verval: a regency
	// that brings its running year in records the year's visits,
	// meetings and changes with their real dates, from that day on. A day
	// of the cycle's year, not in the future; today by default.
	OpenedOn string
}

// MaxScope is the highest desil a cycle may verify: the programmes reach
// desil 5 at most (BPNT and PBI-JK).
const MaxScope = 5

// CreateCycle opens a cycle for one regency and year (Dinsos of that
// regency, admin).
func (s *Service) CreateCycle(ctx context.Context, c Caller, req NewCycle) (*store.Cycle, error) {
	if err := c.may(StepCreateCycle); err != nil {
		return nil, err
	}
	code, err := wilayah.Normalize(req.RegencyCode)
	if err != nil || wilayah.LevelOf(code) != wilayah.LevelRegency {
		return nil, domain.FieldErr("regencyCode", domain.CodeCycleRegency)
	}
	if _, ok := wilayah.Default().Name(code); !ok {
		return nil, domain.FieldErr("regencyCode", domain.CodeCycleRegencyUnknown)
	}
	if !c.Covers(code) {
		return nil, domain.FieldErr("regencyCode", domain.CodeOutsideRegion)
	}
	if req.Year < 2020 || req.Year > 2100 {
		return nil, domain.FieldErr("year", domain.CodeCycleYear)
	}
	if req.VerificationDays == 0 {
		req.VerificationDays = 30
	}
	if req.VerificationDays < 1 || req.VerificationDays > 365 {
		return nil, domain.FieldErr("verificationDays", domain.CodeCycleDays)
	}
	if req.MaxDesil == 0 {
		req.MaxDesil = 1
	}
	if req.MaxDesil < 1 || req.MaxDesil > MaxScope {
		return nil, domain.FieldErr("maxDesil", domain.CodeCycleScope)
	}
	if req.SanggahDays, err = sanggahDays(req.SanggahDays); err != nil {
		return nil, err
	}
	opened, err := cycleOpening(req.OpenedOn, req.Year, s.now())
	if err != nil {
		return nil, err
	}
	cy := store.Cycle{RegencyCode: code, Year: req.Year, VerificationDays: req.VerificationDays, MaxDesil: req.MaxDesil,
		SanggahDays: req.SanggahDays, CreatedBy: c.UserID, OpenedAt: opened}
	if err := s.store.CreateCycle(ctx, &cy); err != nil {
		return nil, err
	}
	detail := map[string]any{"regencyCode": code, "year": req.Year, "maxDesil": req.MaxDesil}
	if req.OpenedOn != "" {
		detail["openedOn"] = req.OpenedOn
	}
	s.audit(ctx, c, cy.ID, nil, "cycle.create", detail)
	return &cy, nil
}

// cycleOpening is when a cycle of year opens: now, or the start of day
// openedOn (YYYY-MM-DD) in western Indonesia, the earliest it began
// anywhere, so a visit or change dated that day is taken everywhere. The
// day must lie in the cycle's year and not after today (in eastern
// Indonesia, where the day begins first).
func cycleOpening(openedOn string, year int, now time.Time) (time.Time, error) {
	if openedOn == "" {
		return now.UTC(), nil
	}
	d, err := time.ParseInLocation("2006-01-02", openedOn, wilayah.WIB)
	switch {
	case err != nil:
		return time.Time{}, domain.FieldErr("openedOn", domain.CodeDateMalformed)
	case d.Format("2006-01-02") > now.In(wilayah.WIT).Format("2006-01-02"):
		return time.Time{}, domain.FieldErr("openedOn", domain.CodeDateFuture)
	case d.Year() != year:
		return time.Time{}, domain.FieldErr("openedOn", domain.CodeCycleOpenedYear, strconv.Itoa(year))
	}
	return d.UTC(), nil
}

// SetCycleScope sets which desil enter cy's verification: 1 to maxDesil
// (Dinsos, admin; at most MaxScope). Only before the cycle's first upload:
// the scope decides how its file is read.
func (s *Service) SetCycleScope(ctx context.Context, c Caller, cy *store.Cycle, maxDesil int) (*store.Cycle, error) {
	if err := c.may(StepIntake); err != nil {
		return nil, err
	}
	if maxDesil < 1 || maxDesil > MaxScope {
		return nil, domain.FieldErr("maxDesil", domain.CodeCycleScope)
	}
	if err := s.store.SetCycleScope(ctx, cy.ID, maxDesil); err != nil {
		return nil, err
	}
	s.audit(ctx, c, cy.ID, nil, "cycle.scope", map[string]any{"from": cy.MaxDesil, "maxDesil": maxDesil})
	out := *cy
	out.MaxDesil = maxDesil
	return &out, nil
}

// ReferenceCounts counts the families of cycleID above its scope, per
// desil, inside the caller's region: counted and kept as reference.
func (s *Service) ReferenceCounts(ctx context.Context, c Caller, cycleID int64) ([]store.DesilCount, error) {
	if err := c.may(StepReadCycles); err != nil {
		return nil, err
	}
	return s.store.ReferenceCounts(ctx, c.Principal, cycleID)
}

// Cycles lists the cycles of the caller's region, newest first.
func (s *Service) Cycles(ctx context.Context, c Caller) ([]store.Cycle, error) {
	if err := c.may(StepReadCycles); err != nil {
		return nil, err
	}
	return s.store.ListCycles(ctx, c.Principal)
}

// Cycle is cycle id if the caller may see it (store.ErrNotFound otherwise).
func (s *Service) Cycle(ctx context.Context, c Caller, id int64) (*store.Cycle, error) {
	if err := c.may(StepReadCycles); err != nil {
		return nil, err
	}
	return s.store.GetCycle(ctx, c.Principal, id)
}

// Progress counts a cycle's households per stage, kecamatan and desa,
// inside the caller's region.
func (s *Service) Progress(ctx context.Context, c Caller, cycleID int64) ([]store.ProgressRow, error) {
	if err := c.may(StepReadCycles); err != nil {
		return nil, err
	}
	return s.store.Progress(ctx, c.Principal, cycleID)
}

// StuckStages are the stages a case can be stuck in (not final).
func StuckStages() []string {
	var out []string
	for _, st := range domain.Stages() {
		if !st.Terminal() {
			out = append(out, string(st))
		}
	}
	return out
}

// Stuck lists up to limit cases of cycleID in the caller's region that
// entered their (not final) stage before before, skipping offset.
func (s *Service) Stuck(ctx context.Context, c Caller, cycleID int64, before time.Time, limit, offset int) ([]store.StuckCase, error) {
	if err := c.may(StepStuck); err != nil {
		return nil, err
	}
	return s.store.Stuck(ctx, c.Principal, cycleID, before, StuckStages(), limit, offset)
}

// Notifications are the caller's latest reminders and escalations.
func (s *Service) Notifications(ctx context.Context, c Caller, limit int) ([]store.Notification, error) {
	if err := c.may(StepReadCycles); err != nil {
		return nil, err
	}
	return s.store.ListNotifications(ctx, c.Principal, limit)
}

// closeReasonMax bounds the close's reason, in characters.
const closeReasonMax = 500

// CloseCycle closes cy (tutup buku, Dinsos of its regency) with reason and
// starts the fan-out that ends its waiting households in stage closed. A
// cycle already closed is store.ErrCycleClosed, after its fan-out is
// started again if a failed request left it unstarted.
func (s *Service) CloseCycle(ctx context.Context, c Caller, cy *store.Cycle, reason string) (*store.Cycle, error) {
	if err := c.may(StepCloseCycle); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > closeReasonMax {
		return nil, domain.FieldErr("reason", domain.CodeCycleCloseReason)
	}
	if e := domain.CheckChars("reason", reason, true); e != nil {
		return nil, e
	}
	closed, err := s.store.CloseCycle(ctx, cy.ID, reason, c.Actor())
	if errors.Is(err, store.ErrCycleClosed) && cy.ClosedAt != nil {
		// Closed before, perhaps by a request whose fan-out did not start:
		// start it (a no-op if it runs or ran), then answer the conflict.
		if serr := s.startCycleClose(ctx, cy); serr != nil {
			return nil, serr
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.startCycleClose(ctx, closed); err != nil {
		return nil, err
	}
	return closed, nil
}

// ResumeCycleClose starts a closed cycle's fan-out again if it failed or
// was stopped; while it runs, or once it has finished, it is a no-op.
func (s *Service) ResumeCycleClose(ctx context.Context, c Caller, cy *store.Cycle) error {
	if err := c.may(StepCloseCycle); err != nil {
		return err
	}
	return s.startCycleClose(ctx, cy)
}

// startCycleClose starts the fan-out of a closed cycle; its workflow ID
// names the cycle, so a second start is a no-op while it runs or after it
// completed, and starts it again after it failed or was terminated (each
// household takes the close once: the Update's ID names the cycle).
func (s *Service) startCycleClose(ctx context.Context, cy *store.Cycle) error {
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.CycleCloseWorkflowID(cy.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CloseCycleWorkflow, workflows.CloseCycleInput{CycleID: cy.ID, Reason: cy.CloseReason})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// Report is the cycle's funnel per kecamatan and desa in the caller's
// region, with the programme columns it shows.
func (s *Service) Report(ctx context.Context, c Caller, cycleID int64) (*store.CycleReport, []string, error) {
	if err := c.may(StepReport); err != nil {
		return nil, nil, err
	}
	rep, err := s.store.Report(ctx, c.Principal, cycleID, s.rules)
	if err != nil {
		return nil, nil, err
	}
	return rep, s.reportProgrammes(rep), nil
}

// reportProgrammes are the report's programme columns: the configured
// rules' programmes in their order (VERVAL_ENROL_RULES; by default PKH,
// BPNT, PBI-JK, BPJS-TK, BLT-DD), then, sorted, any programme the cycle
// still has enrolments in that the rules no longer name, so no count is
// dropped.
func (s *Service) reportProgrammes(rep *store.CycleReport) []string {
	var out []string
	for _, r := range s.rules {
		out = append(out, r.Programme)
	}
	var extra []string
	for _, rows := range [][]*store.FunnelRow{rep.Kecamatan, rep.Desa} {
		for _, r := range rows {
			for p := range r.Enrolled {
				if !slices.Contains(out, p) && !slices.Contains(extra, p) {
					extra = append(extra, p)
				}
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// NextCycle is next year's cycle opened from a closed one, with the
// carry-over intake that brings last year's households into it.
type NextCycle struct {
	Cycle    *store.Cycle `json:"cycle"`
	IntakeID int64        `json:"intakeId"`
}

// OpenNextCycle opens cycle from's regency's cycle of the next year (Dinsos
// of the regency) and carries into it, through an intake of its own
// (workflows.CarryOverWorkflow), every household that ended from's year
// enrolled or closed unfinished, to be verified again with last year's
// result. from must be closed and its close's fan-out finished: every
// open year of from has ended, so no household is in two running cases.
// The new file's families come after, by the ordinary upload; a family
// already carried (same No KK hash or P3KE id) is counted as already
// present.
func (s *Service) OpenNextCycle(ctx context.Context, c Caller, from *store.Cycle) (*NextCycle, error) {
	if err := c.may(StepNextCycle); err != nil {
		return nil, err
	}
	if from.ClosedAt == nil {
		return nil, domain.Err(domain.CodeCycleNotClosed)
	}
	if exists, err := s.store.CycleExists(ctx, from.RegencyCode, from.Year+1); err != nil {
		return nil, err
	} else if exists {
		return nil, domain.Err(domain.CodeCycleExists, from.RegencyCode, strconv.Itoa(from.Year+1))
	}
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, workflows.CycleCloseWorkflowID(from.ID), "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		return nil, domain.Err(domain.CodeCycleNotClosed)
	}
	to := store.Cycle{RegencyCode: from.RegencyCode, Year: from.Year + 1, VerificationDays: from.VerificationDays, MaxDesil: from.MaxDesil,
		CreatedBy: c.UserID, OpenedAt: s.now().UTC()}
	if err := s.store.CreateCycle(ctx, &to); err != nil {
		return nil, err
	}
	in, err := s.store.CreateCarryIntake(ctx, &to, from, c.Actor())
	if err != nil {
		return nil, err
	}
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.CarryWorkflowID(in.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.CarryOverWorkflow, workflows.CarryInput{IntakeID: in.ID, FromCycleID: from.ID}); err != nil {
		_ = s.store.FailIntake(ctx, in.ID, store.IntakeNotStartedMessage, store.IntakeNotStarted, nil)
		return nil, err
	}
	return &NextCycle{Cycle: &to, IntakeID: in.ID}, nil
}

// YearOnYear compares a cycle's programmes with the year before's: per
// desa and programme, the households that came in and went out, and why
// they went out.
type YearOnYear struct {
	CycleID      int64 `json:"cycleId"`
	Year         int   `json:"year"`
	PreviousYear int   `json:"previousYear,omitempty"`
	// Programmes are the report's programme columns (reportProgrammes).
	Programmes []string `json:"programmes"`
	// Desa are the rows per year, desa and programme; Total per year and
	// programme over the caller's region. A family that moved to another
	// desa goes out of the one it left (reason "change moved_desa") and
	// into the other; the total counts the move only if it left or
	// entered the caller's region (store.YearProgramme).
	Desa  []*store.YearProgramme `json:"desa"`
	Total []*store.YearProgramme `json:"total"`
}

// YearOnYear is cycle cycleID's year against the regency's year before, in
// the caller's region (TKSK, Dinsos, the bupati's office, admin).
func (s *Service) YearOnYear(ctx context.Context, c Caller, cycleID int64) (*YearOnYear, error) {
	if err := c.may(StepReport); err != nil {
		return nil, err
	}
	cy, err := s.store.GetCycle(ctx, c.Principal, cycleID)
	if err != nil {
		return nil, err
	}
	out := &YearOnYear{CycleID: cy.ID, Year: cy.Year, Desa: []*store.YearProgramme{}, Total: []*store.YearProgramme{}}
	cycles := []*store.Cycle{cy}
	prev, err := s.store.PreviousCycle(ctx, cy)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		out.PreviousYear = prev.Year
		cycles = []*store.Cycle{prev, cy}
	}
	for _, y := range cycles {
		rows, total, err := s.store.YearProgrammes(ctx, c.Principal, y)
		if err != nil {
			return nil, err
		}
		out.Desa = append(out.Desa, rows...)
		for _, p := range s.rules {
			t := total[p.Programme]
			if t == nil {
				t = &store.YearProgramme{Year: y.Year, Programme: p.Programme, Reasons: map[string]int{}}
			}
			out.Total = append(out.Total, t)
		}
	}
	for _, r := range s.rules {
		out.Programmes = append(out.Programmes, r.Programme)
	}
	return out, nil
}
