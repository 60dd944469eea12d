package p3ke

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/reason"
)

// DTSENOptions configure GenerateDTSEN.
type DTSENOptions struct {
	// GenOptions: Regency, Households (the number of families), Seed,
	// Villages and Wilayah as for GenerateCSV. FaultRate is the share of
	// the families within MaxDesil given one member fault (families above
	// it are not checked, so a fault there would not be found).
	GenOptions
	// MaxDesil is the cycle's scope the plan is for; 0 means 1.
	MaxDesil int
}

// PlantedFault is one fault GenerateDTSEN wrote: the row and column a
// Parser must report it at, and its code.
type PlantedFault struct {
	Row    int
	Column string
	Code   reason.Code
}

// DTSENPlan is what a Parser must make of a generated DTSEN file.
type DTSENPlan struct {
	Summary Summary
	// Faults are every planted fault, in row order: each rejects its
	// family.
	Faults []PlantedFault
	// MemberRows counts the member rows written, of every desil.
	MemberRows int
}

// GenerateDTSEN writes a synthetic DTSEN file (docs/p3ke.md): families of
// every desil (1 to 10, about evenly), each followed by its member rows
// (the head, often a spouse, 0 to 4 children, sometimes a parent: about
// four people a family). Numbers agree with each other so a clean family
// raises no warning. Like GenerateCSV it writes no real person's data.
func GenerateDTSEN(w io.Writer, opts DTSENOptions) (DTSENPlan, error) {
	g, err := newGenerator(opts.GenOptions)
	if err != nil {
		return DTSENPlan{}, err
	}
	g.niks = make(map[string]bool, opts.Households*4)
	scope := max(1, opts.MaxDesil)
	cw := csv.NewWriter(w)
	if err := cw.Write(colNames[:]); err != nil {
		return DTSENPlan{}, err
	}
	var plan DTSENPlan
	row := 1 // the header
	for i := range opts.Households {
		fam, _ := g.row(i, faultNone)
		desil := 1 + g.rng.IntN(10)
		fam[cRowType] = "keluarga"
		fam[cDesil] = strconv.Itoa(desil)
		fam[cNIK] = g.freshNIK(fam[cNIK])
		people := g.members(fam)
		fam[cMembers] = strconv.Itoa(len(people))
		inScope := desil <= scope
		f := dtsenFaultNone
		if inScope && g.rng.Float64() < opts.FaultRate {
			f = dtsenFault(1 + g.rng.IntN(int(numDTSENFaults)-1))
		}
		famRow := row + 1
		if pf, ok := g.plant(f, fam, people, famRow); ok {
			plan.Faults = append(plan.Faults, pf)
		} else {
			f = dtsenFaultNone
		}
		if err := cw.Write(fam[:]); err != nil {
			return plan, err
		}
		row++
		for _, m := range people {
			if err := cw.Write(m[:]); err != nil {
				return plan, err
			}
			row++
			if inScope && f != dtsenFaultMemberNIKDup && len(m[cMemberNIK]) == 16 {
				g.inScopeNIKs = append(g.inScopeNIKs, m[cMemberNIK])
			}
		}
		plan.MemberRows += len(people)
		switch {
		case !inScope:
			plan.Summary.Skipped++
		case f != dtsenFaultNone:
			plan.Summary.Rejected++
		default:
			plan.Summary.Accepted++
			plan.Summary.People += len(people)
		}
	}
	cw.Flush()
	return plan, cw.Error()
}

// freshNIK returns nik, or nik with another serial when a person of the
// file already has it.
func (g *generator) freshNIK(nik string) string {
	for g.niks[nik] {
		nik = fmt.Sprintf("%s%04d", nik[:12], 1+g.rng.IntN(9999))
	}
	g.niks[nik] = true
	return nik
}

