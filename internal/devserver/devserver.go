// Package devserver builds and runs the Temporal development server (the
// Temporal CLI's `server start-dev`, with its Web UI) for `verval dev` and the
// end-to-end tests.
//
// The CLI is compiled from the Go module proxy in the separate tools module
// (tools/go.mod): it cannot live in the main module because its server
// dependencies clash with the SDK version verval uses.
package devserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/verval/verval/workflows"
)

// Tool is a program compiled from one of the repository's tool modules
// (each its own go.mod, pinned) into root/bin.
type Tool struct {
	// Name says what is being compiled in the progress lines.
	Name string
	// Module is the tool module's directory under the repository root.
	Module string
	// Package is the main package to build.
	Package string
	// Bin is the binary's file name in root/bin.
	Bin string
	// Minutes is about how long a first build takes on 2 cores.
	Minutes int
}

// CLI is the Temporal CLI (the dev server with its Web UI, and the
// `temporal operator` commands).
var CLI = Tool{Name: "the Temporal dev server", Module: "tools", Package: "github.com/temporalio/cli/cmd/temporal", Bin: "temporal", Minutes: 8}

// ServerTool and SQLTool are the Temporal server and its schema tool at the
// version docker-compose.yml runs (tools/temporal-server/go.mod), for the
// production-shaped stack (internal/stack).
var (
	ServerTool = Tool{Name: "the Temporal server", Module: "tools/temporal-server", Package: "go.temporal.io/server/cmd/server", Bin: "temporal-server", Minutes: 10}
	SQLTool    = Tool{Name: "the Temporal SQL tool", Module: "tools/temporal-server", Package: "go.temporal.io/server/cmd/tools/sql", Bin: "temporal-sql-tool", Minutes: 2}
)

// RepoRoot finds the repository root (the directory holding tools/go.mod)
// from dir upwards.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "tools", "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no tools/go.mod above %s: run verval from its source tree, or set VERVAL_TEMPORAL_BIN", dir)
		}
	}
}

// EnsureBinary returns the path of a built Temporal CLI, building it into
// root/bin when missing or older than tools/go.sum. VERVAL_TEMPORAL_BIN
// (through getenv) names a ready binary instead. The first build takes
// minutes; progress lines go to progress. Concurrent callers (parallel test
// packages) wait for one build under a file lock.
func EnsureBinary(ctx context.Context, root string, getenv func(string) string, progress io.Writer) (string, error) {
	if p := getenv("VERVAL_TEMPORAL_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("VERVAL_TEMPORAL_BIN: %w", err)
		}
		return p, nil
	}
	return CLI.Ensure(ctx, root, progress)
}

// Ensure returns the path of the built tool, building it into root/bin
// when missing or older than its module's go.sum. One file lock serializes
// the builds of every tool (parallel test packages, two cores).
func (tl Tool) Ensure(ctx context.Context, root string, progress io.Writer) (string, error) {
	bin := filepath.Join(root, "bin", tl.Bin)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(root, "bin", ".temporal.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck

	if fresh(bin, filepath.Join(root, tl.Module, "go.sum")) {
		return bin, nil
	}
	if err := tl.build(ctx, filepath.Join(root, tl.Module), bin, progress); err != nil {
		return "", err
	}
	return bin, nil
}

func fresh(bin, sum string) bool {
	b, err := os.Stat(bin)
	if err != nil {
		return false
	}
	s, err := os.Stat(sum)
	return err != nil || !b.ModTime().Before(s.ModTime())
}

// build compiles the tool with `go build -v`, turning the modules it
// downloads and the package names it prints into counts, so a first start
// does not look hung.
func (tl Tool) build(ctx context.Context, toolsDir, bin string, progress io.Writer) error {
	fmt.Fprintf(progress, "Compiling %s (first start only; about %d minutes on 2 cores, then cached)...\n", tl.Name, tl.Minutes)
	p := &buildProgress{w: progress}
	total := countDeps(ctx, toolsDir, tl.Package, p)
	tmp := bin + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-v", "-o", tmp, tl.Package)
	cmd.Dir = toolsDir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("go build %s: %w (is Go installed and on PATH?)", tl.Package, err)
	}
	var tail []string
	sc := bufio.NewScanner(stderr)
	n, last := 0, time.Time{}
	for sc.Scan() {
		line := sc.Text()
		if p.download(line) {
			continue
		}
		if strings.Contains(line, " ") || strings.HasPrefix(line, "#") {
			tail = append(tail, line) // an error, not a package
			if len(tail) > 20 {
				tail = tail[1:]
			}
			continue
		}
		n++
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			if total > 0 {
				fmt.Fprintf(progress, "  compiled %d packages (of at most %d)\n", n, total)
			} else {
				fmt.Fprintf(progress, "  compiled %d packages\n", n)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("go build %s failed: %w\n%s", tl.Package, err, strings.Join(tail, "\n"))
	}
	fmt.Fprintf(progress, "Compiled %s.\n", tl.Name)
	return os.Rename(tmp, bin)
}

// buildProgress reports the modules the go command downloads, from its
// "go: downloading MODULE VERSION" lines: on a clean machine that is a
// few hundred modules and a minute or more before anything compiles.
type buildProgress struct {
	w    io.Writer
	n    int
	last time.Time
}

// download reports whether line is a download line, counting it.
func (p *buildProgress) download(line string) bool {
	if !strings.HasPrefix(line, "go: downloading ") {
		return false
	}
	p.n++
	if p.n == 1 || time.Since(p.last) > 5*time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.w, "  downloading modules: %d so far\n", p.n)
	}
	return true
}

