package devserver

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
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
	if err := WaitServing(context.Background(), addr, 10*time.Second, make(chan struct{})); err != nil {
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
	err := WaitServing(context.Background(), addr, 300*time.Millisecond, make(chan struct{}))
	if err == nil || !strings.Contains(err.Error(), "not serving within") || !strings.Contains(err.Error(), "NOT_SERVING") {
		t.Errorf("never serving: err = %v", err)
	}

	exited := make(chan struct{})
	close(exited)
	err = WaitServing(context.Background(), addr, 10*time.Second, exited)
	if err == nil || !strings.Contains(err.Error(), "exited during start") {
		t.Errorf("exited: err = %v", err)
	}

	// Nothing listening at all: the last error is the connection's.
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	free := lis.Addr().String()
	lis.Close()
	if err := WaitServing(context.Background(), free, 300*time.Millisecond, make(chan struct{})); err == nil {
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

// fakeServer writes a shell script standing in for the Temporal CLI.
func fakeServer(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "temporal")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStartFailureSaysWhy (issue 23, item 2): a server that exits while
// starting ends Start at once with an error carrying its last output lines
// (what `verval dev` prints on the terminal before it exits 1), not after
// the minute's wait and not with a bare exit status.
func TestStartFailureSaysWhy(t *testing.T) {
	bin := fakeServer(t, `for i in $(seq 1 40); do echo "line $i"; done
echo "unable to start server: listen tcp 127.0.0.1:7233: bind: address already in use" >&2
exit 1`)
	var log syncBuilder
	start := time.Now()
	_, err := Start(context.Background(), Options{Binary: bin, UIPort: -1, Log: &log})
	if err == nil {
		t.Fatal("Start succeeded")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the failure took %s to be reported", took)
	}
	msg := err.Error()
	for _, want := range []string{"exited during start", "bind: address already in use", "line 40"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line 20\n") {
		t.Errorf("error carries more than the last lines:\n%s", msg)
	}
	if !strings.Contains(log.String(), "line 1\n") {
		t.Errorf("the log did not get the whole output: %q", log.String())
	}
}

// TestStartRetriesOnTakenPort: a server that exits during its start
// because a port Start picked was taken meanwhile is started again on new
// ports (three times at most); one whose port the caller named, or that
// failed for another reason, is not.
func TestStartRetriesOnTakenPort(t *testing.T) {
	for _, c := range []struct {
		name  string
		o     Options
		why   string
		tries int
	}{
		{"picked ports", Options{}, "bind: address already in use", startAttempts},
		{"named ports", Options{Port: 1, UIPort: -1}, "bind: address already in use", 1},
		{"another failure", Options{}, "no space left on device", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := filepath.Join(t.TempDir(), "calls")
			c.o.Binary = fakeServer(t, `echo "$@" >> `+calls+`
echo "listen tcp 127.0.0.1:1: `+c.why+`" >&2
exit 1`)
			if c.o.Port == 1 {
				// A port that is free, named by the caller.
				p, err := FreePort()
				if err != nil {
					t.Fatal(err)
				}
				c.o.Port = p
			}
			_, err := Start(context.Background(), c.o)
			if err == nil || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("Start: %v", err)
			}
			b, _ := os.ReadFile(calls)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) != c.tries {
				t.Fatalf("started %d times, want %d:\n%s", len(lines), c.tries, b)
			}
			if c.tries > 1 && lines[0] == lines[1] {
				t.Errorf("tried again on the same ports: %s", lines[0])
			}
		})
	}
}

// syncBuilder is a strings.Builder safe for the output's copying goroutine.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStartOnHeldPort: a port another process holds (the orphan of an
// earlier run) is reported before the server starts, naming the address;
// the health check could otherwise reach that other server and call the
// start a success.
func TestStartOnHeldPort(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	port := lis.Addr().(*net.TCPAddr).Port
	bin := fakeServer(t, "sleep 60")
	start := time.Now()
	_, err = Start(context.Background(), Options{Binary: bin, Port: port, UIPort: -1})
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), lis.Addr().String()) {
		t.Errorf("held port: err = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}

// TestStopAfterExit: once the server has exited and a caller has seen it
// (runDev's select on Done), Stop and Kill return at once, as often as
// they are called.
func TestStopAfterExit(t *testing.T) {
	s, err := launch(exec.Command(fakeServer(t, "echo bye; exit 3")), nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("no exit seen")
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "bye") {
		t.Errorf("Err = %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = s.Stop()
		_ = s.Stop()
		s.Kill()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Stop waited on an exited server")
	}
}

// TestServerDiesWithParent: kill -9 of the process that started the
// server (here a copy of this test binary) ends the server too.
func TestServerDiesWithParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's")
	}
	bin := fakeServer(t, "exec sleep 300")
	parent := exec.Command(os.Args[0], "-test.run=^TestHelperParent$")
	parent.Env = append(os.Environ(), "DEVSERVER_HELPER_BIN="+bin)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatalf("no child pid from the parent: %v", err)
	}
	if !alive(pid) {
		t.Fatalf("child %d not running", pid)
	}
	_ = parent.Process.Kill()
	_ = parent.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d outlived its killed parent", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie, dead but not yet reaped,
// counts as gone).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

// TestHelperParent is TestServerDiesWithParent's parent process: it starts
// the stand-in server, prints its pid and waits to be killed.
func TestHelperParent(t *testing.T) {
	bin := os.Getenv("DEVSERVER_HELPER_BIN")
	if bin == "" {
		t.Skip("run by TestServerDiesWithParent")
	}
	s, err := launch(exec.Command(bin), nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(s.cmd.Process.Pid)
	time.Sleep(time.Minute)
}
