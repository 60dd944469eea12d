package p3ke

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/wilayah"
)

// This file reads a DTSEN file's member rows: the people of each family,
// each on a row of its own right after the family's row (docs/p3ke.md,
// "DTSEN: members").

// Relation is a member's relationship to the head of family, as DTSEN
// codes it (1 to 9); the value is its machine name.
type Relation string

// The relationships of DTSEN's hubungan_keluarga.
const (
	RelHead        Relation = "kepala_keluarga" // 1
	RelSpouse      Relation = "pasangan"        // 2: istri/suami
	RelChild       Relation = "anak"            // 3
	RelChildInLaw  Relation = "menantu"         // 4
	RelGrandchild  Relation = "cucu"            // 5
	RelParent      Relation = "orang_tua"       // 6
	RelParentInLaw Relation = "mertua"          // 7
	RelRelative    Relation = "famili_lain"     // 8
	RelOther       Relation = "lainnya"         // 9
)

// Relations lists every relationship in DTSEN's order (code 1 first).
func Relations() []Relation {
	return []Relation{RelHead, RelSpouse, RelChild, RelChildInLaw, RelGrandchild, RelParent, RelParentInLaw, RelRelative, RelOther}
}

// relationWords maps a hubungan_keluarga cell, folded as a header is, to
// its relationship: the machine name, DTSEN's number and the words
// exports use.
var relationWords = func() map[string]Relation {
	m := map[string]Relation{
		"kepala": RelHead, "kk": RelHead,
		"istri": RelSpouse, "suami": RelSpouse, "istri/suami": RelSpouse, "suami/istri": RelSpouse,
		"orangtua": RelParent, "famili": RelRelative, "pembantu": RelOther, "lain_lain": RelOther,
	}
	for i, r := range Relations() {
		m[string(r)] = r
		m[strconv.Itoa(i+1)] = r
	}
	return m
}()

// ParseRelation reads a hubungan_keluarga cell.
func ParseRelation(s string) (Relation, bool) {
	r, ok := relationWords[canonicalHeader(s)]
	return r, ok
}

// Disability is a member's disability as DTSEN grades it; "" is none.
type Disability string

// The grades of disabilitas.
const (
	DisabilityNone     Disability = ""
	DisabilityLight    Disability = "ringan"
	DisabilityModerate Disability = "sedang"
	DisabilitySevere   Disability = "berat"
)

// parseDisability reads a disabilitas cell: empty, tidak (none), ringan,
// sedang or berat, in any case.
func parseDisability(s string) (Disability, bool) {
	switch canonicalHeader(s) {
	case "", "tidak", "tidak_ada", "0":
		return DisabilityNone, true
	case "ringan":
		return DisabilityLight, true
	case "sedang":
		return DisabilityModerate, true
	case "berat":
		return DisabilitySevere, true
	}
	return "", false
}

// rowKind is what a row of a DTSEN file is.
type rowKind int

const (
	kindFamily rowKind = iota
	kindMember
	kindUnknown
)

// kind reads jenis_baris: a file without the column has family rows only.
func (p *Parser) kind(cells []string) rowKind {
	i := p.idx[cRowType]
	if i < 0 || i >= len(cells) {
		return kindFamily
	}
	s := trim(cells[i])
	switch {
	case s == "", strings.EqualFold(s, "keluarga"), strings.EqualFold(s, "k"):
		return kindFamily
	case strings.EqualFold(s, "anggota"), strings.EqualFold(s, "a"):
		return kindMember
	}
	return kindUnknown
}

// family is what a family's member rows are checked against.
type family struct {
	row      int
	id       string // the family row's id cell, trimmed
	kk       string // its no_kk, cleaned (may be invalid)
	nik      string // its nik_kepala_keluarga, cleaned
	headRow  int    // the first head's row; 0 before one is seen
	rows     int    // member rows
	rejected bool   // a member row had an error
}

// familyOf notes what the member rows of the family at row must agree
// with; the family row itself has just been validated.
func (p *Parser) familyOf(row int, cells []string) family {
	v := rowCheck{p: p, row: row, cells: cells}
	id, _ := ident.Clean(v.cell(cFamilyID))
	kk, _ := ident.Clean(v.cell(cNoKK))
	nik, _ := ident.Clean(v.cell(cNIK))
	return family{row: row, id: id, kk: kk, nik: nik}
}

// orphan is a member row with no family row above it.
func (p *Parser) orphan(row int, cells []string) Result {
	v := rowCheck{p: p, row: row, cells: cells}
	v.fail(cRowType, CodeMemberOrphan)
	return Result{Status: Rejected, Record: Record{Row: row}, Issues: v.issues, LastRow: row}
}

// badKind is a row whose jenis_baris is neither kind.
func (p *Parser) badKind(row int, cells []string) Result {
	v := rowCheck{p: p, row: row, cells: cells}
	v.fail(cRowType, CodeRowKind, quote(v.cell(cRowType)))
	return Result{Status: Rejected, Record: Record{Row: row}, Issues: v.issues, LastRow: row}
}

