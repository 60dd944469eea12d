package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// intakeWorkflow has Temporal describe every intake's workflow as status
// (UNSPECIFIED: no such workflow, NotFound), in place of what it said
// before.
func (a *testAPI) intakeWorkflow(status enums.WorkflowExecutionStatus) {
	var kept []*mock.Call
	for _, call := range a.temporal.ExpectedCalls {
		if call.Method != "DescribeWorkflowExecution" {
			kept = append(kept, call)
		}
	}
	a.temporal.ExpectedCalls = kept
	if status == enums.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
		a.temporal.On("DescribeWorkflowExecution", mock.Anything, mock.Anything, mock.Anything).
			Return(nil, serviceerror.NewNotFound("workflow not found")).Maybe()
		return
	}
	a.temporal.On("DescribeWorkflowExecution", mock.Anything, mock.Anything, mock.Anything).
		Return(&workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: status}}, nil).Maybe()
}

// TestResumeStuckIntake: an intake whose workflow was terminated (in the
// Temporal Web UI) or failed stays running; POST /intakes/{id}/resume
// starts the workflow again under the same ID with the same input, reuse
// policy ALLOW_DUPLICATE_FAILED_ONLY. While the workflow runs, or once the
// intake is done, it starts nothing. Another regency's Dinsos gets 404, a
// village officer 403.
func TestResumeStuckIntake(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		c := w.cycles[0]
		must(t, db.Model(&store.Intake{}).Where("id = ?", c.intake).Update("status", store.IntakeRunning).Error)
		resume := func(who string) *apiResponse {
			return w.do(apiRequest{method: http.MethodPost, route: "/api/v1/intakes/:id/resume", path: fmt.Sprintf("/api/v1/intakes/%d/resume", c.intake),
				json: map[string]any{}, token: w.byName[who].token})
		}
		starts := func(what string, r *apiResponse, want int) {
			t.Helper()
			if r.code != http.StatusAccepted {
				t.Fatalf("%s: %d %s, want 202", what, r.code, r.body)
			}
			var in store.Intake
			r.decode(t, &in)
			if in.ID != c.intake {
				t.Errorf("%s: answered %s", what, r.body)
			}
			calls := r.temporalCalls("ExecuteWorkflow")
			if len(calls) != want {
				t.Fatalf("%s: %d starts, want %d", what, len(calls), want)
			}
			for _, call := range calls {
				opts := call.Arguments.Get(1).(client.StartWorkflowOptions)
				input, _ := call.Arguments.Get(3).(workflows.IntakeInput)
				if opts.ID != workflows.IntakeWorkflowID(c.intake) || opts.TaskQueue != workflows.OpsTaskQueue ||
					opts.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY ||
					input != (workflows.IntakeInput{IntakeID: c.intake}) {
					t.Errorf("%s: started %+v with input %+v", what, opts, call.Arguments.Get(3))
				}
			}
		}

		for _, status := range []enums.WorkflowExecutionStatus{enums.WORKFLOW_EXECUTION_STATUS_TERMINATED,
			enums.WORKFLOW_EXECUTION_STATUS_FAILED, enums.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, enums.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED} {
			w.intakeWorkflow(status)
			starts(fmt.Sprintf("resume with the workflow %s", status), resume("dinsos.blitar"), 1)
		}
		var audited int64
		must(t, db.Model(&store.AuditEntry{}).Where("action = ?", "intake.resume").Count(&audited).Error)
		if audited != 4 {
			t.Errorf("%d intake.resume audit entries, want 4", audited)
		}
		w.intakeWorkflow(enums.WORKFLOW_EXECUTION_STATUS_TERMINATED)
		starts("an administrator's resume", resume("admin"), 1)

		// Another regency's Dinsos does not see it; a village officer may not.
		if r := resume("dinsos.llg"); r.code != http.StatusNotFound || len(r.temporal) > 0 {
			t.Errorf("another regency's Dinsos: %d %s, %d Temporal calls; want 404, none", r.code, r.body, len(r.temporal))
		}
		if r := resume("desa.jaten"); r.code != http.StatusForbidden || len(r.temporal) > 0 {
			t.Errorf("a village officer: %d %s, %d Temporal calls; want 403, none", r.code, r.body, len(r.temporal))
		}

		w.intakeWorkflow(enums.WORKFLOW_EXECUTION_STATUS_RUNNING)
		starts("resume while the workflow runs", resume("dinsos.blitar"), 0)

		must(t, db.Model(&store.Intake{}).Where("id = ?", c.intake).Update("status", store.IntakeDone).Error)
		w.intakeWorkflow(enums.WORKFLOW_EXECUTION_STATUS_TERMINATED)
		r := resume("dinsos.blitar")
		starts("resume of a done intake", r, 0)
		if len(r.temporal) > 0 {
			t.Errorf("resume of a done intake called Temporal: %v", r.temporal[0].Method)
		}
	})
}
