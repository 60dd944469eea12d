package workflows_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"google.golang.org/grpc"

	"github.com/verval/verval/workflows"
)

// resets records ResetStickyTaskQueue calls; any other frontend call
// panics on the nil embedded interface.
type resets struct {
	workflowservice.WorkflowServiceClient
	calls *[]string
}

func (r resets) ResetStickyTaskQueue(_ context.Context, req *workflowservice.ResetStickyTaskQueueRequest, _ ...grpc.CallOption) (*workflowservice.ResetStickyTaskQueueResponse, error) {
	*r.calls = append(*r.calls, "reset "+req.Namespace+" "+req.Execution.WorkflowId)
	return &workflowservice.ResetStickyTaskQueueResponse{}, nil
}

// When workers cache workflows, an officer's result first resets the
// household's sticky queue, in the client's namespace, then sends the
// Update; without a cache, or without a namespace, it sends the Update
// alone.
func TestUpdateResetsTheStickyQueueFirst(t *testing.T) {
	for _, tc := range []struct {
		namespace   string
		resetSticky bool
		want        []string
	}{
		{"verval-ns", true, []string{"reset verval-ns household-7-42", "update household-7-42"}},
		{"verval-ns", false, []string{"update household-7-42"}},
		{"", true, []string{"update household-7-42"}},
	} {
		var calls []string
		c := mocks.NewClient(t)
		c.On("WorkflowService").Return(resets{calls: &calls}).Maybe()
		h := &mocks.WorkflowUpdateHandle{}
		h.On("Get", mock.Anything, mock.Anything).Return(nil)
		c.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
			calls = append(calls, "update "+args.Get(1).(client.UpdateWorkflowOptions).WorkflowID)
		}).Return(h, nil)

		cases := workflows.Cases{Client: c, Namespace: tc.namespace, ResetSticky: tc.resetSticky}
		if _, err := cases.SubmitVerification(context.Background(), 7, 42, "key-1", workflows.VerificationRequest{}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(calls, tc.want) {
			t.Errorf("namespace %q, reset %v: calls %q, want %q", tc.namespace, tc.resetSticky, calls, tc.want)
		}
	}
}

// A meeting's message is an Update whose ID names the meeting, so a page
// of the fan-out repeated after a crash applies once. A household whose
// workflow has finished (NotFound, also for an Update the closing
// workflow aborted) is skipped; any other error reaches the fan-out.
func TestMeetingClosedSkipsFinishedHouseholds(t *testing.T) {
	unavailable := serviceerror.NewUnavailable("frontend down")
	for _, tc := range []struct {
		name      string
		updateErr error
		want      error
	}{
		{"delivered", nil, nil},
		{"finished", serviceerror.NewNotFound("workflow execution already completed"), nil},
		{"aborted by closing", serviceerror.NewNotFound("workflow update was aborted by closing workflow"), nil},
		{"server down", unavailable, unavailable},
	} {
		c := mocks.NewClient(t)
		var got client.UpdateWorkflowOptions
		h := &mocks.WorkflowUpdateHandle{}
		h.On("Get", mock.Anything, mock.Anything).Return(nil).Maybe()
		c.On("UpdateWorkflow", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
			got = args.Get(1).(client.UpdateWorkflowOptions)
		}).Return(h, tc.updateErr)

		err := workflows.Cases{Client: c}.MeetingClosed(context.Background(), 7, 42, 3)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if got.WorkflowID != "household-7-42" || got.UpdateID != "meeting-3" || got.UpdateName != workflows.UpdateMeetingClosed ||
			got.WaitForStage != client.WorkflowUpdateStageCompleted {
			t.Errorf("%s: update %+v", tc.name, got)
		}
	}
}
