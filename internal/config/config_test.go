package config

import (
	"strings"
	"testing"
)

// TestWorkerTuning: the worker's cache and poller settings are read as
// numbers and refused, naming the variable, when out of range; a cache
// makes workers sticky.
func TestWorkerTuning(t *testing.T) {
	for _, tc := range []struct {
		env         map[string]string
		wantErr     string
		cache, poll int
	}{
		{env: map[string]string{}, cache: DefaultWorkflowCache, poll: DefaultWorkflowPollers},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "32", "VERVAL_WORKFLOW_CACHE": "2000"}, cache: 2000, poll: 32},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "1"}, wantErr: "VERVAL_WORKFLOW_POLLERS"},
		{env: map[string]string{"VERVAL_WORKFLOW_POLLERS": "many"}, wantErr: "VERVAL_WORKFLOW_POLLERS"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "10"}, wantErr: "VERVAL_WORKFLOW_CACHE"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "-1"}, wantErr: "VERVAL_WORKFLOW_CACHE"},
		{env: map[string]string{"VERVAL_WORKFLOW_CACHE": "0"}, cache: 0, poll: DefaultWorkflowPollers},
	} {
		c, err := Load(func(k string) string { return tc.env[k] }, true)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.env, err)
			continue
		}
		if c.WorkflowCache != tc.cache || c.WorkflowPollers != tc.poll {
			t.Errorf("%v: cache %d pollers %d, want %d and %d", tc.env, c.WorkflowCache, c.WorkflowPollers, tc.cache, tc.poll)
		}
		if c.StickyWorkers() != (tc.cache > 0) {
			t.Errorf("%v: StickyWorkers() = %v with a cache of %d", tc.env, c.StickyWorkers(), tc.cache)
		}
	}
}
