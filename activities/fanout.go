package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
)

// fanOutPage is how many households a fan-out reads at a time. Its
// heartbeats record how far it got, so a fan-out interrupted by a crash
// resumes where it stopped instead of starting over.
const fanOutPage = 200

// CloseVillageInput names the meeting whose village list is closed.
type CloseVillageInput struct {
	MeetingID int64
}

// CloseVillageResult reports how many households were told.
type CloseVillageResult struct {
	Signalled int
}

// CloseVillage tells every household of a village whose result waited for
// the meeting that the list is closed. The close is keyed by the meeting in
// the household workflow, so one repeated after a crash does no harm.
func (a *Activities) CloseVillage(ctx context.Context, in CloseVillageInput) (CloseVillageResult, error) {
	var after int64
	var res CloseVillageResult
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after, &res)
	}
	for {
		m, ids, err := a.Store.MeetingHouseholds(ctx, in.MeetingID, after, fanOutPage)
		if err != nil {
			return res, classify(err)
		}
		if len(ids) == 0 {
			return res, nil
		}
		for _, id := range ids {
			err := a.FanOutUpdates.inSlot(ctx, func() error {
				return a.Cases.MeetingClosed(ctx, m.CycleID, id, in.MeetingID)
			})
			if err != nil {
				return res, fmt.Errorf("close household's list: %w", err)
			}
			res.Signalled++
			after = id
			// Each close waits for a slot and for the household's workflow
			// task: a page of them can outlast the heartbeat timeout (the
			// SDK throttles these calls).
			activity.RecordHeartbeat(ctx, after, res)
		}
	}
}

// CloseCycleInput names a closed cycle and Dinsos' reason.
type CloseCycleInput struct {
	CycleID int64
	Reason  string
}

// CloseCycleResult counts the households the close reached: Closed ended
// in stage closed, Finished had ended already.
type CloseCycleResult struct {
	Households int
	Closed     int
	Finished   int
}

// FanOutClose tells every household of a closed cycle whose case has not
// ended that the cycle is closed. It goes in pages of ids, heartbeating the
// last household reached and recording the count on the cycle (its
// progress), so a crash resumes after the last page; the close Update is
// keyed by the cycle, so a repeated page reaches each household once.
func (a *Activities) FanOutClose(ctx context.Context, in CloseCycleInput) (CloseCycleResult, error) {
	var after int64
	var res CloseCycleResult
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after, &res)
	}
	for {
		ids, err := a.Store.OpenHouseholds(ctx, in.CycleID, after, fanOutPage)
		if err != nil {
			return res, classify(err)
		}
		if len(ids) == 0 {
			return res, nil
		}
		for _, id := range ids {
			var closed bool
			err := a.FanOutUpdates.inSlot(ctx, func() (err error) {
				closed, err = a.Cases.CycleClosed(ctx, in.CycleID, id, in.Reason)
				return err
			})
			if err != nil {
				return res, fmt.Errorf("close household: %w", err)
			}
			if closed {
				res.Closed++
			} else {
				res.Finished++
			}
			res.Households++
			after = id
			// Each close waits for a slot and for the household's workflow
			// task: a page of them can outlast the heartbeat timeout (the
			// SDK throttles these calls).
			activity.RecordHeartbeat(ctx, after, res)
		}
		if err := a.Store.SetCloseProgress(ctx, in.CycleID, res.Households); err != nil {
			return res, classify(err)
		}
		activity.RecordHeartbeat(ctx, after, res)
	}
}
