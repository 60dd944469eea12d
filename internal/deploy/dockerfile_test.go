package deploy

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines
// joined.
type instruction struct {
	cmd  string // keyword, upper case: FROM, RUN, COPY, ...
	args string // everything after the keyword
	line int    // 1-based line where the instruction starts
}

// stage is one FROM ... section of a multi-stage Dockerfile.
type stage struct {
	base         string // image after FROM, flags such as --platform removed
	name         string // the AS name, lower case; "" if unnamed
	instructions []instruction
}

// parseDockerfile splits a Dockerfile into stages and instructions. It
// handles what this repository uses (comments, parser directives, backslash
// continuations, FROM flags and AS names), not heredocs.
func parseDockerfile(text string) ([]stage, error) {
	var (
		stages  []stage
		pending strings.Builder
		start   int
	)
	add := func(raw string, line int) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return
		}
		cmd, args, _ := strings.Cut(raw, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: line}
		if in.cmd == "FROM" {
			st := stage{}
			fields := strings.Fields(in.args)
			for i := 0; i < len(fields); i++ {
				if strings.HasPrefix(fields[i], "--") {
					continue
				}
				st.base = fields[i]
				if i+2 < len(fields) && strings.EqualFold(fields[i+1], "AS") {
					st.name = strings.ToLower(fields[i+2])
				}
				break
			}
			stages = append(stages, st)
		}
		if len(stages) > 0 {
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
		}
	}
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // blank lines, comments and parser directives, also inside continuations
		}
		if pending.Len() == 0 {
			start = i + 1
		}
		if body, ok := strings.CutSuffix(strings.TrimRight(line, " \t\r"), `\`); ok {
			pending.WriteString(body)
			pending.WriteString(" ")
			continue
		}
		pending.WriteString(line)
		add(pending.String(), start)
		pending.Reset()
	}
	add(pending.String(), start)
	if len(stages) == 0 {
		return nil, os.ErrInvalid
	}
	return stages, nil
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParseDockerfile(t *testing.T) []stage {
	t.Helper()
	stages, err := parseDockerfile(readRepoFile(t, "Dockerfile"))
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	return stages
}

// all returns the instructions with keyword cmd.
func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// user returns the user the stage's containers run as: the last USER, or
// the base image's default ("" when unknown, for a base other than a
// distroless :nonroot image).
func (s stage) user() string {
	if users := s.all("USER"); len(users) > 0 {
		return users[len(users)-1].args
	}
	if strings.HasPrefix(s.base, "gcr.io/distroless/") && strings.HasSuffix(s.base, ":nonroot") {
		return "65532:65532"
	}
	return ""
}

// isRoot reports whether a USER value means root, or is unknown (which for
// almost every base image means root).
func isRoot(user string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return name == "" || name == "root" || name == "0"
}

// goBuild is the `go build` found in a RUN instruction.
type goBuild struct {
	stage   stage
	run     string
	output  string
	pkgs    []string
	ldflags string
}

// findGoBuild returns the go build command that builds ./cmd/verval.
func findGoBuild(t *testing.T, stages []stage) goBuild {
	t.Helper()
	for _, st := range stages {
		for _, run := range st.all("RUN") {
			_, cmdline, ok := strings.Cut(run.args, "go build ")
			if !ok {
				continue
			}
			if i := strings.IndexAny(cmdline, "&;|"); i >= 0 {
				cmdline = cmdline[:i]
			}
			gb := goBuild{stage: st, run: run.args}
			args := splitArgs(cmdline)
			for i := 0; i < len(args); i++ {
				a := args[i]
				switch {
				case a == "-o" && i+1 < len(args):
					i++
					gb.output = args[i]
				case strings.HasPrefix(a, "-ldflags="):
					gb.ldflags = strings.TrimPrefix(a, "-ldflags=")
				case a == "-ldflags" && i+1 < len(args):
					i++
					gb.ldflags = args[i]
				case !strings.HasPrefix(a, "-"):
					gb.pkgs = append(gb.pkgs, a)
				}
			}
			if slices.Contains(gb.pkgs, "./cmd/verval") {
				return gb
			}
		}
	}
	t.Fatal("no RUN ... go build ... ./cmd/verval in the Dockerfile")
	return goBuild{}
}

// splitArgs splits a shell command line on blanks, honouring single and
// double quotes (enough for build flags; no escapes or expansions).
func splitArgs(s string) []string {
	var (
		out   []string
		cur   strings.Builder
		quote rune
		inArg bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inArg = r, true
		case r == ' ' || r == '\t':
			if inArg {
				out = append(out, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		out = append(out, cur.String())
	}
	return out
}

// TestDockerfileBuildsVerval checks that the image is built from
// ./cmd/verval as a static, reproducible binary and that exactly that
// binary is what the final stage ships as /verval.
func TestDockerfileBuildsVerval(t *testing.T) {
	stages := mustParseDockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a multi-stage build", len(stages))
	}
	gb := findGoBuild(t, stages)
	final := stages[len(stages)-1]
	if gb.stage.name == "" || gb.stage.name == final.name {
		t.Errorf("go build runs in stage %q: it must be a named stage before the runtime stage", gb.stage.name)
	}
	if !regexp.MustCompile(`(^|\s)CGO_ENABLED=0(\s|$)`).MatchString(gb.run) {
		t.Error("go build is not run with CGO_ENABLED=0 (the runtime image has no libc)")
	}
	if !strings.Contains(gb.run, "-trimpath") {
		t.Error("go build lacks -trimpath")
	}
	ld := strings.Fields(gb.ldflags)
	if !slices.Contains(ld, "-s") || !slices.Contains(ld, "-w") {
		t.Errorf("go build -ldflags=%q, want -s -w", gb.ldflags)
	}
	if gb.output == "" {
		t.Fatal("go build has no -o output path")
	}

	copied := false
	for _, c := range final.all("COPY") {
		f := strings.Fields(c.args)
		if len(f) == 3 && f[0] == "--from="+gb.stage.name && f[1] == gb.output && f[2] == "/verval" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("final stage does not COPY --from=%s %s /verval", gb.stage.name, gb.output)
	}
}

// TestDockerfileGoVersionMatchesGoMod checks that the builder image is the
// official golang image for the Go version go.mod declares.
func TestDockerfileGoVersionMatchesGoMod(t *testing.T) {
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	if m == nil {
		t.Fatal("no go directive in go.mod")
	}
	goVersion := m[1] + "." + m[2]
	gb := findGoBuild(t, mustParseDockerfile(t))
	name, tag, _ := strings.Cut(gb.stage.base, ":")
	if name != "golang" {
		t.Fatalf("build stage FROM %s, want the official golang image", gb.stage.base)
	}
	if tag != goVersion && !strings.HasPrefix(tag, goVersion+"-") && !strings.HasPrefix(tag, goVersion+".") {
		t.Errorf("build stage FROM %s, but go.mod says go %s", gb.stage.base, goVersion)
	}
}

// TestDockerfileRuntimeStage checks the image that runs: non-root, a small
// pinned base, ENTRYPOINT ["/verval"], port 8080, and no HEALTHCHECK that
// could not run.
func TestDockerfileRuntimeStage(t *testing.T) {
	stages := mustParseDockerfile(t)
	final := stages[len(stages)-1]

	if u := final.user(); isRoot(u) {
		t.Errorf("final stage runs as %q: it must run as a non-root user", u)
	}
	distroless := strings.HasPrefix(final.base, "gcr.io/distroless/static")
	if !distroless && !strings.HasPrefix(final.base, "alpine:") {
		t.Errorf("final stage FROM %s, want distroless static or alpine", final.base)
	}
	if _, tag, ok := strings.Cut(final.base, ":"); !ok || tag == "latest" {
		t.Errorf("final stage FROM %s is not pinned to a tag", final.base)
	}

	entry := final.all("ENTRYPOINT")
	if len(entry) != 1 {
		t.Fatalf("final stage has %d ENTRYPOINT instructions, want 1", len(entry))
	}
	var argv []string
	if err := json.Unmarshal([]byte(entry[0].args), &argv); err != nil {
		t.Fatalf("ENTRYPOINT %s is not exec (JSON) form: %v", entry[0].args, err)
	}
	if !slices.Equal(argv, []string{"/verval"}) {
		t.Errorf("ENTRYPOINT %q, want [\"/verval\"]", argv)
	}

	exposes8080 := false
	for _, e := range final.all("EXPOSE") {
		for _, p := range strings.Fields(e.args) {
			if p == "8080" || p == "8080/tcp" {
				exposes8080 = true
			}
		}
	}
	if !exposes8080 {
		t.Error("final stage does not EXPOSE 8080")
	}

	if hc := final.all("HEALTHCHECK"); distroless && len(hc) > 0 && !strings.EqualFold(hc[len(hc)-1].args, "NONE") {
		if !strings.Contains(hc[len(hc)-1].args, `"/verval"`) {
			t.Errorf("HEALTHCHECK %s on a distroless image: it has no shell, curl or wget to run it", hc[len(hc)-1].args)
		}
	}
}

// TestDockerfileUserCheck checks the non-root check itself on small
// Dockerfiles, so that TestDockerfileRuntimeStage cannot pass vacuously.
func TestDockerfileUserCheck(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		root       bool
	}{
		{"no USER on alpine", "FROM alpine:3.22\nENTRYPOINT [\"/verval\"]\n", true},
		{"USER root", "FROM alpine:3.22\nUSER root\n", true},
		{"USER 0:0", "FROM alpine:3.22\nUSER 0:0\n", true},
		{"USER app", "FROM alpine:3.22\nRUN adduser -D app\nUSER app\n", false},
		{"last USER wins", "FROM alpine:3.22\nUSER 10001\nRUN true\nUSER root\n", true},
		{"distroless nonroot tag", "FROM gcr.io/distroless/static-debian12:nonroot\n", false},
		{"distroless default tag", "FROM gcr.io/distroless/static-debian12\n", true},
		{"only the final stage counts", "FROM golang:1.26 AS build\nUSER 1000\nFROM alpine:3.22\n", true},
		{
			"continuation and comments",
			"# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM golang:1.26 AS build\nRUN echo a \\\n  # a comment inside\n  && echo b\nFROM scratch\nUSER \\\n  65532:65532\n",
			false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stages, err := parseDockerfile(tc.dockerfile)
			if err != nil {
				t.Fatal(err)
			}
			if got := isRoot(stages[len(stages)-1].user()); got != tc.root {
				t.Errorf("root = %v, want %v (user %q)", got, tc.root, stages[len(stages)-1].user())
			}
		})
	}
}

// dockerignored reports whether .dockerignore patterns keep p (a slash
// path relative to the build context) out of the context, following
// Docker's rules: patterns are anchored at the context root, a directory
// match excludes everything below it, later patterns override earlier
// ones, and "!" re-includes.
func dockerignored(patterns []string, p string) bool {
	excluded := false
	for _, pat := range patterns {
		neg := strings.HasPrefix(pat, "!")
		pat = path.Clean(strings.TrimPrefix(strings.TrimPrefix(pat, "!"), "/"))
		matched := false
		for prefix := p; prefix != "." && prefix != "/"; prefix = path.Dir(prefix) {
			if ok, _ := path.Match(pat, prefix); ok {
				matched = true
				break
			}
		}
		if matched {
			excluded = !neg
		}
	}
	return excluded
}

// TestDockerignore checks that the build context leaves out data, build
// outputs, VCS state and the separate tools/ module, but keeps everything
// `go build ./cmd/verval` needs.
func TestDockerignore(t *testing.T) {
	var patterns []string
	for _, line := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	tests := []struct {
		path    string
		ignored bool
	}{
		{".git/HEAD", true},
		{"data/households.xlsx", true},
		{"bin/verval", true},
		{"tools/go.mod", true},
		{"tools/go.sum", true},
		{"docs/screenshots/login.png", true},
		{".env", true},
		{"go.mod", false},
		{"go.sum", false},
		{"cmd/verval/main.go", false},
		{"internal/deploy/doc.go", false},
		{"internal/workflows/verification.go", false},
		{"docs/deployment.md", false},
	}
	for _, tc := range tests {
		if got := dockerignored(patterns, tc.path); got != tc.ignored {
			t.Errorf("%s: ignored = %v, want %v", tc.path, got, tc.ignored)
		}
	}
}