// person writes a NIK, sex and birth date for someone born in year, with
// the NIK issued in the family's kecamatan.
func (g *generator) person(fam [numCols]string, female bool, year int) (nik, sex, born string) {
	month, day := 1+g.rng.IntN(12), 1+g.rng.IntN(28)
	nikDay := day
	sex = "L"
	if female {
		nikDay, sex = day+40, "P"
	}
	nik = g.freshNIK(fmt.Sprintf("%s%02d%02d%02d%04d", fam[cNIK][:6], nikDay, month, year%100, 1+g.rng.IntN(9999)))
	return nik, sex, fmt.Sprintf("%04d-%02d-%02d", year, month, day)
}

// members writes the member rows of the family row fam: its head first.
func (g *generator) members(fam [numCols]string) [][numCols]string {
	member := func(nik, name string, rel Relation, sex, born, job string) [numCols]string {
		var m [numCols]string
		m[cRowType] = "anggota"
		m[cFamilyID], m[cNoKK] = fam[cFamilyID], fam[cNoKK]
		m[cMemberNIK], m[cMemberName], m[cSex], m[cBirthDate] = nik, name, sex, born
		m[cRelation] = g.relationCell(rel)
		m[cOccupation] = job
		m[cSchool], m[cPregnant] = "Tidak", "Tidak"
		if g.rng.IntN(50) == 0 {
			m[cDisability] = g.pick([]string{"ringan", "Sedang", "BERAT"})
		}
		return m
	}
	nik := fam[cNIK]
	day, _ := strconv.Atoi(nik[6:8])
	month, _ := strconv.Atoi(nik[8:10])
	yy, _ := strconv.Atoi(nik[10:12])
	female := day > 40
	if female {
		day -= 40
	}
	year := 1900 + yy
	if yy < 40 {
		year = 2000 + yy
	}
	out := [][numCols]string{member(nik, fam[cName], RelHead, fam[cSex], fmt.Sprintf("%04d-%02d-%02d", year, month, day), fam[cOccupation])}
	if g.rng.IntN(5) != 0 {
		n, sex, born := g.person(fam, !female, year-3+g.rng.IntN(7))
		job := g.pick(occupations)
		if sex == "P" {
			job = "Mengurus Rumah Tangga"
		}
		m := member(n, g.name(sex == "P"), RelSpouse, sex, born, job)
		if sex == "P" && year > 1975 && g.rng.IntN(20) == 0 {
			m[cPregnant] = "Ya"
		}
		out = append(out, m)
	}
	for range g.rng.IntN(5) {
		childFemale := g.rng.IntN(2) == 0
		n, sex, born := g.person(fam, childFemale, min(year+18+g.rng.IntN(25), 2024))
		m := member(n, g.name(childFemale), RelChild, sex, born, "Belum/Tidak Bekerja")
		if by, _ := strconv.Atoi(born[:4]); by >= 2007 && by <= 2019 {
			m[cSchool], m[cOccupation] = "Ya", "Pelajar/Mahasiswa"
		}
		out = append(out, m)
	}
	if g.rng.IntN(5) == 0 {
		parentFemale := g.rng.IntN(2) == 0
		n, sex, born := g.person(fam, parentFemale, year-25-g.rng.IntN(10))
		out = append(out, member(n, g.name(parentFemale), RelParent, sex, born, "Tidak Bekerja"))
	}
	return out
}

// relationCell writes a relationship as exports vary it: words in
// capitals or not, sometimes DTSEN's number.
func (g *generator) relationCell(r Relation) string {
	words := map[Relation][]string{
		RelHead: {"KEPALA KELUARGA", "Kepala Keluarga"}, RelSpouse: {"ISTRI", "Istri/Suami", "SUAMI"},
		RelChild: {"ANAK", "Anak"}, RelParent: {"ORANG TUA", "Orang Tua"},
	}[r]
	if len(words) == 0 || g.rng.IntN(10) == 0 {
		for i, x := range Relations() {
			if x == r {
				return strconv.Itoa(i + 1)
			}
		}
	}
	return g.pick(words)
}

// dtsenFault is one kind of member fault GenerateDTSEN plants.
type dtsenFault int

const (
	dtsenFaultNone dtsenFault = iota
	dtsenFaultMemberNIKShort
	dtsenFaultMemberNIKDup
	dtsenFaultMemberKK
	dtsenFaultMemberFamily
	dtsenFaultSecondHead
	dtsenFaultNoHead
	dtsenFaultHeadNIK
	dtsenFaultRelation
	dtsenFaultBirthMissing
	dtsenFaultDisability
	numDTSENFaults
)

