package office

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/workflows"
)

// NewDecree is what Dinsos drafts: every household verified eligible and
// not yet decreed (Kind ""), or a revocation of named households.
type NewDecree struct {
	// Kind is "" (initial or amendment, decided by the store) or
	// domain.DecreeRevocation.
	Kind         domain.DecreeKind
	HouseholdIDs []int64
	Reason       string
}

// DraftDecree drafts a decree of cy and starts its review workflow.
// Nothing to decree is domain.CodeDecreeNothing.
func (s *Service) DraftDecree(ctx context.Context, c Caller, cy *store.Cycle, req NewDecree) (*store.Decree, error) {
	if err := c.may(StepDraftDecree); err != nil {
		return nil, err
	}
	if req.Kind != "" && req.Kind != domain.DecreeRevocation {
		return nil, domain.FieldErr("kind", domain.CodeDecreeKind)
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Kind == domain.DecreeRevocation && req.Reason == "" {
		return nil, domain.FieldErr("reason", domain.CodeRevokeReason)
	}
	if e := domain.CheckText("reason", req.Reason, domain.MaxReasonRunes, true); e != nil {
		return nil, e
	}
	if req.Kind == domain.DecreeRevocation && len(req.HouseholdIDs) == 0 {
		// Named by nobody: the upheld objections (inclusion errors) of
		// decreed households are what the revocation revokes.
		ids, err := s.sanggahRevocations(ctx, cy.ID)
		if err != nil {
			return nil, err
		}
		req.HouseholdIDs = ids
	}
	d := store.Decree{CycleID: cy.ID, RegencyCode: cy.RegencyCode, Kind: req.Kind, Reason: req.Reason}
	if err := s.store.DraftDecree(ctx, &d, req.HouseholdIDs, c.Actor()); err != nil {
		return nil, err
	}
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.DecreeWorkflowID(d.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: d.ID, Kind: d.Kind, Reason: d.Reason}); err != nil {
		return nil, err
	}
	return &d, nil
}

// Decrees lists a cycle's decrees, newest first.
func (s *Service) Decrees(ctx context.Context, c Caller, cy *store.Cycle) ([]store.Decree, error) {
	if err := c.may(StepReadDecrees); err != nil {
		return nil, err
	}
	return s.store.ListDecrees(ctx, cy.ID)
}

// Decree is decree id with its cycle, if the caller may see them.
func (s *Service) Decree(ctx context.Context, c Caller, id int64) (*store.Decree, *store.Cycle, error) {
	if err := c.may(StepReadDecrees); err != nil {
		return nil, nil, err
	}
	return s.store.DecreeFor(ctx, c.Principal, id)
}

// DecreeLines are the decree's attachment: every household by kecamatan
// and desa, names masked for the roles that do not work with them.
func (s *Service) DecreeLines(ctx context.Context, c Caller, d *store.Decree) ([]store.DecreeLine, error) {
	if err := c.may(StepReadDecrees); err != nil {
		return nil, err
	}
	lines, err := s.store.DecreeLines(ctx, d.ID)
	for i := range lines {
		c.mask(&lines[i].Name, &lines[i].Address)
	}
	return lines, err
}

// DecreeCounts counts decree d's households per kecamatan and desa.
func (s *Service) DecreeCounts(ctx context.Context, c Caller, d *store.Decree) ([]store.DecreeArea, error) {
	if err := c.may(StepReadDecrees); err != nil {
		return nil, err
	}
	return s.store.DecreeCounts(ctx, d.ID)
}

// DecreeWaiting counts the households a new draft would list: those in
// stage awaiting_decree in the caller's region, less those an open
// (unsigned, not withdrawn) decree already lists.
func (s *Service) DecreeWaiting(ctx context.Context, c Caller, cy *store.Cycle, decrees []store.Decree) (int64, error) {
	if err := c.may(StepDraftDecree); err != nil {
		return 0, err
	}
	n, err := s.stageCount(ctx, c, cy.ID, domain.StageAwaitingDecree)
	if err != nil {
		return 0, err
	}
	for _, d := range decrees {
		if d.Status != domain.DecreeSigned && d.Status != domain.DecreeWithdrawn && d.Kind != domain.DecreeRevocation {
			n -= int64(d.Households)
		}
	}
	return max(n, 0), nil
}

// decreeSteps say who may take each review step.
var decreeSteps = map[string]Step{
	workflows.UpdateDecreeSubmit:   StepDecreeOffice,
	workflows.UpdateDecreeRevise:   StepDecreeOffice,
	workflows.UpdateDecreeWithdraw: StepDecreeOffice,
	workflows.UpdateDecreeReturn:   StepDecreeBupati,
	workflows.UpdateDecreeSign:     StepDecreeBupati,
}

// DecreeStepOf is the Step that gates the review step named update.
func DecreeStepOf(update string) Step { return decreeSteps[update] }

// DecreeStep applies one review step (the decree workflow's Update named
// update: submit, revise, withdraw, return, sign) to decree d; key as for
// SubmitResult. The validator's refusals, a decree number already used in
// the regency and a decree whose workflow has ended are *domain.Error.
func (s *Service) DecreeStep(ctx context.Context, c Caller, d *store.Decree, update, key string, r workflows.DecreeRequest) (workflows.DecreeState, error) {
	var st workflows.DecreeState
	step, ok := decreeSteps[update]
	if !ok {
		return st, domain.Err(domain.CodeNotFound)
	}
	if err := c.may(step); err != nil {
		return st, err
	}
	if d.Status == domain.DecreeWithdrawn {
		// Its workflow has ended; say why rather than "case has ended".
		return st, domain.Err(domain.CodeDecreeWithdrawn)
	}
	r.Number, r.Reason = strings.TrimSpace(r.Number), strings.TrimSpace(r.Reason)
	// The key is bound to the step and its request, as a visit's is.
	idem, err := idempotency(c, update, d.ID, key, []any{update, r.Number, r.Date, r.Reason})
	if err != nil {
		return st, err
	}
	r.Key, r.KeyHash = idem.key, idem.hash
	if update == workflows.UpdateDecreeSign && r.Number != "" {
		taken, err := s.store.DecreeNumberTaken(ctx, d.RegencyCode, r.Number)
		if err != nil {
			return st, err
		}
		if taken {
			return st, domain.FieldErr("number", domain.CodeDecreeNumberTaken)
		}
	}
	r.Actor = c.Actor()
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.DecreeWorkflowID(d.ID), UpdateID: idem.updateID, UpdateName: update,
		Args:         []any{r},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	err = temporalx.RefusalOf(err)
	if errors.Is(err, domain.Err(domain.CodeCaseEnded)) {
		// The decree workflow ends once a signed decree has reached every
		// household.
		return st, domain.Err(domain.CodeDecreeFinished)
	}
	if e, ok := domain.As(err); ok && e.Code == domain.CodeDecreeNumberUsed {
		e.Field = "number"
	}
	return st, err
}
