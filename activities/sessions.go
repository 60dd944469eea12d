package activities

import (
	"context"
	"time"
)

// PurgeSessions deletes the sessions that expired or were revoked before
// cutoff (store.PurgeSessions) and returns how many. Deleting what is
// already gone is nothing, so a retry is harmless.
func (a *Activities) PurgeSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := a.Store.PurgeSessions(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	if a.Log != nil {
		a.Log.InfoContext(ctx, "sessions purged", "count", n, "cutoff", cutoff)
	}
	return n, nil
}
