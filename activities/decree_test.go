package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// A returned revocation decree can be revised (back to draft, with the
// households it revokes) and submitted again, like any decree.
func TestReviseReturnedRevocation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3, "awaiting_decree")
	acts := &activities.Activities{Store: f.st}
	dinsos := domain.Actor{UserID: 31, Role: "dinsos", RequestID: "r1"}
	step := func(id int64, from, to domain.DecreeStatus, number, reason string) error {
		return acts.ChangeDecree(ctx, domain.DecreeChange{
			DecreeID: id, From: from, To: to, Number: number, Date: "2025-03-23", Reason: reason,
			Actor: domain.Actor{UserID: 41, Role: "bupati", RequestID: string(from + to)}, At: opened.Add(20 * 24 * time.Hour),
		})
	}
	first := &store.Decree{CycleID: f.cycle.ID, RegencyCode: "35.05"}
	must(t, f.st.DraftDecree(ctx, first, nil, dinsos))
	must(t, step(first.ID, domain.DecreeDraft, domain.DecreeSubmitted, "", ""))
	must(t, step(first.ID, domain.DecreeSubmitted, domain.DecreeSigned, "400/1/KEP/2025", ""))

	rev := &store.Decree{CycleID: f.cycle.ID, RegencyCode: "35.05", Kind: domain.DecreeRevocation, Reason: "SK dicabut"}
	must(t, f.st.DraftDecree(ctx, rev, []int64{f.ids[0], f.ids[2]}, dinsos))
	must(t, step(rev.ID, domain.DecreeDraft, domain.DecreeSubmitted, "", ""))
	must(t, step(rev.ID, domain.DecreeSubmitted, domain.DecreeReturned, "", "lampiran salah"))
	if err := step(rev.ID, domain.DecreeReturned, domain.DecreeDraft, "", ""); err != nil {
		t.Fatalf("revise a returned revocation: %v", err)
	}
	must(t, step(rev.ID, domain.DecreeDraft, domain.DecreeSubmitted, "", ""))
	page, err := f.st.DecreePage(ctx, rev.ID, 0, 10)
	must(t, err)
	if len(page) != 2 || page[0].HouseholdID != f.ids[0] || page[1].HouseholdID != f.ids[2] || page[0].Action != "revoke" {
		t.Errorf("revised revocation lists %+v, want households %d and %d revoked", page, f.ids[0], f.ids[2])
	}
	got, err := f.st.GetDecree(ctx, rev.ID)
	must(t, err)
	if got.Status != domain.DecreeSubmitted || got.Households != 2 {
		t.Errorf("revised revocation: status %s, %d households; want submitted, 2", got.Status, got.Households)
	}
}
