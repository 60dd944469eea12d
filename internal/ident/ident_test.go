package ident

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A man born 25 January 1980 in Wonodadi, Kab. Blitar (35.05.01), serial 1.
const manNIK = "3505012501800001"

// A woman born 25 January 1980 (day 25+40 = 65), same place, serial 12.
const womanNIK = "3505016501800012"

func TestParseNIKValid(t *testing.T) {
	tests := []struct {
		nik               string
		day, month, year2 int
		female            bool
		serial            int
		prov, reg, kec    string
		wantSex           string
	}{
		{manNIK, 25, 1, 80, false, 1, "35", "35.05", "35.05.01", "L"},
		{womanNIK, 25, 1, 80, true, 12, "35", "35.05", "35.05.01", "P"},
		{"1673010101009999", 1, 1, 0, false, 9999, "16", "16.73", "16.73.01", "L"},
		{"6271024112990001", 1, 12, 99, true, 1, "62", "62.71", "62.71.02", "P"},
		{"5208037112650001", 31, 12, 65, true, 1, "52", "52.08", "52.08.03", "P"},
		{"3505012902000001", 29, 2, 0, false, 1, "35", "35.05", "35.05.01", "L"}, // 2000 was a leap year
		{"3505016902040001", 29, 2, 4, true, 1, "35", "35.05", "35.05.01", "P"},
		{"9601013001700001", 30, 1, 70, false, 1, "96", "96.01", "96.01.01", "L"},
	}
	for _, tt := range tests {
		t.Run(tt.nik[:6]+tt.nik[12:], func(t *testing.T) {
			n, err := ParseNIK(tt.nik)
			if err != nil {
				t.Fatalf("ParseNIK: %v", err)
			}
			if n.BirthDay != tt.day || n.BirthMonth != tt.month || n.BirthYear2 != tt.year2 ||
				n.Female != tt.female || n.Serial != tt.serial {
				t.Errorf("got day %d month %d year %d female %v serial %d; want %d %d %d %v %d",
					n.BirthDay, n.BirthMonth, n.BirthYear2, n.Female, n.Serial,
					tt.day, tt.month, tt.year2, tt.female, tt.serial)
			}
			if n.Province() != tt.prov || n.Regency() != tt.reg || n.Kecamatan() != tt.kec {
				t.Errorf("region = %s %s %s, want %s %s %s", n.Province(), n.Regency(), n.Kecamatan(), tt.prov, tt.reg, tt.kec)
			}
			if n.Sex() != tt.wantSex {
				t.Errorf("Sex() = %s, want %s", n.Sex(), tt.wantSex)
			}
			if n.Number() != tt.nik {
				t.Error("Number() does not return the input")
			}
		})
	}
}

func TestParseNIKErrors(t *testing.T) {
	tests := []struct {
		name, nik string
		kind      error
		msg       string // the message must contain this
	}{
		{"empty", "", ErrLength, "NIK is empty"},
		{"15 digits", "350501250180001", ErrLength, "NIK must be 16 digits, got 15"},
		{"17 digits", "35050125018000011", ErrLength, "NIK must be 16 digits, got 17"},
		{"letter", "350501250180000A", ErrNotDigits, "character 16 is 'A'"},
		{"letter O for zero", "35O5012501800001", ErrNotDigits, "character 3 is 'O'"},
		{"inner space", "3505 12501800001", ErrNotDigits, "character 5 is a space"},
		{"dash", "-", ErrNotDigits, "only digits"},
		{"text", "belum ada", ErrNotDigits, "only digits"},
		{"province 99", "9905012501800001", ErrProvince, "starts with 99, which is not an Indonesian province code"},
		{"province 00", "0005012501800001", ErrProvince, "not an Indonesian province code"},
		{"province 20", "2001012501800001", ErrProvince, "starts with 20"},
		{"regency 00", "3500012501800001", ErrRegion, "regency part (digits 3-4) is 00"},
		{"kecamatan 00", "3505002501800001", ErrRegion, "sub-district part (digits 5-6) is 00"},
		{"day 00", "3505010001800001", ErrBirthDate, "must be 01-31, or 41-71 for a woman; got 00"},
		{"day 32", "3505013201800001", ErrBirthDate, "got 32"},
		{"day 40", "3505014001800001", ErrBirthDate, "got 40"},
		{"day 72", "3505017201800001", ErrBirthDate, "got 72"},
		{"day 99", "3505019901800001", ErrBirthDate, "got 99"},
		{"month 00", "3505012500800001", ErrBirthDate, "month of birth (digits 9-10) must be 01-12; got 00"},
		{"month 13", "3505012513800001", ErrBirthDate, "got 13"},
		{"31 February", "3505013102990001", ErrBirthDate, "February has no day 31"},
		{"30 February", "3505013002990001", ErrBirthDate, "February has no day 30"},
		{"29 February 2001", "3505012902010001", ErrBirthDate, "February has no day 29"},
		{"woman 30 February", "3505017002990001", ErrBirthDate, "February has no day 30"},
		{"31 April", "3505013104990001", ErrBirthDate, "April has no day 31"},
		{"woman 31 June", "3505017106990001", ErrBirthDate, "June has no day 31"},
		{"serial 0000", "3505012501800000", ErrSerial, "serial number (last 4 digits) must not be 0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNIK(tt.nik)
			if err == nil {
				t.Fatal("ParseNIK succeeded")
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %v", err, tt.kind)
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Errorf("error is %T, want *Error", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.msg)
			}
			assertNoLeak(t, err.Error(), tt.nik)
			// The same faults must come back from ValidateNIK.
			if _, ws, err2 := ValidateNIK(tt.nik, Expect{Region: "35.05.01.2001"}); err2 == nil || ws != nil {
				t.Errorf("ValidateNIK = %v, %v", ws, err2)
			}
		})
	}
}

