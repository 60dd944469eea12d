package codec_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/internal/codec"
)

// verifyRequest and verifyResult follow the one-struct-in, one-struct-out
// rule; both carry personal data on purpose.
type verifyRequest struct {
	Household household
	Reject    bool
}

type verifyResult struct {
	Household household
	Verified  bool
}

func verifyActivity(_ context.Context, req verifyRequest) (verifyResult, error) {
	if req.Reject {
		return verifyResult{}, temporal.NewNonRetryableApplicationError(
			"NIK "+req.Household.NIK+" sudah terdaftar", "DuplicateNIK", nil)
	}
	return verifyResult{Household: req.Household, Verified: true}, nil
}

func verifyWorkflow(ctx workflow.Context, req verifyRequest) (verifyResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var res verifyResult
	err := workflow.ExecuteActivity(ctx, verifyActivity, req).Get(ctx, &res)
	return res, err
}

// spyCodec records what the SDK hands to the codec and what leaves it.
type spyCodec struct {
	inner   converter.PayloadCodec
	mu      sync.Mutex
	encoded []*commonpb.Payload
}

func (s *spyCodec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out, err := s.inner.Encode(ps)
	s.mu.Lock()
	s.encoded = append(s.encoded, out...)
	s.mu.Unlock()
	return out, err
}

func (s *spyCodec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return s.inner.Decode(ps)
}

// newEnv returns a test workflow environment using the given converters.
func newEnv(t *testing.T, dc converter.DataConverter, fc converter.FailureConverter) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetDataConverter(dc)
	env.SetFailureConverter(fc)
	env.RegisterWorkflow(verifyWorkflow)
	env.RegisterActivityWithOptions(verifyActivity, activity.RegisterOptions{Name: "verifyActivity"})
	return env
}

func TestWorkflowWithCodec(t *testing.T) {
	dc, fc := codec.ClientOptions(keyring(t, "a:"+keyA))
	env := newEnv(t, dc, fc)
	in := household{testNIK, testKK, testName}

	env.ExecuteWorkflow(verifyWorkflow, verifyRequest{Household: in})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res verifyResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if !res.Verified || res.Household != in {
		t.Fatalf("result = %+v", res)
	}
}

func TestWorkflowFailureWithCodec(t *testing.T) {
	dc, fc := codec.ClientOptions(keyring(t, "a:"+keyA))
	env := newEnv(t, dc, fc)

	env.ExecuteWorkflow(verifyWorkflow, verifyRequest{Household: household{NIK: testNIK}, Reject: true})
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("workflow error = %v, want an application error", err)
	}
	// Decoded on the way back: the message is intact for the caller.
	if appErr.Type() != "DuplicateNIK" || !strings.Contains(appErr.Message(), testNIK) {
		t.Fatalf("decoded error: type %q message %q", appErr.Type(), appErr.Message())
	}
}

// TestWorkflowPayloadsLeaveEncrypted proves, through the SDK's own
// conversion path, that every payload the codec emits (workflow input,
// activity input and result, workflow result, failure attributes) is
// encrypted and free of personal data.
func TestWorkflowPayloadsLeaveEncrypted(t *testing.T) {
	k := keyring(t, "a:"+keyA)
	spy := &spyCodec{inner: codec.NewCodec(k)}
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), spy)
	fc := codec.NewFailureConverter(dc)

	for _, reject := range []bool{false, true} {
		env := newEnv(t, dc, fc)
		env.ExecuteWorkflow(verifyWorkflow, verifyRequest{Household: household{testNIK, testKK, testName}, Reject: reject})
		if !env.IsWorkflowCompleted() {
			t.Fatalf("reject=%v: workflow did not complete", reject)
		}
	}

	spy.mu.Lock()
	defer spy.mu.Unlock()
	if len(spy.encoded) < 4 {
		t.Fatalf("codec saw %d payloads; the SDK did not route through it", len(spy.encoded))
	}
	sawFailureMessage := false
	for _, p := range spy.encoded {
		if string(p.Metadata[converter.MetadataEncoding]) != codec.MetadataEncodingEncrypted {
			t.Fatalf("payload left unencrypted: %v", p.Metadata)
		}
		assertNoPII(t, wire(t, p))
		decoded, err := spy.inner.Decode([]*commonpb.Payload{p})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(decoded[0].Data, []byte("sudah terdaftar")) {
			sawFailureMessage = true
		}
	}
	if !sawFailureMessage {
		t.Fatal("the failure message never went through the codec")
	}
}
