package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/verval/verval/internal/domain"
)

// Every stage, outcome and status of the domain has its Indonesian name,
// and the names are keyed by the domain's constants (a renamed stage
// breaks the build); nothing named is unknown to the domain.
func TestEveryCodeHasAName(t *testing.T) {
	check := func(kind string, have int, names func() (missing []string)) {
		t.Helper()
		for _, m := range names() {
			t.Errorf("no Indonesian name for %s %q", kind, m)
		}
		if have == 0 {
			t.Errorf("no %s names", kind)
		}
	}
	check("stage", len(stageNames), func() (out []string) {
		for _, s := range domain.Stages() {
			if _, ok := stageNames[s]; !ok {
				out = append(out, string(s))
			}
		}
		return out
	})
	check("outcome", len(outcomeNames), func() (out []string) {
		for _, o := range domain.Outcomes() {
			if _, ok := outcomeNames[o]; !ok {
				out = append(out, string(o))
			}
		}
		return out
	})
	check("task status", len(taskStatusNames), func() (out []string) {
		for _, s := range domain.TaskStatuses() {
			if _, ok := taskStatusNames[s]; !ok {
				out = append(out, string(s))
			}
		}
		return out
	})
	check("decree status", len(decreeStatusNames), func() (out []string) {
		for _, s := range domain.DecreeStatuses() {
			if _, ok := decreeStatusNames[s]; !ok || decreeStates[string(s)] == "" {
				out = append(out, string(s))
			}
		}
		return out
	})
	check("decree kind", len(decreeKindNames), func() (out []string) {
		for _, k := range domain.DecreeKinds() {
			if _, ok := decreeKindNames[k]; !ok {
				out = append(out, string(k))
			}
		}
		return out
	})
	check("batch status", len(proposalStatusNames), func() (out []string) {
		for _, s := range domain.ProposalStatuses() {
			if _, ok := proposalStatusNames[s]; !ok {
				out = append(out, string(s))
			}
		}
		return out
	})
	if len(stageNames) != len(domain.Stages()) || len(outcomeNames) != len(domain.Outcomes()) {
		t.Error("a name for a stage or outcome the domain does not have")
	}
}

// auditActionRE finds an audit action where the code writes one: an
// Action field, an action variable, an Action constant, or the action
// argument of the office's audit and auditFirst.
var auditActionRE = regexp.MustCompile(`(?:Action:\s*|action :?= |Action[A-Za-z]+\s*= |\.audit(?:First)?\([^"]*)"([a-z]+(?:\.[a-z_]+)+)"`)

// Every audit action the code writes has an Indonesian name on the
// household page ("household.identity.reveal" once showed as itself).
func TestEveryAuditActionHasAName(t *testing.T) {
	actions := map[string]bool{}
	for _, dir := range []string{"../../internal", "../../activities", "../../workflows"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range auditActionRE.FindAllStringSubmatch(string(data), -1) {
				actions[m[1]] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A decree's review steps are written as "decree." + its new status.
	for _, st := range domain.DecreeStatuses() {
		if st != domain.DecreeDraft {
			actions["decree."+string(st)] = true
		}
	}
	if len(actions) < 15 || !actions["household.identity.reveal"] {
		t.Fatalf("found only %d audit actions: %v", len(actions), actions)
	}
	for a := range actions {
		if _, ok := auditActionNames[a]; !ok {
			t.Errorf("audit action %s has no Indonesian name in auditActionNames", a)
		}
	}
}
