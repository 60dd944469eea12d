// Package worker wires verval's workflows and activities into a Temporal
// worker: one place where every workflow and activity is registered with its
// real dependencies.
package worker

import (
	"sync"
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
	// at once (sticky and normal queue together); 0 is the SDK default of
	// 2. verval runs with VERVAL_WORKFLOW_POLLERS, by default
	// config.DefaultWorkflowPollers (16).
	WorkflowTaskPollers int
	// StopTimeout is how long Stop waits for running activities after
	// polling stops (VERVAL_SHUTDOWN_TIMEOUT); 0 is DefaultStopTimeout.
	StopTimeout time.Duration
}

// DefaultStopTimeout is Options.StopTimeout when none is given: the
// default of VERVAL_SHUTDOWN_TIMEOUT.
const DefaultStopTimeout = 30 * time.Second

// opsWorkflowPollers is the operations queue's workflow-task polls: a
// few intakes, meetings, decrees and proposals at once, not thousands.
const opsWorkflowPollers = 4

// Workers are verval's workers in one process: the households' task queue
// and the operations queue (workflows.OpsTaskQueue), each with every
// workflow and activity registered.
type Workers []sdkworker.Worker

// New builds the workers.
func New(c client.Client, acts *activities.Activities, o Options) Workers {
	stop := o.StopTimeout
	if stop <= 0 {
		stop = DefaultStopTimeout
	}
	var ws Workers
	for _, q := range []struct {
		name    string
		pollers int
	}{{workflows.TaskQueue, o.WorkflowTaskPollers}, {workflows.OpsTaskQueue, opsWorkflowPollers}} {
		w := sdkworker.New(c, q.name, sdkworker.Options{
			MaxConcurrentActivityExecutionSize: o.MaxConcurrentActivities,
			MaxConcurrentWorkflowTaskPollers:   q.pollers,
			// Stop polling, then give running activities time to finish and
			// heartbeat their progress before the process exits.
			WorkerStopTimeout: stop,
		})
		Register(w, acts)
		ws = append(ws, w)
	}
	return ws
}

// Start starts every worker, or none: one that fails stops the others.
func (ws Workers) Start() error {
	for i, w := range ws {
		if err := w.Start(); err != nil {
			ws[:i].Stop()
			return err
		}
	}
	return nil
}

// Stop stops the workers together: each stops polling, then waits up to
// Options.StopTimeout for its running activities.
func (ws Workers) Stop() {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Stop()
		}()
	}
	wg.Wait()
}

// Register registers every workflow and activity on r (a worker, or a test
// environment).
func Register(r sdkworker.Registry, acts *activities.Activities) {
	for _, wf := range workflows.All() {
		r.RegisterWorkflow(wf)
	}
	r.RegisterActivity(acts)
}
