// Package ident validates the personal numbers on a family card: the NIK
// (Nomor Induk Kependudukan, the national ID number) and the No KK (Nomor
// Kartu Keluarga, the family card number), and cleans them as they come
// out of spreadsheets.
//
// Both numbers are personal data under UU 27/2022 (personal data
// protection), so nothing in this package puts a full number into an error
// or warning message; use Mask to show one to a person.
package ident

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/wilayah"
)

// Length is the number of digits in a NIK and in a No KK.
const Length = 16

// Sentinel errors, matched with errors.Is on the *Error values this
// package returns, so callers can react to a kind of fault without
// parsing messages.
var (
	ErrLength     = errors.New("wrong number of digits")
	ErrNotDigits  = errors.New("not only digits")
	ErrProvince   = errors.New("unknown province code")
	ErrRegion     = errors.New("zero region part")
	ErrBirthDate  = errors.New("impossible birth date")
	ErrSerial     = errors.New("zero serial")
	ErrScientific = errors.New("number in scientific notation")
)

// Error is a fault in a NIK or No KK: a Code (see codes.go) and its
// arguments, from which its message is rendered in plain words for an
// operator. Neither ever contains the number itself.
type Error struct {
	Kind error       // one of the Err* sentinels
	Code reason.Code // what exactly is wrong, e.g. CodeLength
	Args []string    // the code's arguments
}

// Error returns the operator-facing message, in English.
func (e *Error) Error() string { return english.MustRender(e.Code, e.Args) }

// Unwrap returns Kind, so errors.Is(err, ident.ErrLength) works.
func (e *Error) Unwrap() error { return e.Kind }

func newError(kind error, code reason.Code, args ...string) *Error {
	return &Error{Kind: kind, Code: code, Args: args}
}

// checkDigits checks that s is exactly 16 ASCII digits. what names the
// number in the message ("NIK", "No KK"). Letters are reported before
// length, because "N/A" or "belum ada" is better explained as "not a
// number" than as "3 digits".
func checkDigits(what, s string) error {
	if s == "" {
		return newError(ErrLength, CodeEmpty, what)
	}
	for i, r := range s {
		if r < '0' || r > '9' {
			pos := utf8.RuneCountInString(s[:i]) + 1
			if unicode.IsSpace(r) {
				return newError(ErrNotDigits, CodeSpace, what, strconv.Itoa(pos))
			}
			return newError(ErrNotDigits, CodeNotDigit, what, strconv.Itoa(pos), strconv.QuoteRune(r))
		}
	}
	if len(s) != Length {
		return newError(ErrLength, CodeLength, what, strconv.Itoa(len(s)))
	}
	return nil
}

// checkRegion checks the province and regency parts shared by NIK and
// No KK: PP must be a real province, KK must not be 00.
func checkRegion(what, s string) error {
	if !wilayah.ValidProvince(s[:2]) {
		return newError(ErrProvince, CodeProvince, what, s[:2])
	}
	if s[2:4] == "00" {
		return newError(ErrRegion, CodeRegencyZero, what)
	}
	return nil
}

// ValidateKK checks a No KK: 16 digits, a real province code, and a
// non-zero regency part. It does not clean; call Clean first on values
// from a spreadsheet.
func ValidateKK(s string) error {
	if err := checkDigits("No KK", s); err != nil {
		return err
	}
	return checkRegion("No KK", s)
}

// Mask hides a personal number for display: it keeps the first 6 digits
// (the region of issue, which is not personal) and the last 2, enough for
// an operator to find the row, e.g. 350501********12. Values of 8
// characters or fewer are hidden entirely, since keeping 8 would show them
// whole.
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 8 {
		return strings.Repeat("*", n)
	}
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for _, r := range s {
		if i < 6 || i >= n-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// Clean tidies a number cell as spreadsheet exports produce it: it trims
// spaces (including the non-breaking and zero-width ones Excel and web
// forms leave), and drops a leading apostrophe, Excel's marker for "this is
// text". It does not remove spaces inside the number: those are reported
// by the validators.
//
// A value in scientific notation (3.50512E+15, or 3,50512E+15 from an
// Indonesian-locale Excel) is an error of kind ErrScientific, never
// expanded: Excel keeps only 15 significant digits and the display shows
// fewer, so the real number is gone and must be exported again.
func Clean(s string) (string, error) {
	s = strings.TrimFunc(s, isBlank)
	if rest, ok := strings.CutPrefix(s, "'"); ok {
		s = strings.TrimFunc(rest, isBlank)
	} else if rest, ok := strings.CutPrefix(s, "\u2019"); ok {
		// A right single quote: what some editors turn the apostrophe into.
		s = strings.TrimFunc(rest, isBlank)
	}
	if isScientific(s) {
		return "", newError(ErrScientific, CodeScientific)
	}
	return s, nil
}

// isBlank reports spaces, including those unicode.IsSpace does not count:
// zero-width space and the byte-order mark.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// isScientific reports whether s looks like d[.d…]E[+-]d…, the way Excel
// shows a long number in a General-formatted cell. The decimal separator
// may be a dot or, in Indonesian locale, a comma.
func isScientific(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		digits()
	}
	if i >= len(s) || (s[i] != 'E' && s[i] != 'e') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	return digits() > 0 && i == len(s)
}