// assertNoLeak fails if msg holds the personal number, or its middle digits.
func assertNoLeak(t *testing.T, msg, number string) {
	t.Helper()
	if len(number) >= 10 && (strings.Contains(msg, number) || strings.Contains(msg, number[4:14])) {
		t.Errorf("message %q leaks the number", msg)
	}
}

func TestNIKNeverPrintsTheNumber(t *testing.T) {
	n, err := ParseNIK(womanNIK)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, n)
		if strings.Contains(out, womanNIK) {
			t.Errorf("fmt %s prints the number: %s", format, out)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "nik", n)
	if strings.Contains(buf.String(), womanNIK) || !strings.Contains(buf.String(), "350501********12") {
		t.Errorf("slog output = %s", buf.String())
	}
}

func TestBirthDateCentury(t *testing.T) {
	ref := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		nik  string
		want string
	}{
		{"3505012501800001", "1980-01-25"},
		{"3505016501250001", "2025-01-25"},
		{"3505012501260001", "1926-01-25"},
		{"3505012902000001", "2000-02-29"},
	}
	for _, tt := range tests {
		n, err := ParseNIK(tt.nik)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.BirthDate(ref).Format(time.DateOnly); got != tt.want {
			t.Errorf("BirthDate(%s) = %s, want %s", Mask(tt.nik), got, tt.want)
		}
	}
}

func TestValidateNIKWarnings(t *testing.T) {
	born := time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		nik   string
		want  Expect
		kinds []WarningKind
		msg   string
	}{
		{"all agree", manNIK, Expect{Region: "35.05.01.2001", Sex: "L", BirthDate: born}, nil, ""},
		{"nothing to compare", manNIK, Expect{}, nil, ""},
		{"plain village code", manNIK, Expect{Region: "3505012001"}, nil, ""},
		{"regency level address", manNIK, Expect{Region: "35.05"}, nil, ""},
		{"malformed address ignored", manNIK, Expect{Region: "35-05"}, nil, ""},
		{"province-only address ignored", manNIK, Expect{Region: "35"}, nil, ""},
		{"other kecamatan", manNIK, Expect{Region: "35.05.03.1004"}, []WarningKind{WarnRegion},
			"first issued in sub-district 35.05.01 but the address is in 35.05.03"},
		{"other regency", manNIK, Expect{Region: "35.07.01.2001"}, []WarningKind{WarnRegion},
			"first issued in regency 35.05 but the address is in 35.07"},
		{"other province", manNIK, Expect{Region: "16.73.01.1001"}, []WarningKind{WarnRegion},
			"regency 35.05 but the address is in 16.73"},
		{"man with woman's day", womanNIK, Expect{Sex: "L"}, []WarningKind{WarnSex}, "given as L (male)"},
		{"woman with man's day", manNIK, Expect{Sex: "P"}, []WarningKind{WarnSex}, "given as P (female)"},
		{"woman agrees", womanNIK, Expect{Sex: "P", BirthDate: born}, nil, ""},
		{"birth date differs", manNIK, Expect{BirthDate: born.AddDate(0, 0, 1)}, []WarningKind{WarnBirthDate},
			"birth date does not match"},
		{"birth year differs", manNIK, Expect{BirthDate: born.AddDate(1, 0, 0)}, []WarningKind{WarnBirthDate}, ""},
		{"century is not compared", manNIK, Expect{BirthDate: born.AddDate(100, 0, 0)}, nil, ""},
		{"all three", womanNIK, Expect{Region: "35.07", Sex: "L", BirthDate: born.AddDate(0, 1, 0)},
			[]WarningKind{WarnRegion, WarnSex, WarnBirthDate}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ws, err := ValidateNIK(tt.nik, tt.want)
			if err != nil {
				t.Fatalf("ValidateNIK: %v", err)
			}
			if n.Number() != tt.nik {
				t.Error("wrong NIK returned")
			}
			if len(ws) != len(tt.kinds) {
				t.Fatalf("warnings = %v, want kinds %v", ws, tt.kinds)
			}
			for i, w := range ws {
				if w.Kind != tt.kinds[i] {
					t.Errorf("warning %d kind = %d, want %d", i, w.Kind, tt.kinds[i])
				}
				assertNoLeak(t, w.String(), tt.nik)
			}
			if tt.msg != "" && !strings.Contains(ws[0].Message, tt.msg) {
				t.Errorf("warning = %q, want it to contain %q", ws[0].Message, tt.msg)
			}
		})
	}
}

