package enrol

import (
	"fmt"
	"strings"
	"unicode"
)

// The rules about people, for the households whose members are known (a
// DTSEN file's): who a per-person programme lists, the components a family
// needs one of (PKH), and the occupations that make a family ineligible.
// A household without member rows (a P3KE file's) is judged by the
// family-level fields alone, as before.

// PersonRule makes a programme per person: its list names the family's
// present members of these ages (in whole years on the day of enrolment).
type PersonRule struct {
	MinAge int `json:"minAge"`
	// MaxAge 0 means no upper bound.
	MaxAge int `json:"maxAge,omitempty"`
}

// Component is one condition of which a family needs at least one present
// member (PKH's komponen): an age range, pregnancy, school attendance, a
// disability grade. Its set fields must all hold.
type Component struct {
	Name   string `json:"name"`
	MinAge int    `json:"minAge,omitempty"`
	// MaxAge 0 means no upper bound.
	MaxAge     int    `json:"maxAge,omitempty"`
	Pregnant   bool   `json:"pregnant,omitempty"`
	InSchool   bool   `json:"inSchool,omitempty"`
	Disability string `json:"disability,omitempty"` // e.g. "berat"
}

// Person is a present member of a household, as the rules look at it.
type Person struct {
	Age        int
	Occupation string
	InSchool   bool
	Pregnant   bool
	Disability string
}

// inAges reports whether age is within min and max (0: none).
func inAges(age, min, max int) bool { return age >= min && (max == 0 || age <= max) }

// Covers reports whether a per-person programme lists p.
func (r PersonRule) Covers(p Person) bool { return inAges(p.Age, r.MinAge, r.MaxAge) }

// Matches reports whether p meets the component.
func (c Component) Matches(p Person) bool {
	return inAges(p.Age, c.MinAge, c.MaxAge) && (!c.Pregnant || p.Pregnant) && (!c.InSchool || p.InSchool) &&
		(c.Disability == "" || strings.EqualFold(c.Disability, p.Disability))
}

// Components lists, in the rule's order, the components the family's
// people meet.
func (r Rule) ComponentsOf(people []Person) []string {
	var out []string
	for _, c := range r.Components {
		for _, p := range people {
			if c.Matches(p) {
				out = append(out, c.Name)
				break
			}
		}
	}
	return out
}

// excluded reports whether a member's occupation is one the rule excludes:
// the occupation's words contain one of the rule's terms as whole words, in
// any case ("PNS Guru", "Anggota POLRI").
func (r Rule) excluded(occupation string) bool {
	words := " " + strings.Join(strings.FieldsFunc(strings.ToUpper(occupation), func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	}), " ") + " "
	for _, term := range r.ExcludeOccupations {
		if strings.Contains(words, " "+strings.ToUpper(strings.TrimSpace(term))+" ") {
			return true
		}
	}
	return false
}

// peopleAllow reports whether the family's people let it into r: no
// member in an excluded occupation, and, when r has components, one
// component met. A household without known members is not judged here.
func (r Rule) peopleAllow(h Household) bool {
	if !h.PeopleKnown {
		return true
	}
	for _, p := range h.People {
		if r.excluded(p.Occupation) {
			return false
		}
	}
	return len(r.Components) == 0 || len(r.ComponentsOf(h.People)) > 0
}

// checkPeople checks a rule's people fields, for ParseRules.
func (r Rule) checkPeople() error {
	ages := func(what string, min, max int) error {
		if min < 0 || min > 150 || max < 0 || max > 150 || (max != 0 && max < min) {
			return fmt.Errorf("%s: ages %d to %d are not a range of years", what, min, max)
		}
		return nil
	}
	if p := r.Persons; p != nil {
		if err := ages("persons", p.MinAge, p.MaxAge); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for i, c := range r.Components {
		switch {
		case !componentName.MatchString(c.Name):
			return fmt.Errorf("component %d: name %q must be a lower-case code like ibu_hamil", i+1, c.Name)
		case seen[c.Name]:
			return fmt.Errorf("component %s appears twice", c.Name)
		case c.MinAge == 0 && c.MaxAge == 0 && !c.Pregnant && !c.InSchool && c.Disability == "":
			return fmt.Errorf("component %s has no condition: every member would meet it", c.Name)
		}
		if err := ages("component "+c.Name, c.MinAge, c.MaxAge); err != nil {
			return err
		}
		seen[c.Name] = true
	}
	for _, o := range r.ExcludeOccupations {
		if strings.TrimSpace(o) == "" {
			return fmt.Errorf("excludeOccupations: an empty occupation")
		}
	}
	return nil
}
