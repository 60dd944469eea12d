// Package enrol holds the aid programmes' eligibility rules as data and
// evaluates them for a household. The defaults follow the domain notes;
// a regency can change them without touching the workflows.
package enrol

// Programme codes.
const (
	PKH    = "PKH"     // Program Keluarga Harapan: conditional cash, desil 1-4
	BPNT   = "BPNT"    // Bantuan Pangan Non Tunai / Sembako: food, desil 1-5
	PBIJK  = "PBI-JK"  // state-paid BPJS health insurance, desil 1-5
	BPJSTK = "BPJS-TK" // BPJS Ketenagakerjaan premiums paid by the regency (APBD)
	BLTDD  = "BLT-DD"  // BLT Dana Desa, village cash transfer, P3KE desil 1 first
)

// Rule says who a programme takes.
type Rule struct {
	Programme string `json:"programme"`
	// MaxDesil is the highest P3KE decile the programme takes.
	MaxDesil int `json:"maxDesil"`
	// NeedsRegistry: only households in the national registry (DTKS/DTSEN).
	NeedsRegistry bool `json:"needsRegistry"`
	// NeedsDecree: only households listed as extreme poor in a signed
	// decree (the regency pays from its own budget on the decree's strength).
	NeedsDecree bool `json:"needsDecree"`
	// Persons, when set, makes the programme per person: its enrolment
	// list names the family's present members it covers (people.go).
	Persons *PersonRule `json:"persons,omitempty"`
	// Components, when set, are the conditions of which a family with
	// known members needs one (PKH's komponen).
	Components []Component `json:"components,omitempty"`
	// ExcludeOccupations make a family with a present member in one of
	// these occupations ineligible (PNS, TNI, Polri).
	ExcludeOccupations []string `json:"excludeOccupations,omitempty"`
}

// StateEmployees are the occupations the central programmes exclude: a
// family with a civil servant, soldier or police officer is not poor by
// Kemensos' rule (its answer PNS_TNI_POLRI).
var StateEmployees = []string{"PNS", "ASN", "PEGAWAI NEGERI SIPIL", "TNI", "POLRI", "POLISI"}

// PKHComponents are PKH's components (komponen): pregnant women, young
// children, school children, the elderly and severe disability.
var PKHComponents = []Component{
	{Name: "ibu_hamil", Pregnant: true},
	{Name: "anak_usia_dini", MinAge: 0, MaxAge: 6},
	{Name: "anak_sekolah", MinAge: 6, MaxAge: 21, InSchool: true},
	{Name: "lanjut_usia", MinAge: 60},
	{Name: "disabilitas_berat", Disability: "berat"},
}

// DefaultRules are the programmes of docs/process.md, "The stages of a household", step 6.
func DefaultRules() []Rule {
	return []Rule{
		{Programme: PKH, MaxDesil: 4, NeedsRegistry: true, Components: PKHComponents, ExcludeOccupations: StateEmployees},
		{Programme: BPNT, MaxDesil: 5, NeedsRegistry: true, ExcludeOccupations: StateEmployees},
		{Programme: PBIJK, MaxDesil: 5, NeedsRegistry: true, Persons: &PersonRule{}, ExcludeOccupations: StateEmployees},
		// Working age: the regency pays the premiums of members from 18 to 59.
		{Programme: BPJSTK, MaxDesil: 1, NeedsDecree: true, Persons: &PersonRule{MinAge: 18, MaxAge: 59}},
		{Programme: BLTDD, MaxDesil: 1},
	}
}

// Household is what the rules look at.
type Household struct {
	Desil int
	// Eligible: verified still poor by the village.
	Eligible bool
	// InRegistry: in the national registry, already or by Kemensos' acceptance.
	InRegistry bool
	// InSignedDecree: listed as extreme poor in a signed decree.
	InSignedDecree bool
	// PeopleKnown: the household has member rows (a DTSEN file's); People
	// are its present members then.
	PeopleKnown bool
	People      []Person
}

// Programmes lists, in rule order, the programmes h qualifies for. A
// household not verified eligible qualifies for none.
func Programmes(rules []Rule, h Household) []string {
	if !h.Eligible {
		return nil
	}
	var out []string
	for _, r := range rules {
		if h.Desil < 1 || h.Desil > r.MaxDesil {
			continue
		}
		if r.NeedsRegistry && !h.InRegistry {
			continue
		}
		if r.NeedsDecree && !h.InSignedDecree {
			continue
		}
		if !r.peopleAllow(h) {
			continue
		}
		out = append(out, r.Programme)
	}
	return out
}
