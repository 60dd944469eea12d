package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// SubmitResult says how a batch's answers come back (kemensos.Submission).
type SubmitResult struct {
	// AnswersItself: the gateway answers after AnswerAfter, through
	// CollectKemensosAnswers; false: Dinsos uploads Kemensos' file.
	AnswersItself bool
	AnswerAfter   time.Duration
}

// SubmitToKemensos hands a submitted batch to its gateway (gatewayFor).
func (a *Activities) SubmitToKemensos(ctx context.Context, in ProposalRef) (SubmitResult, error) {
	b, gw, err := a.batch(ctx, in.ProposalID, false)
	if err != nil {
		return SubmitResult{}, err
	}
	sub, err := gw.Submit(ctx, b)
	return SubmitResult(sub), err
}

// CollectResult counts the answers a gateway gave that were new.
type CollectResult struct {
	Applied int
}

// CollectKemensosAnswers takes a batch's answers from a gateway that
// answers by itself (the simulated Kemensos) and stores them through the
// same parsing and validation as an uploaded answer file. The gateway is
// asked only for the households still without an answer: one answered
// already (by Dinsos' TIDAK_DIJAWAB marking, or by an upload from before
// uploads to a simulated batch were refused) keeps its answer, and a
// contradicting row can never fail the batch. A retry applies nothing
// twice.
func (a *Activities) CollectKemensosAnswers(ctx context.Context, in ProposalRef) (CollectResult, error) {
	b, gw, err := a.batch(ctx, in.ProposalID, true)
	if err != nil {
		return CollectResult{}, err
	}
	if len(b.Rows) == 0 {
		return CollectResult{}, nil
	}
	file, ok, err := gw.Answers(ctx, b, time.Now())
	if err != nil || !ok {
		return CollectResult{}, err
	}
	n, err := ApplyAnswerFile(ctx, a.Store, in.ProposalID, bytes.NewReader(file), domain.Actor{Role: "kemensos-gateway", RequestID: fmt.Sprintf("gateway-%d", in.ProposalID)})
	return CollectResult{Applied: n}, err
}

func (a *Activities) gateway() kemensos.Gateway {
	if a.Kemensos != nil {
		return a.Kemensos
	}
	return kemensos.File{}
}

// gatewayFor is the gateway of batch p. A batch built for the simulated
// Kemensos (store.Proposal.Simulated) is answered by a simulator even when
// the worker now runs with the file gateway (VERVAL_KEMENSOS=file after a
// restart): answer uploads to it are refused, so nothing else would ever
// answer it. Any other batch goes through the configured gateway.
func (a *Activities) gatewayFor(p *store.Proposal) kemensos.Gateway {
	gw := a.gateway()
	if _, sim := gw.(kemensos.Simulator); p.Simulated && !sim {
		return kemensos.Simulator{}
	}
	return gw
}

// batch loads a proposal's households as the gateways see them (only
// those still without an answer, with unanswered) and the batch's gateway.
func (a *Activities) batch(ctx context.Context, proposalID int64, unanswered bool) (kemensos.Batch, kemensos.Gateway, error) {
	p, err := a.Store.GetProposal(ctx, proposalID)
	if err != nil {
		return kemensos.Batch{}, nil, classify(err)
	}
	lines, err := a.Store.ProposalLines(ctx, proposalID)
	if err != nil {
		return kemensos.Batch{}, nil, classify(err)
	}
	if unanswered {
		lines = slices.DeleteFunc(lines, func(l store.ProposalLine) bool { return l.Answered })
	}
	return kemensos.Batch{ProposalID: proposalID, Rows: proposalRows(lines)}, a.gatewayFor(p), nil
}

func proposalRows(lines []store.ProposalLine) []kemensos.ProposalRow {
	rows := make([]kemensos.ProposalRow, len(lines))
	for i, l := range lines {
		rows[i] = kemensos.ProposalRow{KodeWilayah: l.DesaCode, NoKK: l.NoKK, NIK: l.NIK, Nama: l.Name, Alamat: l.Address, Jenis: l.Jenis, Alasan: l.Alasan}
	}
	return rows
}

// SimulateInput has the simulated Kemensos answer a batch.
//
// Deprecated: for proposal workflows started before the gateway
// (ProposalInput.Simulate); newer ones call SubmitToKemensos and
// CollectKemensosAnswers.
type SimulateInput struct {
	ProposalID  int64
	Seed        int64
	RejectShare float64
}

