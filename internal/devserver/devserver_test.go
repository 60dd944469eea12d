package devserver

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthServer serves gRPC's health service on a free port, the frontend
// not serving until the test says so.
func healthServer(t *testing.T) (string, *health.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus(frontendService, healthpb.HealthCheckResponse_NOT_SERVING)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)
	return lis.Addr().String(), hs
}

// TestWaitServing: a listening frontend is not enough; the wait ends when
// the frontend reports serving, and not before.
func TestWaitServing(t *testing.T) {
	addr, hs := healthServer(t)
	const after = 400 * time.Millisecond
	time.AfterFunc(after, func() { hs.SetServingStatus(frontendService, healthpb.HealthCheckResponse_SERVING) })
	start := time.Now()
	if err := WaitServing(context.Background(), addr, 10*time.Second, make(chan error, 1)); err != nil {
		t.Fatalf("WaitServing: %v", err)
	}
	if waited := time.Since(start); waited < after {
		t.Errorf("returned after %s, before the frontend served (%s)", waited, after)
	}
}

// TestWaitServingGivesUp: a frontend that never serves, or a server that
// exits, ends the wait with an error saying which.
func TestWaitServingGivesUp(t *testing.T) {
	addr, _ := healthServer(t)
	err := WaitServing(context.Background(), addr, 300*time.Millisecond, make(chan error, 1))
	if err == nil || !strings.Contains(err.Error(), "not serving within") || !strings.Contains(err.Error(), "NOT_SERVING") {
		t.Errorf("never serving: err = %v", err)
	}

	done := make(chan error, 1)
	exit := errors.New("exit status 1")
	done <- exit
	err = WaitServing(context.Background(), addr, 10*time.Second, done)
	if err == nil || !strings.Contains(err.Error(), "exited during start") {
		t.Errorf("exited: err = %v", err)
	}
	if got := <-done; got != exit {
		t.Errorf("the exit was not put back for Done: %v", got)
	}

	// Nothing listening at all: the last error is the connection's.
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	free := lis.Addr().String()
	lis.Close()
	if err := WaitServing(context.Background(), free, 300*time.Millisecond, make(chan error, 1)); err == nil {
		t.Error("nothing listening: no error")
	}
}

// TestBuildProgress: a first build says it is compiling before anything
// else, then counts the modules `go list` downloads and the packages
// `go build` compiles. A stand-in go command on PATH plays both.
func TestBuildProgress(t *testing.T) {
	dir := t.TempDir()
	fake := `#!/bin/sh
case "$1" in
list)
	echo "go: downloading go.temporal.io/server v1.31.2" >&2
	echo "go: downloading go.temporal.io/api v1.64.1" >&2
	printf 'fmt\nos\ngithub.com/temporalio/cli/cmd/temporal\n' ;;
build)
	echo "fmt" >&2
	echo "go: downloading example.com/late v1.0.0" >&2
	echo "os" >&2
	while [ "$1" != "-o" ]; do shift; done
	echo bin > "$2" ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out strings.Builder
	bin := filepath.Join(dir, "temporal")
	if err := CLI.build(context.Background(), dir, bin, &out); err != nil {
		t.Fatalf("build: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"Compiling the Temporal dev server",
		"  downloading modules: 1 so far",
		"  downloaded 2 modules",
		"  compiled 1 packages (of at most 3)",
		"Compiled the Temporal dev server.",
	}
	if len(lines) != len(want) {
		t.Fatalf("progress:\n%s\nwant lines starting %q", out.String(), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], w)
		}
	}
	if _, err := os.Stat(bin); err != nil {
		t.Errorf("binary not moved into place: %v", err)
	}
}
