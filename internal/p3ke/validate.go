package p3ke

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/wilayah"
)

// rowCheck collects the parsed fields and issues of one row.
type rowCheck struct {
	p      *Parser
	row    int
	cells  []string
	rec    Record
	issues []Issue
	errors int
}

// cell returns the trimmed cell of column c, or "" if the column is absent
// or the row is short.
func (v *rowCheck) cell(c col) string {
	i := v.p.idx[c]
	if i < 0 || i >= len(v.cells) {
		return ""
	}
	return trim(v.cells[i])
}

func (v *rowCheck) add(c col, sev Severity, code reason.Code, args ...string) {
	v.issues = append(v.issues, Issue{Row: v.row, Column: colNames[c], Reason: withIdent.MustRender(code, args), Severity: sev, Code: code, Args: args})
	if sev == SeverityError {
		v.errors++
	}
}

// fail rejects the row for code at column c.
func (v *rowCheck) fail(c col, code reason.Code, args ...string) {
	v.add(c, SeverityError, code, args...)
}

// failIdent rejects the row for internal/ident's fault err at column c.
func (v *rowCheck) failIdent(c col, err error) {
	var ie *ident.Error
	if errors.As(err, &ie) {
		v.fail(c, ie.Code, ie.Args...)
		return
	}
	// ident returns only *ident.Error; keep any other error's words.
	v.issues = append(v.issues, Issue{Row: v.row, Column: colNames[c], Reason: err.Error(), Severity: SeverityError})
	v.errors++
}

// text returns a free-text cell, checking that a database will take it
// and that it holds only characters a text may.
func (v *rowCheck) text(c col, isRequired bool) string {
	s := v.cell(c)
	switch {
	case s == "":
		if isRequired {
			v.fail(c, CodeRequired)
		}
	case !utf8.ValidString(s):
		// Usually a file saved as "CSV" in a Windows code page rather
		// than "CSV UTF-8"; PostgreSQL would refuse the text.
		v.fail(c, CodeTextNotUTF8CSV)
		return ""
	case strings.IndexByte(s, 0) >= 0:
		v.fail(c, CodeTextNUL)
		return ""
	}
	// The rule for text (internal/domain/text.go): a line break or tab
	// becomes a space, a control or invisible formatting character
	// rejects the row.
	s = trim(domain.OneLine(s))
	if r, bad := domain.BadRune(s, false); bad {
		v.fail(c, CodeTextChar, domain.RuneName(r))
		return ""
	}
	return s
}

// number returns an identifier cell cleaned with ident.Clean: leading
// apostrophe and spaces gone, scientific notation reported.
func (v *rowCheck) number(c col) string {
	s, err := ident.Clean(v.cell(c))
	if err != nil {
		v.failIdent(c, err)
		return ""
	}
	if s == "" {
		v.fail(c, CodeRequired)
	}
	return s
}

