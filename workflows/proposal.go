package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
)

// SignalAnswersUploaded tells a proposal workflow that Kemensos' answers
// were stored and wait to be given to the households.
const SignalAnswersUploaded = "answers-uploaded"

// ProposalInput starts a submitted proposal batch's workflow.
type ProposalInput struct {
	ProposalID  int64
	CycleID     int64
	RegencyCode string
	// ReminderAfter: Dinsos is reminded when the batch still has unanswered
	// households this long after submission (and every period after);
	// zero means the default of 60 days.
	ReminderAfter time.Duration
	// Simulate, when set, has the simulated Kemensos answer after a delay.
	//
	// Deprecated: read only by workflows started before the Kemensos
	// gateway (kemensosGatewayChange); the activities now hold the gateway
	// the configuration chose, and the API no longer sets this.
	Simulate *SimulateKemensos
}

// SimulateKemensos configures the simulated Kemensos of a workflow started
// before the gateway.
//
// Deprecated: see ProposalInput.Simulate.
type SimulateKemensos struct {
	Delay       time.Duration
	Seed        int64
	RejectShare float64
}

// kemensosGatewayChange marks the proposal workflow's move from
// ProposalInput.Simulate to the activities' Kemensos gateway (version 1):
// SubmitToKemensos after the fan-out, then, for a gateway that answers by
// itself, a timer and CollectKemensosAnswers.
const kemensosGatewayChange = "kemensos-gateway"

// ProposalResult counts the households the batch reached and answered.
type ProposalResult struct {
	Households int
	Answered   int
}

// ProposalWorkflow follows one monthly batch: it tells each household it
// was proposed, then, each time answers are uploaded, gives them to the
// households, until every household has its answer. When Kemensos is late
// it reminds Dinsos once per period, for the whole batch; that check also
// gives answers stored by an upload whose signal was lost.
func ProposalWorkflow(ctx workflow.Context, in ProposalInput) (ProposalResult, error) {
	if in.ReminderAfter <= 0 {
		in.ReminderAfter = domain.DefaultDeadlines().KemensosReminderAfter
	}
	fan := longActivity(ctx, 2*time.Hour)
	ref := activities.ProposalRef{ProposalID: in.ProposalID}
	var res ProposalResult
	var sent activities.FanOutProposalResult
	if err := workflow.ExecuteActivity(fan, a.FanOutProposal, ref).Get(ctx, &sent); err != nil {
		return res, err
	}
	res.Households = sent.Households

	uploads := 0
	ch := workflow.GetSignalChannel(ctx, SignalAnswersUploaded)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for ch.Receive(ctx, nil) {
			uploads++
		}
	})
	if workflow.GetVersion(ctx, kemensosGatewayChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// Started before the gateway: replay what it did.
		if in.Simulate != nil {
			if err := workflow.Sleep(ctx, in.Simulate.Delay); err != nil {
				return res, err
			}
			//lint:ignore SA1019 replaying proposal workflows started before the gateway
			if err := workflow.ExecuteActivity(oneTx(ctx), a.SimulateKemensos, activities.SimulateInput{
				ProposalID: in.ProposalID, Seed: in.Simulate.Seed, RejectShare: in.Simulate.RejectShare,
			}).Get(ctx, nil); err != nil {
				return res, err
			}
			uploads++
		}
	} else {
		// The gateway the worker was configured with says whether it
		// answers by itself (the simulated Kemensos) or Dinsos uploads the
		// answers; the workflow need not know which it is.
		var sub activities.SubmitResult
		if err := workflow.ExecuteActivity(oneTx(ctx), a.SubmitToKemensos, ref).Get(ctx, &sub); err != nil {
			return res, err
		}
		if sub.AnswersItself {
			if err := workflow.Sleep(ctx, sub.AnswerAfter); err != nil {
				return res, err
			}
			if err := workflow.ExecuteActivity(oneTx(ctx), a.CollectKemensosAnswers, ref).Get(ctx, nil); err != nil {
				return res, err
			}
			uploads++
		}
	}
	for {
		answered, err := awaitWithTimer(ctx, in.ReminderAfter, func() bool { return uploads > 0 })
		if err != nil {
			return res, err
		}
		if !answered {
			// The periodic check also finds answers stored by an upload
			// whose signal was lost (the API could not reach Temporal),
			// and gives them. Histories from before it recorded no result,
			// which reads as nothing stored: they replay unchanged.
			var late activities.KemensosLateResult
			if err := workflow.ExecuteActivity(fan, a.NotifyKemensosLate, activities.KemensosLateInput{
				ProposalID: in.ProposalID, CycleID: in.CycleID, RegencyCode: in.RegencyCode, At: workflow.Now(ctx),
			}).Get(ctx, &late); err != nil {
				return res, err
			}
			if late.Ungiven > 0 {
				uploads++
			}
			continue
		}
		uploads = 0
		var got activities.FanOutProposalResult
		if err := workflow.ExecuteActivity(fan, a.FanOutAnswers, ref).Get(ctx, &got); err != nil {
			return res, err
		}
		res.Answered += got.Households
		if got.Remaining == 0 {
			return res, nil
		}
	}
}
