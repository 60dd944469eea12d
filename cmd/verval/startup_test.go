package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verval/verval/internal/devserver"
	"github.com/verval/verval/internal/devserver/devservertest"
	"github.com/xuri/excelize/v2"
)

// apiEnv is a complete `verval api` environment on the embedded database
// (VERVAL_ALLOW_SQLITE) with overrides applied.
func apiEnv(t *testing.T, overrides map[string]string) func(string) string {
	t.Helper()
	// Keys of the test's own: the public development keys are refused
	// outside `verval dev`.
	key, hashKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(key)
	_, _ = rand.Read(hashKey)
	env := map[string]string{
		"VERVAL_DATA_DIR":     t.TempDir(),
		"VERVAL_ALLOW_SQLITE": "true",
		"VERVAL_PII_KEYS":     "t1:" + base64.StdEncoding.EncodeToString(key),
		"VERVAL_PII_HASH_KEY": base64.StdEncoding.EncodeToString(hashKey),
		"HTTP_ADDR":           "127.0.0.1:0",
		"LOG_LEVEL":           "error",
	}
	for k, v := range overrides {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// runAPI runs `verval api` and returns its exit code, its output and how
// long it took; a process that starts serving is stopped after a minute.
func runAPI(t *testing.T, getenv func(string) string) (int, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	code := run(ctx, []string{"api"}, getenv, nil, &out, &out)
	return code, out.String(), time.Since(start)
}

// silentListener accepts connections and never answers: a server that hangs,
// or a host whose packets are dropped, as the client sees it.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestAPIFailsFastNamingTheVariable: `verval api` with an unreachable
// Temporal or PostgreSQL stops within seconds with a message naming the
// variable to fix, and never prints the database password.
func TestAPIFailsFastNamingTheVariable(t *testing.T) {
	closedPort, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	const password = "pw-never-printed-42"
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"temporal refused", map[string]string{"TEMPORAL_ADDRESS": fmt.Sprintf("127.0.0.1:%d", closedPort)}, "TEMPORAL_ADDRESS"},
		{"postgres refused", map[string]string{"DATABASE_URL": fmt.Sprintf("postgres://verval:%s@127.0.0.1:%d/verval?sslmode=disable", password, closedPort)}, "DATABASE_URL"},
		// No connect_timeout in the URL: verval's default must bound the wait.
		{"postgres silent", map[string]string{"DATABASE_URL": fmt.Sprintf("postgres://verval:%s@%s/verval?sslmode=disable", password, silentListener(t))}, "DATABASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, took := runAPI(t, apiEnv(t, tc.env))
			if code != 1 {
				t.Fatalf("exit %d after %s, want 1:\n%s", code, took, out)
			}
			if !strings.Contains(out, tc.wantVar) {
				t.Errorf("the error does not name %s:\n%s", tc.wantVar, out)
			}
			if strings.Contains(out, password) {
				t.Errorf("the output shows the database password:\n%s", out)
			}
			if took > 30*time.Second {
				t.Errorf("took %s to fail; want it within 30 s", took)
			}
		})
	}
}

// TestAPIWrongNamespace: against a real Temporal dev server, a namespace
// that does not exist stops `verval api` at start, naming
// TEMPORAL_NAMESPACE, instead of failing every later call.
func TestAPIWrongNamespace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server; run without -short")
	}
	srv := devservertest.Start(context.Background(), t, benchEnv)
	code, out, _ := runAPI(t, apiEnv(t, map[string]string{"TEMPORAL_ADDRESS": srv.Address, "TEMPORAL_NAMESPACE": "no-such-namespace"}))
	if code != 1 || !strings.Contains(out, "TEMPORAL_NAMESPACE") || !strings.Contains(out, "no-such-namespace") {
		t.Fatalf("exit %d, want 1 with an error naming TEMPORAL_NAMESPACE and the namespace:\n%s", code, out)
	}
}

