package ident

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/wilayah"
)

// NIK is a well-formed NIK, split into its parts: PP KK CC DDMMYY SSSS =
// province, regency, sub-district (kecamatan) of first issue, birth date
// (women's day + 40) and serial.
//
// The number itself is kept unexported and String, GoString and LogValue
// all mask it, so printing or logging a NIK by mistake does not leak it;
// call Number to get the digits on purpose.
type NIK struct {
	number string

	// BirthDay is the day of birth, 1-31, with the women's +40 removed.
	BirthDay int
	// BirthMonth is the month of birth, 1-12.
	BirthMonth int
	// BirthYear2 is the two-digit year of birth; see BirthDate for the century.
	BirthYear2 int
	// Female is true when the day was written as 41-71.
	Female bool
	// Serial is the running number, 1-9999, among people born that day there.
	Serial int
}

// Number returns the full 16 digits. It is personal data: keep it out of
// logs, IDs and messages.
func (n NIK) Number() string { return n.number }

// String returns the masked number, e.g. 350501********12.
func (n NIK) String() string { return Mask(n.number) }

// GoString masks the number for %#v too.
func (n NIK) GoString() string { return "ident.NIK(" + Mask(n.number) + ")" }

// LogValue masks the number in slog output.
func (n NIK) LogValue() slog.Value { return slog.StringValue(Mask(n.number)) }

// Province returns the province of first issue, e.g. "35".
func (n NIK) Province() string { return n.number[:2] }

// Regency returns the regency of first issue, dotted, e.g. "35.05".
func (n NIK) Regency() string { return n.number[:2] + "." + n.number[2:4] }

// Kecamatan returns the sub-district of first issue, dotted, e.g. "35.05.01".
func (n NIK) Kecamatan() string {
	return n.number[:2] + "." + n.number[2:4] + "." + n.number[4:6]
}

// Sex returns "P" (perempuan) for a woman's NIK and "L" (laki-laki) for a
// man's, the codes the P3KE file uses.
func (n NIK) Sex() string {
	if n.Female {
		return "P"
	}
	return "L"
}

// BirthDate returns the birth date, choosing the century so the date is not
// after ref (usually today): a NIK stores only two year digits, so 05
// means 2005 when ref is in 2025 and 1905 when ref is in 2004.
func (n NIK) BirthDate(ref time.Time) time.Time {
	year := 2000 + n.BirthYear2
	if year > ref.Year() {
		year -= 100
	}
	return time.Date(year, time.Month(n.BirthMonth), n.BirthDay, 0, 0, 0, 0, time.UTC)
}

// ParseNIK checks that s is a well-formed NIK and splits it. It does not
// clean; call Clean first on values from a spreadsheet. The checks:
// 16 digits; a real province code; regency and sub-district parts not 00;
// a real date of birth, with day 01-31 for men and 41-71 for women; a
// serial other than 0000.
func ParseNIK(s string) (NIK, error) {
	if err := checkDigits("NIK", s); err != nil {
		return NIK{}, err
	}
	if err := checkRegion("NIK", s); err != nil {
		return NIK{}, err
	}
	if s[4:6] == "00" {
		return NIK{}, newError(ErrRegion, CodeKecamatanZero)
	}
	n := NIK{
		number:     s,
		BirthDay:   two(s[6:8]),
		BirthMonth: two(s[8:10]),
		BirthYear2: two(s[10:12]),
		Serial:     two(s[12:14])*100 + two(s[14:16]),
	}
	if n.BirthDay > 40 {
		n.Female = true
		n.BirthDay -= 40
	}
	switch {
	case n.BirthDay < 1 || n.BirthDay > 31:
		return NIK{}, newError(ErrBirthDate, CodeBirthDay, s[6:8])
	case n.BirthMonth < 1 || n.BirthMonth > 12:
		return NIK{}, newError(ErrBirthDate, CodeBirthMonth, s[8:10])
	case n.BirthDay > daysIn(n.BirthMonth, n.BirthYear2):
		return NIK{}, newError(ErrBirthDate, CodeBirthDate, strconv.Itoa(n.BirthMonth), strconv.Itoa(n.BirthDay))
	case n.Serial == 0:
		return NIK{}, newError(ErrSerial, CodeSerialZero)
	}
	return n, nil
}

