package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SessionRetention is how long a session is kept once it has expired or
// been revoked, before the daily purge deletes it. A month of them answers
// "was this account signed in, and when did its sessions end?" after an
// incident (a lost phone, a disabled officer) without the table growing
// for ever: a regency's few hundred officers sign in a few times a day.
const SessionRetention = 30 * 24 * time.Hour

// SessionsPurgeScheduleID is the ID of the Temporal Schedule that runs
// PurgeSessionsWorkflow daily; each run's workflow ID is this ID and its
// time.
const SessionsPurgeScheduleID = "sessions-purge"

// PurgeSessionsInput is the purge's input; the schedule sends it empty.
type PurgeSessionsInput struct {
	// Retention replaces SessionRetention when positive.
	Retention time.Duration
}

// PurgeSessionsWorkflow deletes the sessions that expired or were revoked
// more than the retention before the run (one activity, one statement),
// and returns how many.
func PurgeSessionsWorkflow(ctx workflow.Context, in PurgeSessionsInput) (int64, error) {
	retention := in.Retention
	if retention <= 0 {
		retention = SessionRetention
	}
	var n int64
	err := workflow.ExecuteActivity(oneTx(ctx), a.PurgeSessions, workflow.Now(ctx).Add(-retention)).Get(ctx, &n)
	return n, err
}

// Schedules are verval's Temporal Schedules, which EnsureSchedules keeps
// in place: today the daily sessions purge, at 02:00 WIB (19:00 UTC), on
// the operations queue. A run still going when the next is due (the
// database down for a day) makes the next one skip; each run gives up
// after 12 hours.
func Schedules() []client.ScheduleOptions {
	return []client.ScheduleOptions{{
		ID: SessionsPurgeScheduleID,
		Spec: client.ScheduleSpec{
			Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 19 * time.Hour}},
		},
		Action: &client.ScheduleWorkflowAction{
			ID: SessionsPurgeScheduleID, Workflow: PurgeSessionsWorkflow, Args: []any{PurgeSessionsInput{}},
			TaskQueue: OpsTaskQueue, WorkflowExecutionTimeout: 12 * time.Hour,
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	}}
}

// EnsureSchedules creates every schedule of Schedules, or brings one that
// exists up to date (its spec, action and overlap policy; a pause an
// operator set stays). Safe to run at every start of every worker, at
// once: `verval worker` and `verval dev` run it before polling.
func EnsureSchedules(ctx context.Context, c client.Client) error {
	for _, o := range Schedules() {
		if err := ensureSchedule(ctx, c.ScheduleClient(), o); err != nil {
			return fmt.Errorf("temporal schedule %s: %w", o.ID, err)
		}
	}
	return nil
}

// ensureSchedule creates schedule o or updates the one of its ID. Two
// workers starting together may both update it; the server refuses the
// second update (its conflict token is stale), which then reads the
// schedule again and retries.
func ensureSchedule(ctx context.Context, sc client.ScheduleClient, o client.ScheduleOptions) error {
	var err error
	for range 3 {
		if _, err = sc.Create(ctx, o); !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return err
		}
		err = sc.GetHandle(ctx, o.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				s := in.Description.Schedule
				s.Spec, s.Action = &o.Spec, o.Action
				if s.Policy == nil {
					s.Policy = &client.SchedulePolicies{}
				}
				s.Policy.Overlap = o.Overlap
				return &client.ScheduleUpdate{Schedule: &s}, nil
			},
		})
		if err == nil {
			return nil
		}
	}
	return err
}
