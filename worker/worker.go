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
	// at once (sticky and normal queue together); 0 is the SDK default,
	// 2 (VERVAL_WORKFLOW_POLLERS, config.DefaultWorkflowPollers, is what
	// verval runs with).
	WorkflowTaskPollers int
}

// New builds a worker on the verval task queue with everything registered.
func New(c client.Client, acts *activities.Activities, o Options) sdkworker.Worker {
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
