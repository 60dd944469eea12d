package ident

import (
	"strconv"
	"time"

	"github.com/verval/verval/internal/reason"
)

// The codes of the faults and warnings this package reports. The first
// argument of most is what the number is ("NIK" or "No KK"); no argument
// is ever the number itself.
const (
	CodeEmpty            reason.Code = "ident.empty"              // what
	CodeSpace            reason.Code = "ident.space"              // what, position
	CodeNotDigit         reason.Code = "ident.not_digit"          // what, position, the character quoted
	CodeLength           reason.Code = "ident.length"             // what, digits
	CodeProvince         reason.Code = "ident.province"           // what, first two digits
	CodeRegencyZero      reason.Code = "ident.regency_zero"       // what
	CodeKecamatanZero    reason.Code = "ident.kecamatan_zero"     // -
	CodeBirthDay         reason.Code = "ident.birth_day"          // digits 7-8
	CodeBirthMonth       reason.Code = "ident.birth_month"        // digits 9-10
	CodeBirthDate        reason.Code = "ident.birth_date"         // month number 1-12, day
	CodeSerialZero       reason.Code = "ident.serial_zero"        // -
	CodeScientific       reason.Code = "ident.scientific"         // -
	CodeIssuedRegency    reason.Code = "ident.issued_regency"     // NIK's regency, address's regency
	CodeIssuedKec        reason.Code = "ident.issued_kecamatan"   // NIK's kecamatan, address's kecamatan
	CodeSexMale          reason.Code = "ident.sex_male"           // -
	CodeSexFemale        reason.Code = "ident.sex_female"         // -
	CodeBirthDateDiffers reason.Code = "ident.birth_date_differs" // -
)

// english is the English text of every code.
var english = reason.Catalogue{
	CodeEmpty:         {Format: "%s is empty"},
	CodeSpace:         {Format: "%s must contain only digits; character %s is a space"},
	CodeNotDigit:      {Format: "%s must contain only digits; character %s is %s"},
	CodeLength:        {Format: "%s must be 16 digits, got %s"},
	CodeProvince:      {Format: "%s starts with %s, which is not an Indonesian province code"},
	CodeRegencyZero:   {Format: "%s regency part (digits 3-4) is 00"},
	CodeKecamatanZero: {Format: "NIK sub-district part (digits 5-6) is 00"},
	CodeBirthDay:      {Format: "NIK day of birth (digits 7-8) must be 01-31, or 41-71 for a woman; got %s"},
	CodeBirthMonth:    {Format: "NIK month of birth (digits 9-10) must be 01-12; got %s"},
	CodeBirthDate: {Format: "NIK birth date (digits 7-12) is not a real date: %s has no day %s", Args: func(a []string) []string {
		if m, err := strconv.Atoi(a[0]); err == nil && m >= 1 && m <= 12 {
			a[0] = time.Month(m).String()
		}
		return a
	}},
	CodeSerialZero:       {Format: "NIK serial number (last 4 digits) must not be 0000"},
	CodeScientific:       {Format: "number was converted to scientific notation by Excel and has lost digits; format the column as text and export again"},
	CodeIssuedRegency:    {Format: "NIK was first issued in regency %s but the address is in %s (normal if the family moved)"},
	CodeIssuedKec:        {Format: "NIK was first issued in sub-district %s but the address is in %s (normal if the family moved)"},
	CodeSexMale:          {Format: "sex is given as L (male) but the NIK's day of birth is in the women's range 41-71"},
	CodeSexFemale:        {Format: "sex is given as P (female) but the NIK's day of birth is in the men's range 01-31"},
	CodeBirthDateDiffers: {Format: "birth date does not match the one in the NIK (digits 7-12)"},
}

// Codes returns every code this package reports, sorted.
func Codes() []reason.Code { return english.Codes() }

// English returns the English catalogue of this package's codes (a copy).
func English() reason.Catalogue { return reason.Merge(english) }

// Text renders a code of this package in English.
func Text(code reason.Code, args ...string) string { return english.MustRender(code, args) }
