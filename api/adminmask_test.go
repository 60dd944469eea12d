package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store/storetest"
)

// TestAdminSeesNoNames (issue 17, defect 3): an administrator gets every
// family's name masked and its address hidden, in every list and file:
// the task list and a task, the household, the decree and its attachment,
// the enrolment lists, the batch (its SIKS-NG file is Dinsos' alone), the
// report in JSON and XLSX, and the pages showing the same. Each answer is
// searched for the seeded names and addresses in clear (testAPI.do does it
// for every request of an administrator's session, here and in the
// matrix); the answers that list the seeded family must show it, masked,
// so the check is not vacuous.
func TestAdminSeesNoNames(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		admin := w.byName["admin"]
		for _, c := range w.cycles {
			// The decreed household is in the decree's attachment and in
			// the enrolment lists; the proposed one in both batches.
			var decreed *mxHousehold
			for _, h := range w.households {
				if h.cycle == c && h.programmes != "" {
					decreed = h
				}
			}
			if decreed == nil {
				t.Fatalf("cycle %d has no decreed household", c.id)
			}
			for _, r := range []struct {
				route, path string
				page        bool
				status      int
				// shows is the household the answer must list, masked.
				shows *mxHousehold
			}{
				{route: "/api/v1/tasks", path: "/api/v1/tasks?cycleId=%d&perPage=100", status: 200, shows: decreed},
				{route: "/api/v1/tasks/:id", path: fmt.Sprintf("/api/v1/tasks/%d", decreed.id), status: 200, shows: decreed},
				{route: "/api/v1/households/:id", path: fmt.Sprintf("/api/v1/households/%d", decreed.id), status: 200, shows: decreed},
				{route: "/api/v1/households/:id/identity", path: fmt.Sprintf("/api/v1/households/%d/identity", decreed.id), status: http.StatusForbidden},
				{route: "/api/v1/decrees/:id", path: fmt.Sprintf("/api/v1/decrees/%d", c.decree), status: 200},
				{route: "/api/v1/decrees/:id/attachment", path: fmt.Sprintf("/api/v1/decrees/%d/attachment", c.decree), status: 200, shows: decreed},
				{route: "/api/v1/cycles/:id/enrolments", path: "/api/v1/cycles/%d/enrolments?programme=PKH", status: 200, shows: decreed},
				{route: "/api/v1/cycles/:id/enrolments", path: "/api/v1/cycles/%d/enrolments?programme=BPJS-TK", status: 200, shows: decreed},
				{route: "/api/v1/cycles/:id/proposals", path: "/api/v1/cycles/%d/proposals", status: 200},
				{route: "/api/v1/proposals/:id", path: fmt.Sprintf("/api/v1/proposals/%d", c.sentProposal), status: 200},
				{route: "/api/v1/proposals/:id/file", path: fmt.Sprintf("/api/v1/proposals/%d/file", c.draftProposal), status: http.StatusForbidden},
				{route: "/api/v1/cycles/:id/report", path: "/api/v1/cycles/%d/report", status: 200},
				{route: "/api/v1/cycles/:id/report", path: "/api/v1/cycles/%d/report?format=xlsx", status: 200},
				{route: "/api/v1/cycles/:id/stuck", path: "/api/v1/cycles/%d/stuck?days=1", status: 200},
				{route: "/api/v1/notifications", path: "/api/v1/notifications", status: 200},
				{route: "/tugas", path: "/tugas?siklus=%d", page: true, status: 200, shows: decreed},
				{route: "/tugas/:id", path: fmt.Sprintf("/tugas/%d", decreed.id), page: true, status: 200, shows: decreed},
				{route: "/rumah-tangga/:id", path: fmt.Sprintf("/rumah-tangga/%d", decreed.id), page: true, status: 200, shows: decreed},
				{route: "/sk/:id", path: fmt.Sprintf("/sk/%d", c.decree), page: true, status: 200},
				{route: "/usulan/:id", path: fmt.Sprintf("/usulan/%d", c.sentProposal), page: true, status: 200},
				{route: "/macet", path: "/macet?siklus=%d", page: true, status: 200},
				{route: "/dasbor", path: "/dasbor?siklus=%d", page: true, status: 200},
			} {
				p := r.path
				if strings.Contains(p, "%d") {
					p = fmt.Sprintf(p, c.id)
				}
				req := apiRequest{method: http.MethodGet, route: r.route, path: p, token: admin.token}
				if r.page {
					req.cookie, req.token = admin.token, ""
				}
				resp := w.do(req)
				if resp.code != r.status {
					t.Errorf("admin GET %s: %d, want %d: %.300s", p, resp.code, r.status, resp.body)
					continue
				}
				if r.shows == nil {
					continue
				}
				text := string(resp.body)
				if strings.Contains(resp.header.Get("Content-Type"), "spreadsheetml") {
					text = strings.Join(xlsxCells(t, resp.body), "\n")
				}
				if !strings.Contains(text, r.shows.masked) {
					t.Errorf("admin GET %s does not list household %d as %q: %.500s", p, r.shows.id, r.shows.masked, text)
				}
			}
		}
	})
}
