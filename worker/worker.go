// Package worker wires verval's workflows and activities into a Temporal
// worker: one place where every workflow and activity is registered with its
// real dependencies.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/workflows"
)

// Options tunes the worker.
type Options struct {
	// MaxConcurrentActivities bounds activities run at once; 0 is the SDK default.
	MaxConcurrentActivities int
	// WorkflowTaskPollers is how many workflow-task polls are kept open
	// at once (sticky and normal queue together); 0 is
	// DefaultWorkflowTaskPollers.
	WorkflowTaskPollers int
}

// New builds a worker on the verval task queue with everything registered.
// DefaultWorkflowTaskPollers is the worker's workflow-task polls when
// VERVAL_WORKFLOW_POLLERS is not set. The SDK's 2 starve a busy worker:
// with 50 officers submitting, tasks waited more than the 5 s sticky
// schedule-to-start timeout on the server (0.1 WorkflowTaskTimedOut per
// household) and submissions took 14.7 s at p99; with 16 the same bench
// verified twice as fast with no timed-out task (docs/performance.md).
const DefaultWorkflowTaskPollers = 16

// DefaultWorkflowCache is the worker's sticky workflow cache, in
// households, when VERVAL_WORKFLOW_CACHE is not set. A household is touched
// a few times in a year, days apart, so a cache rarely saves more than a
// replay of 20 to 40 events, while each cached household holds about
// 50 KB. With the SDK's 10,000 the 10,000-household bench peaked at 732 MB
// and a 50,000-family intake at 658 MB (and its start rate fell to 64% of
// the raw rate); with 2,000 at 259 and 220 MB, the cycle 7% slower
// (docs/performance.md).
const DefaultWorkflowCache = 2_000

func New(c client.Client, acts *activities.Activities, o Options) sdkworker.Worker {
	if o.WorkflowTaskPollers == 0 {
		o.WorkflowTaskPollers = DefaultWorkflowTaskPollers
	}
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize: o.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskPollers:   o.WorkflowTaskPollers,
		// Stop polling, then give running activities time to finish and
		// heartbeat their progress before the process exits.
		WorkerStopTimeout: 20 * time.Second,
	})
	Register(w, acts)
	return w
}

// Register registers every workflow and activity on r (a worker, or a test
// environment).
func Register(r sdkworker.Registry, acts *activities.Activities) {
	for _, wf := range workflows.All() {
		r.RegisterWorkflow(wf)
	}
	r.RegisterActivity(acts)
}
