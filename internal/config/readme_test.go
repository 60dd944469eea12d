package config

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readOutsideLoad are the README's variables that config.Load does not
// read, and who does.
var readOutsideLoad = map[string]string{
	"TEMPORAL_UI_PORT":    "cmd/verval/dev.go",
	"TEMPORAL_LOG_LEVEL":  "cmd/verval/dev.go",
	"VERVAL_TEMPORAL_BIN": "internal/devserver.EnsureBinary",
	// Load reads it only when a development key is configured.
	"VERVAL_ALLOW_DEV_KEYS": "config.Load, with a development key",
}

// TestREADMEConfigurationTable: every variable Load reads is in README's
// configuration table, and the table lists nothing that nobody reads.
func TestREADMEConfigurationTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	inTable := map[string]bool{}
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range name.FindAllStringSubmatch(first, -1) {
			inTable[m[1]] = true
		}
	}
	read := map[string]bool{}
	for _, dev := range []bool{true, false} {
		_, _ = Load(func(k string) string { read[k] = true; return "" }, dev)
	}
	for _, k := range slices.Sorted(maps.Keys(read)) {
		if !inTable[k] {
			t.Errorf("config.Load reads %s, which README's configuration table does not list", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(inTable)) {
		if !read[k] && readOutsideLoad[k] == "" {
			t.Errorf("README's configuration table lists %s, which nothing reads", k)
		}
	}
	if len(inTable) < 10 {
		t.Errorf("found only %d variables in README's table: is the parser still right?", len(inTable))
	}
}
