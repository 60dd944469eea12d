package office

import (
	"testing"
	"time"
)

// A batch's month: up to the regency's data cut-off day, this month's;
// after it, the next month's (across the year's end too). A change is
// proposed in the batch of the month its day falls in by that rule, so
// a batch takes the changes that happened by its month's cut-off day.
func TestProposalMonthAndCutoff(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	for _, c := range []struct {
		day    string
		cutoff int
		month  string
	}{
		{"2026-03-01", 17, "2026-03"},
		{"2026-03-17", 17, "2026-03"}, // the cut-off day itself
		{"2026-03-18", 17, "2026-04"},
		{"2026-03-20", 17, "2026-04"},
		{"2026-12-20", 17, "2027-01"},
		{"2026-01-31", 28, "2026-02"},
		{"2026-02-28", 28, "2026-02"},
		{"2026-03-01", 1, "2026-03"},
		{"2026-03-02", 1, "2026-04"},
	} {
		d, err := time.ParseInLocation("2006-01-02", c.day, wib)
		if err != nil {
			t.Fatal(err)
		}
		got := proposalMonth(d.Add(23*time.Hour), c.cutoff)
		if got != c.month {
			t.Errorf("proposalMonth(%s, cut-off %d) = %s, want %s", c.day, c.cutoff, got, c.month)
		}
		// The change of that day is within its month's batch, and not
		// within the batch of the month before.
		if until := cutoffDate(got, c.cutoff); c.day > until {
			t.Errorf("a change of %s is after its batch's cut-off %s", c.day, until)
		}
		m, _ := time.Parse("2006-01", got)
		if before := m.AddDate(0, -1, 0).Format("2006-01"); c.day <= cutoffDate(before, c.cutoff) {
			t.Errorf("a change of %s is within the batch of %s too", c.day, before)
		}
	}
	if got := cutoffDate("2026-04", 5); got != "2026-04-05" {
		t.Errorf("cutoffDate(2026-04, 5) = %s", got)
	}
}
