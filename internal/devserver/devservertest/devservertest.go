// Package devservertest starts a Temporal dev server for a test: the
// repository's Temporal CLI (or VERVAL_TEMPORAL_BIN), in memory, headless,
// with verval's search attributes, stopped when the test ends.
package devservertest

import (
	"context"
	"testing"

	"github.com/verval/verval/internal/devserver"
)

// Start starts the server; getenv is where VERVAL_TEMPORAL_BIN is looked
// up. Building the CLI the first time reports its progress to t.Output.
func Start(ctx context.Context, t testing.TB, getenv func(string) string) *devserver.Server {
	t.Helper()
	root, err := devserver.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bin, err := devserver.EnsureBinary(ctx, root, getenv, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := devserver.Start(ctx, devserver.Options{Binary: bin, UIPort: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}
