package p3ke

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/internal/wilayah"
)

// GenOptions configure GenerateCSV.
type GenOptions struct {
	// Regency is the dotted regency code whose villages the families live in.
	Regency string
	// Households is the number of non-empty rows to write.
	Households int
	// Seed makes the output reproducible: the same options give the same bytes.
	Seed uint64
	// FaultRate, 0 to 1, is the share of rows given one fault typical of
	// real P3KE exports (bad NIK, Excel scientific notation, other
	// regency, desil above 1, duplicates, ...). 0 gives a clean file.
	FaultRate float64
	// Villages, when not empty, are the only villages the families live
	// in (dotted codes, each a village of Regency), taken in turn so each
	// gets its share; empty means all of the regency's villages, unevenly.
	Villages []string
	// Wilayah is the region table; nil means wilayah.Default().
	Wilayah *wilayah.Table
}

// GenerateCSV writes a realistic synthetic P3KE CSV file, for benchmarks,
// `verval bench` and development data, and returns the Summary a Parser
// must produce for it (each faulty row carries exactly one fault, so the
// expected counts are known).
//
// Families are spread unevenly over the regency's villages, as poverty is;
// NIK and No KK agree with the village, the sex and the birth date, so a
// clean row raises no warning. Names and addresses are made up from short
// lists of common Javanese and Indonesian names: no real person's data.
func GenerateCSV(w io.Writer, opts GenOptions) (Summary, error) {
	return generate(w, opts)
}

// GenerateXLSX writes the file GenerateCSV writes for opts as an XLSX
// workbook instead: the rows on its first sheet, every cell as text,
// written with excelize's stream writer, as a P3KE export saved from Excel.
func GenerateXLSX(w io.Writer, opts GenOptions) (Summary, error) {
	var buf bytes.Buffer
	sum, err := generate(&buf, opts)
	if err != nil {
		return sum, err
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return sum, err
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return sum, err
	}
	for i, rec := range recs {
		cells := make([]any, len(rec))
		for j, c := range rec {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return sum, err
		}
	}
	if err := sw.Flush(); err != nil {
		return sum, err
	}
	_, err = f.WriteTo(w)
	return sum, err
}

