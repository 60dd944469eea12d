package api_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestTaskListOverdueFilter: overdue=true lists the open tasks whose due
// date has passed: not a task due later, not a submitted one; each is
// marked overdue, and without the filter the later one is listed, not
// overdue.
func TestTaskListOverdueFilter(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		// The world runs 30 days after mxT0; tasks were due at +20 days,
		// and Jaten's was submitted. One of Salam's is due in 10 days.
		var salam, jaten []int64
		for _, h := range w.households {
			switch h.desa {
			case "35.05.01.2002":
				salam = append(salam, h.id)
			case "35.05.01.2001":
				jaten = append(jaten, h.id)
			}
		}
		later := salam[0]
		if err := db.Model(&store.Task{}).Where("household_id = ?", later).Update("due_at", mxT0.Add(40*24*time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		list := func(query string) map[int64]bool {
			t.Helper()
			r := w.do(apiRequest{method: "GET", route: "/api/v1/tasks", path: "/api/v1/tasks" + query, token: w.byName["tksk.wonodadi"].token})
			r.want(t, "GET /tasks"+query, 200)
			var v struct {
				Tasks []struct {
					ID      int64
					Overdue bool
				}
				Total int
			}
			r.decode(t, &v)
			if v.Total != len(v.Tasks) {
				t.Errorf("GET /tasks%s: total %d for %d tasks", query, v.Total, len(v.Tasks))
			}
			out := map[int64]bool{}
			for _, tk := range v.Tasks {
				out[tk.ID] = tk.Overdue
			}
			return out
		}
		overdue := list("?overdue=true&desa=35.05.01.2002")
		want := map[int64]bool{salam[1]: true, salam[2]: true}
		if fmt.Sprint(overdue) != fmt.Sprint(want) {
			t.Errorf("overdue tasks of Salam: %v, want %v (task %d is due later)", overdue, want, later)
		}
		all := list("?desa=35.05.01.2002")
		if len(all) != 3 || all[later] {
			t.Errorf("all tasks of Salam: %v, want three, %d not overdue", all, later)
		}
		// Jaten's task is past its due date but submitted: not overdue.
		if got := list("?overdue=true&desa=35.05.01.2001"); len(got) != 0 {
			t.Errorf("overdue tasks of Jaten (submitted): %v, want none", got)
		}
		if all := list("?desa=35.05.01.2001"); len(all) != len(jaten) || all[jaten[0]] {
			t.Errorf("tasks of Jaten: %v, want %v not overdue", all, jaten)
		}
	})
}

// TestNotifierShownInApp: a reminder and an escalation written by the
// worker's Notify activity through the database notifier are what GET
// /notifications shows, to the region each is addressed to; the same
// notification sent again (a retried activity) is shown once.
func TestNotifierShownInApp(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		acts := &activities.Activities{Notifier: activities.DBNotifier{Store: w.st, Log: slog.New(slog.DiscardHandler)}}
		cy := w.cycles[0]
		salam := w.households[1]
		if salam.desa != "35.05.01.2002" {
			t.Fatalf("household 1 is in %s, want Salam", salam.desa)
		}
		now := w.clock.Now()
		for _, in := range []activities.NotifyInput{
			{CycleID: cy.id, HouseholdID: salam.id, Kind: activities.NotifyReminder, RegionCode: salam.desa, DesaCode: salam.desa, DueAt: now.Add(3 * 24 * time.Hour), At: now},
			{CycleID: cy.id, HouseholdID: salam.id, Kind: activities.NotifyEscalateTKSK, RegionCode: salam.kec(), DesaCode: salam.desa, DueAt: now, At: now},
			{CycleID: cy.id, HouseholdID: salam.id, Kind: activities.NotifyEscalateTKSK, RegionCode: salam.kec(), DesaCode: salam.desa, DueAt: now, At: now},
		} {
			if err := acts.Notify(t.Context(), in); err != nil {
				t.Fatal(err)
			}
		}
		type note struct {
			Kind, RegionCode, DesaCode, Message string
			HouseholdID                         int64
		}
		shown := func(user string) []note {
			t.Helper()
			// The desa.salam officer is not a matrix actor: log in here.
			token := w.byName[user].token
			if token == "" {
				token = w.login(user, mxPassword)
			}
			r := w.do(apiRequest{method: "GET", route: "/api/v1/notifications", path: "/api/v1/notifications", token: token})
			r.want(t, user+" GET /notifications", 200)
			var v struct{ Notifications []note }
			r.decode(t, &v)
			var out []note
			for _, n := range v.Notifications {
				// Leave out the world's seeded notifications ("Kunjungan ...").
				if !strings.HasPrefix(n.Message, "Kunjungan") {
					out = append(out, n)
				}
			}
			return out
		}
		due := now.Add(3 * 24 * time.Hour).Format("2006-01-02")
		reminder := note{Kind: "reminder", RegionCode: salam.desa, DesaCode: salam.desa, HouseholdID: salam.id,
			Message: "Verifikasi desa 35.05.01.2002 jatuh tempo " + due + "."}
		escalation := note{Kind: "escalation_tksk", RegionCode: salam.kec(), DesaCode: salam.desa, HouseholdID: salam.id,
			Message: "Verifikasi desa 35.05.01.2002 terlambat sejak " + now.Format("2006-01-02") + "."}
		for user, want := range map[string][]note{
			"desa.salam":    {reminder},
			"tksk.wonodadi": {escalation, reminder}, // newest first
			"desa.jaten":    nil,
			"dinsos.llg":    nil,
		} {
			if got := shown(user); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s's notifications from the Notifier:\n got  %+v\n want %+v", user, got, want)
			}
		}
	})
}
