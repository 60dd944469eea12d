package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// TestCloseCycle: a cycle with an intake still running, a decree not yet
// signed or withdrawn, or a batch not yet sent or still waiting for
// Kemensos' answer cannot be closed;
// once it has finished the close is recorded and audited, a second close
// is refused, and a closed cycle takes no intake, decree or proposal. The
// close's fan-out pages through the households whose case has not ended.
func TestCloseCycle(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		dinsos := domain.Actor{UserID: 7, Role: "dinsos", RequestID: "req-close"}
		in := store.Intake{CycleID: cy.ID, FileName: "p3ke.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		var hs []store.NewHousehold
		for i := range 4 {
			hs = append(hs, store.NewHousehold{NIK: fmt.Sprintf("350501550380%04d", i+1), NoKK: fmt.Sprintf("35050101012%05d", i+1),
				Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("P3KE-", i), Name: fmt.Sprint("KK ", i), Address: "Dusun Krajan",
					RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1,
					NIKMasked: ident.Mask(fmt.Sprintf("350501550380%04d", i+1)), KKMasked: ident.Mask(fmt.Sprintf("35050101012%05d", i+1))}})
		}
		if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 5, Households: hs, Accepted: 4, Rows: 4, DueAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		must(t, db.Model(&store.Household{}).Order("id").Pluck("id", &ids).Error)
		must(t, st.MarkStarted(ctx, in.ID, ids))
		// Ended: removed. Enrolled: its open year waits for the close.
		must(t, db.Model(&store.Household{}).Where("id = ?", ids[1]).Update("stage", "removed").Error)
		must(t, db.Model(&store.Household{}).Where("id = ?", ids[0]).Update("stage", "enrolled").Error)
		must(t, db.Model(&store.Household{}).Where("id = ?", ids[3]).Update("stage", "awaiting_kemensos").Error)

		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", dinsos); !domain.IsKind(err, domain.KindConflict) || errors.Is(err, store.ErrCycleClosed) {
			t.Fatalf("close with the intake queued: %v, want a conflict naming the intake", err)
		}
		var got store.Cycle
		must(t, db.First(&got, "id = ?", cy.ID).Error)
		if got.ClosedAt != nil {
			t.Fatal("the refused close was recorded")
		}
		must(t, st.SetIntakeStatus(ctx, in.ID, store.IntakeDone, ""))

		// A decree not yet signed, then a batch not yet sent, hold the close
		// back: either would act after it on households it has ended.
		draft := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeSubmitted}
		must(t, db.Create(&draft).Error)
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", dinsos); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "decree") {
			t.Fatalf("close with a decree awaiting signature: %v, want a conflict naming the decree", err)
		}
		must(t, db.Model(&draft).Update("status", domain.DecreeWithdrawn).Error)
		batch := store.Proposal{CycleID: cy.ID, DecreeID: draft.ID, Month: "2026-07", Status: domain.ProposalDraft}
		must(t, db.Create(&batch).Error)
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", dinsos); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "batch") {
			t.Fatalf("close with a batch not sent: %v, want a conflict naming the batch", err)
		}
		must(t, db.Model(&batch).Update("status", domain.ProposalSubmitted).Error)
		if _, err := st.CloseCycle(ctx, cy.ID, "tutup buku", dinsos); !domain.IsKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "Kemensos' answer") {
			t.Fatalf("close with a batch waiting for Kemensos: %v, want a conflict naming the answer", err)
		}
		must(t, db.Model(&batch).Update("status", domain.ProposalAnswered).Error)

		c, err := st.CloseCycle(ctx, cy.ID, "tutup buku 2026", dinsos)
		if err != nil || c.ClosedAt == nil || c.CloseReason != "tutup buku 2026" || c.ClosedBy != 7 {
			t.Fatalf("close: %+v, %v", c, err)
		}
		var audits int64
		must(t, db.Model(&store.AuditEntry{}).Where("cycle_id = ? AND action = ?", cy.ID, "cycle.close").Count(&audits).Error)
		if audits != 1 {
			t.Errorf("%d cycle.close audit entries, want 1", audits)
		}
		if _, err := st.CloseCycle(ctx, cy.ID, "lagi", dinsos); !errors.Is(err, store.ErrCycleClosed) {
			t.Errorf("second close: %v, want ErrCycleClosed", err)
		}
		must(t, db.First(&got, "id = ?", cy.ID).Error)
		if got.CloseReason != "tutup buku 2026" {
			t.Errorf("the second close changed the reason to %q", got.CloseReason)
		}

		// The fan-out's pages: the three whose case is open (the enrolled one
		// in its open year), two at a time.
		page1, err := st.OpenHouseholds(ctx, cy.ID, 0, 2)
		must(t, err)
		page2, err := st.OpenHouseholds(ctx, cy.ID, page1[len(page1)-1], 2)
		must(t, err)
		equalIDs(t, append(page1, page2...), []int64{ids[0], ids[2], ids[3]})
		must(t, st.SetCloseProgress(ctx, cy.ID, 3))
		must(t, db.First(&got, "id = ?", cy.ID).Error)
		if got.CloseHouseholds != 3 {
			t.Errorf("progress %d, want 3", got.CloseHouseholds)
		}

		if err := st.CreateIntake(ctx, &store.Intake{CycleID: cy.ID, FileName: "late.csv"}, strings.NewReader("x"), 1); !errors.Is(err, store.ErrCycleClosed) {
			t.Errorf("intake into a closed cycle: %v", err)
		}
		if err := st.DraftDecree(ctx, &store.Decree{CycleID: cy.ID, RegencyCode: "35.05"}, nil, dinsos); !errors.Is(err, store.ErrCycleClosed) {
			t.Errorf("decree in a closed cycle: %v", err)
		}
		if err := st.BuildProposal(ctx, &store.Proposal{CycleID: cy.ID, Month: "2026-07"}, dinsos); !errors.Is(err, store.ErrCycleClosed) {
			t.Errorf("proposal in a closed cycle: %v", err)
		}
	})
}

func equalIDs(t *testing.T, got, want []int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}