// countDeps counts the tool's packages for the compile progress. `go list`
// downloads the modules they are in first; those lines go to p.
func countDeps(ctx context.Context, toolsDir, pkg string, p *buildProgress) int {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", pkg)
	cmd.Dir = toolsDir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var out strings.Builder
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0
	}
	if err := cmd.Start(); err != nil {
		return 0
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		p.download(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		return 0
	}
	if p.n > 0 {
		fmt.Fprintf(p.w, "  downloaded %d modules\n", p.n)
	}
	return strings.Count(out.String(), "\n")
}

// Options configures a dev server.
type Options struct {
	// Binary is the Temporal CLI (see EnsureBinary).
	Binary string
	// IP to bind; default 127.0.0.1.
	IP string
	// Port of the frontend; 0 picks a free one.
	Port int
	// UIPort of the Web UI; 0 picks a free one, -1 disables the UI.
	UIPort int
	// DBFile keeps the server's state in a file (WAL); empty is in memory.
	DBFile string
	// CodecEndpoint is the codec server the Web UI calls to decode payloads.
	CodecEndpoint string
	// MetricsPort, when above 0, serves the server's Prometheus metrics
	// (its database calls among them) on IP:MetricsPort/metrics.
	MetricsPort int
	// LogLevel is the server's log level (debug, info, warn, error or
	// never); empty is error, which keeps a local stack's log short.
	LogLevel string
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Server is a running dev server.
type Server struct {
	cmd *exec.Cmd
	// exited is closed once the process has exited and err holds what
	// Wait returned: a closed channel can be waited on any number of times,
	// so a Stop after a caller has seen the exit never blocks.
	exited chan struct{}
	err    error
	tail   *tailWriter
	// Address is the frontend's host:port.
	Address string
	// UIURL is the Web UI's address, empty when headless.
	UIURL string
	// MetricsURL is the server's Prometheus endpoint, empty without
	// Options.MetricsPort.
	MetricsURL string
}

// Start runs a dev server with verval's search attributes registered and
// waits until its frontend is serving.
//
// A port Start picks (Port or UIPort 0) is free when picked but not held
// until the server binds it, and another process can take it meanwhile
// (seen when several servers start at once, as the tests' stacks do in
// CI). A server that exits during its start saying an address is in use
// is started again on newly picked ports, up to startAttempts times; a
// port the caller named is never changed.
func Start(ctx context.Context, o Options) (*Server, error) {
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, o)
		picked := o.Port == 0 || o.UIPort == 0
		if err == nil || attempt == startAttempts || !picked || !errors.Is(err, errExitedInStart) || !strings.Contains(err.Error(), "address already in use") {
			return s, err
		}
	}
}

// startAttempts bounds Start's tries on newly picked ports.
const startAttempts = 3

func start(ctx context.Context, o Options) (*Server, error) {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	var err error
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if o.LogLevel == "" {
		o.LogLevel = "error"
	}
	args := []string{"server", "start-dev", "--ip", o.IP, "--port", strconv.Itoa(o.Port), "--log-level", o.LogLevel}
	if o.UIPort < 0 {
		args = append(args, "--headless")
	} else {
		if o.UIPort == 0 {
			if o.UIPort, err = FreePort(); err != nil {
				return nil, err
			}
		}
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
		if o.CodecEndpoint != "" {
			args = append(args, "--ui-codec-endpoint", o.CodecEndpoint)
		}
	}
	if o.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o750); err != nil {
			return nil, err
		}
		// WAL with synchronous=normal keeps a file-backed server near the
		// in-memory one's speed (measured: ~160 vs ~56 starts/s without).
		args = append(args, "--db-filename", o.DBFile,
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
	}
	for _, sa := range workflows.SearchAttributes() {
		args = append(args, "--search-attribute", sa.Name+"="+sa.Type)
	}
	// The CLI turns the server's search-attribute cache off so attributes
	// created at run time show at once; every search-attribute read then
	// queries the cluster metadata and the namespace, on the one SQLite
	// connection every write waits for (221,000 database calls in a
	// 3,000-household cycle, 135,000 of them these). verval's attributes
	// are registered above, before the server starts, so the cache can stay.
	args = append(args, "--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=false")
	if o.MetricsPort > 0 {
		args = append(args, "--metrics-port", strconv.Itoa(o.MetricsPort))
	}
	// A port another process holds (often a dev server left by an earlier
	// run) is said at once: otherwise the health check below could reach
	// that other server and call this start a success.
	for _, p := range []int{o.Port, o.UIPort, o.MetricsPort} {
		if p > 0 {
			if err := portFree(o.IP, p); err != nil {
				return nil, fmt.Errorf("temporal dev server: %w (another Temporal dev server, or an earlier verval dev's, may hold it)", err)
			}
		}
	}
	s, err := launch(exec.Command(o.Binary, args...), o.Log)
	if err != nil {
		return nil, err
	}
	s.Address = net.JoinHostPort(o.IP, strconv.Itoa(o.Port))
	if o.UIPort > 0 {
		s.UIURL = fmt.Sprintf("http://%s:%d", o.IP, o.UIPort)
	}
	if o.MetricsPort > 0 {
		s.MetricsURL = fmt.Sprintf("http://%s/metrics", net.JoinHostPort(o.IP, strconv.Itoa(o.MetricsPort)))
	}
	if err := WaitServing(ctx, s.Address, time.Minute, s.exited); err != nil {
		_ = s.Stop()
		return nil, s.withTail(err)
	}
	return s, nil
}

