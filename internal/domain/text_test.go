package domain

import "testing"

// TestTextRule (issue 23, item 8): control characters, the bidirectional
// controls and the invisible characters are refused in every field, naming
// the character; line breaks and tabs only in one-line fields; letters of
// any script, accents, apostrophes and emoji pass.
func TestTextRule(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		want      string // the character refused, "" for none
	}{
		{"SITI AMINAH", false, ""},
		{"Nur'aini O’Neil Ñoño Müller 李 😀", false, ""},
		{"Sumur\u00a0terlindung", false, ""}, // a no-break space is a space
		{"BUDI\u202e", false, "U+202E"},
		{"\u202eIDUB", true, "U+202E"},
		{"A\u2066B\u2069", false, "U+2066"},
		{"A\u200fB", false, "U+200F"},
		{"A\u061cB", false, "U+061C"},
		{"SI\u200bTI", false, "U+200B"},
		{"SITI\ufeff", false, "U+FEFF"},
		{"bell\a", true, "U+0007"},
		{"esc\x1b[31m", true, "U+001B"},
		{"del\x7f", true, "U+007F"},
		{"c1\u0085", true, "U+0085"},
		{"nul\x00", true, "U+0000"},
		{"line one\r\nline two\tthree", true, ""},
		{"line one\nline two", false, "U+000A"},
		{"a\tb", false, "U+0009"},
		{"a\u2028b", false, "U+2028"},
		{"a\u2028b", true, ""},
	} {
		e := CheckText("f", tc.s, 100, tc.multiline)
		switch {
		case tc.want == "" && e != nil:
			t.Errorf("%q (multiline %v) refused: %v", tc.s, tc.multiline, e)
		case tc.want != "" && (e == nil || e.Code != CodeTextChar || e.Field != "f" || len(e.Args) != 1 || e.Args[0] != tc.want):
			t.Errorf("%q (multiline %v): %+v, want %s refused", tc.s, tc.multiline, e, tc.want)
		}
	}
	if e := CheckText("f", "ééé", 2, false); e == nil || e.Code != CodeTooLong {
		t.Errorf("three characters over a limit of two: %v", e)
	}
	if got := OneLine("Dusun Krajan\r\nRT 003\tRW 001\u2029x"); got != "Dusun Krajan RT 003 RW 001 x" {
		t.Errorf("OneLine = %q", got)
	}
}
