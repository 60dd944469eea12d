package p3ke

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestGenerateCSVMatchesParser(t *testing.T) {
	tests := []struct {
		name string
		opts GenOptions
	}{
		{"clean", GenOptions{Regency: "35.05", Households: 2000, Seed: 1}},
		{"faulty", GenOptions{Regency: "35.05", Households: 5000, Seed: 2, FaultRate: 0.3}},
		{"all faults", GenOptions{Regency: "16.73", Households: 3000, Seed: 3, FaultRate: 1}},
		{"plain regency code", GenOptions{Regency: "3505", Households: 100, Seed: 4, FaultRate: 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			want, err := GenerateCSV(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if n := want.Accepted + want.Skipped + want.Rejected; n != tt.opts.Households {
				t.Fatalf("expected counts add to %d, want %d", n, tt.opts.Households)
			}
			rep, err := Check(&buf, Options{Regency: tt.opts.Regency})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary != want {
				t.Errorf("parser says %v, generator expected %v", rep.Summary, want)
				for i, is := range rep.Issues {
					if i == 20 {
						break
					}
					t.Log(is)
				}
			}
			if tt.opts.FaultRate == 0 && (rep.Rejected != 0 || rep.Warnings != 0 || rep.Skipped != 0) {
				t.Errorf("clean file: %v", rep.Summary)
			}
		})
	}
}

func TestGenerateCSVDeterministic(t *testing.T) {
	gen := func(seed uint64) []byte {
		t.Helper()
		var buf bytes.Buffer
		if _, err := GenerateCSV(&buf, GenOptions{Regency: "35.05", Households: 500, Seed: seed, FaultRate: 0.2}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, c := gen(7), gen(7), gen(8)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

func TestGenerateCSVSpread(t *testing.T) {
	var buf bytes.Buffer
	if _, err := GenerateCSV(&buf, GenOptions{Regency: "35.05", Households: 3000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	p, err := Open(&buf, Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	villages, kecs := map[string]int{}, map[string]bool{}
	for res, err := range p.All() {
		if err != nil {
			t.Fatal(err)
		}
		villages[res.Record.VillageCode]++
		kecs[res.Record.VillageCode[:8]] = true
		if res.Record.BirthDate != nil && res.Record.BirthDate.After(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("row %d: head of family born %v", res.Record.Row, res.Record.BirthDate)
		}
	}
	// Kab. Blitar has 22 kecamatan and 248 villages; a spread over most of
	// them makes the benchmark and dev data look like a real regency.
	if len(kecs) != 22 || len(villages) < 200 {
		t.Errorf("families in %d kecamatan and %d villages", len(kecs), len(villages))
	}
}

func TestGenerateCSVBadOptions(t *testing.T) {
	for _, o := range []GenOptions{
		{Regency: "35", Households: 1},
		{Regency: "35.99", Households: 1},
		{Regency: "x", Households: 1},
		{Regency: "35.05", Households: 1, FaultRate: 2},
	} {
		if _, err := GenerateCSV(io.Discard, o); err == nil {
			t.Errorf("GenerateCSV(%+v) succeeded", o)
		}
	}
	var buf bytes.Buffer
	if _, err := GenerateCSV(&buf, GenOptions{Regency: "35.05"}); err != nil || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("zero households: %v, %q", err, buf.String())
	}
}
