package activities

import "context"

// Slots bounds how many household Updates this worker's fan-outs (a
// village meeting closing its list, the cycle's close) have in flight at
// once, across all of them. Each fan-out sends one Update at a time, so
// without a bound a burst of meetings (villages finishing together, or
// the deadline day) puts as many Updates before the server as there are
// meetings, and the officers' own submissions wait behind them. A nil
// Slots is no bound.
type Slots chan struct{}

// NewSlots returns Slots for n Updates at once; n < 1 means no bound.
func NewSlots(n int) Slots {
	if n < 1 {
		return nil
	}
	return make(Slots, n)
}

// acquire waits for a slot, or for ctx to end.
func (s Slots) acquire(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives back a slot taken by acquire.
func (s Slots) release() {
	if s != nil {
		<-s
	}
}

// inSlot runs f holding one of s's slots.
func (s Slots) inSlot(ctx context.Context, f func() error) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	return f()
}
