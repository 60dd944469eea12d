package p3ke

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestDocMatchesCode holds docs/p3ke.md's column table to the code: the
// same columns in the same order, and "yes" in its required column for
// exactly the columns a file must have.
func TestDocMatchesCode(t *testing.T) {
	data, err := os.ReadFile("../../docs/p3ke.md")
	if err != nil {
		t.Fatal(err)
	}
	var cols, req []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "|") {
			in = false
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		switch {
		case len(cells) >= 2 && cells[0] == "column" && cells[1] == "required":
			in = true
		case !in || strings.HasPrefix(cells[0], "---"):
		default:
			cols = append(cols, cells[0])
			switch cells[1] {
			case "yes":
				req = append(req, cells[0])
			case "no":
			default:
				t.Errorf("column %s: required is %q, want yes or no", cells[0], cells[1])
			}
		}
	}
	if !slices.Equal(cols, Columns()) {
		t.Errorf("docs/p3ke.md lists columns\n%v\nthe code knows\n%v", cols, Columns())
	}
	if !slices.Equal(req, RequiredColumns()) {
		t.Errorf("docs/p3ke.md marks required\n%v\nthe code requires\n%v", req, RequiredColumns())
	}
}
