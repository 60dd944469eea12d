// Package docs holds no code: its test checks that the repository's
// references to documents point to files of the repository.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdRef finds a reference to a Markdown file: a path like docs/p3ke.md,
// README.md or ../kemensos.md, in a comment, a string or a Markdown link.
var mdRef = regexp.MustCompile(`[A-Za-z0-9_][A-Za-z0-9_./-]*\.md\b`)

// TestReferencesPointIntoTheRepository reads every Go and Markdown file of
// the repository and checks that each *.md it names exists, relative to
// the repository's root or to the naming file: a reader must never be
// sent to a document the repository does not have.
func TestReferencesPointIntoTheRepository(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "data", "bin", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(data), "\n") {
			for _, ref := range mdRef.FindAllString(line, -1) {
				if strings.Contains(ref, "://") {
					continue
				}
				checked++
				if exists(filepath.Join(root, ref)) || exists(filepath.Join(filepath.Dir(path), ref)) {
					continue
				}
				t.Errorf("%s:%d names %s, which is not a file of the repository", rel, i+1, ref)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d references found; is the walk reading the repository?", checked)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestReadmeTemporalQueries: the README's hand-written Temporal UI queries
// carry fixed dates and codes, so they are labelled as examples to change,
// after the way to get today's query from /stuck's temporalQueryUrl.
func TestReadmeTemporalQueries(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	start := strings.Index(s, "## Finding stuck cases in the Temporal Web UI")
	if start < 0 {
		t.Fatal("README has no section on finding stuck cases")
	}
	sec := s[start:]
	sec = sec[:strings.Index(sec[3:], "\n## ")+3]
	ready := strings.Index(sec, "temporalQueryUrl")
	examples := strings.Index(sec, "these are **examples**: change the dates")
	query := strings.Index(sec, `StageEnteredAt < "20`)
	if ready < 0 || examples < 0 || query < 0 || !(ready < examples && examples < query) {
		t.Errorf("README's Temporal queries: temporalQueryUrl at %d, the examples label at %d, the first dated query at %d; want them in that order", ready, examples, query)
	}
}