// SimulateKemensos answers a submitted batch as the simulated Kemensos
// would. It stays registered for proposal workflows started before the
// gateway, whose histories schedule it.
func (a *Activities) SimulateKemensos(ctx context.Context, in SimulateInput) error {
	lines, err := a.Store.ProposalLines(ctx, in.ProposalID)
	if err != nil {
		return classify(err)
	}
	file := kemensos.Simulator{Seed: in.Seed, RejectShare: in.RejectShare}.Answer(proposalRows(lines), time.Now())
	_, err = ApplyAnswerFile(ctx, a.Store, in.ProposalID, bytes.NewReader(file), domain.Actor{Role: "kemensos-sim", RequestID: fmt.Sprintf("sim-%d", in.ProposalID)})
	return err
}

// AnswerFileError is an answer file that cannot be applied: unreadable, or
// with errors at some rows (then nothing was applied).
type AnswerFileError struct {
	Format *kemensos.FormatError
	Rows   []kemensos.RowError
}

func (e *AnswerFileError) Error() string {
	if e.Format != nil {
		return e.Format.Error()
	}
	rows := e.RowCount()
	if rows == len(e.Rows) {
		return fmt.Sprintf("the answer file has errors in %d %s; nothing was applied", rows, plural(rows, "row", "rows"))
	}
	return fmt.Sprintf("the answer file has %d errors in %d %s; nothing was applied", len(e.Rows), rows, plural(rows, "row", "rows"))
}

// RowCount is the number of distinct rows with errors: a row can have
// more than one.
func (e *AnswerFileError) RowCount() int {
	seen := map[int]bool{}
	for _, r := range e.Rows {
		seen[r.Row] = true
	}
	return len(seen)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// AnswersNotGivenError is an upload whose answers were stored (Applied of
// them new) but whose batch workflow could not be told (Err): the
// households get them when the same file is uploaded again (nothing is
// applied twice) or at the workflow's next periodic check.
type AnswersNotGivenError struct {
	Applied int
	Err     error
}

func (e *AnswersNotGivenError) Error() string {
	return fmt.Sprintf("%d answers were stored but the batch's workflow was not told: %v", e.Applied, e.Err)
}

func (e *AnswersNotGivenError) Unwrap() error { return e.Err }

// ApplyAnswerFile parses Kemensos' answer file against the batch's
// households and, only if every row is valid, stores all its answers in one
// transaction. It is shared by the upload endpoint and the simulator.
func ApplyAnswerFile(ctx context.Context, s *store.Store, proposalID int64, file *bytes.Reader, actor domain.Actor) (int, error) {
	match, err := s.ProposalMatcher(ctx, proposalID)
	if err != nil {
		return 0, classify(err)
	}
	member, err := s.ProposalMemberMatcher(ctx, proposalID)
	if err != nil {
		return 0, classify(err)
	}
	answers, rowErrs, err := kemensos.ParseAnswersMembers(file, match, member)
	if fe, ok := err.(*kemensos.FormatError); ok {
		return 0, temporal.NewNonRetryableApplicationError(fe.Error(), "UnreadableFile", &AnswerFileError{Format: fe})
	} else if err != nil {
		return 0, err
	}
	if len(rowErrs) > 0 {
		e := &AnswerFileError{Rows: rowErrs}
		return 0, temporal.NewNonRetryableApplicationError(e.Error(), "InvalidRows", e)
	}
	stored := make([]store.StoredAnswer, len(answers))
	for i, an := range answers {
		stored[i] = store.StoredAnswer{HouseholdID: an.HouseholdID, Accepted: an.Accepted, Reason: an.Reason, Note: an.Note, Date: an.Date.Format("2006-01-02"), MemberID: an.MemberID}
	}
	n, err := s.ApplyAnswers(ctx, proposalID, stored, actor)
	var ce *store.AnswerConflictError
	if errors.As(err, &ce) {
		// Rows contradicting the answers an earlier file applied: row
		// errors like any other, nothing applied.
		row := make(map[int64]kemensos.Answer, len(answers))
		for _, an := range answers {
			row[an.HouseholdID] = an
		}
		e := &AnswerFileError{}
		for _, h := range ce.Households {
			if re := kemensos.ContradictsApplied(row[h.HouseholdID], h.Accepted, h.Reason); re != nil {
				e.Rows = append(e.Rows, *re)
			}
		}
		slices.SortFunc(e.Rows, func(x, y kemensos.RowError) int { return x.Row - y.Row })
		return 0, temporal.NewNonRetryableApplicationError(e.Error(), "InvalidRows", e)
	}
	return n, classify(err)
}
