package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A run that stopped at the decree has added up only the phases through
// the meetings: a short time, which must not read as the whole cycle under
// 15 minutes.
func TestWholeCycleTargetNeedsEveryPhase(t *testing.T) {
	for _, tc := range []struct {
		complete bool
		met      bool
	}{
		{complete: false, met: false},
		{complete: true, met: true},
	} {
		rep := &CycleReport{Households: 10000, Through: "meetings", ThroughSeconds: 305, Complete: tc.complete}
		whole := cycleTargets(rep)[0]
		if whole.Met != tc.met {
			t.Errorf("complete %v: whole-cycle target met %v, want %v (%s)", tc.complete, whole.Met, tc.met, whole.Got)
		}
		if !strings.Contains(whole.Got, "through meetings") {
			t.Errorf("complete %v: %q does not name meetings as the last phase done", tc.complete, whole.Got)
		}
		if stopped := strings.Contains(whole.Got, "stopped early"); stopped == tc.complete {
			t.Errorf("complete %v: %q", tc.complete, whole.Got)
		}
	}
}

// A village's officers split its list: the shares cover every household
// once, largest first.
func TestShareSizes(t *testing.T) {
	d := &desaWork{total: 11}
	sum := 0
	for k := range 3 {
		sum += share{d: d, k: k, n: 3}.size()
	}
	if sum != 11 || (share{d: d, k: 0, n: 3}).size() != 4 || (share{d: d, k: 2, n: 3}).size() != 3 {
		t.Errorf("shares of 11 between 3 sum to %d", sum)
	}
}

// Slow answers are counted in the tenth of the span they came in.
func TestSlowOverTime(t *testing.T) {
	var l Latencies
	t0 := time.Now()
	for i := range 100 {
		d := 10 * time.Millisecond
		if i >= 90 || i == 5 {
			d = time.Second
		}
		l.d = append(l.d, d)
		l.at = append(l.at, t0.Add(time.Duration(i)*time.Second))
	}
	got := l.SlowOverTime(250*time.Millisecond, 10)
	want := []int{1, 0, 0, 0, 0, 0, 0, 0, 0, 10}
	if !slices.Equal(got, want) {
		t.Errorf("slow per tenth %v, want %v", got, want)
	}
}
