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
	var cycleID int64
	return updateEach(ctx, a.FanOutUpdates, "close household's list",
		func(after int64) ([]int64, error) {
			m, ids, err := a.Store.MeetingHouseholds(ctx, in.MeetingID, after, fanOutPage)
			if err == nil {
				cycleID = m.CycleID
			}
			return ids, err
		},
		func(id int64, res *CloseVillageResult) error {
			if err := a.Cases.MeetingClosed(ctx, cycleID, id, in.MeetingID); err != nil {
				return err
			}
			res.Signalled++
			return nil
		}, nil)
}

// updateEach sends one household Update (send) to every id the pages
// list, after the last one a heartbeat recorded, and returns the result
// send added up. Each Update waits for one of slots (the worker's bound on
// fan-out Updates in flight) and for the household's workflow task, so a
// page of them can outlast the heartbeat timeout: it heartbeats the id
// reached and the result after each (the SDK throttles these calls), and
// a crash resumes after the last household reached. pageDone, if not nil,
// records the result after each page. A failed send is wrapped in what.
func updateEach[R any](ctx context.Context, slots Slots, what string, page func(after int64) ([]int64, error),
	send func(id int64, res *R) error, pageDone func(R) error) (R, error) {
	var after int64
	var res R
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after, &res)
	}
	for {
		ids, err := page(after)
		if err != nil {
			return res, classify(err)
		}
		if len(ids) == 0 {
			return res, nil
		}
		for _, id := range ids {
			if err := slots.inSlot(ctx, func() error { return send(id, &res) }); err != nil {
				return res, fmt.Errorf("%s: %w", what, err)
			}
			after = id
			activity.RecordHeartbeat(ctx, after, res)
		}
		if pageDone != nil {
			if err := pageDone(res); err != nil {
				return res, classify(err)
			}
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
	// Sanggah counts the undecided objections the close ended.
	Sanggah int `json:",omitempty"`
}

// FanOutClose tells every household of a closed cycle whose case has not
// ended that the cycle is closed, through updateEach, recording the count
// on the cycle (its progress) after each page; the close Update is keyed by
// the cycle, so a household reached twice after a crash takes it once.
func (a *Activities) FanOutClose(ctx context.Context, in CloseCycleInput) (CloseCycleResult, error) {
	return updateEach(ctx, a.FanOutUpdates, "close household",
		func(after int64) ([]int64, error) {
			return a.Store.OpenHouseholds(ctx, in.CycleID, after, fanOutPage)
		},
		func(id int64, res *CloseCycleResult) error {
			closed, err := a.Cases.CycleClosed(ctx, in.CycleID, id, in.Reason)
			if err != nil {
				return err
			}
			if closed {
				res.Closed++
			} else {
				res.Finished++
			}
			res.Households++
			return nil
		},
		func(res CloseCycleResult) error { return a.Store.SetCloseProgress(ctx, in.CycleID, res.Households) })
}
