package office

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// DefaultMaxIntakeFile bounds a P3KE upload: 150,000 desil-1 rows (the
// largest regency) are about 40 MB of CSV.
const DefaultMaxIntakeFile = 64 << 20

// MaxIntakeFile is the largest P3KE file StartIntake takes, in bytes.
func (s *Service) MaxIntakeFile() int64 { return s.maxIntakeFile }

// DefaultWorkbookMemory bounds the shared strings of the workbooks being
// checked at once (uncompressed bytes). Decoded, they hold about as much
// again in memory: one workbook at xlsxread's per-file cap (128 MiB of
// shared strings) and ordinary files beside it, the process staying under
// 1 GB (docs/performance.md). A regency's largest real file has a few MB.
const DefaultWorkbookMemory = 192 << 20

// workbookWait is how long an upload waits for room before it is refused.
const workbookWait = 3 * time.Second

// admitWorkbook is p3ke.Options.Admit for an upload: a weighted semaphore
// on the workbooks' shared strings, each weighing their size (at least
// 1 MiB, at most the whole capacity, so any file the per-file cap admits
// can run alone). Parallel hostile uploads used to take the process to
// 2.4 GB; beyond the capacity an upload waits a few seconds, then is
// refused 503 upload.busy with Retry-After.
func (s *Service) admitWorkbook(ctx context.Context) func(held int64) (func(), error) {
	return func(held int64) (func(), error) {
		w := min(max(held, 1<<20), s.workbookMemory)
		wctx, cancel := context.WithTimeout(ctx, workbookWait)
		defer cancel()
		if err := s.workbooks.Acquire(wctx, w); err != nil {
			e := domain.FieldErr("file", domain.CodeUploadBusy)
			e.RetryAfter = 30 * time.Second
			return nil, e
		}
		return func() { s.workbooks.Release(w) }, nil
	}
}

// Upload is an uploaded file: a reader over its bytes (read twice, never
// whole), its size and its name.
type Upload struct {
	Name string
	Size int64
	File io.ReaderAt
}

// SampleIntakeSize is how many families SampleIntakeFile writes.
const SampleIntakeSize = 20

// SampleIntakeFile writes a small valid P3KE file for cy's regency: made-up
// desil-1 families (internal/p3ke's generator, no real person's data), the
// same bytes for the same cycle, so an operator sees what the upload takes
// (docs/p3ke.md) and can try it.
func (s *Service) SampleIntakeFile(c Caller, cy *store.Cycle, w io.Writer) error {
	if err := c.may(StepIntake); err != nil {
		return err
	}
	_, err := p3ke.GenerateCSV(w, p3ke.GenOptions{Regency: cy.RegencyCode, Households: SampleIntakeSize, Seed: uint64(cy.ID)})
	return err
}

// StartIntake checks an uploaded P3KE file, stores it as a new intake of cy
// and starts the intake workflow. A file that would stop intake half-way
// (no header, missing columns, an XLSX sheet damaged part way) is a
// *p3ke.FormatError, and nothing is stored. Rows that fail validation are
// intake's to report.
func (s *Service) StartIntake(ctx context.Context, c Caller, cy *store.Cycle, f Upload) (*store.Intake, error) {
	if err := c.may(StepIntake); err != nil {
		return nil, err
	}
	if f.Size > s.maxIntakeFile {
		return nil, domain.FieldErr("file", domain.CodeFileTooLarge, fmt.Sprintf("%d MB", s.maxIntakeFile>>20))
	}
	// Read the file through once, as intake will. Under a second for the
	// largest regency's file.
	if _, err := p3ke.Check(io.NewSectionReader(f.File, 0, f.Size), p3ke.Options{Regency: cy.RegencyCode, MaxDesil: cy.MaxDesil, Admit: s.admitWorkbook(ctx)}); err != nil {
		return nil, err
	}
	in := store.Intake{CycleID: cy.ID, FileName: f.Name, CreatedBy: c.UserID}
	if err := s.store.CreateIntake(ctx, &in, io.NewSectionReader(f.File, 0, f.Size), f.Size); err != nil {
		return nil, err
	}
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.IntakeWorkflowID(in.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.IntakeWorkflow, workflows.IntakeInput{IntakeID: in.ID}); err != nil {
		_ = s.store.FailIntake(ctx, in.ID, store.IntakeNotStartedMessage, store.IntakeNotStarted, nil)
		return nil, err
	}
	s.audit(ctx, c, cy.ID, nil, "intake.create", map[string]any{"intakeId": in.ID, "size": in.Size})
	return &in, nil
}

