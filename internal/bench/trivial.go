package bench

import (
	"context"
	"fmt"
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

// TrivialInput numbers a trivial workflow.
type TrivialInput struct {
	N int
}

// TrivialResult echoes the number.
type TrivialResult struct {
	N int
}

// TrivialActivities is the reference workflow's one activity.
type TrivialActivities struct{}

// Touch does nothing; it costs what scheduling an activity costs.
func (*TrivialActivities) Touch(_ context.Context, in TrivialInput) (TrivialResult, error) {
	return TrivialResult(in), nil
}

var ta *TrivialActivities

// TrivialWorkflow is the reference the household workflow is compared
// with: one activity, then one signal, then done. Its start, and its whole
// lifecycle (start + signal + activity + completion), are the server's raw
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

// RegisterTrivial registers the reference workflow and its activity.
func RegisterTrivial(r sdkworker.Registry) {
	r.RegisterWorkflow(TrivialWorkflow)
	r.RegisterActivity(&TrivialActivities{})
}

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

// RawStarts starts k trivial workflows, Parallelism at a time, and times
// the starts alone. The workflows then run their activity and wait for a
// signal that never comes; they cost the idle server nothing more.
func RawStarts(ctx context.Context, c client.Client, tag string, k int) (Rate, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(Parallelism)
	t0 := time.Now()
	for i := range k {
		g.Go(func() error {
			_, err := c.ExecuteWorkflow(gctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("bench-start-%s-%d", tag, i), TaskQueue: TaskQueue,
			}, TrivialWorkflow, TrivialInput{N: i})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Rate{}, fmt.Errorf("raw starts: %w", err)
	}
	return rate(k, time.Since(t0)), nil
}

// Lifecycles runs k trivial workflows from start to completion (start,
// signal, one activity, complete), Parallelism at a time.
func Lifecycles(ctx context.Context, c client.Client, tag string, k int) (Rate, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(Parallelism)
	t0 := time.Now()
	for i := range k {
		g.Go(func() error {
			id := fmt.Sprintf("bench-life-%s-%d", tag, i)
			run, err := c.ExecuteWorkflow(gctx, client.StartWorkflowOptions{ID: id, TaskQueue: TaskQueue}, TrivialWorkflow, TrivialInput{N: i})
			if err != nil {
				return err
			}
			if err := c.SignalWorkflow(gctx, id, run.GetRunID(), trivialSignal, nil); err != nil {
				return err
			}
			var r TrivialResult
			return run.Get(gctx, &r)
		})
	}
	if err := g.Wait(); err != nil {
		return Rate{}, fmt.Errorf("trivial lifecycles: %w", err)
	}
	return rate(k, time.Since(t0)), nil
}
