package web

import (
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
