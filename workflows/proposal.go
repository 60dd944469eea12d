package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/verval/verval/activities"
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
	// Simulate, when set, has the simulated Kemensos answer after a delay
	// (the local stack and benchmarks).
	Simulate *SimulateKemensos
}

// SimulateKemensos configures the simulated Kemensos.
type SimulateKemensos struct {
	Delay       time.Duration
	Seed        int64
	RejectShare float64
}

// ProposalResult counts the households the batch reached and answered.
type ProposalResult struct {
	Households int
	Answered   int
}

// ProposalWorkflow follows one monthly batch: it tells each household it
// was proposed, then, each time answers are uploaded, gives them to the
// households, until every household has its answer. When Kemensos is late
// it reminds Dinsos once per period, for the whole batch.
func ProposalWorkflow(ctx workflow.Context, in ProposalInput) (ProposalResult, error) {
	if in.ReminderAfter <= 0 {
		in.ReminderAfter = DefaultDeadlines().KemensosReminderAfter
	}
	fan := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    fanOutHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
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
	if in.Simulate != nil {
		if err := workflow.Sleep(ctx, in.Simulate.Delay); err != nil {
			return res, err
		}
		// One database transaction, no pages to heartbeat: no heartbeat timeout.
		sim := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
		})
		if err := workflow.ExecuteActivity(sim, a.SimulateKemensos, activities.SimulateInput{
			ProposalID: in.ProposalID, Seed: in.Simulate.Seed, RejectShare: in.Simulate.RejectShare,
		}).Get(ctx, nil); err != nil {
			return res, err
		}
		uploads++
	}
	for {
		answered, err := awaitWithTimer(ctx, in.ReminderAfter, func() bool { return uploads > 0 })
		if err != nil {
			return res, err
		}
		if !answered {
			if err := workflow.ExecuteActivity(fan, a.NotifyKemensosLate, activities.KemensosLateInput{
				ProposalID: in.ProposalID, CycleID: in.CycleID, RegencyCode: in.RegencyCode, At: workflow.Now(ctx),
			}).Get(ctx, nil); err != nil {
				return res, err
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