// TestDevWithoutDevUsers: VERVAL_DEV_USERS=false starts `verval dev`
// without the development users: none is printed, none can log in.
func TestDevWithoutDevUsers(t *testing.T) {
	env := stackEnv(t, "sqlite")
	env["VERVAL_DEV_USERS"] = "false"
	s := startStackEnv(t, env)
	if out := s.out.String(); !strings.Contains(out, "Development logins: none (VERVAL_DEV_USERS=false)") || strings.Contains(out, "admin-verval-2026") {
		t.Errorf("verval dev printed development logins with VERVAL_DEV_USERS=false:\n%s", out)
	}
	u := &user{s: s}
	if code := u.call("POST", "/api/v1/login", map[string]string{"username": "admin", "password": "admin-verval-2026"}, nil); code != http.StatusUnauthorized {
		t.Errorf("login as the development admin: %d, want 401", code)
	}

	// The first day (docs/deployment.md) on this running stack: the first
	// administrator and the officers from the command line, then the
	// officers' logins work.
	cmd := func(stdin string, args ...string) (int, string) {
		var out bytes.Buffer
		code := run(t.Context(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &out)
		return code, out.String()
	}
	if code, out := cmd("kopi-tubruk-admin\n", "users", "bootstrap-admin", "--username", "admin", "--password-stdin"); code != 0 {
		t.Fatalf("bootstrap-admin: exit %d\n%s", code, out)
	}
	file, sheet := filepath.Join(t.TempDir(), "petugas.csv"), filepath.Join(t.TempDir(), "sandi.xlsx")
	if err := os.WriteFile(file, []byte("username,nama,no_hp,peran,kode_wilayah\n"+
		"desa.jaten,Operator Jaten,,operator desa,35.05.01.2001\ntksk.wonodadi,TKSK Wonodadi,,tksk,35.05.01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := cmd("", "users", "import", "--as", "admin", "--apply", "--passwords", sheet, file); code != 0 {
		t.Fatalf("users import: exit %d\n%s", code, out)
	}
	f, err := excelize.OpenFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Akun baru")
	if len(rows) != 3 {
		t.Fatalf("passwords file: %q", rows)
	}
	for _, row := range rows[1:] {
		officer := s.login(row[1], row[6])
		if code := officer.call("POST", "/api/v1/me/password", map[string]string{"currentPassword": row[6], "newPassword": "kopi-tubruk-" + row[1]}, nil); code != http.StatusNoContent {
			t.Fatalf("%s changes the one-time password: %d", row[1], code)
		}
		if code := s.login(row[1], "kopi-tubruk-"+row[1]).call("GET", "/api/v1/tasks", nil, nil); code != http.StatusOK {
			t.Errorf("%s lists its tasks: %d", row[1], code)
		}
	}
}

// TestMakeDevCtrlC: Ctrl-C ends `make dev` cleanly. The terminal's SIGINT
// reaches make and verval alike; verval shuts down and exits 0, and make
// must not report "Error 1" (it did under `go run`, which exits 1 when
// interrupted, however its program ended).
func TestMakeDevCtrlC(t *testing.T) {
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	env := stackEnv(t, "sqlite")
	cmd := exec.Command(makeBin, "dev")
	cmd.Dir = "../.."
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's process group
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(15 * time.Minute)
	for !strings.Contains(out.String(), "Ctrl-C stops it") {
		select {
		case err := <-done:
			t.Fatalf("make dev ended before it was ready (%v):\n%s", err, out.String())
		case <-deadline:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatalf("make dev not ready:\n%s", out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		// make itself may end by the SIGINT it got (as any program
		// interrupted in a terminal, silently); what it must not do is
		// report verval's exit as a failure.
		var ee *exec.ExitError
		interrupted := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT
		if (err != nil && !interrupted) || strings.Contains(out.String(), "make: ***") {
			t.Errorf("Ctrl-C: make dev ended with %v:\n%s", err, out.String())
		}
	case <-time.After(2 * time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("make dev did not stop on Ctrl-C:\n%s", out.String())
	}
}

// TestDevOnHeldPort (issue 23, item 2): when the Temporal port is held
// (the orphaned dev server of an earlier run, say), `verval dev` says so on
// its terminal within seconds and exits 1, instead of printing its banner
// and hanging.
func TestDevOnHeldPort(t *testing.T) {
	env := stackEnv(t, "sqlite")
	lis, err := net.Listen("tcp", env["TEMPORAL_ADDRESS"])
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out syncBuffer
	start := time.Now()
	code := run(ctx, []string{"dev"}, func(k string) string { return env[k] }, nil, &out, &out)
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out.String())
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("took %s to fail", took)
	}
	for _, want := range []string{"address already in use", env["TEMPORAL_ADDRESS"], "temporal.log"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Ctrl-C stops it") {
		t.Errorf("the banner was printed:\n%s", out.String())
	}
}

// TestDevServerDies (issue 23, item 2): when the Temporal dev server dies
// under a running `verval dev`, verval reports it with the server's last
// output lines and exits 1. It used to drain the server's exit in its
// select and then wait for it again in Stop, for ever.
func TestDevServerDies(t *testing.T) {
	env := stackEnv(t, "sqlite")
	s := startStackEnv(t, env)
	_, port, _ := net.SplitHostPort(env["TEMPORAL_ADDRESS"])
	pid := childWith(t, "start-dev", "--port\x00"+port+"\x00")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-s.done:
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("verval dev still running 30 s after its server died:\n%s", s.out.String())
	}
	s.temporal.Close()
	s.cancel()
	s.cancel = nil
	out := s.out.String()
	for _, want := range []string{"stopped unexpectedly", "signal: killed", "last lines of the server's output"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

// childWith finds this process's child whose command line holds every
// one of parts (arguments are NUL-separated in /proc).
func childWith(t *testing.T, parts ...string) int {
	t.Helper()
	dirs, _ := os.ReadDir("/proc")
next:
	for _, d := range dirs {
		var pid int
		if _, err := fmt.Sscan(d.Name(), &pid); err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[1] != fmt.Sprint(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, p := range parts {
			if !bytes.Contains(cmdline, []byte(p)) {
				continue next
			}
		}
		return pid
	}
	t.Fatalf("no child process with %q", parts)
	return 0
}
