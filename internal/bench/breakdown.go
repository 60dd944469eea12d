package bench

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Breakdown is one of the process's latency histograms over a phase: the
// parts a request's time is spent in (the API's handler, the Temporal
// client's Update, the worker's task queue wait, its workflow task, the
// local activity's database write). Percentiles are the upper bound of the
// histogram bucket that holds them.
type Breakdown struct {
	Name   string  `json:"name"`
	Count  uint64  `json:"count"`
	MeanMS float64 `json:"meanMs"`
	P50MS  float64 `json:"p50ms"`
	P99MS  float64 `json:"p99ms"`
	// P99Over is set when the 99th percentile lies above the last bucket,
	// P99MS.
	P99Over bool `json:"p99Over,omitempty"`
}

// breakdownSpec names a histogram by its family and the labels it must
// carry; every matching series is summed.
type breakdownSpec struct {
	name   string
	family string
	labels map[string]string
}

// verifySpecs are the parts of an officer's result submission.
var verifySpecs = []breakdownSpec{
	{"API: POST /tasks/:id/result", "verval_http_request_duration_seconds", map[string]string{"route": "/api/v1/tasks/:id/result", "method": "POST"}},
	{"client: ResetStickyTaskQueue", "temporal_request_latency", map[string]string{"operation": "ResetStickyTaskQueue"}},
	// An Update waiting for its result is a long request to the SDK.
	{"client: UpdateWorkflowExecution", "temporal_long_request_latency", map[string]string{"operation": "UpdateWorkflowExecution"}},
	{"worker: household task schedule-to-start", "temporal_workflow_task_schedule_to_start_latency", map[string]string{"task_queue": "verval"}},
	{"worker: household task execution", "temporal_workflow_task_execution_latency", map[string]string{"workflow_type": "HouseholdWorkflow"}},
	{"worker: RespondWorkflowTaskCompleted", "temporal_request_latency", map[string]string{"operation": "RespondWorkflowTaskCompleted"}},
	{"worker: RecordVisit (local activity)", "temporal_local_activity_execution_latency", map[string]string{"activity_type": "RecordVisit"}},
}

// histo is a cumulative histogram: bucket upper bounds (seconds) and
// cumulative counts.
type histo struct {
	count  uint64
	sum    float64
	bounds []float64
	cum    []uint64
}

// histograms is a snapshot of the specs' histograms, by spec name.
type histograms map[string]histo

// snapshotHistograms gathers the registry once and sums each spec's series.
func snapshotHistograms(reg prometheus.Gatherer, specs []breakdownSpec) histograms {
	out := histograms{}
	fams, err := reg.Gather()
	if err != nil {
		return out
	}
	for _, sp := range specs {
		var h histo
		for _, f := range fams {
			// The SDK's timers are exported with the unit appended.
			if n := f.GetName(); n != sp.family && n != sp.family+"_seconds" {
				continue
			}
			for _, m := range f.GetMetric() {
				if !hasLabels(m, sp.labels) || m.GetHistogram() == nil {
					continue
				}
				addHisto(&h, m.GetHistogram())
			}
		}
		out[sp.name] = h
	}
	return out
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			found++
		}
	}
	return found == len(want)
}

func addHisto(h *histo, p *dto.Histogram) {
	h.count += p.GetSampleCount()
	h.sum += p.GetSampleSum()
	if h.bounds == nil {
		for _, b := range p.GetBucket() {
			h.bounds = append(h.bounds, b.GetUpperBound())
			h.cum = append(h.cum, 0)
		}
	}
	for i, b := range p.GetBucket() {
		if i < len(h.cum) && b.GetUpperBound() == h.bounds[i] {
			h.cum[i] += b.GetCumulativeCount()
		}
	}
}

// breakdowns is what happened between two snapshots, in the specs' order;
// parts with no samples are left out.
func breakdowns(before, after histograms, specs []breakdownSpec) []Breakdown {
	var out []Breakdown
	for _, sp := range specs {
		a, b := after[sp.name], before[sp.name]
		n := a.count - b.count
		if n == 0 || a.count < b.count {
			continue
		}
		d := Breakdown{Name: sp.name, Count: n, MeanMS: 1000 * (a.sum - b.sum) / float64(n)}
		d.P50MS, _ = a.quantile(b, 0.50)
		d.P99MS, d.P99Over = a.quantile(b, 0.99)
		out = append(out, d)
	}
	return out
}

// quantile is the upper bound, in milliseconds, of the bucket holding the
// q-quantile of the samples recorded since before; when it lies past the
// last bucket, that bucket's bound and true.
func (a histo) quantile(before histo, q float64) (float64, bool) {
	n := a.count - before.count
	rank := uint64(math.Ceil(q * float64(n)))
	for i, bound := range a.bounds {
		c := a.cum[i]
		if i < len(before.cum) {
			c -= before.cum[i]
		}
		if c >= rank {
			return 1000 * bound, false
		}
	}
	if len(a.bounds) == 0 {
		return 0, true
	}
	return 1000 * a.bounds[len(a.bounds)-1], true
}
