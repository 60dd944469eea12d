package kemensos

import (
	"bytes"
	"math"
	"testing"
	"time"
)

// matchRows is a match function over proposal rows: household i+1 is rows[i].
func matchRows(t testing.TB, rows []ProposalRow) func(kk, nik string) (int64, bool) {
	t.Helper()
	byKK := make(map[string]int64, len(rows))
	byNIK := make(map[string]int64, len(rows))
	for i, r := range rows {
		byKK[r.NoKK] = int64(i + 1)
		byNIK[r.NIK] = int64(i + 1)
	}
	return func(kk, nik string) (int64, bool) {
		if kk != "" {
			id, ok := byKK[kk]
			return id, ok
		}
		id, ok := byNIK[nik]
		return id, ok
	}
}

func TestSimulatorDeterministic(t *testing.T) {
	rows := proposalRows(200)
	day := time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC)
	a := Simulator{Seed: 7, RejectShare: 0.2}.Answer(rows, day)
	b := Simulator{Seed: 7, RejectShare: 0.2}.Answer(rows, day)
	if !bytes.Equal(a, b) {
		t.Error("the same seed and rows gave different files")
	}
	if c := (Simulator{Seed: 8, RejectShare: 0.2}).Answer(rows, day); bytes.Equal(a, c) {
		t.Error("a different seed gave the same file")
	}
	// A row's answer does not depend on its neighbours.
	one := Simulator{Seed: 7, RejectShare: 0.2}.Answer(rows[5:6], day)
	if !bytes.Contains(a, bytes.SplitN(one, []byte("\n"), 2)[1]) {
		t.Error("a row alone is answered differently than among others")
	}
	if (Simulator{Seed: 7}).Answer(nil, day) == nil {
		t.Error("no rows gave no header")
	}
}

func TestSimulatorShareAndMix(t *testing.T) {
	rows := proposalRows(1000) // 900 additions, 100 removals
	day := time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC)
	for _, share := range []float64{0, 0.1, 0.25, 0.5, 1} {
		data := Simulator{Seed: 42, RejectShare: share}.Answer(rows, day)
		answers, errs, err := ParseAnswers(bytes.NewReader(data), matchRows(t, rows))
		if err != nil || len(errs) > 0 {
			t.Fatalf("share %v: the simulated answer does not parse: %v %v", share, err, errs)
		}
		if len(answers) != len(rows) {
			t.Fatalf("share %v: %d answers for %d rows", share, len(answers), len(rows))
		}
		var addRejected, removeRejected, adds, removes int
		reasons := map[string]int{}
		for _, a := range answers {
			r := rows[a.HouseholdID-1]
			if !a.Date.Equal(day) {
				t.Fatalf("date %v", a.Date)
			}
			if r.Jenis == JenisHapus {
				removes++
				if !a.Accepted {
					removeRejected++
				}
			} else {
				adds++
				if !a.Accepted {
					addRejected++
					reasons[a.Reason]++
				}
			}
		}
		got := float64(addRejected) / float64(adds)
		// 4 standard deviations of a binomial on 900 rows: never flaky,
		// and the answer is deterministic anyway.
		if tol := 4*math.Sqrt(share*(1-share)/float64(adds)) + 0.005; math.Abs(got-share) > tol {
			t.Errorf("share %v: %.3f of additions rejected", share, got)
		}
		if float64(removeRejected)/float64(removes) > share/10+0.05 {
			t.Errorf("share %v: %d of %d removals rejected", share, removeRejected, removes)
		}
		if share >= 0.25 {
			top, second := reasons[TolakNIKTidakPadan], reasons[TolakUpahDiAtasUMP]
			for r, n := range reasons {
				if r != TolakNIKTidakPadan && r != TolakUpahDiAtasUMP && (n >= top || n >= second) {
					t.Errorf("share %v: %s (%d) rivals NIK_TIDAK_PADAN (%d) and UPAH_DI_ATAS_UMP (%d)", share, r, n, top, second)
				}
			}
			if len(reasons) < 4 {
				t.Errorf("share %v: only reasons %v", share, reasons)
			}
		}
	}
}
