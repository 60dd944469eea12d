package wilayah

import "time"

// Indonesia's three time zones, as fixed offsets: Indonesia has no
// daylight saving, so no time zone database is needed.
var (
	// WIB (UTC+7): Sumatra, Java, West and Central Kalimantan; Jakarta,
	// where Kemensos dates its answers. The westernmost.
	WIB = time.FixedZone("WIB", 7*3600)
	// WITA (UTC+8): Bali, Nusa Tenggara, South, East and North Kalimantan,
	// Sulawesi.
	WITA = time.FixedZone("WITA", 8*3600)
	// WIT (UTC+9): Maluku and Papua. The easternmost.
	WIT = time.FixedZone("WIT", 9*3600)
)

// ZoneOf is the time zone of a region code's province: a person reads
// times in their own region's zone. WIB for no region (an administrator).
func ZoneOf(region string) *time.Location {
	if len(region) < 2 {
		return WIB
	}
	switch region[:2] {
	case "51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76":
		return WITA
	case "81", "82", "91", "92", "93", "94", "95", "96":
		return WIT
	}
	return WIB
}
