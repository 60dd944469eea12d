package enrol

import (
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
	def := `[{"programme":"PKH","maxDesil":4,"needsRegistry":true},{"programme":"BPNT","maxDesil":5,"needsRegistry":true},
		{"programme":"PBI-JK","maxDesil":5,"needsRegistry":true},{"programme":"BPJS-TK","maxDesil":1,"needsDecree":true},
		{"programme":"BLT-DD","maxDesil":1}]`
	if err := os.WriteFile(path, []byte(def), 0o600); err != nil {
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
