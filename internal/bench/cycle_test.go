package bench

import (
	"strings"
	"testing"
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
