package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	"golang.org/x/sync/errgroup"
)

// fanOutPage is how many households one page of a fan-out signals. Each
// page ends with a heartbeat that records how far it got, so a fan-out
// interrupted by a crash resumes where it stopped instead of starting over.
const fanOutPage = 200

// fanOutParallelism is how many signals of a page are in flight at once.
// A signal is a round trip and one write on the server: sent one at a
// time, a fan-out runs at the round trip's pace (50 households a second on
// the dev server) with the server mostly idle. A few at once fill it
// without a burst of hundreds of households' workflow tasks queueing ahead
// of an officer's Update on the households' task queue.
const fanOutParallelism = 8

// signalEach calls signal for every item of a page, fanOutParallelism at a
// time, and returns the first error once the others have returned. A page
// is all or nothing for the caller's progress: after an error the
// activity is retried from the last page's heartbeat, and the signals
// already sent are sent again, which a household ignores.
func signalEach[T any](ctx context.Context, page []T, signal func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fanOutParallelism)
	for _, it := range page {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // a signal failed: send no more of the page
			}
			return signal(gctx, it)
		})
	}
	return g.Wait()
}

// CloseVillageInput names the meeting whose village list is closed.
type CloseVillageInput struct {
	MeetingID int64
}

// CloseVillageResult reports how many households were told.
type CloseVillageResult struct {
	Signalled int
}

// CloseVillage tells every household of a village whose result waited for
// the meeting that the list is closed. Signals are idempotent in the
// household workflow, so a page repeated after a crash does no harm.
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
		if err := signalEach(ctx, ids, func(ctx context.Context, id int64) error {
			return a.Cases.MeetingClosed(ctx, m.CycleID, id, in.MeetingID)
		}); err != nil {
			return res, fmt.Errorf("signal household: %w", err)
		}
		res.Signalled += len(ids)
		after = ids[len(ids)-1]
		activity.RecordHeartbeat(ctx, after, res)
	}
}
