// Package reason is the machinery behind coded reasons: why a P3KE row or
// file, a NIK or No KK, or a row of Kemensos' answer file is refused. A
// reason is a stable Code (e.g. "p3ke.desil_range") with string
// arguments; each language has a Catalogue from codes to words, and the
// text is rendered from the code, never the other way round. The English
// catalogues live with the packages that make the reasons (internal/ident,
// internal/p3ke, internal/kemensos); the Indonesian one lives with the
// pages (api/web).
//
// Arguments hold only what a person may read: never a full NIK or No KK.
package reason

import (
	"fmt"
	"slices"
	"strings"
)

// Code names a reason. Codes are stable: stored with intake issues and
// sent in the API's JSON, so a code is never renamed or reused.
type Code string

// Text is the words of one code in one language.
type Text struct {
	// Format has one %s per argument of the code, in order (and no other
	// verb).
	Format string
	// Args, when set, turns the arguments into this language's words
	// before they go into Format: for the few arguments that are codes
	// themselves (a month number, a region level). It must return as many
	// as it is given.
	Args func(args []string) []string
	// Nested: the last %s of Format is another reason, whose code and
	// arguments follow this code's own arguments ("the header row cannot
	// be read: <why>").
	Nested bool
}

// Arity is the number of the code's own arguments: the %s verbs of
// Format, less the nested reason's.
func (t Text) Arity() int {
	n := strings.Count(t.Format, "%s")
	if t.Nested {
		n--
	}
	return n
}

// Catalogue maps codes to their words in one language.
type Catalogue map[Code]Text

// Merge returns a catalogue holding the codes of all cats.
func Merge(cats ...Catalogue) Catalogue {
	out := Catalogue{}
	for _, c := range cats {
		for k, v := range c {
			out[k] = v
		}
	}
	return out
}

// Codes returns the catalogue's codes, sorted.
func (c Catalogue) Codes() []Code {
	out := make([]Code, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Render writes code with args in the catalogue's language. ok is false
// when the catalogue lacks the code (or a nested one), or the arguments do
// not fit it; the text is then empty.
func (c Catalogue) Render(code Code, args []string) (string, bool) {
	t, ok := c[code]
	if !ok {
		return "", false
	}
	n := t.Arity()
	if len(args) < n || !t.Nested && len(args) != n || t.Nested && len(args) == n {
		return "", false
	}
	own := slices.Clone(args[:n])
	if t.Args != nil {
		own = t.Args(own)
	}
	vals := make([]any, 0, n+1)
	for _, a := range own {
		vals = append(vals, a)
	}
	if t.Nested {
		inner, ok := c.Render(Code(args[n]), args[n+1:])
		if !ok {
			return "", false
		}
		vals = append(vals, inner)
	}
	return fmt.Sprintf(t.Format, vals...), true
}

// MustRender is Render for a reason its package has just made, whose
// catalogue is known to hold it: a missing code is a programming error
// and shows as the code and arguments themselves.
func (c Catalogue) MustRender(code Code, args []string) string {
	if s, ok := c.Render(code, args); ok {
		return s
	}
	return string(code) + " " + strings.Join(args, " ")
}

// Nest appends a nested reason's code and arguments to an outer code's own
// arguments, for a Text with Nested set.
func Nest(own []string, inner Code, innerArgs []string) []string {
	out := make([]string, 0, len(own)+1+len(innerArgs))
	out = append(out, own...)
	out = append(out, string(inner))
	return append(out, innerArgs...)
}

// Check renders each of codes with sample arguments ("1", "2", ...; a
// nested reason gets one of the catalogue's plain codes) and returns what
// is wrong: a code the catalogue lacks, a verb other than %s, or a text
// fmt complains about ("%!"). Every package's test runs it over its
// codes, and api/web's over all of them in Indonesian.
func Check(c Catalogue, codes []Code) []string {
	var inner Code
	for _, k := range c.Codes() {
		if t := c[k]; !t.Nested {
			inner = k
			break
		}
	}
	var bad []string
	for _, code := range codes {
		t, ok := c[code]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: no text", code))
			continue
		}
		if strings.Count(strings.ReplaceAll(t.Format, "%%", ""), "%") != strings.Count(t.Format, "%s") {
			bad = append(bad, fmt.Sprintf("%s: a verb other than %%s in %q", code, t.Format))
		}
		args := SampleArgs(t.Arity())
		if t.Nested {
			args = Nest(args, inner, SampleArgs(c[inner].Arity()))
		}
		s, ok := c.Render(code, args)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: does not render with %d arguments", code, t.Arity()))
		case strings.Contains(s, "%!"):
			bad = append(bad, fmt.Sprintf("%s: broken text %q", code, s))
		}
	}
	return bad
}

// SampleArgs returns n arguments "1", "2", ... for tests.
func SampleArgs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return out
}
