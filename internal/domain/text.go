package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The rule for text that enters verval (docs/p3ke.md, "Text"): a name, an
// address, an indicator, a note, a reason, a number holds no control
// character and no invisible formatting character. Such characters show
// nothing, or turn the text around (U+202E, the right-to-left override,
// makes "Budi" read as "iduB" in a page or a spreadsheet), make two equal
// looking names differ, and spreadsheet exports turn the control
// characters into U+FFFD, so a file sent to Kemensos would differ from the
// stored name. Line breaks and tabs are the one exception: multi-line
// fields (a visit's note, a reason) keep them; one-line fields refuse them
// in a request, and the P3KE intake turns them into spaces (a line break
// typed in a spreadsheet cell with Alt+Enter).

// ForbiddenRune reports whether r may never be part of a text: the C0 and
// C1 control characters (line breaks and tabs aside: see LineBreakRune),
// DEL, the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069), and the invisible characters that join, separate or mark
// nothing visible (U+200B-U+200D, U+2060-U+2064, U+FEFF).
func ForbiddenRune(r rune) bool {
	switch {
	case LineBreakRune(r):
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e,
		r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}

// LineBreakRune reports whether r breaks a line or tabulates: tab, line
// feed, carriage return, and the Unicode line and paragraph separators.
func LineBreakRune(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029
}

// BadRune finds the first character of s that the field may not hold: a
// forbidden one, or in a one-line field a line break or tab.
func BadRune(s string, multiline bool) (rune, bool) {
	if printableASCII(s) { // the usual case, on every cell of an intake
		return 0, false
	}
	for _, r := range s {
		if ForbiddenRune(r) || (!multiline && LineBreakRune(r)) {
			return r, true
		}
	}
	return 0, false
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// OneLine turns each line break and tab of s into a space, a CR LF pair
// into one.
func OneLine(s string) string {
	if strings.IndexFunc(s, LineBreakRune) < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.Map(func(r rune) rune {
		if LineBreakRune(r) {
			return ' '
		}
		return r
	}, s)
}

// RuneName names r for a message: U+202E.
func RuneName(r rune) string { return fmt.Sprintf("U+%04X", r) }

// CheckChars refuses a field holding a character BadRune finds, naming
// the character (CodeTextChar).
func CheckChars(field, s string, multiline bool) *Error {
	if r, bad := BadRune(s, multiline); bad {
		return FieldErr(field, CodeTextChar, RuneName(r))
	}
	return nil
}

// CheckText refuses a free-text field longer than max characters
// (CodeTooLong) or holding a character it may not (CheckChars).
func CheckText(field, s string, max int, multiline bool) *Error {
	if utf8.RuneCountInString(s) > max {
		return FieldErr(field, CodeTooLong, max)
	}
	return CheckChars(field, s, multiline)
}
