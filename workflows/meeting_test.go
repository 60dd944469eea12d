package workflows_test

import (
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

func TestMeetingWorkflowClosesVillage(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int
		// at are the offsets from the start at which CloseVillage ran:
		// retries back off from one second, doubling.
		at []time.Duration
	}{
		{name: "first try", at: []time.Duration{0}},
		{name: "database restarting", failures: 2, at: []time.Duration{0, time.Second, 3 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			h.closeVillageFailures = tc.failures
			h.env.ExecuteWorkflow(workflows.MeetingWorkflow, workflows.MeetingInput{MeetingID: 12})

			var res activities.CloseVillageResult
			if err := h.env.GetWorkflowResult(&res); err != nil {
				t.Fatalf("meeting workflow failed: %v", err)
			}
			testx.Equal(t, "result", res, activities.CloseVillageResult{Signalled: 3})
			calls := h.callsOf("CloseVillage")
			if len(calls) != len(tc.at) {
				t.Fatalf("CloseVillage ran %d times, want %d", len(calls), len(tc.at))
			}
			for i, c := range calls {
				testx.Equal(t, "input", c.In, any(activities.CloseVillageInput{MeetingID: 12}))
				// A regular activity (it signals thousands of workflows and
				// heartbeats its progress), not a local one; 20 silent
				// seconds hand it to another worker.
				if c.Local || c.StartToClose != 30*time.Minute || c.Heartbeat != 20*time.Second {
					t.Errorf("CloseVillage ran local=%v startToClose=%v heartbeat=%v, want a regular activity, 30m, 20s",
						c.Local, c.StartToClose, c.Heartbeat)
				}
				if c.Attempt != int32(i+1) || !c.At.Equal(t0.Add(tc.at[i])) {
					t.Errorf("call %d: attempt %d at %v, want attempt %d at %v", i, c.Attempt, c.At.Sub(t0), i+1, tc.at[i])
				}
			}
		})
	}
}
