package api

import (
	"testing"
	"time"
)

func TestStuckQueryIsNarrowedToTheCallersArea(t *testing.T) {
	before := time.Date(2026, 6, 1, 7, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	const tail = ` AND StageEnteredAt < "2026-06-01T00:00:00Z" AND ExecutionStatus = "Running"`
	for _, c := range []struct {
		areas []string
		want  string
	}{
		{nil, `RegencyCode = "35.05" AND CycleYear = 2026` + tail},
		{[]string{"35.05"}, `RegencyCode = "35.05" AND CycleYear = 2026` + tail},
		{[]string{"35.05.01"}, `RegencyCode = "35.05" AND CycleYear = 2026 AND KecamatanCode = "35.05.01"` + tail},
		{[]string{"35.05.01.2001"}, `RegencyCode = "35.05" AND CycleYear = 2026 AND DesaCode = "35.05.01.2001"` + tail},
		// A PKH companion's villages.
		{[]string{"35.05.01.2001", "35.05.02.2001"}, `RegencyCode = "35.05" AND CycleYear = 2026 AND DesaCode IN ("35.05.01.2001", "35.05.02.2001")` + tail},
	} {
		if got := StuckQuery("35.05", 2026, c.areas, before); got != c.want {
			t.Errorf("areas %q:\n got %s\nwant %s", c.areas, got, c.want)
		}
	}
}
