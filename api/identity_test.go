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

// TestProposalDownloadAudited: the SIKS-NG file carries every proposed
// household's full NIK and No KK, so each download is its own audit entry
// (a client reusing a request id does not fold two into one), and when the
// entry cannot be written the file is not handed out.
func TestProposalDownloadAudited(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		cy, dinsos := w.cycles[0], w.byName["dinsos.blitar"]
		download := func() *apiResponse {
			t.Helper()
			return w.do(apiRequest{method: "GET", route: "/api/v1/proposals/:id/file", path: fmt.Sprintf("/api/v1/proposals/%d/file", cy.draftProposal),
				token: dinsos.token, header: map[string]string{"X-Request-ID": "same-request"}, fullIDs: true})
		}
		download().want(t, "download", http.StatusOK)
		download().want(t, "download again", http.StatusOK)
		var n int64
		db.Model(&store.AuditEntry{}).Where("action = ? AND request_id = ?", "proposal.download", "same-request").Count(&n)
		if n != 2 {
			t.Fatalf("%d download entries after two downloads, want 2", n)
		}
		if err := db.Exec("ALTER TABLE audit_entries RENAME TO audit_entries_away").Error; err != nil {
			t.Fatal(err)
		}
		r := download()
		if err := db.Exec("ALTER TABLE audit_entries_away RENAME TO audit_entries").Error; err != nil {
			t.Fatal(err)
		}
		r.want(t, "download without an audit trail", http.StatusServiceUnavailable)
		if len(r.body) > 0 && strings.Contains(string(r.body), cy.proposed.nik) {
			t.Errorf("the refused download still carried a NIK")
		}
	})
}
