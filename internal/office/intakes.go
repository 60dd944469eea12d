package office

import (
	"context"
	"fmt"
	"io"

	"go.temporal.io/api/enums/v1"
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
	if _, err := p3ke.Check(io.NewSectionReader(f.File, 0, f.Size), p3ke.Options{Regency: cy.RegencyCode, MaxDesil: cy.MaxDesil}); err != nil {
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
