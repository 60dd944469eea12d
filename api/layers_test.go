package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The doors (the JSON API and the pages) reach the store and the
// workflows only through internal/office: no handler may hold the store,
// the database or a Temporal client, or tell a household's workflow
// anything itself. forbidden names what their code may not mention.
var forbidden = struct {
	imports   map[string]string
	selectors map[string]string
}{
	imports: map[string]string{
		"gorm.io/gorm":                "the database: ask the office",
		"go.temporal.io/sdk/client":   "a Temporal client: ask the office",
		"go.temporal.io/sdk/temporal": "Temporal's errors: the office returns *domain.Error",
	},
	selectors: map[string]string{
		"store.Store":     "the store: call the office's method instead",
		"store.Open":      "the store: call the office's method instead",
		"store.Migrate":   "the store: call the office's method instead",
		"workflows.Cases": "the household workflows: call the office's step instead",
	},
}

// layerViolations lists what one Go source file mentions that a door may
// not, as "file:line: what (why)".
func layerViolations(fset *token.FileSet, f *ast.File) []string {
	var out []string
	at := func(n ast.Node, what, why string) {
		p := fset.Position(n.Pos())
		out = append(out, filepath.Base(p.Filename)+":"+strconv.Itoa(p.Line)+": "+what+" ("+why+")")
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if why, ok := forbidden.imports[path]; ok {
			at(imp, "imports "+path, why)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok {
			name := x.Name + "." + sel.Sel.Name
			if why, ok := forbidden.selectors[name]; ok {
				at(sel, name, why)
			}
		}
		return true
	})
	return out
}

// No file of package api or api/web, tests aside, reaches past the office.
func TestDoorsGoThroughTheOffice(t *testing.T) {
	fset := token.NewFileSet()
	var files int
	for _, dir := range []string{".", "web"} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files++
			for _, v := range layerViolations(fset, f) {
				t.Errorf("%s/%s", dir, v)
			}
		}
	}
	if files < 20 {
		t.Fatalf("read %d files of api and api/web; the glob is wrong", files)
	}
}

// The check finds what it is meant to find.
func TestLayerViolationsAreFound(t *testing.T) {
	src := `package api

import (
	"gorm.io/gorm"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

type Deps struct {
	DB    *gorm.DB
	Store *store.Store
}

func (s *Server) submit() { _ = workflows.Cases{} }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "bad.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := layerViolations(fset, f)
	for _, want := range []string{"bad.go:4: imports gorm.io/gorm", "bad.go:11: store.Store", "bad.go:14: workflows.Cases"} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("missed %q in %q", want, got)
		}
	}
}
