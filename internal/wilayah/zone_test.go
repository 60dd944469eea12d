package wilayah

import "testing"

// A region reads times in its province's zone; no region is WIB.
func TestZoneOf(t *testing.T) {
	for region, want := range map[string]string{
		"": "WIB", "35.05": "WIB", "16.73.01": "WIB", "62.71": "WIB",
		"52.08": "WITA", "51": "WITA", "73.71.01.1001": "WITA",
		"81.01": "WIT", "94.71": "WIT",
	} {
		if got := ZoneOf(region).String(); got != want {
			t.Errorf("ZoneOf(%q) = %s, want %s", region, got, want)
		}
	}
}
