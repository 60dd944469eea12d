package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"
)

// TaskQueue is the bench worker's task queue, apart from verval's so the
// reference workflow never competes for verval's worker slots by name.
const TaskQueue = "verval-bench"

// Parallelism is how many starts (or lifecycles) run at once: the same
// bound intake uses (activities.startParallelism), so the raw rate is the
// one intake could reach.
const Parallelism = 32

// trivialSignal ends a trivial workflow.
const trivialSignal = "finish"

// TrivialInput numbers a trivial workflow of one measurement (Tag).
type TrivialInput struct {
	Tag string
	N   int
}

// TrivialResult echoes the number.
type TrivialResult struct {
	N int
}

// TrivialActivities is the reference workflow's one activity.
type TrivialActivities struct{}

// Touch does nothing; it costs what scheduling an activity costs.
func (*TrivialActivities) Touch(_ context.Context, in TrivialInput) (TrivialResult, error) {
	return TrivialResult{N: in.N}, nil
}

var ta *TrivialActivities

// TrivialWorkflow is the reference the household workflow's lifecycle is
// compared with: one activity, then one signal, then done. Its whole
// lifecycle (start + signal + activity + completion) is the server's raw
// capacity on this machine.
func TrivialWorkflow(ctx workflow.Context, in TrivialInput) (TrivialResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var r TrivialResult
	if err := workflow.ExecuteActivity(ctx, ta.Touch, in).Get(ctx, &r); err != nil {
		return r, err
	}
	workflow.GetSignalChannel(ctx, trivialSignal).Receive(ctx, nil)
	return r, nil
}

// firstTasks counts, per measurement, the minimal workflows whose first
// workflow task has run.
type firstTasks struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *firstTasks) add(tag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	f.n[tag]++
}

func (f *firstTasks) count(tag string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[tag]
}

// minimalWorkflow is the least any workflow does: it starts, runs its
// first workflow task, and waits for a signal (that never comes). A
// household does the same at intake, plus one timer. The tally is a side
// effect outside replay, like a log line; it only times the measurement.
func (f *firstTasks) minimalWorkflow(ctx workflow.Context, in TrivialInput) error {
	if !workflow.IsReplaying(ctx) {
		f.add(in.Tag)
	}
	workflow.GetSignalChannel(ctx, trivialSignal).Receive(ctx, nil)
	return nil
}

// minimalWorkflowName is its registered name.
const minimalWorkflowName = "MinimalWorkflow"

// Reference runs the reference workflows (minimal and trivial) on a
// server: its own worker, on its own task queue, polling like verval's
// households worker.
type Reference struct {
	c     client.Client
	w     sdkworker.Worker
	first *firstTasks
}

// referenceCatchUp bounds the wait for the reference worker to run what
// was started.
const referenceCatchUp = 10 * time.Minute

// StartReference starts the reference worker with the given number of
// workflow-task pollers: verval's (config.WorkflowPollers), so that the
// reference's work is run as promptly as the households' is, and a start
// rate is not flattered by a worker that leaves its workflows for later.
func StartReference(c client.Client, pollers int) (*Reference, error) {
	r := &Reference{c: c, first: &firstTasks{}}
	r.w = sdkworker.New(c, TaskQueue, sdkworker.Options{MaxConcurrentWorkflowTaskPollers: pollers})
	r.w.RegisterWorkflow(TrivialWorkflow)
	r.w.RegisterWorkflowWithOptions(r.first.minimalWorkflow, workflow.RegisterOptions{Name: minimalWorkflowName})
	r.w.RegisterActivity(&TrivialActivities{})
	if err := r.w.Start(); err != nil {
		return nil, fmt.Errorf("start the reference worker: %w", err)
	}
	return r, nil
}

// Stop stops the reference worker.
func (r *Reference) Stop() { r.w.Stop() }

// Rate is a count over a wall time.
type Rate struct {
	Count   int     `json:"count"`
	Seconds float64 `json:"seconds"`
	PerSec  float64 `json:"perSec"`
}

func rate(n int, d time.Duration) Rate {
	r := Rate{Count: n, Seconds: d.Seconds()}
	if d > 0 {
		r.PerSec = float64(n) / d.Seconds()
	}
	return r
}

// idleQueue is a task queue no worker polls.
const idleQueue = "verval-bench-idle"

// Starts starts k minimal workflows, Parallelism at a time, and times them
// from the first start until the worker has run every one's first
// workflow task: the rate at which the server starts workflows and has
// them running, which is what an intake does. (Timing the start calls
// alone measures a server that leaves that work for later, where it lands
// on whatever is measured next; StartCalls measures that apart.)
func (r *Reference) Starts(ctx context.Context, tag string, k int) (Rate, error) {
	t0 := time.Now()
	if err := r.start(ctx, tag, k, TaskQueue); err != nil {
		return Rate{}, err
	}
	deadline := time.Now().Add(referenceCatchUp)
	for r.first.count(tag) < k {
		if time.Now().After(deadline) {
			return Rate{}, fmt.Errorf("raw starts: the reference worker ran %d of %d first workflow tasks in %s", r.first.count(tag), k, referenceCatchUp)
		}
		select {
		case <-ctx.Done():
			return Rate{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return rate(k, time.Since(t0)), nil
}

// StartCalls times k start calls of minimal workflows on a task queue no
// worker polls: the server's bare start capacity, with none of the work a
// started workflow then causes. The workflows stay pending on the bench's
// throw-away server.
func (r *Reference) StartCalls(ctx context.Context, tag string, k int) (Rate, error) {
	t0 := time.Now()
	if err := r.start(ctx, tag, k, idleQueue); err != nil {
		return Rate{}, err
	}
	return rate(k, time.Since(t0)), nil
}

func (r *Reference) start(ctx context.Context, tag string, k int, queue string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(Parallelism)
	for i := range k {
		g.Go(func() error {
			_, err := r.c.ExecuteWorkflow(gctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("bench-start-%s-%d", tag, i), TaskQueue: queue,
			}, minimalWorkflowName, TrivialInput{Tag: tag, N: i})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("raw starts: %w", err)
	}
	return nil
}

// Lifecycles runs k trivial workflows from start to completion (start,
// signal, one activity, complete), Parallelism at a time.
func (r *Reference) Lifecycles(ctx context.Context, tag string, k int) (Rate, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(Parallelism)
	t0 := time.Now()
	for i := range k {
		g.Go(func() error {
			id := fmt.Sprintf("bench-life-%s-%d", tag, i)
			run, err := r.c.ExecuteWorkflow(gctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, TrivialWorkflow, TrivialInput{Tag: tag, N: i})
			if err != nil {
				return err
			}
			if err := r.c.SignalWorkflow(gctx, id, run.GetRunID(), trivialSignal, nil); err != nil {
				return err
			}
			var res TrivialResult
			return run.Get(gctx, &res)
		})
	}
	if err := g.Wait(); err != nil {
		return Rate{}, fmt.Errorf("trivial lifecycles: %w", err)
	}
	return rate(k, time.Since(t0)), nil
}
