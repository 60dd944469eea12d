package ident

import (
	"strings"
	"testing"

	"github.com/verval/verval/internal/wilayah"
)

// FuzzParseNIK checks that ParseNIK never panics, that whatever it accepts
// obeys the NIK rules, and that its errors never repeat the number.
func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{
		manNIK, womanNIK, "", "3505013102990001", "3505017106990001", "3505012902000001",
		"350501250180001", "9905012501800001", "35O5012501800001", "3.50512E+15", "３５０５０１２５０１８０００１",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNIK(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			if isDigits(s) && len(s) >= 10 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q repeats the number", err)
			}
			return
		}
		if len(s) != Length || !isDigits(s) || n.Number() != s {
			t.Fatalf("accepted %q", s)
		}
		if !wilayah.ValidProvince(n.Province()) || s[2:4] == "00" || s[4:6] == "00" {
			t.Fatalf("accepted bad region %q", s)
		}
		if n.BirthDay < 1 || n.BirthDay > daysIn(n.BirthMonth, n.BirthYear2) || n.BirthMonth < 1 || n.BirthMonth > 12 {
			t.Fatalf("accepted bad date %q: %d-%d", s, n.BirthDay, n.BirthMonth)
		}
		if n.Serial < 1 || n.Serial > 9999 {
			t.Fatalf("accepted serial %d", n.Serial)
		}
		if m := n.String(); len(m) != Length || m[6:14] != "********" {
			t.Fatalf("String() = %q", m)
		}
		// A valid NIK compared with its own facts gives no warnings.
		if ws := n.Compare(Expect{Region: n.Kecamatan(), Sex: n.Sex()}); ws != nil {
			t.Fatalf("self-compare warnings %v", ws)
		}
	})
}

// FuzzValidateKK checks that ValidateKK never panics and accepts only 16
// digits with a real province and a non-zero regency.
func FuzzValidateKK(f *testing.F) {
	for _, s := range []string{"3505010101200001", "", "9905010101200001", "3500010101200001", "35050101012000x1", "'3505010101200001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateKK(s)
		if err != nil {
			if isDigits(s) && len(s) >= 10 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q repeats the number", err)
			}
			return
		}
		if len(s) != Length || !isDigits(s) || !wilayah.ValidProvince(s[:2]) || s[2:4] == "00" {
			t.Fatalf("accepted %q", s)
		}
	})
}

// FuzzClean checks that Clean never panics, never returns scientific
// notation as a number, and only ever shortens its input.
func FuzzClean(f *testing.F) {
	for _, s := range []string{" '3505010101200001\u00a0", "3.50512E+15", "3,5E+15", "'", "\u2019x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Clean(s)
		if err != nil {
			return
		}
		if isScientific(got) || len(got) > len(s) || !strings.Contains(s, got) {
			t.Fatalf("Clean(%q) = %q", s, got)
		}
	})
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
