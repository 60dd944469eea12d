package stack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/devserver"
)

// Options configures a stack.
type Options struct {
	// Root is the repository (deploy/, tools/, bin/).
	Root string
	// Dir keeps the stack's state: PostgreSQL's data, the generated
	// secrets (secrets.env), every process's log (logs/). A second start
	// on the same Dir carries on with the same data.
	Dir string
	// Verval is the verval binary the migrate, worker and api processes run.
	Verval string
	// Vars are the operator's variables, the ones docker-compose.yml
	// interpolates (POSTGRES_PASSWORD, TEMPORAL_NUM_HISTORY_SHARDS, ...);
	// secrets missing there are generated once and kept in Dir.
	Vars func(string) string
	// Workers and APIs are the replicas of `verval worker` and `verval api`.
	Workers, APIs int
	// PostgresPort, TemporalPort and HTTPPort are the published ports: the
	// api replicas listen on HTTPPort, HTTPPort+1, ...; 0 picks free ones.
	PostgresPort, TemporalPort, HTTPPort int
	// TemporalMetricsPort, when above 0, serves the Temporal server's
	// Prometheus metrics (its persistence latencies among them).
	TemporalMetricsPort int
	// PostgresSettings are more `-c name=value` settings for PostgreSQL
	// (tuning; see docs/performance.md).
	PostgresSettings []string
	// Log receives progress lines.
	Log io.Writer
}

// Stack is a running topology.
type Stack struct {
	opts     Options
	env      map[string]map[string]string
	pg       *postgres
	Temporal *Proc
	Workers  []*Proc
	APIs     []*Proc
	// TemporalAddress is the frontend, host:port.
	TemporalAddress string
	// DatabaseURL is verval's database, as the api and worker have it.
	DatabaseURL string
	// APIURLs are the api replicas' base URLs, in order.
	APIURLs []string
	// TemporalMetricsURL is the server's /metrics, when asked for.
	TemporalMetricsURL string
	// Env is the environment of each service (Env, on this machine).
	Env map[string]map[string]string
}

