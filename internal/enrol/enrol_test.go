package enrol

import (
	"slices"
	"testing"
)

func TestProgrammes(t *testing.T) {
	all := []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}
	tests := []struct {
		name string
		h    Household
		want []string
	}{
		{"extreme poor, registered, decreed", Household{Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true}, all},
		{"extreme poor, registered, no decree", Household{Desil: 1, Eligible: true, InRegistry: true}, []string{PKH, BPNT, PBIJK, BLTDD}},
		{"new poor rejected by Kemensos, decreed", Household{Desil: 1, Eligible: true, InSignedDecree: true}, []string{BPJSTK, BLTDD}},
		{"desil 4", Household{Desil: 4, Eligible: true, InRegistry: true, InSignedDecree: true}, []string{PKH, BPNT, PBIJK}},
		{"desil 5", Household{Desil: 5, Eligible: true, InRegistry: true}, []string{BPNT, PBIJK}},
		{"desil 6", Household{Desil: 6, Eligible: true, InRegistry: true}, nil},
		{"not eligible", Household{Desil: 1, InRegistry: true, InSignedDecree: true}, nil},
		{"desil unknown", Household{Desil: 0, Eligible: true, InRegistry: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Programmes(DefaultRules(), tt.h); !slices.Equal(got, tt.want) {
				t.Errorf("Programmes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRulesAreData(t *testing.T) {
	rules := []Rule{{Programme: "RTLH", MaxDesil: 2, NeedsDecree: true}}
	if got := Programmes(rules, Household{Desil: 2, Eligible: true, InSignedDecree: true}); !slices.Equal(got, []string{"RTLH"}) {
		t.Fatalf("custom rule: %v", got)
	}
	if got := Programmes(rules, Household{Desil: 2, Eligible: true}); got != nil {
		t.Fatalf("custom rule without decree: %v", got)
	}
}
