package enrol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
)

// componentName is what a component's name may look like.
var componentName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// programmeCode is what a programme code may look like: it names the
// programme's enrolment list and its column in the cycle report.
var programmeCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,15}$`)

// ParseRules reads programme rules from JSON: an array of objects with
// programme (code, e.g. "PKH"), maxDesil (1 to 10), needsRegistry and
// needsDecree, evaluated in the order given. Unknown fields, duplicate
// programmes and an empty list are errors, each naming the rule at fault.
func ParseRules(r io.Reader) ([]Rule, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rules []Rule
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("not a JSON array of rules like [{\"programme\":\"PKH\",\"maxDesil\":4,\"needsRegistry\":true}]: %w", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value; want one array of rules")
	}
	if len(rules) == 0 {
		return nil, errors.New("no rules: leave the variable unset for the default programmes")
	}
	seen := map[string]bool{}
	for i, r := range rules {
		switch {
		case !programmeCode.MatchString(r.Programme):
			return nil, fmt.Errorf("rule %d: programme %q must be an upper-case code of up to 16 letters, digits and dashes, like PBI-JK", i+1, r.Programme)
		case seen[r.Programme]:
			return nil, fmt.Errorf("rule %d: programme %s appears twice", i+1, r.Programme)
		case r.MaxDesil < 1 || r.MaxDesil > 10:
			return nil, fmt.Errorf("rule %d (%s): maxDesil %d is not a decile from 1 to 10", i+1, r.Programme, r.MaxDesil)
		}
		if err := r.checkPeople(); err != nil {
			return nil, fmt.Errorf("rule %d (%s): %w", i+1, r.Programme, err)
		}
		seen[r.Programme] = true
	}
	return rules, nil
}

// LoadRules reads the rules file at path (ParseRules); an empty path means
// DefaultRules.
func LoadRules(path string) ([]Rule, error) {
	if path == "" {
		return DefaultRules(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rules, err := ParseRules(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rules, nil
}