// Start brings the stack up in the compose file's order: PostgreSQL, the
// schema job, the Temporal server, the namespace job, migrate, the workers
// and the api replicas (each ready on /readyz). On an error everything
// started so far is stopped, and the error says which step failed, with
// the end of its log.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.APIs <= 0 {
		o.APIs = 2
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, tl := range []devserver.Tool{devserver.CLI, devserver.ServerTool, devserver.SQLTool} {
		if bins[tl.Bin], err = tl.Ensure(ctx, o.Root, o.Log); err != nil {
			return nil, err
		}
	}
	schemaDir, err := moduleDir(ctx, filepath.Join(o.Root, devserver.ServerTool.Module), "go.temporal.io/server")
	if err != nil {
		return nil, err
	}
	vars, err := withSecrets(o.Dir, o.Vars)
	if err != nil {
		return nil, err
	}
	ports := map[string]*int{"postgres": &o.PostgresPort, "temporal": &o.TemporalPort, "http": &o.HTTPPort}
	for _, name := range slices.Sorted(maps.Keys(ports)) {
		if *ports[name] == 0 {
			if *ports[name], err = devserver.FreePort(); err != nil {
				return nil, err
			}
		}
	}
	serverPorts := map[string]string{"FRONTEND_GRPC_PORT": strconv.Itoa(o.TemporalPort)}
	// The server's other ports: free ones, as its defaults (7234, 6933,
	// ...) may be taken by another server on this machine; below 32768,
	// since the server stores them in a smallint column (cluster_membership)
	// and the kernel's free ports are above it.
	for _, k := range []string{"FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT", "HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT",
		"MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT", "WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT"} {
		p, err := lowFreePort()
		if err != nil {
			return nil, err
		}
		serverPorts[k] = strconv.Itoa(p)
	}
	n := Network{
		PostgresHost: "127.0.0.1", PostgresPort: o.PostgresPort, TemporalHost: "127.0.0.1", TemporalPort: o.TemporalPort,
		BindIP: "127.0.0.1", HTTPAddr: fmt.Sprintf("127.0.0.1:%d", o.HTTPPort),
		DynamicConfig: filepath.Join(o.Root, "deploy", "temporal", "dynamicconfig", "development-sql.yaml"),
		SchemaDir:     filepath.Join(schemaDir, "schema"),
		ServerPorts:   serverPorts,
		// No S3 server here: the api replicas share a directory.
		ObjectsDir: filepath.Join(o.Dir, "objects"),
	}
	s := &Stack{opts: o, env: Env(vars, n)}
	s.Env = s.env
	if o.TemporalMetricsPort > 0 {
		// Not in the compose file (no metrics are collected there).
		s.env[Temporal]["PROMETHEUS_ENDPOINT"] = fmt.Sprintf("127.0.0.1:%d", o.TemporalMetricsPort)
		s.TemporalMetricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", o.TemporalMetricsPort)
	}
	s.TemporalAddress = s.env[Namespace]["TEMPORAL_ADDRESS"]
	s.DatabaseURL = s.env[Migrate]["DATABASE_URL"]
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()

	s.step("PostgreSQL on 127.0.0.1:%d (data in %s)", o.PostgresPort, filepath.Join(o.Dir, "postgres"))
	settings := append(PostgresSettings(vars), o.PostgresSettings...)
	if s.pg, err = startPostgres(ctx, filepath.Join(o.Dir, "postgres"), o.PostgresPort, s.env[Postgres], settings); err != nil {
		return nil, err
	}
	path := filepath.Join(o.Root, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
	s.step("temporal-schema-setup (deploy/temporal/setup/schema.sh)")
	if err = s.job(ctx, Schema, "schema.sh", path); err != nil {
		return nil, err
	}
	s.step("Temporal server on %s (%s shards)", s.TemporalAddress, s.env[Temporal]["NUM_HISTORY_SHARDS"])
	s.Temporal = s.proc(Temporal, bins[devserver.ServerTool.Bin], s.env[Temporal], "start")
	if err = s.Temporal.start(); err != nil {
		return nil, err
	}
	if err = devserver.WaitServing(ctx, s.TemporalAddress, 3*time.Minute, s.Temporal.exited()); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, s.Temporal.LogPath)
	}
	s.step("temporal-namespace-setup (deploy/temporal/setup/namespace.sh)")
	if err = s.job(ctx, Namespace, "namespace.sh", path); err != nil {
		return nil, err
	}
	s.step("verval migrate")
	if err = s.run(ctx, Migrate, o.Verval, envList(s.env[Migrate], ""), "migrate"); err != nil {
		return nil, err
	}
	for i := range o.Workers {
		s.step("verval worker #%d", i+1)
		w := s.proc(fmt.Sprintf("worker-%d", i+1), o.Verval, s.env[Worker], "worker")
		if err = w.start(); err != nil {
			return nil, err
		}
		s.Workers = append(s.Workers, w)
	}
	for i := range o.APIs {
		env := maps.Clone(s.env[API])
		env["HTTP_ADDR"] = fmt.Sprintf("127.0.0.1:%d", o.HTTPPort+i)
		s.step("verval api #%d on http://%s", i+1, env["HTTP_ADDR"])
		a := s.proc(fmt.Sprintf("api-%d", i+1), o.Verval, env, "api")
		if err = a.start(); err != nil {
			return nil, err
		}
		s.APIs = append(s.APIs, a)
		s.APIURLs = append(s.APIURLs, "http://"+env["HTTP_ADDR"])
	}
	for i, u := range s.APIURLs {
		if err = waitReady(ctx, u, 2*time.Minute, s.APIs[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Stack) step(format string, args ...any) {
	fmt.Fprintf(s.opts.Log, "==> "+format+"\n", args...)
}

// proc is a long-running service restarted when it exits, as the compose
// file's `restart: unless-stopped`.
func (s *Stack) proc(name, bin string, env map[string]string, args ...string) *Proc {
	return &Proc{Name: name, bin: bin, args: args, env: envList(env, ""), LogPath: filepath.Join(s.opts.Dir, "logs", name+".log"), Log: s.opts.Log}
}

// job runs a one-shot script of deploy/temporal/setup with the service's
// environment; PATH finds the tools in bin/ as the admin-tools image has
// them on its PATH.
func (s *Stack) job(ctx context.Context, service, script, path string) error {
	return s.run(ctx, service, "/bin/sh", envList(s.env[service], path), filepath.Join(s.opts.Root, "deploy", "temporal", "setup", script))
}

// run runs a one-shot process to its end, its output in its log.
func (s *Stack) run(ctx context.Context, name, bin string, env []string, args ...string) error {
	logPath := filepath.Join(s.opts.Dir, "logs", name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	if err := cmd.Run(); err != nil {
		tail, _ := os.ReadFile(logPath)
		return fmt.Errorf("%s: %w\n%s", name, err, lastLines(string(tail), 20))
	}
	return nil
}

// envList is a process environment of exactly env (and PATH when given).
func envList(env map[string]string, path string) []string {
	var list []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	if path != "" {
		list = append(list, "PATH="+path, "HOME="+os.Getenv("HOME"))
	}
	return list
}

// Stop stops the stack in the reverse order of Start: the api replicas and
// the workers with SIGTERM (they finish in-flight work), the Temporal
// server, PostgreSQL.
func (s *Stack) Stop() {
	grace := 45 * time.Second
	if d, err := time.ParseDuration(s.env[API]["VERVAL_SHUTDOWN_TIMEOUT"]); err == nil {
		grace = d + 15*time.Second
	}
	stopAll := func(ps []*Proc) {
		done := make(chan struct{}, len(ps))
		for _, p := range ps {
			go func() { p.Stop(grace); done <- struct{}{} }()
		}
		for range ps {
			<-done
		}
	}
	stopAll(s.APIs)
	stopAll(s.Workers)
	if s.Temporal != nil {
		s.Temporal.Stop(30 * time.Second)
	}
	if s.pg != nil {
		s.pg.stop()
	}
}

// RestartPostgres restarts PostgreSQL under the running system (a fast
// shutdown: open connections are cut, as in a failover or a crash).
func (s *Stack) RestartPostgres(ctx context.Context) error { return s.pg.restart(ctx) }

// StopPostgres and StartPostgres take PostgreSQL down and bring it back.
func (s *Stack) StopPostgres() error                     { return s.pg.stop() }
func (s *Stack) StartPostgres(ctx context.Context) error { return s.pg.start(ctx) }

// PostgresURL is a superuser URL of database db on the stack's PostgreSQL.
func (s *Stack) PostgresURL(db string) string {
	e := s.env[Postgres]
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", e["POSTGRES_USER"], e["POSTGRES_PASSWORD"], s.opts.PostgresPort, db)
}

// OperatorEnv is the environment an operator command (`verval users
// bootstrap-admin`, `verval audit verify`) needs against this stack: the
// api's, without its listen address.
func (s *Stack) OperatorEnv() map[string]string {
	e := maps.Clone(s.env[API])
	delete(e, "HTTP_ADDR")
	return e
}

// waitReady waits until base/readyz answers 200.
func waitReady(ctx context.Context, base string, limit time.Duration, p *Proc) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			tail, _ := os.ReadFile(p.LogPath)
			return fmt.Errorf("%s at %s not ready within %s:\n%s", p.Name, base, limit, lastLines(string(tail), 20))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// withSecrets returns vars with the compose file's four required secrets
// filled in from Dir/secrets.env, generating that file the first time.
// Secrets set in vars win.
func withSecrets(dir string, vars func(string) string) (func(string) string, error) {
	if vars == nil {
		vars = func(string) string { return "" }
	}
	file := filepath.Join(dir, "secrets.env")
	kept := map[string]string{}
	if b, err := os.ReadFile(file); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
				kept[k] = v
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	gen := map[string]func() string{
		// Hex: it goes into URLs unescaped, as docs/deployment.md says.
		"POSTGRES_PASSWORD":       func() string { return hex.EncodeToString(random(32)) },
		"VERVAL_PII_KEYS":         func() string { return "k1:" + base64.StdEncoding.EncodeToString(random(32)) },
		"VERVAL_PII_HASH_KEY":     func() string { return base64.StdEncoding.EncodeToString(random(32)) },
		"VERVAL_CODEC_AUTH_TOKEN": func() string { return hex.EncodeToString(random(32)) },
		"VERVAL_S3_SECRET_KEY":    func() string { return hex.EncodeToString(random(32)) },
	}
	changed := false
	for _, k := range slices.Sorted(maps.Keys(gen)) {
		if kept[k] == "" {
			kept[k] = gen[k]()
			changed = true
		}
	}
	if changed {
		var b strings.Builder
		b.WriteString("# Secrets of this local stack, generated by `verval stack` (never commit them).\n")
		for _, k := range slices.Sorted(maps.Keys(kept)) {
			fmt.Fprintf(&b, "%s=%s\n", k, kept[k])
		}
		if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
			return nil, err
		}
	}
	return func(k string) string {
		if v := vars(k); v != "" {
			return v
		}
		return kept[k]
	}, nil
}

// moduleDir is where the go command keeps module mod of the tool module in
// dir (the Temporal server's schema files are in it).
func moduleDir(ctx context.Context, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", mod)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s in %s: %w", mod, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// lowFreePort is a free TCP port on loopback between 20000 and 32767.
func lowFreePort() (int, error) {
	for range 200 {
		var b [2]byte
		_, _ = rand.Read(b[:])
		p := 20000 + (int(b[0])<<8|int(b[1]))%12768
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			l.Close()
			return p, nil
		}
	}
	return 0, errors.New("no free port between 20000 and 32767")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
