package store_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestLongReasonsAreClipped: a stage or exit reason built from people's
// words (a cycle's close, a decree's revocation) can pass the columns'
// 200 characters; it is stored clipped instead of failing the write, which
// PostgreSQL refuses and a retried activity would repeat for ever.
func TestLongReasonsAreClipped(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		st := storetest.NewStore(db, nil)
		long := "cycle closed in awaiting_proposal: " + strings.Repeat("tutup buku tahun anggaran — ", 12)
		if utf8.RuneCountInString(long) <= store.ReasonMax {
			t.Fatalf("the test's reason is only %d characters", utf8.RuneCountInString(long))
		}
		if err := st.Transition(ctx, store.Transition{HouseholdID: 7, Seq: 3, Stage: "closed", At: time.Now(), Reason: long}); err != nil {
			t.Fatalf("transition with a long reason: %v", err)
		}
		var ev store.StageEvent
		if err := db.First(&ev, "household_id = ? AND seq = ?", 7, 3).Error; err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(ev.Reason); n != store.ReasonMax || !strings.HasSuffix(ev.Reason, "…") || !strings.HasPrefix(long, strings.TrimSuffix(ev.Reason, "…")) {
			t.Errorf("stored reason (%d characters) %q", n, ev.Reason)
		}
		if err := st.PutExit(ctx, enrol.Entry{CycleID: 1, HouseholdID: 7, Programme: enrol.PKH, At: time.Now(), Reason: "revoked: " + long}); err != nil {
			t.Fatalf("exit with a long reason: %v", err)
		}
		if short := "revoked: diangkat PNS"; store.ClipReason(short) != short {
			t.Errorf("a short reason was changed: %q", store.ClipReason(short))
		}
	})
}
