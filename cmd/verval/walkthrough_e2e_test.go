package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// walkthroughBlocks returns the shell of docs/walkthrough.md for a Kemensos
// mode: every ```sh block, and the ```sh <mode> blocks of that mode, in
// order.
func walkthroughBlocks(t *testing.T, mode string) string {
	t.Helper()
	data, err := os.ReadFile("../../docs/walkthrough.md")
	if err != nil {
		t.Fatal(err)
	}
	fence := regexp.MustCompile("(?ms)^```(sh(?: [a-z]+)?)\n(.*?)^```$")
	var b strings.Builder
	n := 0
	for _, m := range fence.FindAllStringSubmatch(string(data), -1) {
		if m[1] == "sh" || m[1] == "sh "+mode {
			b.WriteString(m[2])
			n++
		}
	}
	if n < 10 {
		t.Fatalf("docs/walkthrough.md has only %d sh blocks for %s mode", n, mode)
	}
	return b.String()
}

// TestWalkthrough runs docs/walkthrough.md's commands, as a reader would
// paste them into one shell, against a fresh stack in each Kemensos mode:
// every command must succeed (curl --fail-with-body stops the script on
// any answer that is not 2xx), so the page cannot drift from the API.
func TestWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the walkthrough needs %s", tool)
			}
			t.Skipf("the walkthrough needs %s, which is not installed", tool)
		}
	}
	if testing.Short() {
		t.Skip("end-to-end test; run without -short")
	}
	// The walkthrough runs bin/verval from the repository's root (make dev
	// builds it); here a binary of this tree in a directory of its own.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bin", "verval"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, mode := range []string{"file", "simulated"} {
		t.Run(mode, func(t *testing.T) {
			script := walkthroughBlocks(t, mode)
			env := stackEnv(t, "sqlite")
			env["VERVAL_KEMENSOS"] = mode
			env["VERVAL_KEMENSOS_DELAY"] = "2s"
			s := startStackEnv(t, env)
			script = strings.Replace(script, "API=http://localhost:8080/api/v1", "API="+s.base+"/api/v1", 1)
			if !strings.Contains(script, "API="+s.base) {
				t.Fatal("the walkthrough no longer sets API=http://localhost:8080/api/v1")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the walkthrough stopped (%v):\n%s\n--- verval dev:\n%s", err, out, s.out.String())
			}
			// The year ran to its end: the cycle is closed.
			u := s.login("dinsos", "dinsos-blitar-2026")
			var cy struct{ ClosedAt *time.Time }
			if code := u.call("GET", "/api/v1/cycles/1", nil, &cy); code != 200 || cy.ClosedAt == nil {
				t.Errorf("after the walkthrough the cycle is not closed (%d):\n%s", code, out)
			}
		})
	}
}
