package store_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// An upheld inclusion error's exclusion: a household waiting for its
// first decree leaves the way to the list once (outcome, stage, history
// row, audit entry); one a draft decree lists, or at another stage, is
// refused and left as it was.
func TestExcludeBeforeTheDecree(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		dinsos := domain.Actor{UserID: 3, Role: "dinsos", RequestID: "r1"}
		household := func(i int, stage string) store.Household {
			h, _, _, err := st.CreateUsul(ctx, store.NewUsul{CycleID: cy.ID, NIK: "350501550380000" + string(rune('0'+i)), NoKK: "350501010120000" + string(rune('0'+i)),
				Name: "Keluarga Uji", Address: "Dusun Krajan", DesaCode: "35.05.01.2001", Members: 2, Reason: "Diusulkan untuk diuji", Channel: store.ChannelWalkIn}, 7)
			must(t, err)
			must(t, db.Model(&store.Household{}).Where("id = ?", h.ID).Updates(map[string]any{"stage": stage, "outcome": "eligible", "stage_seq": 2}).Error)
			h.Stage = stage
			return *h
		}
		at := time.Now().UTC()
		excl := func(sanggahID, householdID int64) store.Exclusion {
			return store.Exclusion{SanggahID: sanggahID, Outcome: domain.OutcomeNotPoor, Actor: dinsos,
				Transition: store.Transition{HouseholdID: householdID, Seq: 3, Stage: "not_eligible", At: at, Reason: "sanggah upheld: SGH-3505-2026-000001"}}
		}
		h1 := household(1, "awaiting_decree")
		must(t, st.Exclude(ctx, excl(1, h1.ID)))
		must(t, st.Exclude(ctx, excl(1, h1.ID)))
		var got store.Household
		must(t, db.First(&got, h1.ID).Error)
		if got.Stage != "not_eligible" || got.Outcome != "not_poor" || got.StageSeq != 3 {
			t.Fatalf("excluded household: stage %s#%d, outcome %s", got.Stage, got.StageSeq, got.Outcome)
		}
		var n int64
		must(t, db.Model(&store.AuditEntry{}).Where("household_id = ? AND action = ?", h1.ID, "household.exclude").Count(&n).Error)
		if n != 1 {
			t.Fatalf("%d audit entries, want 1", n)
		}

		h2 := household(2, "awaiting_decree")
		draft := store.Decree{CycleID: cy.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: domain.DecreeDraft}
		must(t, db.Create(&draft).Error)
		must(t, db.Create(&store.DecreeItem{DecreeID: draft.ID, HouseholdID: h2.ID, Action: "add"}).Error)
		h3 := household(3, "awaiting_proposal")
		for _, h := range []store.Household{h2, h3} {
			if err := st.Exclude(ctx, excl(h.ID+100, h.ID)); !errorIsCode(err, domain.CodeSanggahPastDecree) {
				t.Errorf("household at %s listed=%v: %v", h.Stage, h.ID == h2.ID, err)
			}
			var after store.Household
			must(t, db.First(&after, h.ID).Error)
			if after.Outcome != "eligible" || after.StageSeq != 2 || after.Stage != h.Stage {
				t.Errorf("a refused exclusion changed the household: stage %s#%d, outcome %s", after.Stage, after.StageSeq, after.Outcome)
			}
		}
	})
}
