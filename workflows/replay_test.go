package workflows_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/workflows"
)

// historyGlob finds the recorded histories: Temporal's JSON history format
// (`temporal workflow show --output json`, or record_test.go), with plain
// (decoded) payloads and synthetic data only.
const historyGlob = "testdata/histories/*.json"

// newReplayer is a replayer with every workflow the worker registers.
func newReplayer(t *testing.T) sdkworker.WorkflowReplayer {
	t.Helper()
	r := sdkworker.NewWorkflowReplayer()
	for _, wf := range workflows.All() {
		r.RegisterWorkflow(wf)
	}
	return r
}

// TestReplayHistories replays every recorded history against today's
// workflow code. A cycle runs for months across deploys: a change that
// would make a running household's history non-deterministic fails here
// instead of in production. When such a change is intended, guard it with
// workflow.GetVersion and keep the old history.
func TestReplayHistories(t *testing.T) {
	files, err := filepath.Glob(historyGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		missingHistories(t, "no recorded histories match %s: record them with VERVAL_RECORD_HISTORIES=1 (record_test.go) or from the end-to-end run", historyGlob)
	}
	r := newReplayer(t)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

// TestReplayDetectsChange shows the replay test can fail: a household
// workflow that sleeps before it starts (a deploy that added a step without
// workflow.GetVersion) does not replay a recorded history.
func TestReplayDetectsChange(t *testing.T) {
	const f = "testdata/histories/household-eligible-new-poor-enrolled.json"
	if _, err := os.Stat(f); err != nil {
		missingHistories(t, "no recorded history %s: %v", f, err)
	}
	changed := func(ctx workflow.Context, in workflows.HouseholdInput) (workflows.HouseholdResult, error) {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return workflows.HouseholdResult{}, err
		}
		return workflows.HouseholdWorkflow(ctx, in)
	}
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(changed, workflow.RegisterOptions{Name: "HouseholdWorkflow"})
	// The replayer logs the mismatch with a stack trace; only its error matters here.
	quiet := log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := r.ReplayWorkflowHistoryFromJSONFile(quiet, f)
	// The SDK reports a changed command sequence as nondeterminism, or as an
	// invalid state transition when the changed command meets its event.
	if err == nil || !(strings.Contains(err.Error(), "nondeterministic") || strings.Contains(err.Error(), "invalid state transition")) {
		t.Fatalf("replaying a changed workflow: %v, want a replay failure", err)
	}
}

// missingHistories stops a replay test that has nothing to replay: a skip
// on a developer's machine, a failure in CI (CI set), where the recorded
// histories are part of the checkout and a replay that checks nothing
// would pass unnoticed.
func missingHistories(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