// ResumeIntake starts intake id's workflow again when it ended without
// finishing (an operator terminated it in the Temporal UI, or it failed or
// timed out for good) while the intake is still queued or running: such an
// intake would otherwise stay running for ever, its progress still, and
// the cycle's later intakes would leave its stored households unstarted
// (store.PendingStarts). The new run, under the same workflow ID and with
// the same input, goes on from what is stored: the parse skips the rows
// stored already (Intake.LastRow), and starting a household's workflow
// that runs is refused by Temporal and counted once (MarkStarted). An
// intake that has ended (done or failed, its file deleted) and one whose
// workflow runs are answered as they are. It answers the intake as it is
// now.
func (s *Service) ResumeIntake(ctx context.Context, c Caller, id int64) (*store.Intake, error) {
	in, cy, err := s.Intake(ctx, c, id)
	if err != nil || in.Status == store.IntakeDone || in.Status == store.IntakeFailed {
		return in, err
	}
	opts, wf, input, err := s.intakeRun(ctx, in, cy)
	if err != nil {
		return nil, err
	}
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, opts.ID, "")
	if nf := (*serviceerror.NotFound)(nil); err != nil && !errors.As(err, &nf) {
		return nil, err
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return in, nil
	}
	// The reuse policy starts a new run only after one that did not
	// complete: a run that completed while this was asked wins.
	opts.WorkflowIDReusePolicy = enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
	if _, err := s.temporal.ExecuteWorkflow(ctx, opts, wf, input); err != nil {
		if started := (*serviceerror.WorkflowExecutionAlreadyStarted)(nil); !errors.As(err, &started) {
			return nil, err
		}
	}
	s.log.Info("intake workflow resumed", "intakeId", in.ID)
	s.audit(ctx, c, cy.ID, nil, "intake.resume", map[string]any{"intakeId": in.ID})
	return in, nil
}

// intakeRun is the workflow that runs intake in of cycle cy, with its
// options and input: a file's intake (IntakeWorkflow), or the carry-over
// of last year's households into cy (CarryOverWorkflow), which has no file.
func (s *Service) intakeRun(ctx context.Context, in *store.Intake, cy *store.Cycle) (client.StartWorkflowOptions, any, any, error) {
	opts := client.StartWorkflowOptions{ID: workflows.IntakeWorkflowID(in.ID), TaskQueue: workflows.OpsTaskQueue}
	if !in.Carried() {
		return opts, workflows.IntakeWorkflow, workflows.IntakeInput{IntakeID: in.ID}, nil
	}
	from, err := s.store.PreviousCycle(ctx, cy)
	if err != nil {
		return opts, nil, nil, err
	}
	if from == nil {
		return opts, nil, nil, domain.Err(domain.CodeNotFound)
	}
	opts.ID = workflows.CarryWorkflowID(in.ID)
	return opts, workflows.CarryOverWorkflow, workflows.CarryInput{IntakeID: in.ID, FromCycleID: from.ID}, nil
}

// Intake is intake id with its cycle, if the caller may see them.
func (s *Service) Intake(ctx context.Context, c Caller, id int64) (*store.Intake, *store.Cycle, error) {
	if err := c.may(StepIntake); err != nil {
		return nil, nil, err
	}
	return s.store.IntakeFor(ctx, c.Principal, id)
}

// IntakeIssues lists an intake's rejected and warned rows, limit from
// offset, with their total.
func (s *Service) IntakeIssues(ctx context.Context, c Caller, in *store.Intake, limit, offset int) ([]store.IntakeIssue, int64, error) {
	if err := c.may(StepIntake); err != nil {
		return nil, 0, err
	}
	return s.store.IntakeIssues(ctx, in.ID, limit, offset)
}

// EachIntakeIssuePage passes an intake's rejected and warned rows, in row
// order, to fn a page of at most page at a time, so a report of millions
// of rows is written without holding it; total is their count when it
// began. It ends at the first error (fn's, or the context's).
func (s *Service) EachIntakeIssuePage(ctx context.Context, c Caller, in *store.Intake, page int, fn func([]store.IntakeIssue) error) (total int64, err error) {
	if err := c.may(StepIntake); err != nil {
		return 0, err
	}
	if total, err = s.store.IntakeIssueCount(ctx, in.ID); err != nil {
		return 0, err
	}
	row, id := 0, int64(0)
	for {
		issues, err := s.store.IntakeIssuesAfter(ctx, in.ID, row, id, page)
		if err != nil || len(issues) == 0 {
			return total, err
		}
		if err := fn(issues); err != nil {
			return total, err
		}
		last := issues[len(issues)-1]
		row, id = last.Row, last.ID
	}
}
