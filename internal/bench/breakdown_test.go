package bench

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// A breakdown counts only what happened between its two snapshots, sums
// the series whose labels match, ignores the others, and reads percentiles
// as bucket upper bounds.
func TestBreakdownsBetweenSnapshots(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "temporal_request_latency_seconds", Buckets: []float64{.01, .1, 1},
	}, []string{"operation", "code"})
	reg.MustRegister(h)
	specs := []breakdownSpec{
		{"update", "temporal_request_latency", map[string]string{"operation": "UpdateWorkflowExecution"}},
		{"absent", "temporal_request_latency", map[string]string{"operation": "ResetStickyTaskQueue"}},
	}
	upd := func(code string) prometheus.Observer { return h.WithLabelValues("UpdateWorkflowExecution", code) }
	upd("ok").Observe(5) // before the phase: not counted
	before := snapshotHistograms(reg, specs)

	for range 97 {
		upd("ok").Observe(0.005)
	}
	upd("error").Observe(0.05)
	upd("ok").Observe(0.5)
	upd("ok").Observe(3) // above the last bucket
	h.WithLabelValues("StartWorkflowExecution", "ok").Observe(0.5)

	got := breakdowns(before, snapshotHistograms(reg, specs), specs)
	if len(got) != 1 {
		t.Fatalf("breakdowns %+v, want only the update's", got)
	}
	b := got[0]
	if b.Name != "update" || b.Count != 100 {
		t.Errorf("got %s over %d samples, want update over 100", b.Name, b.Count)
	}
	if b.P50MS != 10 || b.P99MS != 1000 || b.P99Over {
		t.Errorf("p50 %g, p99 %g (over %v); want 10 and 1000 ms", b.P50MS, b.P99MS, b.P99Over)
	}
	if want := 1000 * (97*0.005 + 0.05 + 0.5 + 3) / 100; b.MeanMS < want-1e-6 || b.MeanMS > want+1e-6 {
		t.Errorf("mean %g ms, want %g", b.MeanMS, want)
	}

	// One more slow call puts the 99th percentile past the last bucket.
	upd("ok").Observe(7)
	upd("ok").Observe(7)
	got = breakdowns(before, snapshotHistograms(reg, specs), specs)
	if got[0].P99MS != 1000 || !got[0].P99Over {
		t.Errorf("p99 %g (over %v), want past the 1000 ms bucket", got[0].P99MS, got[0].P99Over)
	}
}