// generate writes the CSV file of GenerateCSV.
func generate(w io.Writer, opts GenOptions) (Summary, error) {
	g, err := newGenerator(opts)
	if err != nil {
		return Summary{}, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(colNames[:numP3KECols]); err != nil {
		return Summary{}, err
	}
	var want Summary
	for i := range opts.Households {
		f := faultNone
		if g.rng.Float64() < opts.FaultRate {
			f = fault(1 + g.rng.IntN(int(numFaults)-1))
		}
		if f == faultBlankRow {
			// An empty row between families: ignored, but it moves the
			// row numbers of every family after it.
			if err := cw.Write(make([]string, numP3KECols)); err != nil {
				return Summary{}, err
			}
		}
		rec, st := g.row(i, f)
		want.expect(st)
		if err := cw.Write(rec[:numP3KECols]); err != nil {
			return Summary{}, err
		}
	}
	cw.Flush()
	return want, cw.Error()
}

// newGenerator checks opts and prepares a generator for them.
func newGenerator(opts GenOptions) (*generator, error) {
	tab := opts.Wilayah
	if tab == nil {
		tab = wilayah.Default()
	}
	regency, err := wilayah.Normalize(opts.Regency)
	if err != nil || wilayah.LevelOf(regency) != wilayah.LevelRegency {
		return nil, fmt.Errorf("generate: regency must be like 35.05, got %q", opts.Regency)
	}
	villages := tab.Villages(regency)
	if len(villages) == 0 {
		return nil, fmt.Errorf("generate: regency %s has no villages", regency)
	}
	if len(opts.Villages) > 0 {
		villages = nil
		for _, v := range opts.Villages {
			code, err := wilayah.Normalize(v)
			if err != nil || !tab.IsVillage(code) || wilayah.Regency(code) != regency {
				return nil, fmt.Errorf("generate: %q is not a village of regency %s", v, regency)
			}
			if !slices.Contains(villages, code) {
				villages = append(villages, code)
			}
		}
		slices.Sort(villages)
	}
	if opts.FaultRate < 0 || opts.FaultRate > 1 {
		return nil, errors.New("generate: FaultRate must be between 0 and 1")
	}
	g := &generator{
		rng:      rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		tab:      tab,
		regency:  regency,
		villages: villages,
		kks:      make(map[string]bool, opts.Households),
	}
	g.prepare()
	g.inTurn = len(opts.Villages) > 0
	return g, nil
}

// fault is one kind of defect the generator plants.
type fault int

const (
	faultNone fault = iota
	faultNIKShort
	faultNIKLetter
	faultNIKDate
	faultNIKScientific
	faultKKShort
	faultKKProvince
	faultKKScientific
	faultVillageUnknown
	faultOtherRegency
	faultDesil
	faultDesilRange
	faultDuplicateID
	faultDuplicateKK
	faultNameEmpty
	faultMembersZero
	faultSexMismatch   // warning
	faultNIKOtherKec   // warning
	faultApostrophe    // fine after cleaning
	faultTrailingSpace // fine after cleaning
	faultBlankRow      // ignored
	numFaults
)

// outcome is what the parser must make of a generated row.
type outcome int

const (
	wantAccepted outcome = iota
	wantWarning          // accepted with one warning
	wantSkipped
	wantRejected
)

// expect counts a generated row the way the parser will.
func (s *Summary) expect(o outcome) {
	switch o {
	case wantAccepted:
		s.Accepted++
	case wantWarning:
		s.Accepted++
		s.Warnings++
	case wantSkipped:
		s.Skipped++
	case wantRejected:
		s.Rejected++
	}
}

type generator struct {
	rng      *rand.Rand
	tab      *wilayah.Table
	regency  string
	villages []string
	cum      []float64 // cumulative village weights
	kecs     []string  // kecamatan codes of the regency
	other    []string  // villages of other regencies in the province
	kks      map[string]bool
	inTurn   bool // villages in turn rather than weighted
	turn     int
	ids      []string // ids the parser will have registered
	goodKKs  []string // valid No KKs the parser will have registered
	// DTSEN files: every person's NIK, and the member NIKs the parser
	// will have registered (GenerateDTSEN).
	niks        map[string]bool
	inScopeNIKs []string
}

func (g *generator) prepare() {
	// Exponential weights: a few villages hold many desil-1 families, most
	// a handful, as in real P3KE lists.
	total := 0.0
	g.cum = make([]float64, len(g.villages))
	for i, v := range g.villages {
		total += 0.2 + g.rng.ExpFloat64()
		g.cum[i] = total
		if k := wilayah.Kecamatan(v); len(g.kecs) == 0 || g.kecs[len(g.kecs)-1] != k {
			g.kecs = append(g.kecs, k)
		}
	}
	for _, v := range g.tab.Villages(wilayah.Province(g.regency)) {
		if !strings.HasPrefix(v, g.regency+".") {
			g.other = append(g.other, v)
			if len(g.other) == 200 {
				break
			}
		}
	}
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) village() string {
	if g.inTurn {
		g.turn++
		return g.villages[(g.turn-1)%len(g.villages)]
	}
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	i, _ := slices.BinarySearch(g.cum, x)
	return g.villages[min(i, len(g.villages)-1)]
}

// digits drops the dots of a region code.
func digits(code string) string { return strings.ReplaceAll(code, ".", "") }

// freshKK returns a No KK not used before: kecamatan of issue, issue date
// DDMMYY, serial.
func (g *generator) freshKK(village string) string {
	for {
		kk := fmt.Sprintf("%s%02d%02d%02d%04d", digits(wilayah.Kecamatan(village)),
			1+g.rng.IntN(28), 1+g.rng.IntN(12), 5+g.rng.IntN(20), 1+g.rng.IntN(9999))
		if !g.kks[kk] {
			g.kks[kk] = true
			return kk
		}
	}
}

func (g *generator) row(i int, f fault) ([numCols]string, outcome) {
	var rec [numCols]string
	village := g.village()
	female := g.rng.IntN(5) == 0 // most heads of family are men; widows head the rest
	year := 1940 + g.rng.IntN(61)
	month := 1 + g.rng.IntN(12)
	day := 1 + g.rng.IntN(28)
	nikDay := day
	if female {
		nikDay += 40
	}
	nikKec := digits(wilayah.Kecamatan(village))
	if f == faultNIKOtherKec && len(g.kecs) > 1 {
		for nikKec == digits(wilayah.Kecamatan(village)) {
			nikKec = digits(g.pick(g.kecs))
		}
	}
	nik := fmt.Sprintf("%s%02d%02d%02d%04d", nikKec, nikDay, month, year%100, 1+g.rng.IntN(9999))
	id := fmt.Sprintf("%s%08d", digits(g.regency), i+1)
	kk := g.freshKK(village)

	rec[cFamilyID] = id
	rec[cNoKK] = kk
	rec[cNIK] = nik
	rec[cName] = g.name(female)
	rec[cSex] = "L"
	if female {
		rec[cSex] = "P"
	}
	switch r := g.rng.IntN(10); {
	case r < 7:
		rec[cBirthDate] = fmt.Sprintf("%04d-%02d-%02d", year, month, day)
	case r < 8:
		rec[cBirthDate] = fmt.Sprintf("%02d-%02d-%04d", day, month, year)
	case r < 9:
		rec[cBirthDate] = fmt.Sprintf("%02d/%02d/%04d", day, month, year)
	} // else left empty, as in many exports
	rec[cAddress] = g.address()
	rec[cVillage] = village
	if g.rng.IntN(3) == 0 {
		rec[cVillage] = digits(village) // both forms occur in practice
	}
	rec[cDesil] = "1"
	rec[cMembers] = strconv.Itoa(1 + g.rng.IntN(7))
	rec[cOccupation] = g.pick(occupations)
	rec[cEducation] = g.pick(educations)
	rec[cHomeOwnership] = g.pick(ownerships)
	rec[cFloor] = g.pick(floors)
	rec[cWall] = g.pick(walls)
	rec[cRoof] = g.pick(roofs)
	rec[cDrinkingWater] = g.pick(waters)
	rec[cLighting] = g.pick(lightings)
	rec[cCookingFuel] = g.pick(fuels)
	rec[cToilet] = g.pick(toilets)
	rec[cDTKS] = g.yesNo(0.7)
	rec[cPKH] = g.yesNo(0.3)
	rec[cBPNT] = g.yesNo(0.5)
	rec[cPBI] = g.yesNo(0.6)

	out := wantRejected
	kkGood, idFresh := true, true
	switch f {
	case faultNone, faultBlankRow:
		out = wantAccepted
	case faultNIKShort:
		rec[cNIK] = nik[:15]
	case faultNIKLetter:
		rec[cNIK] = nik[:9] + "O" + nik[10:] // letter O typed for zero
	case faultNIKDate:
		rec[cNIK] = nik[:6] + "3102" + nik[10:]
	case faultNIKScientific:
		rec[cNIK] = nik[:1] + "." + nik[1:6] + "E+15"
	case faultKKShort:
		rec[cNoKK], kkGood = kk[:14], false
	case faultKKProvince:
		rec[cNoKK], kkGood = "99"+kk[2:], false
	case faultKKScientific:
		rec[cNoKK], kkGood = kk[:1]+","+kk[1:6]+"E+15", false // Indonesian-locale Excel
	case faultVillageUnknown:
		rec[cVillage] = g.unknownVillage(village)
	case faultOtherRegency:
		if len(g.other) == 0 {
			out = wantAccepted
			break
		}
		rec[cVillage] = g.pick(g.other)
	case faultDesil:
		rec[cDesil] = strconv.Itoa(2 + g.rng.IntN(9))
		out, kkGood, idFresh = wantSkipped, false, false
	case faultDesilRange:
		rec[cDesil] = "11"
	case faultDuplicateID:
		if len(g.ids) == 0 {
			out = wantAccepted
			break
		}
		rec[cFamilyID], idFresh = g.pick(g.ids), false
	case faultDuplicateKK:
		if len(g.goodKKs) == 0 {
			out = wantAccepted
			break
		}
		rec[cNoKK], kkGood = g.pick(g.goodKKs), false
	case faultNameEmpty:
		rec[cName] = " "
	case faultMembersZero:
		rec[cMembers] = "0"
	case faultSexMismatch:
		rec[cSex] = "L"
		if !female {
			rec[cSex] = "P"
		}
		out = wantWarning
	case faultNIKOtherKec:
		out = wantWarning
		if len(g.kecs) < 2 {
			out = wantAccepted
		}
	case faultApostrophe:
		rec[cNIK] = "'" + nik
		rec[cNoKK] = "'" + kk
		out = wantAccepted
	case faultTrailingSpace:
		rec[cNIK] = nik + "  "
		rec[cName] += "\u00a0"
		rec[cVillage] += " "
		out = wantAccepted
	}
	if idFresh {
		g.ids = append(g.ids, id)
	}
	if kkGood {
		g.goodKKs = append(g.goodKKs, kk)
	}
	return rec, out
}

// unknownVillage returns a well-formed village code in the same kecamatan
// that the official list does not hold.
func (g *generator) unknownVillage(village string) string {
	kec := wilayah.Kecamatan(village)
	for {
		code := fmt.Sprintf("%s.2%03d", kec, 900+g.rng.IntN(100))
		if !g.tab.IsVillage(code) {
			return code
		}
	}
}

func (g *generator) yesNo(p float64) string {
	// Spellings vary between exports: mostly Ya/Tidak, sometimes Y/T or capitals.
	yes := g.rng.Float64() < p
	spelling := min(g.rng.IntN(10), 2)
	if yes {
		return [...]string{"Y", "YA", "Ya"}[spelling]
	}
	return [...]string{"T", "TIDAK", "Tidak"}[spelling]
}

func (g *generator) name(female bool) string {
	first := g.pick(maleNames)
	if female {
		first = g.pick(femaleNames)
	}
	if g.rng.IntN(3) == 0 {
		return first
	}
	return first + " " + g.pick(secondNames)
}

func (g *generator) address() string {
	return fmt.Sprintf("Dusun %s RT %03d RW %03d", g.pick(hamlets), 1+g.rng.IntN(9), 1+g.rng.IntN(6))
}

// Word lists for synthetic families. P3KE writes names in capitals.
var (
	maleNames = []string{
		"SUPARMAN", "SLAMET", "BUDI", "AGUS", "JOKO", "SUGENG", "BAMBANG", "WAHYU", "HADI", "SUTRISNO",
		"AHMAD", "MUHAMMAD", "IMAM", "RUDI", "EKO", "DWI", "SUYANTO", "SUMARNO", "TEGUH", "DARMAJI",
	}
	femaleNames = []string{
		"SITI", "SRI", "SUMIATI", "SUYATI", "WARTINI", "NINGSIH", "SULASTRI", "KATINI", "PAINEM", "TUMINI",
		"LESTARI", "RUKMINI", "DEWI", "NUR", "AMINAH",
	}
	secondNames = []string{
		"WATI", "RAHAYU", "HIDAYAT", "SANTOSO", "SUSILO", "WIBOWO", "PURNOMO", "SETIAWAN", "HANDAYANI",
		"PRASETYO", "NURHAYATI", "MULYONO", "KUSNADI", "FAUZI",
	}
	hamlets     = []string{"Krajan", "Sumberejo", "Karangrejo", "Sidomulyo", "Ngadirejo", "Tegalsari", "Kebonsari", "Sukorejo"}
	occupations = []string{"Petani", "Buruh Tani", "Buruh Harian Lepas", "Pedagang Kecil", "Nelayan", "Tidak Bekerja", "Mengurus Rumah Tangga", "Wiraswasta"}
	educations  = []string{"Tidak/Belum Sekolah", "Tidak Tamat SD", "SD/Sederajat", "SMP/Sederajat", "SMA/Sederajat"}
	ownerships  = []string{"Milik Sendiri", "Kontrak/Sewa", "Bebas Sewa", "Menumpang", "Lainnya"}
	floors      = []string{"Tanah", "Bambu", "Kayu/Papan Kualitas Rendah", "Semen/Bata Merah", "Keramik"}
	walls       = []string{"Bambu", "Kayu", "Tembok Tanpa Plester", "Tembok"}
	roofs       = []string{"Ijuk/Rumbia", "Seng", "Asbes", "Genteng"}
	waters      = []string{"Sumur Tak Terlindung", "Sumur Terlindung", "Mata Air", "Air Isi Ulang", "Ledeng"}
	lightings   = []string{"Listrik PLN 450 VA", "Listrik PLN 900 VA", "Listrik Non-PLN", "Bukan Listrik"}
	fuels       = []string{"Kayu Bakar", "Gas 3 kg", "Minyak Tanah", "Arang"}
	toilets     = []string{"Tidak Ada", "Bersama/Umum", "Sendiri"}
)
