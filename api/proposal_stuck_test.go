package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// TestNoBatchStuckForGood (issue 17, defect 1). An answer file uploaded
// to a batch the simulated Kemensos answers is refused (409
// proposal.simulated_upload) and applies nothing. When a batch's workflow
// has ended without finishing (it failed, or was terminated), Temporal
// answers the signal NotFound: recording that Kemensos did not answer, and
// uploading the answer file again, start the workflow again from the
// stored state (SignalWithStart, reuse policy ALLOW_DUPLICATE_FAILED_ONLY)
// instead of answering 503, and the cycle can then be closed.
func TestNoBatchStuckForGood(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		dinsos := w.byName["dinsos.blitar"]
		c := w.cycles[0]
		h := c.proposed
		answers := func() apiRequest {
			raw, ct := upload("jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-03-25\n")
			return apiRequest{method: http.MethodPost, route: "/api/v1/proposals/:id/answers", path: fmt.Sprintf("/api/v1/proposals/%d/answers", c.sentProposal),
				raw: raw, contentType: ct, token: dinsos.token}
		}

		// A simulated batch takes no file.
		must(t, db.Model(&store.Proposal{}).Where("id = ?", c.sentProposal).Update("simulated", true).Error)
		r := w.do(answers())
		var refused struct{ Code string }
		r.decode(t, &refused)
		if r.code != http.StatusConflict || refused.Code != string(domain.CodeProposalSimulatedUpload) {
			t.Fatalf("upload to a simulated batch: %d %s, want 409 %s", r.code, r.body, domain.CodeProposalSimulatedUpload)
		}
		var answered int64
		must(t, db.Model(&store.ProposalItem{}).Where("proposal_id = ? AND answer <> ''", c.sentProposal).Count(&answered).Error)
		if answered != 0 {
			t.Fatalf("the refused upload answered %d households", answered)
		}
		must(t, db.Model(&store.Proposal{}).Where("id = ?", c.sentProposal).Update("simulated", false).Error)

		// The batch's workflow has failed: every signal to it is NotFound.
		var kept []*mock.Call
		for _, call := range w.temporal.ExpectedCalls {
			if call.Method != "SignalWorkflow" {
				kept = append(kept, call)
			}
		}
		w.temporal.ExpectedCalls = kept
		w.temporal.On("SignalWorkflow", mock.Anything, workflows.ProposalWorkflowID(c.sentProposal), mock.Anything, mock.Anything, mock.Anything).
			Return(serviceerror.NewNotFound("workflow execution already completed"))
		resumed := func(what string, r *apiResponse) {
			t.Helper()
			calls := r.temporalCalls("SignalWithStartWorkflow")
			if len(calls) != 1 {
				t.Errorf("%s with the batch's workflow failed: %d %s; %d starts, want the workflow started again", what, r.code, r.body, len(calls))
				return
			}
			opts := calls[0].Arguments.Get(4).(client.StartWorkflowOptions)
			in, _ := calls[0].Arguments.Get(6).(workflows.ProposalInput)
			if calls[0].Arguments.String(1) != workflows.ProposalWorkflowID(c.sentProposal) || opts.ID != workflows.ProposalWorkflowID(c.sentProposal) ||
				opts.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY ||
				calls[0].Arguments.String(2) != workflows.SignalAnswersUploaded || in.ProposalID != c.sentProposal || in.RegencyCode != c.regency {
				t.Errorf("%s: started %q with %+v, input %+v", what, calls[0].Arguments.String(1), opts, in)
			}
		}

		r = w.do(answers())
		if r.code != http.StatusOK {
			t.Errorf("answer upload with the batch's workflow failed: %d %s, want 200", r.code, r.body)
		}
		resumed("the answer upload", r)
		// Again: the answer is stored, none is new, it is handed over.
		r = w.do(answers())
		if r.code != http.StatusOK {
			t.Errorf("the same upload again: %d %s, want 200", r.code, r.body)
		}
		resumed("the same upload again", r)

		w.unanswer(c.sentProposal)
		r = w.do(apiRequest{method: http.MethodPost, route: "/api/v1/proposals/:id/unanswered", path: fmt.Sprintf("/api/v1/proposals/%d/unanswered", c.sentProposal),
			json: map[string]string{"reason": "tidak ada jawaban Kemensos"}, token: dinsos.token})
		if r.code != http.StatusOK {
			t.Errorf("recording no answer with the batch's workflow failed: %d %s, want 200", r.code, r.body)
		}
		resumed("recording no answer", r)

		// Nothing holds the cycle's close back now (the seeded intake and
		// draft batch aside).
		must(t, db.Model(&store.Intake{}).Where("cycle_id = ?", c.id).Update("status", "done").Error)
		must(t, db.Where("proposal_id = ?", c.draftProposal).Delete(&store.ProposalItem{}).Error)
		must(t, db.Delete(&store.Proposal{}, c.draftProposal).Error)
		r = w.do(apiRequest{method: http.MethodPost, route: "/api/v1/cycles/:id/close", path: fmt.Sprintf("/api/v1/cycles/%d/close", c.id),
			json: map[string]string{"reason": "tutup buku"}, token: dinsos.token})
		if r.code != http.StatusAccepted {
			t.Errorf("closing the cycle after the batch was marked: %d %s, want 202", r.code, r.body)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
