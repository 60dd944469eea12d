package reason

import "testing"

func TestRender(t *testing.T) {
	c := Catalogue{
		"a":     {Format: "a %s and %s"},
		"outer": {Format: "row %s: %s", Nested: true},
		"month": {Format: "in %s", Args: func(a []string) []string { a[0] = "m" + a[0]; return a }},
	}
	for _, tt := range []struct {
		code Code
		args []string
		want string
		ok   bool
	}{
		{"a", []string{"1", "2"}, "a 1 and 2", true},
		{"a", []string{"1"}, "", false},
		{"a", []string{"1", "2", "3"}, "", false},
		{"outer", Nest([]string{"5"}, "a", []string{"x", "y"}), "row 5: a x and y", true},
		{"outer", []string{"5"}, "", false},
		{"outer", Nest([]string{"5"}, "nope", nil), "", false},
		{"month", []string{"2"}, "in m2", true},
		{"nope", nil, "", false},
	} {
		got, ok := c.Render(tt.code, tt.args)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Render(%s, %q) = %q, %v; want %q, %v", tt.code, tt.args, got, ok, tt.want, tt.ok)
		}
	}
	args := []string{"2"}
	c.Render("month", args)
	if args[0] != "2" {
		t.Error("Render changed its caller's arguments")
	}
	if bad := Check(c, []Code{"a", "outer", "month", "nope"}); len(bad) != 1 {
		t.Errorf("Check: %q, want only the missing code", bad)
	}
	if bad := Check(Catalogue{"d": {Format: "%d rows"}}, []Code{"d"}); len(bad) == 0 {
		t.Errorf("Check took a verb other than %%s")
	}
}
