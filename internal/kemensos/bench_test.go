package kemensos

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// BenchmarkWriteProposalXLSX writes a big regency's proposal: 50,000
// households.
func BenchmarkWriteProposalXLSX(b *testing.B) {
	rows := proposalRows(50_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteProposalXLSX(io.Discard, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAnswers reads Kemensos' answer to 50,000 households.
func BenchmarkParseAnswers(b *testing.B) {
	rows := proposalRows(50_000)
	data := Simulator{Seed: 1, RejectShare: 0.2}.Answer(rows, time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC))
	match := matchRows(b, rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		answers, errs, err := ParseAnswers(bytes.NewReader(data), match)
		if err != nil || len(errs) > 0 || len(answers) != len(rows) {
			b.Fatalf("%d answers, %d errors, %v", len(answers), len(errs), err)
		}
	}
}