// validate applies every rule to one non-empty row.
func (p *Parser) validate(row int, cells []string) Result {
	v := rowCheck{p: p, row: row, cells: cells}
	rec := &v.rec
	rec.Row = row

	// Desil first: a family above the cycle's scope (desil 2-10 when only
	// desil 1 enters) does not enter the cycle, so the rest of its row is
	// not checked and cannot reject it.
	if s := v.cell(cDesil); s == "" {
		v.fail(cDesil, CodeRequired)
	} else if d, ok := parseWhole(s); !ok || d < 1 || d > 10 {
		v.fail(cDesil, CodeDesilRange, quote(s))
	} else if d > p.maxDesil {
		return Result{Status: Skipped, Record: p.reference(&v, d)}
	} else {
		rec.Desil = d
	}

	if id := v.number(cFamilyID); id != "" {
		if !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
			v.fail(cFamilyID, CodeTextNotUTF8)
		} else if first, dup := p.seenID[id]; dup {
			v.fail(cFamilyID, CodeDuplicate, colNames[cFamilyID], strconv.Itoa(first))
		} else {
			// Clone so the map keeps 20 bytes, not the whole row's string.
			p.seenID[strings.Clone(id)] = row
			rec.FamilyID = id
		}
	}

	if kk := v.number(cNoKK); kk != "" {
		if err := ident.ValidateKK(kk); err != nil {
			v.failIdent(cNoKK, err)
		} else {
			key, _ := strconv.ParseUint(kk, 10, 64) // 16 digits always fit
			if first, dup := p.seenKK[key]; dup {
				v.fail(cNoKK, CodeDuplicate, colNames[cNoKK], strconv.Itoa(first))
			} else {
				p.seenKK[key] = row
				rec.NoKK = kk
			}
		}
	}

	nikStr := v.number(cNIK)
	var nik ident.NIK
	nikOK := false
	if nikStr != "" {
		var err error
		if nik, err = ident.ParseNIK(nikStr); err != nil {
			v.failIdent(cNIK, err)
		} else {
			nikOK = true
			rec.NIK = nikStr
		}
	}

	rec.Name = v.text(cName, true)

	rec.Sex = v.sex()

	if s := v.cell(cBirthDate); s != "" {
		if d, ok := parseDate(s, p.xlsx); ok {
			rec.BirthDate = &d
		} else {
			// The value is not repeated: a birth date is personal data.
			v.fail(cBirthDate, CodeBirthDate)
		}
	}

	rec.Address = v.text(cAddress, true)
	p.checkVillage(&v)

	if s := v.cell(cMembers); s != "" {
		if n, ok := parseWhole(s); ok && n >= 1 {
			rec.Members = n
		} else {
			v.fail(cMembers, CodeMembers, quote(s))
		}
	}

	rec.Occupation = v.text(cOccupation, false)
	rec.Education = v.text(cEducation, false)
	rec.Indicators = Indicators{
		HomeOwnership: v.text(cHomeOwnership, false),
		Floor:         v.text(cFloor, false),
		Wall:          v.text(cWall, false),
		Roof:          v.text(cRoof, false),
		DrinkingWater: v.text(cDrinkingWater, false),
		Lighting:      v.text(cLighting, false),
		CookingFuel:   v.text(cCookingFuel, false),
		Toilet:        v.text(cToilet, false),
	}
	rec.InDTKS = v.yesNo(cDTKS)
	rec.PKH = v.yesNo(cPKH)
	rec.BPNT = v.yesNo(cBPNT)
	rec.PBI = v.yesNo(cPBI)

	if nikOK {
		want := ident.Expect{Region: rec.VillageCode, Sex: rec.Sex}
		if rec.BirthDate != nil {
			want.BirthDate = *rec.BirthDate
		}
		for _, w := range nik.Compare(want) {
			v.add(warningColumn(w.Kind), SeverityWarning, w.Code, w.Args...)
		}
		if rec.NoKK != "" && rec.NoKK == rec.NIK {
			v.add(cNoKK, SeverityWarning, CodeKKIsNIK)
		}
	}

	res := Result{Status: Accepted, Record: v.rec}
	if v.errors > 0 {
		res.Status = Rejected
	}
	if len(v.issues) > 0 {
		p.sortIssues(v.issues)
		res.Issues = v.issues
	}
	return res
}

// warningColumn puts each NIK cross-check where a person would fix it: the
// region and serial are the NIK's own, sex and birth date usually typos in
// their own columns.
func warningColumn(k ident.WarningKind) col {
	switch k {
	case ident.WarnSex:
		return cSex
	case ident.WarnBirthDate:
		return cBirthDate
	}
	return cNIK
}

// checkVillage validates kode_wilayah: a real village of the cycle's
// regency.
func (p *Parser) checkVillage(v *rowCheck) {
	code := v.number(cVillage)
	if code == "" {
		return
	}
	norm, err := wilayah.Normalize(code)
	if err != nil {
		v.fail(cVillage, CodeVillageCode, quote(code))
		return
	}
	if lv := wilayah.LevelOf(norm); lv != wilayah.LevelVillage {
		v.fail(cVillage, CodeVillageLevel, norm, levelName(lv))
		return
	}
	if reg := wilayah.Regency(norm); reg != p.regency {
		if name, ok := p.tab.Name(reg); ok {
			v.fail(cVillage, CodeOutsideRegencyOf, norm, reg, name, p.regency, p.regName)
		} else {
			v.fail(cVillage, CodeOutsideRegency, norm, p.regency, p.regName)
		}
		return
	}
	if !p.tab.IsVillage(norm) {
		v.fail(cVillage, CodeNotVillage, norm)
		return
	}
	v.rec.VillageCode = norm
}