// two parses two ASCII digits already checked by checkDigits.
func two(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// daysIn returns the days in a month of a two-digit year. A year ending in
// 00 counts as 2000 (a leap year): the century is not in the NIK, and a
// head of family born on 29 February 1900 is not a real case.
func daysIn(month, yy int) int {
	switch month {
	case 2:
		if yy%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Expect is what the rest of a record says about the person, to
// cross-check against a NIK. A zero field skips its check.
type Expect struct {
	// Region is the address as a dotted region code: a village, kecamatan
	// or regency.
	Region string
	// Sex is "L" or "P".
	Sex string
	// BirthDate is the date of birth given separately.
	BirthDate time.Time
}

// WarningKind says which cross-check a Warning comes from.
type WarningKind int

// The cross-checks of ValidateNIK.
const (
	// WarnRegion: the NIK's region of first issue is not the address.
	WarnRegion WarningKind = iota + 1
	// WarnSex: the sex given does not match the NIK's day of birth.
	WarnSex
	// WarnBirthDate: the birth date given does not match the NIK's.
	WarnBirthDate
)

// Warning is a disagreement between a valid NIK and the rest of the record.
// It does not make the record invalid: a NIK keeps the region where it was
// first issued, and sex or birth date columns are often typed by hand.
type Warning struct {
	Kind    WarningKind // which cross-check disagreed
	Message string      // plain words, without the number: Code rendered in English
	Code    reason.Code // what exactly disagrees, e.g. CodeSexMale
	Args    []string    // the code's arguments
}

func newWarning(kind WarningKind, code reason.Code, args ...string) Warning {
	return Warning{Kind: kind, Message: english.MustRender(code, args), Code: code, Args: args}
}

// String returns the message.
func (w Warning) String() string { return w.Message }

// ValidateNIK parses s with ParseNIK and, if it is valid, compares it with
// want. Hard faults come back as the error; disagreements with want as
// warnings.
func ValidateNIK(s string, want Expect) (NIK, []Warning, error) {
	n, err := ParseNIK(s)
	if err != nil {
		return NIK{}, nil, err
	}
	return n, n.Compare(want), nil
}

// Compare cross-checks n against want and returns the disagreements, or
// nil.
func (n NIK) Compare(want Expect) []Warning {
	var ws []Warning
	if w, ok := n.compareRegion(want.Region); ok {
		ws = append(ws, w)
	}
	switch {
	case want.Sex == "L" && n.Female:
		ws = append(ws, newWarning(WarnSex, CodeSexMale))
	case want.Sex == "P" && !n.Female:
		ws = append(ws, newWarning(WarnSex, CodeSexFemale))
	}
	if d := want.BirthDate; !d.IsZero() {
		if d.Day() != n.BirthDay || int(d.Month()) != n.BirthMonth || d.Year()%100 != n.BirthYear2 {
			ws = append(ws, newWarning(WarnBirthDate, CodeBirthDateDiffers))
		}
	}
	return ws
}

// compareRegion compares the NIK's region of first issue with the address
// as deep as the address code goes (kecamatan at most, which is as deep as
// the NIK goes).
func (n NIK) compareRegion(addr string) (Warning, bool) {
	if addr == "" {
		return Warning{}, false
	}
	addr, err := wilayah.Normalize(addr)
	if err != nil {
		return Warning{}, false
	}
	switch wilayah.LevelOf(addr) {
	case wilayah.LevelRegency, wilayah.LevelKecamatan, wilayah.LevelVillage:
	default:
		return Warning{}, false
	}
	// Compare digits in place: this runs for every row of an intake file
	// and almost always matches, so build the dotted strings only for the
	// message.
	num := n.number
	if num[0:2] != addr[0:2] || num[2:4] != addr[3:5] {
		return newWarning(WarnRegion, CodeIssuedRegency, n.Regency(), addr[:5]), true
	}
	if len(addr) >= 8 && num[4:6] != addr[6:8] {
		return newWarning(WarnRegion, CodeIssuedKec, n.Kecamatan(), addr[:8]), true
	}
	return Warning{}, false
}
