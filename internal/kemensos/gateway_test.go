package kemensos

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestGateways drives both gateways through the interface the activities
// hold: each exports the SIKS-NG upload file, says how the answers come
// back, and only the simulator gives them itself, deterministically.
func TestGateways(t *testing.T) {
	rows := proposalRows(50)
	b := Batch{ProposalID: 7, Rows: rows}
	day := time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		gw      Gateway
		want    Submission
		answers bool
	}{
		{"file", File{}, Submission{}, false},
		{"simulated", Simulator{Delay: 3 * time.Hour, Seed: 5, RejectShare: 0.3}, Submission{AnswersItself: true, AnswerAfter: 3 * time.Hour}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.gw.Export(&buf, b); err != nil {
				t.Fatalf("Export: %v", err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows)+1 || !slices.Equal(got[0], ProposalColumns()) || got[1][2] != rows[0].NIK {
				t.Errorf("Export wrote %d rows, header %v, want %d rows under %v", len(got), got[0], len(rows)+1, ProposalColumns())
			}
			// A bad row exports nothing.
			bad := Batch{Rows: []ProposalRow{{Jenis: "TAMBAH"}}}
			if err := tt.gw.Export(&bytes.Buffer{}, bad); err == nil {
				t.Error("Export accepted a row without a village code")
			}

			sub, err := tt.gw.Submit(t.Context(), b)
			if err != nil || sub != tt.want {
				t.Errorf("Submit = %+v, %v, want %+v", sub, err, tt.want)
			}
			file, ok, err := tt.gw.Answers(t.Context(), b, day)
			if err != nil || ok != tt.answers {
				t.Fatalf("Answers ok=%v err=%v, want ok=%v", ok, err, tt.answers)
			}
			if !ok {
				if file != nil {
					t.Error("a gateway without answers returned a file")
				}
				return
			}
			again, _, _ := tt.gw.Answers(t.Context(), b, day)
			if !bytes.Equal(file, again) {
				t.Error("the same batch was answered differently twice")
			}
			answers, rowErrs, err := ParseAnswers(bytes.NewReader(file), matchRows(t, rows))
			if err != nil || len(rowErrs) > 0 || len(answers) != len(rows) {
				t.Fatalf("the answer file does not parse: %d answers, %v, %v", len(answers), rowErrs, err)
			}
			rejected := 0
			for _, a := range answers {
				if !a.Accepted {
					rejected++
				}
				if !a.Date.Equal(day) {
					t.Fatalf("answer dated %v, want %v", a.Date, day)
				}
			}
			if rejected == 0 || rejected == len(rows) {
				t.Errorf("%d of %d rejected at share 0.3", rejected, len(rows))
			}
		})
	}
}

// A negative delay is no delay, not a wait the workflow cannot start.
func TestSimulatorSubmitNegativeDelay(t *testing.T) {
	sub, _ := Simulator{Delay: -time.Second}.Submit(t.Context(), Batch{})
	if sub.AnswerAfter != 0 || !sub.AnswersItself {
		t.Errorf("Submit = %+v", sub)
	}
}
