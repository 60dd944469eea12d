package activities

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A full Slots makes the next caller wait until a slot is given back, or
// until its context ends; nil Slots never wait.
func TestSlots(t *testing.T) {
	s := NewSlots(1)
	ctx := context.Background()
	if err := s.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := s.acquire(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire on a full Slots: %v, want the context's deadline", err)
	}
	s.release()
	if err := s.inSlot(ctx, func() error { return nil }); err != nil {
		t.Fatalf("after release: %v", err)
	}
	var none Slots = NewSlots(0)
	if none != nil {
		t.Fatalf("NewSlots(0) = %v, want no bound (nil)", none)
	}
	for range 3 {
		if err := none.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
