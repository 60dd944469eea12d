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
}

// DefaultRules are the programmes of docs/process.md, "The stages of a household", step 6.
func DefaultRules() []Rule {
	return []Rule{
		{Programme: PKH, MaxDesil: 4, NeedsRegistry: true},
		{Programme: BPNT, MaxDesil: 5, NeedsRegistry: true},
		{Programme: PBIJK, MaxDesil: 5, NeedsRegistry: true},
		{Programme: BPJSTK, MaxDesil: 1, NeedsDecree: true},
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
		out = append(out, r.Programme)
	}
	return out
}
