package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/store"
)

// A regency that brings its running year into verval opens the cycle on
// the day its year opened (openedOn): a day of the cycle's year, not in
// the future. It is the cycle's opening, audited, and the year's dates are
// taken from it on (a village meeting of that day, not the day before),
// while the villages' time for their visits counts from the day the cycle
// came in.
func TestCycleOpenedEarlierInItsYear(t *testing.T) {
	a, dinsos := dinsosAPI(t)
	now := a.clock.Now()
	create := func(openedOn string, year int) *apiResponse {
		return a.do(apiRequest{method: "POST", route: "/api/v1/cycles", path: "/api/v1/cycles", token: dinsos,
			json: map[string]any{"regencyCode": "35.05", "year": year, "openedOn": openedOn}})
	}
	for _, c := range []struct {
		openedOn string
		year     int
		code     string
	}{
		{"2026-03-03", 2026, "date.future"},       // tomorrow
		{"2025-12-31", 2026, "cycle.opened_year"}, // the year before
		{"2027-01-01", 2027, "date.future"},
		{"5 Januari 2026", 2026, "date.malformed"},
	} {
		r := create(c.openedOn, c.year)
		var e struct{ Code, Field string }
		r.decode(t, &e)
		if r.code != http.StatusUnprocessableEntity || e.Code != c.code || e.Field != "openedOn" {
			t.Errorf("a cycle of %d opened on %q: %s, want 422 %s on openedOn", c.year, c.openedOn, r.shown(), c.code)
		}
	}

	r := create("2026-01-05", 2026)
	var cy struct {
		ID                  int64
		OpenedAt, CreatedAt time.Time
	}
	if !r.want(t, "a cycle opened on 5 January", http.StatusCreated) {
		return
	}
	r.decode(t, &cy)
	// The start of 5 January in western Indonesia.
	if want := time.Date(2026, 1, 4, 17, 0, 0, 0, time.UTC); !cy.OpenedAt.Equal(want) || !cy.CreatedAt.Equal(now) {
		t.Errorf("the cycle opened at %s, created at %s; want %s and %s", cy.OpenedAt, cy.CreatedAt, want, now)
	}
	var entry store.AuditEntry
	if err := a.db.First(&entry, "action = ? AND cycle_id = ?", "cycle.create", cy.ID).Error; err != nil || !strings.Contains(entry.Detail, `"openedOn":"2026-01-05"`) {
		t.Errorf("the cycle's audit entry: %+v %v", entry, err)
	}
	var stored store.Cycle
	if err := a.db.First(&stored, cy.ID).Error; err != nil {
		t.Fatal(err)
	}
	if due, want := stored.VerificationDue(), now.Add(30*24*time.Hour); !due.Equal(want) {
		t.Errorf("the visits are due %s, want 30 days after the cycle came in (%s)", due, want)
	}

	village := a.login("desa1", "desa-satu-2026")
	meeting := func(date string) *apiResponse {
		return a.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/meetings", path: fmt.Sprintf("/api/v1/cycles/%d/meetings", cy.ID), token: village,
			json: map[string]any{"date": date, "beritaAcaraNo": "BA/01/2026", "attendees": 25}})
	}
	if r := meeting("2026-01-04"); r.code != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "date.before_cycle") {
		t.Errorf("a meeting the day before the year opened: %s, want 422 date.before_cycle", r.shown())
	}
	if r := meeting("2026-01-05"); strings.Contains(string(r.body), `"date.`) {
		t.Errorf("a meeting the day the year opened: %s", r.shown())
	}
}
