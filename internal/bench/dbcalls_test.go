package bench

import (
	"strings"
	"testing"
)

// Lines as the Temporal dev server (1.29.1) exports them, with a
// histogram of the same operations that must not be counted.
const devServerMetrics = `# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{namespace="default",operation="GetWorkflowExecution",service_name="history"} 4425
persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 37035
persistence_requests{namespace="temporal_system",operation="GetWorkflowExecution",service_name="history"} 2
# HELP persistence_latency persistence_latency histogram
# TYPE persistence_latency histogram
persistence_latency_bucket{namespace="default",operation="UpdateWorkflowExecution",service_name="history",le="+Inf"} 37035
persistence_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 119.3
persistence_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 37035
# HELP visibility_persistence_requests visibility_persistence_requests counter
# TYPE visibility_persistence_requests counter
visibility_persistence_requests{operation="UpsertWorkflowExecution",service_name="history",visibility_index_name="_tmp_t_db",visibility_plugin_name="sqlite"} 11672
`

func TestDBCallsParseSubtractAndReport(t *testing.T) {
	after, err := parseDBCalls(strings.NewReader(devServerMetrics))
	if err != nil {
		t.Fatal(err)
	}
	want := DBCalls{"GetWorkflowExecution": 4427, "UpdateWorkflowExecution": 37035, "visibility.UpsertWorkflowExecution": 11672}
	if len(after) != len(want) {
		t.Fatalf("parsed %v, want %v", after, want)
	}
	for op, n := range want {
		if after[op] != n {
			t.Errorf("%s: %v calls, want %v", op, after[op], n)
		}
	}

	before := DBCalls{"GetWorkflowExecution": 427, "UpdateWorkflowExecution": 37035, "visibility.UpsertWorkflowExecution": 1672}
	rep := after.Since(before).Report(1000, 1)
	if rep.Total != 14000 || rep.PerHousehold != 14 {
		t.Errorf("total %v (%v per household), want 14000 (14)", rep.Total, rep.PerHousehold)
	}
	if len(rep.Top) != 1 || rep.Top[0].Operation != "visibility.UpsertWorkflowExecution" || rep.Top[0].PerHousehold != 10 {
		t.Errorf("top %+v, want visibility.UpsertWorkflowExecution at 10 per household", rep.Top)
	}
}

func TestDBCallsRejectsMetricsWithoutThem(t *testing.T) {
	if _, err := parseDBCalls(strings.NewReader("# TYPE up gauge\nup 1\n")); err == nil {
		t.Error("metrics without persistence counters parsed without an error")
	}
}
