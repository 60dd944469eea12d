package activities

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// SimulateInput has the simulated Kemensos answer a batch.
type SimulateInput struct {
	ProposalID  int64
	Seed        int64
	RejectShare float64
}

// SimulateKemensos answers a submitted batch as the simulated Kemensos
// would, and stores the answers through the same parsing and validation as
// an uploaded answer file. Used by the local stack and the benchmarks.
func (a *Activities) SimulateKemensos(ctx context.Context, in SimulateInput) error {
	lines, err := a.Store.ProposalLines(ctx, in.ProposalID)
	if err != nil {
		return classify(err)
	}
	rows := make([]kemensos.ProposalRow, len(lines))
	for i, l := range lines {
		rows[i] = kemensos.ProposalRow{KodeWilayah: l.DesaCode, NoKK: l.NoKK, NIK: l.NIK, Nama: l.Name, Alamat: l.Address, Jenis: l.Jenis, Alasan: l.Alasan}
	}
	file := kemensos.Simulator{Seed: in.Seed, RejectShare: in.RejectShare}.Answer(rows, time.Now())
	_, err = ApplyAnswerFile(ctx, a.Store, in.ProposalID, bytes.NewReader(file), store.AuditActor{Role: "kemensos-sim", RequestID: fmt.Sprintf("sim-%d", in.ProposalID)})
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
	return fmt.Sprintf("the answer file has errors in %d rows; nothing was applied", len(e.Rows))
}

// ApplyAnswerFile parses Kemensos' answer file against the batch's
// households and, only if every row is valid, stores all its answers in one
// transaction. It is shared by the upload endpoint and the simulator.
func ApplyAnswerFile(ctx context.Context, s *store.Store, proposalID int64, file *bytes.Reader, actor store.AuditActor) (int, error) {
	match, err := s.ProposalMatcher(ctx, proposalID)
	if err != nil {
		return 0, classify(err)
	}
	answers, rowErrs, err := kemensos.ParseAnswers(file, match)
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
		stored[i] = store.StoredAnswer{HouseholdID: an.HouseholdID, Accepted: an.Accepted, Reason: an.Reason, Note: an.Note, Date: an.Date.Format("2006-01-02")}
	}
	n, err := s.ApplyAnswers(ctx, proposalID, stored, actor)
	return n, classify(err)
}