// member checks one member row of the family res and adds the person (or
// the row's issues) to it. A skipped family's member rows are only
// counted: nothing of them is loaded.
func (p *Parser) member(res *Result, fam *family, row int, cells []string) {
	res.LastRow = row
	fam.rows++
	if res.Status == Skipped {
		return
	}
	v := rowCheck{p: p, row: row, cells: cells}
	m := Member{Row: row}
	famRow := strconv.Itoa(fam.row)

	if id, _ := ident.Clean(v.cell(cFamilyID)); id != "" && id != fam.id {
		v.fail(cFamilyID, CodeMemberFamily, famRow)
	}
	if kk := v.number(cNoKK); kk != "" && kk != fam.kk {
		v.fail(cNoKK, CodeMemberKK, famRow)
	}
	var nik ident.NIK
	nikOK := false
	if s := v.number(cMemberNIK); s != "" {
		var err error
		if nik, err = ident.ParseNIK(s); err != nil {
			v.failIdent(cMemberNIK, err)
		} else {
			key, _ := strconv.ParseUint(s, 10, 64)
			if first, dup := p.seenNIK[key]; dup {
				v.fail(cMemberNIK, CodeDuplicate, colNames[cMemberNIK], strconv.Itoa(first))
			} else {
				p.seenNIK[key] = row
			}
			nikOK, m.NIK = true, s
		}
	}
	m.Name = v.text(cMemberName, true)
	if s := v.cell(cRelation); s == "" {
		v.fail(cRelation, CodeRequired)
	} else if r, ok := ParseRelation(s); !ok {
		v.fail(cRelation, CodeRelation, quote(s))
	} else {
		m.Relation = r
	}
	if m.Sex = v.sex(); v.cell(cSex) == "" && nikOK {
		m.Sex = nik.Sex()
	}
	// A member's birth date is required: the programmes for people
	// (school age, working age, the elderly) go by it.
	if s := v.cell(cBirthDate); s == "" {
		v.fail(cBirthDate, CodeRequired)
	} else if d, ok := parseDate(s, p.xlsx); ok {
		m.BirthDate = d
	} else {
		v.fail(cBirthDate, CodeBirthDate)
	}
	m.Occupation = v.text(cOccupation, false)
	if s := v.cell(cDisability); s != "" {
		if d, ok := parseDisability(s); ok {
			m.Disability = d
		} else {
			v.fail(cDisability, CodeDisability, quote(s))
		}
	}
	m.InSchool = v.yesNo(cSchool)
	m.Pregnant = v.yesNo(cPregnant)

	if m.Relation == RelHead {
		switch {
		case fam.headRow != 0:
			v.fail(cRelation, CodeSecondHead, strconv.Itoa(fam.headRow))
		default:
			fam.headRow = row
			if nikOK && fam.nik != "" && m.NIK != fam.nik {
				v.fail(cMemberNIK, CodeHeadNIK, famRow)
			}
		}
	}
	if nikOK {
		// Sex and birth date only: a member's NIK is often issued where
		// they were born, not where the family lives.
		for _, w := range nik.Compare(ident.Expect{Sex: m.Sex, BirthDate: m.BirthDate}) {
			v.add(warningColumn(w.Kind), SeverityWarning, w.Code, w.Args...)
		}
	}
	p.sortIssues(v.issues)
	res.Issues = append(res.Issues, v.issues...)
	if v.errors > 0 {
		fam.rejected = true
		return
	}
	res.Record.People = append(res.Record.People, m)
}

// finishFamily applies the checks of a family as a whole once its member
// rows are read: one head, and jumlah_anggota as many as the rows.
func (p *Parser) finishFamily(res *Result, fam *family) {
	rec := &res.Record
	if res.Status == Skipped {
		if rec.Members == 0 {
			rec.Members = fam.rows
		}
		return
	}
	fv := rowCheck{p: p, row: fam.row}
	if fam.headRow == 0 {
		fv.fail(cRelation, CodeNoHead)
	}
	switch {
	case rec.Members == 0:
		rec.Members = fam.rows
	case fam.rows > 0 && rec.Members != fam.rows:
		fv.add(cMembers, SeverityWarning, CodeMemberCount, strconv.Itoa(rec.Members), strconv.Itoa(fam.rows))
	}
	if len(fv.issues) > 0 {
		// The family row's own issues come first, then these.
		at := 0
		for at < len(res.Issues) && res.Issues[at].Row == fam.row {
			at++
		}
		res.Issues = slices.Insert(res.Issues, at, fv.issues...)
	}
	if fv.errors > 0 || fam.rejected {
		res.Status = Rejected
	}
	if res.Status == Rejected {
		rec.People = nil
	}
}

// sortIssues puts a row's issues in column order, the way a person reads
// the row.
func (p *Parser) sortIssues(issues []Issue) {
	if len(issues) < 2 {
		return
	}
	slices.SortStableFunc(issues, func(a, b Issue) int {
		ca, _ := lookup(a.Column)
		cb, _ := lookup(b.Column)
		return p.idx[ca] - p.idx[cb]
	})
}

// reference is what a skipped family keeps: its id, desil, village when
// valid and member count, without checking (or rejecting) anything.
func (p *Parser) reference(v *rowCheck, desil int) Record {
	rec := Record{Row: v.row, Desil: desil}
	if id, err := ident.Clean(v.cell(cFamilyID)); err == nil && len(id) <= 64 {
		rec.FamilyID = id
	}
	if code, err := wilayah.Normalize(v.cell(cVillage)); err == nil && wilayah.Regency(code) == p.regency && p.tab.IsVillage(code) {
		rec.VillageCode = code
	}
	if n, ok := parseWhole(v.cell(cMembers)); ok {
		rec.Members = n
	}
	return rec
}

// Age is a person's age in whole years on day at.
func Age(birth, at time.Time) int {
	y := at.Year() - birth.Year()
	if at.Month() < birth.Month() || at.Month() == birth.Month() && at.Day() < birth.Day() {
		y--
	}
	return y
}