func TestValidateKK(t *testing.T) {
	valid := []string{"3505010101200001", "1673012303150123", "9601010000000000"}
	for _, kk := range valid {
		if err := ValidateKK(kk); err != nil {
			t.Errorf("ValidateKK(%s) = %v", Mask(kk), err)
		}
	}
	tests := []struct {
		kk   string
		kind error
		msg  string
	}{
		{"", ErrLength, "No KK is empty"},
		{"350501010120001", ErrLength, "No KK must be 16 digits, got 15"},
		{"35050101012000011", ErrLength, "got 17"},
		{"35050101012000x1", ErrNotDigits, "No KK must contain only digits; character 15 is 'x'"},
		{"9905010101200001", ErrProvince, "No KK starts with 99"},
		{"3500010101200001", ErrRegion, "No KK regency part (digits 3-4) is 00"},
	}
	for _, tt := range tests {
		err := ValidateKK(tt.kk)
		if !errors.Is(err, tt.kind) || !strings.Contains(fmt.Sprint(err), tt.msg) {
			t.Errorf("ValidateKK(%q) = %v, want %v containing %q", tt.kk, err, tt.kind, tt.msg)
		}
		if err != nil {
			assertNoLeak(t, err.Error(), tt.kk)
		}
	}
}

func TestMask(t *testing.T) {
	tests := map[string]string{
		"3505012501800012":  "350501********12",
		"35050125018000123": "350501*********23",
		"123456789":         "123456*89",
		"12345678":          "********",
		"":                  "",
		"abc":               "***",
		"350501é501800012":  "350501********12",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in, want string
		sci      bool
	}{
		{"3505012501800001", "3505012501800001", false},
		{"  3505012501800001  ", "3505012501800001", false},
		{"3505012501800001\u00a0", "3505012501800001", false}, // non-breaking space
		{"\u200b3505012501800001\t", "3505012501800001", false},
		{"'3505012501800001", "3505012501800001", false}, // Excel text marker
		{" '3505012501800001 ", "3505012501800001", false},
		{"\u20193505012501800001", "3505012501800001", false},
		{"35 05", "35 05", false}, // inner spaces are for the validator to report
		{"''35", "'35", false},    // only one marker is Excel's
		{"", "", false},
		{"3.50512E+15", "", true},
		{"3,50512E+15", "", true}, // Indonesian-locale decimal comma
		{"3.50501250180000E+15", "", true},
		{"3505012501800001E0", "", true},
		{"3.5e15", "", true},
		{"'3.50512E+15", "", true},
		{" 3.50512E-05 ", "", true},
		{"3E", "3E", false},
		{"E+15", "E+15", false},
		{"3.5E+", "3.5E+", false},
		{"3.50512E+15x", "3.50512E+15x", false},
	}
	for _, tt := range tests {
		got, err := Clean(tt.in)
		if tt.sci {
			if !errors.Is(err, ErrScientific) {
				t.Errorf("Clean(%q) = %q, %v; want ErrScientific", tt.in, got, err)
			} else if !strings.Contains(err.Error(), "scientific notation by Excel") ||
				!strings.Contains(err.Error(), "format the column as text and export again") {
				t.Errorf("Clean(%q) message = %q", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Clean(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func BenchmarkValidateNIK(b *testing.B) {
	want := Expect{Region: "35.05.01.2001", Sex: "L", BirthDate: time.Date(1980, 1, 25, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, ws, err := ValidateNIK(manNIK, want); err != nil || ws != nil {
			b.Fatal(err, ws)
		}
	}
}
