package kemensos

import (
	"context"
	"io"
	"time"
)

// Batch is one monthly proposal as a gateway sees it. Its rows hold
// personal data: keep them out of logs.
type Batch struct {
	// ProposalID is the batch's id in verval.
	ProposalID int64
	// Rows are the proposed households, in the order of the upload file.
	Rows []ProposalRow
}

// Submission is what a gateway says about a batch it was handed.
type Submission struct {
	// AnswersItself: the gateway gives the answers through Answers once
	// AnswerAfter has passed. False: the answers come back as a file that
	// Dinsos uploads, whenever Kemensos sends it.
	AnswersItself bool
	AnswerAfter   time.Duration
}

// Gateway is how a proposal batch reaches Kemensos and how its answers come
// back. File is the real one (SIKS-NG has no API for regencies: files go
// both ways by hand); Simulator stands in for the local stack and the
// benchmarks. The configuration picks one (VERVAL_KEMENSOS) and the
// activities hold it, so the proposal workflow runs the same steps either
// way.
type Gateway interface {
	// Export writes the batch's upload file for SIKS-NG (WriteProposalXLSX).
	Export(w io.Writer, b Batch) error
	// Submit is told the batch was sent to Kemensos, and says how its
	// answers will come back.
	Submit(ctx context.Context, b Batch) (Submission, error)
	// Answers returns Kemensos' answer file for a submitted batch, in the
	// format ParseAnswers reads, determinations dated date; ok is false
	// when the gateway has none to give (File: Dinsos uploads the file).
	Answers(ctx context.Context, b Batch, date time.Time) (file []byte, ok bool, err error)
}

// File is the file-based gateway: Dinsos downloads the batch's upload file
// (Export), uploads it to SIKS-NG, and later uploads Kemensos' answer file
// to verval, which applies it with ParseAnswers.
type File struct{}

// Export writes the SIKS-NG upload file.
func (File) Export(w io.Writer, b Batch) error { return WriteProposalXLSX(w, b.Rows) }

// Submit has nothing to send: the operator uploaded the file to SIKS-NG.
// The answers come back by upload.
func (File) Submit(context.Context, Batch) (Submission, error) { return Submission{}, nil }

// Answers has none: Kemensos' file reaches verval through Dinsos' upload.
func (File) Answers(context.Context, Batch, time.Time) ([]byte, bool, error) { return nil, false, nil }

// Export writes the same upload file as File: the simulated stack can be
// walked through by hand too.
func (s Simulator) Export(w io.Writer, b Batch) error { return WriteProposalXLSX(w, b.Rows) }

// Submit says the simulator answers by itself after its Delay.
func (s Simulator) Submit(context.Context, Batch) (Submission, error) {
	return Submission{AnswersItself: true, AnswerAfter: max(s.Delay, 0)}, nil
}

// Answers is Answer's file for the batch's rows.
func (s Simulator) Answers(_ context.Context, b Batch, date time.Time) ([]byte, bool, error) {
	return s.Answer(b.Rows, date), true, nil
}

var (
	_ Gateway = File{}
	_ Gateway = Simulator{}
)
