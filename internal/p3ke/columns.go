package p3ke

import (
	"slices"
	"strings"
	"unicode"
)

// col indexes the known columns.
type col int

// The columns of the P3KE file, in the order the generator writes them.
const (
	cFamilyID col = iota
	cNoKK
	cNIK
	cName
	cSex
	cBirthDate
	cAddress
	cVillage
	cDesil
	cMembers
	cOccupation
	cEducation
	cHomeOwnership
	cFloor
	cWall
	cRoof
	cDrinkingWater
	cLighting
	cCookingFuel
	cToilet
	cDTKS
	cPKH
	cBPNT
	cPBI
	// DTSEN: the row's kind and a member row's own columns (docs/p3ke.md,
	// "DTSEN: members"). A file without cRowType is a P3KE file: every
	// row is a family row.
	cRowType
	cMemberNIK
	cMemberName
	cRelation
	cDisability
	cSchool
	cPregnant
	numCols
)

// numP3KECols is the number of columns a P3KE file has (the DTSEN ones
// follow them).
const numP3KECols = cRowType

// colNames are the canonical header names, as docs/p3ke.md lists them (doc_test.go holds the two together).
var colNames = [numCols]string{
	cFamilyID:      "id_keluarga_p3ke",
	cNoKK:          "no_kk",
	cNIK:           "nik_kepala_keluarga",
	cName:          "nama_kepala_keluarga",
	cSex:           "jenis_kelamin",
	cBirthDate:     "tanggal_lahir",
	cAddress:       "alamat",
	cVillage:       "kode_wilayah",
	cDesil:         "desil",
	cMembers:       "jumlah_anggota",
	cOccupation:    "pekerjaan",
	cEducation:     "pendidikan",
	cHomeOwnership: "kepemilikan_rumah",
	cFloor:         "jenis_lantai",
	cWall:          "jenis_dinding",
	cRoof:          "jenis_atap",
	cDrinkingWater: "sumber_air_minum",
	cLighting:      "sumber_penerangan",
	cCookingFuel:   "bahan_bakar_memasak",
	cToilet:        "fasilitas_bab",
	cDTKS:          "terdaftar_dtks",
	cPKH:           "penerima_pkh",
	cBPNT:          "penerima_bpnt",
	cPBI:           "penerima_pbi",
	cRowType:       "jenis_baris",
	cMemberNIK:     "nik_anggota",
	cMemberName:    "nama_anggota",
	cRelation:      "hubungan_keluarga",
	cDisability:    "disabilitas",
	cSchool:        "bersekolah",
	cPregnant:      "hamil",
}

// aliases are other header names of a column: a DTSEN export names its
// family identifier after DTSEN.
var aliases = map[string]col{
	"id_keluarga_dtsen": cFamilyID,
	"id_keluarga":       cFamilyID,
}

// memberRequired are the columns a file with jenis_baris (a DTSEN file
// with member rows) must have besides the required ones.
var memberRequired = [...]col{cMemberNIK, cMemberName, cRelation}

// required marks the columns a file must have.
var required = [numCols]bool{
	cFamilyID: true, cNoKK: true, cNIK: true, cName: true,
	cAddress: true, cVillage: true, cDesil: true,
}

// Columns returns every known column name in canonical order.
func Columns() []string { return slices.Clone(colNames[:]) }

// RequiredColumns returns the names of the columns a file must have.
func RequiredColumns() []string {
	var out []string
	for c := range numCols {
		if required[c] {
			out = append(out, colNames[c])
		}
	}
	return out
}

// lookup finds a column from its canonical name. A linear search is fine:
// it runs once per header cell.
func lookup(name string) (col, bool) {
	if c, ok := aliases[name]; ok {
		return c, true
	}
	i := slices.Index(colNames[:], name)
	return col(i), i >= 0
}

// canonicalHeader folds a header cell the way people vary it: case,
// surrounding spaces, and spaces, hyphens, underscores or dots between
// words ("No. KK", "NIK Kepala-Keluarga") all match.
func canonicalHeader(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	sep := false
	for _, r := range h {
		switch {
		case r == ' ' || r == '_' || r == '-' || r == '.' || isBlank(r):
			sep = b.Len() > 0
		default:
			if sep {
				b.WriteByte('_')
				sep = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isBlank reports spaces, including non-breaking and zero-width ones and a
// stray byte-order mark.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// trim removes blanks around a cell.
func trim(s string) string { return strings.TrimFunc(s, isBlank) }

// columnLetter returns a spreadsheet column name (0 -> A, 26 -> AA), so
// messages about the header point where a person looks.
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
