package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestRevealIdentityAudited: every reveal of a household's numbers is its
// own audit entry, even when a client sends the same request id twice, so
// a reveal cannot hide behind a retried one; the entries name who and
// which household, never the numbers, and keep the chain intact. The
// household's page lists them.
func TestRevealIdentityAudited(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		h, officer := w.households[0], w.byName["desa.jaten"]
		reveal := func() {
			t.Helper()
			r := w.do(apiRequest{method: "GET", route: "/api/v1/households/:id/identity", path: fmt.Sprintf("/api/v1/households/%d/identity", h.id),
				token: officer.token, header: map[string]string{"X-Request-ID": "same-request"}, fullIDs: true})
			r.want(t, "reveal", http.StatusOK)
		}
		reveal()
		reveal()
		var entries []store.AuditEntry
		db.Where("action = ? AND household_id = ?", store.ActionIdentityReveal, h.id).Order("id").Find(&entries)
		if len(entries) != 2 {
			t.Fatalf("%d reveal entries after two reveals, want 2", len(entries))
		}
		for _, e := range entries {
			if e.ActorID != officer.id || e.ActorRole != "village" || e.RequestID != "same-request" || e.CycleID != h.cycle.id {
				t.Errorf("reveal entry %+v, want actor %d (village), request same-request, cycle %d", e, officer.id, h.cycle.id)
			}
			if strings.Contains(e.Detail+e.IdemKey, h.nik) || strings.Contains(e.Detail+e.IdemKey, h.kk) {
				t.Errorf("reveal entry %d holds the numbers", e.ID)
			}
		}
		if brk, _, err := w.st.VerifyAudit(t.Context()); err != nil || brk != nil {
			t.Fatalf("audit chain after reveals: %+v, %v", brk, err)
		}
		var v struct{ Audit []struct{ Action string } }
		r := w.do(apiRequest{method: "GET", route: "/api/v1/households/:id", path: fmt.Sprintf("/api/v1/households/%d", h.id), token: w.byName["dinsos.blitar"].token})
		r.want(t, "household", http.StatusOK)
		r.decode(t, &v)
		n := 0
		for _, a := range v.Audit {
			if a.Action == store.ActionIdentityReveal {
				n++
			}
		}
		if n != 2 {
			t.Errorf("the household's page lists %d reveals, want 2", n)
		}
	})
}
