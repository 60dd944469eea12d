package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// An intake whose workflow was terminated stays running: its page offers
// Dinsos "Lanjutkan unggahan", which starts the intake's workflow again
// and says so; the TKSK may not press it, and a done intake's page no
// longer offers it.
func TestDinsosResumesAStuckIntake(t *testing.T) {
	e := newEnv(t)
	var in store.Intake
	if err := e.st.DB.First(&in, "cycle_id = ?", e.cycle.ID).Error; err != nil {
		t.Fatal(err)
	}
	e.temporal.On("DescribeWorkflowExecution", mock.Anything, workflows.IntakeWorkflowID(in.ID), "").Return(
		&workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: enums.WORKFLOW_EXECUTION_STATUS_TERMINATED}}, nil).Maybe()
	dinsos := e.login("dinsos")
	path := fmt.Sprintf("/unggah/%d", in.ID)
	action := fmt.Sprintf(`action="%s/lanjutkan"`, path)
	if page := dinsos.get(path).Body.String(); !strings.Contains(page, action) || !strings.Contains(page, "Lanjutkan unggahan") {
		t.Fatalf("the queued intake's page offers no resume:\n%s", page)
	}
	if w := e.login("tksk").post(path+"/lanjutkan", nil); w.Code != http.StatusForbidden || len(e.office.started) != 0 {
		t.Errorf("TKSK resumes the intake: %d, started %v", w.Code, e.office.started)
	}
	w := dinsos.post(path+"/lanjutkan", nil)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || loc != path+"?dilanjutkan=1" || !slices.Equal(e.office.started, []string{workflows.IntakeWorkflowID(in.ID)}) {
		t.Fatalf("resume: %d %q, started %v", w.Code, loc, e.office.started)
	}
	if page := dinsos.get(loc).Body.String(); !strings.Contains(page, "Unggahan dilanjutkan") {
		t.Error("the intake's page after resuming does not say so")
	}
	if err := e.st.DB.Model(&store.Intake{}).Where("id = ?", in.ID).Update("status", store.IntakeDone).Error; err != nil {
		t.Fatal(err)
	}
	if page := dinsos.get(path).Body.String(); strings.Contains(page, action) {
		t.Error("the done intake's page offers to resume it")
	}
}