// plant puts fault f in the family (whose row is famRow) and returns where
// the parser must report it; false when the family is too small for it or
// there is nothing to duplicate yet.
func (g *generator) plant(f dtsenFault, fam [numCols]string, people [][numCols]string, famRow int) (PlantedFault, bool) {
	if f == dtsenFaultNone {
		return PlantedFault{}, false
	}
	// The member the fault is in: any but the head, when there is one.
	at := 0
	if len(people) > 1 {
		at = 1 + g.rng.IntN(len(people)-1)
	}
	m := &people[at]
	row := famRow + 1 + at
	switch f {
	case dtsenFaultMemberNIKShort:
		// A head's short NIK is not also reported as differing from the
		// family row's: only a valid NIK is compared.
		m[cMemberNIK] = m[cMemberNIK][:15]
		return PlantedFault{row, colNames[cMemberNIK], ident.CodeLength}, true
	case dtsenFaultMemberNIKDup:
		if len(g.inScopeNIKs) == 0 || at == 0 {
			return PlantedFault{}, false
		}
		dup := g.pick(g.inScopeNIKs)
		m[cMemberNIK] = dup
		// Keep sex and birth date the NIK's, so nothing but the duplicate
		// is wrong.
		m[cSex], m[cBirthDate] = sexOfNIK(dup), birthOfNIK(dup)
		return PlantedFault{row, colNames[cMemberNIK], CodeDuplicate}, true
	case dtsenFaultMemberKK:
		kk := fam[cNoKK]
		serial, _ := strconv.Atoi(kk[12:])
		m[cNoKK] = fmt.Sprintf("%s%04d", kk[:12], serial%9999+1)
		return PlantedFault{row, colNames[cNoKK], CodeMemberKK}, true
	case dtsenFaultMemberFamily:
		m[cFamilyID] = fam[cFamilyID] + "X"
		return PlantedFault{row, colNames[cFamilyID], CodeMemberFamily}, true
	case dtsenFaultSecondHead:
		if at == 0 {
			return PlantedFault{}, false
		}
		m[cRelation] = "Kepala Keluarga"
		return PlantedFault{row, colNames[cRelation], CodeSecondHead}, true
	case dtsenFaultNoHead:
		people[0][cRelation] = "Famili Lain"
		return PlantedFault{famRow, colNames[cRelation], CodeNoHead}, true
	case dtsenFaultHeadNIK:
		head := &people[0]
		n, _, _ := g.person(fam, head[cSex] == "P", 1950)
		head[cMemberNIK], head[cBirthDate] = n, birthOfNIK(n)
		return PlantedFault{famRow + 1, colNames[cMemberNIK], CodeHeadNIK}, true
	case dtsenFaultRelation:
		if at == 0 {
			return PlantedFault{}, false // the family would have no head as well
		}
		m[cRelation] = "Tetangga"
		return PlantedFault{row, colNames[cRelation], CodeRelation}, true
	case dtsenFaultBirthMissing:
		m[cBirthDate] = ""
		return PlantedFault{row, colNames[cBirthDate], CodeRequired}, true
	case dtsenFaultDisability:
		m[cDisability] = "parah"
		return PlantedFault{row, colNames[cDisability], CodeDisability}, true
	}
	return PlantedFault{}, false
}

// sexOfNIK and birthOfNIK read what a generated NIK encodes (a year
// 1940-2039).
func sexOfNIK(nik string) string {
	if nik[6] >= '4' {
		return "P"
	}
	return "L"
}

func birthOfNIK(nik string) string {
	day, _ := strconv.Atoi(nik[6:8])
	yy, _ := strconv.Atoi(nik[10:12])
	year := 1900 + yy
	if yy < 40 {
		year = 2000 + yy
	}
	if day > 40 {
		day -= 40
	}
	return fmt.Sprintf("%04d-%s-%02d", year, nik[8:10], day)
}
