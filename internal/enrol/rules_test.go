package enrol

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseRules(t *testing.T) {
	rules, err := ParseRules(strings.NewReader(`[
		{"programme": "PKH", "maxDesil": 3, "needsRegistry": true},
		{"programme": "RTLH", "maxDesil": 2, "needsDecree": true}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{{Programme: "PKH", MaxDesil: 3, NeedsRegistry: true}, {Programme: "RTLH", MaxDesil: 2, NeedsDecree: true}}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("rules %+v, want %+v", rules, want)
	}
	bad := []struct{ name, json, want string }{
		{"not JSON", `{`, "not a JSON array"},
		{"object", `{"programme":"PKH"}`, "not a JSON array"},
		{"unknown field", `[{"programme":"PKH","maxDesil":4,"desil":4}]`, "unknown field"},
		{"empty", `[]`, "no rules"},
		{"two values", `[{"programme":"PKH","maxDesil":4}] []`, "more than one"},
		{"lower-case code", `[{"programme":"pkh","maxDesil":4}]`, `rule 1: programme "pkh"`},
		{"duplicate", `[{"programme":"PKH","maxDesil":4},{"programme":"PKH","maxDesil":2}]`, "rule 2: programme PKH appears twice"},
		{"desil 0", `[{"programme":"PKH","maxDesil":0}]`, "rule 1 (PKH): maxDesil 0"},
		{"desil 11", `[{"programme":"BPNT","maxDesil":11}]`, "maxDesil 11 is not a decile"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// The defaults round-trip through the file format, so a regency can start
// its file from them.
func TestLoadRules(t *testing.T) {
	if rules, err := LoadRules(""); err != nil || !reflect.DeepEqual(rules, DefaultRules()) {
		t.Fatalf("no file: %+v, %v; want the defaults", rules, err)
	}
	path := filepath.Join(t.TempDir(), "rules.json")
	def, err := json.Marshal(DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, def, 0o600); err != nil {
		t.Fatal(err)
	}
	if rules, err := LoadRules(path); err != nil || !reflect.DeepEqual(rules, DefaultRules()) {
		t.Fatalf("the defaults as a file: %+v, %v", rules, err)
	}
	if _, err := LoadRules(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
	if err := os.WriteFile(path, []byte(`[]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRules(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want one naming the file", err)
	}
}

// The people rules: a component needs one member who meets it, a member
// in a state job makes the family ineligible where the rule says so, and
// a household without known members is judged as before.
func TestPeopleRules(t *testing.T) {
	rules := DefaultRules()
	base := Household{Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true, PeopleKnown: true}
	with := func(ps ...Person) Household { h := base; h.People = ps; return h }
	farmer := Person{Age: 45, Occupation: "Petani"}
	cases := []struct {
		name string
		h    Household
		want []string
	}{
		{"no component: no PKH", with(farmer, Person{Age: 40, Occupation: "Mengurus Rumah Tangga"}), []string{BPNT, PBIJK, BPJSTK, BLTDD}},
		{"a school child", with(farmer, Person{Age: 12, InSchool: true}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"a child of 12 not at school", with(farmer, Person{Age: 12}), []string{BPNT, PBIJK, BPJSTK, BLTDD}},
		{"a toddler", with(farmer, Person{Age: 2}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"an elder", with(farmer, Person{Age: 70}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"pregnant", with(farmer, Person{Age: 25, Pregnant: true}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"severe disability", with(farmer, Person{Age: 30, Disability: "berat"}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"a teacher who is PNS", with(farmer, Person{Age: 2}, Person{Age: 24, Occupation: "PNS Guru"}), []string{BPJSTK, BLTDD}},
		{"anggota Polri", with(farmer, Person{Age: 70}, Person{Age: 30, Occupation: "Anggota POLRI"}), []string{BPJSTK, BLTDD}},
		{"not a word: PNSX", with(farmer, Person{Age: 2}, Person{Age: 24, Occupation: "PNSX"}), []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
		{"members unknown (P3KE)", Household{Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true}, []string{PKH, BPNT, PBIJK, BPJSTK, BLTDD}},
	}
	for _, c := range cases {
		if got := Programmes(rules, c.h); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	tk := rules[3]
	if tk.Persons == nil || tk.Persons.Covers(Person{Age: 17}) || !tk.Persons.Covers(Person{Age: 18}) || !tk.Persons.Covers(Person{Age: 59}) || tk.Persons.Covers(Person{Age: 60}) {
		t.Errorf("BPJS-TK covers %+v", tk.Persons)
	}
	if pbi := rules[2]; pbi.Persons == nil || !pbi.Persons.Covers(Person{Age: 0}) || !pbi.Persons.Covers(Person{Age: 90}) {
		t.Errorf("PBI-JK covers %+v", pbi.Persons)
	}
	for _, bad := range []struct{ json, want string }{
		{`[{"programme":"X","maxDesil":1,"components":[{"name":"semua"}]}]`, "no condition"},
		{`[{"programme":"X","maxDesil":1,"components":[{"name":"Ibu","pregnant":true}]}]`, "lower-case code"},
		{`[{"programme":"X","maxDesil":1,"persons":{"minAge":60,"maxAge":18}}]`, "not a range"},
		{`[{"programme":"X","maxDesil":1,"excludeOccupations":[" "]}]`, "empty occupation"},
	} {
		if _, err := ParseRules(strings.NewReader(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want %q", bad.json, err, bad.want)
		}
	}
}