// launch starts cmd with its output to log (nil discards it) and kept
// for errors, and watches for its exit.
func launch(cmd *exec.Cmd, log io.Writer) (*Server, error) {
	tail := &tailWriter{max: tailLines}
	var out io.Writer = tail
	if log != nil {
		out = io.MultiWriter(log, tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group, so Ctrl-C in a terminal reaches verval first and
	// verval stops the server in order; and, where the system has one, a
	// signal when verval dies, so a killed verval leaves no server holding
	// the ports (procattr_*.go).
	cmd.SysProcAttr = sysProcAttr()
	// The output goes through a pipe; a grandchild holding it open must
	// not keep Wait (and so Stop) waiting.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start Temporal dev server: %w", err)
	}
	s := &Server{cmd: cmd, exited: make(chan struct{}), tail: tail}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// tailLines is how many of the server's last output lines an error about
// its start or its exit carries.
const tailLines = 15

// portFree reports an error when ip:port cannot be listened on.
func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// errExitedInStart: the server exited before its frontend was serving.
var errExitedInStart = errors.New("temporal dev server exited during start")

// frontendService is the name the frontend's gRPC health service answers
// for, the one the SDK's client checks when it connects.
const frontendService = "temporal.api.workflowservice.v1.WorkflowService"

// WaitServing waits until the frontend at addr reports itself serving on
// gRPC's health service, the check a client makes when it connects. A
// listening port is not enough: the frontend listens before it has joined
// the server's membership, and a client that connects then fails with
// "Frontend is not healthy yet". The process exiting (exited closed) ends
// the wait.
func WaitServing(ctx context.Context, addr string, limit time.Duration, exited <-chan struct{}) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("temporal frontend at %s: %w", addr, err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(limit)
	for {
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := health.Check(callCtx, &healthpb.HealthCheckRequest{Service: frontendService})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("frontend %s", resp.GetStatus())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("temporal frontend at %s not serving within %s: %v", addr, limit, err)
		}
		select {
		case <-exited:
			return errExitedInStart
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Done is closed once the server has exited; Err then says how.
func (s *Server) Done() <-chan struct{} { return s.exited }

// Err is the server's exit, with its last output lines; nil while it runs.
func (s *Server) Err() error {
	select {
	case <-s.exited:
		return s.withTail(fmt.Errorf("temporal dev server exited: %v", s.err))
	default:
		return nil
	}
}

// withTail adds the server's last output lines to err.
func (s *Server) withTail(err error) error {
	if t := s.tail.String(); t != "" {
		return fmt.Errorf("%w\nlast lines of the server's output:\n%s", err, t)
	}
	return err
}

// Stop ends the server gracefully (SIGTERM, then SIGKILL after 10 s). It
// returns at once when the server has already exited.
func (s *Server) Stop() error {
	select {
	case <-s.exited:
		return exitErr(s.err)
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	return exitErr(s.err)
}

// Kill ends the server at once, as a crash would.
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part = append(w.part, p...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, string(w.part[:i]))
		w.part = w.part[i+1:]
		if len(w.lines) > w.max {
			w.lines = w.lines[len(w.lines)-w.max:]
		}
	}
	if len(w.part) > 64<<10 { // a line without end: keep its start
		w.part = w.part[:64<<10]
	}
	return len(p), nil
}

// String is the kept lines, each indented, with an unfinished last line.
func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := w.lines
	if len(w.part) > 0 {
		lines = append(lines[:len(lines):len(lines)], string(w.part))
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  " + l)
	}
	return b.String()
}

func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && !ee.Exited() {
		return nil // ended by our signal
	}
	return err
}

// FreePort asks the kernel for a free TCP port on loopback.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