// levelName is a region level as CodeVillageLevel's argument.
func levelName(lv wilayah.Level) string {
	switch lv {
	case wilayah.LevelProvince:
		return LevelProvince
	case wilayah.LevelRegency:
		return LevelRegency
	case wilayah.LevelKecamatan:
		return LevelKecamatan
	}
	return LevelRegion
}

// yesNo reads a Ya/Tidak column. Accepted, case-insensitively: Ya, Y, 1,
// TRUE for yes; Tidak, T, 0, FALSE for no. An empty cell (or an absent
// column) counts as no: the file does not claim the family is registered
// or receives the aid, and verval checks it anyway.
func (v *rowCheck) yesNo(c col) bool {
	s := v.cell(c)
	// EqualFold rather than ToUpper: no copy of the cell per row.
	for _, yes := range [...]string{"ya", "y", "1", "true"} {
		if strings.EqualFold(s, yes) {
			return true
		}
	}
	for _, no := range [...]string{"tidak", "t", "0", "false", ""} {
		if strings.EqualFold(s, no) {
			return false
		}
	}
	v.fail(c, CodeYesNo, quote(s))
	return false
}

// sex reads jenis_kelamin: "L", "P", or "" when empty or refused.
func (v *rowCheck) sex() string {
	s := v.cell(cSex)
	if s == "" {
		return ""
	}
	sex, ok := parseSex(s)
	if !ok {
		v.fail(cSex, CodeSex, quote(s))
	}
	return sex
}

// parseSex accepts L and P and the words P3KE exports spell out.
func parseSex(s string) (string, bool) {
	switch {
	case strings.EqualFold(s, "L"), strings.EqualFold(s, "laki-laki"), strings.EqualFold(s, "laki laki"):
		return "L", true
	case strings.EqualFold(s, "P"), strings.EqualFold(s, "perempuan"):
		return "P", true
	}
	return "", false
}

// parseWhole parses a non-negative whole number of at most 9 digits (the
// bound keeps out overflow and absurd values alike).
func parseWhole(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// dateLayouts are the accepted tanggal_lahir formats; one-digit days and
// months are accepted too, as spreadsheets often drop the zero.
var dateLayouts = [...]string{"2006-1-2", "2-1-2006", "2/1/2006"}

// parseDate reads a tanggal_lahir cell. A time of day after the date, as
// database exports add ("1980-01-25 00:00:00"), is ignored. In XLSX a real
// date cell is stored as a day count from 1900 (Excel's serial date),
// which is converted.
func parseDate(s string, xlsx bool) (time.Time, bool) {
	if xlsx {
		if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-/") {
			if n < 1 || n > 2_958_465 { // Excel's range: 1900-01-01 to 9999-12-31
				return time.Time{}, false
			}
			d, err := excelize.ExcelDateToTime(n, false)
			if err != nil {
				return time.Time{}, false
			}
			y, m, day := d.Date()
			return time.Date(y, m, day, 0, 0, 0, 0, time.UTC), true
		}
	}
	if i := strings.IndexAny(s, " T"); i > 0 && strings.Trim(s[i+1:], "0123456789:.Z+-") == "" {
		s = s[:i]
	}
	// Pick the one layout the value can match: a failed time.Parse
	// allocates its error, and this runs for every row.
	layout := dateLayouts[1]
	switch {
	case strings.IndexByte(s, '/') >= 0:
		layout = dateLayouts[2]
	case len(s) > 4 && s[4] == '-':
		layout = dateLayouts[0]
	}
	d, err := time.Parse(layout, s)
	return d, err == nil
}

// quote shows a cell value in a message, shortened so a stray paragraph
// pasted into a cell does not flood the report, and masked when it holds
// many digits: when columns slip, a NIK or No KK lands in a column whose
// value we echo.
func quote(s string) string {
	const limit = 20
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits > 10 { // more than a village code has
		s = ident.Mask(s)
	}
	if utf8.RuneCountInString(s) > limit {
		r := []rune(s)
		s = string(r[:limit]) + "…"
	}
	return strconv.Quote(s)
}
