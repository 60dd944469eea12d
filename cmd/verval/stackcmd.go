package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/verval/verval/internal/devserver"
	topology "github.com/verval/verval/internal/stack"
)

// runStack runs docker-compose.yml's topology on this machine without
// Docker (internal/stack) until ctx ends (Ctrl-C), then stops it in order.
func runStack(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", filepath.Join("data", "stack"), "state: PostgreSQL's data, generated secrets, logs")
	workers := fs.Int("workers", 2, "`verval worker` replicas")
	apis := fs.Int("apis", 2, "`verval api` replicas, on consecutive ports from --http-port")
	httpPort := fs.Int("http-port", 8080, "the first api replica's port")
	temporalPort := fs.Int("temporal-port", 7233, "the Temporal frontend's port")
	pgPort := fs.Int("postgres-port", 15432, "the stack's PostgreSQL's port")
	metricsPort := fs.Int("temporal-metrics-port", 0, "serve the Temporal server's Prometheus metrics on this port (0: off)")
	var pgSettings settingList
	fs.Var(&pgSettings, "postgres-setting", "one more `name=value` PostgreSQL setting beyond the compose file's (repeatable; measurement, e.g. shared_preload_libraries=pg_stat_statements)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := devserver.RepoRoot(".")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	s, err := topology.Start(ctx, topology.Options{
		Root: root, Dir: *dir, Verval: self, Vars: getenv,
		Workers: *workers, APIs: *apis, HTTPPort: *httpPort, TemporalPort: *temporalPort, PostgresPort: *pgPort,
		TemporalMetricsPort: *metricsPort, PostgresSettings: pgSettings, Log: stdout,
	})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(stdout, "Stopping the stack...")
		s.Stop()
	}()
	abs, _ := filepath.Abs(*dir)
	envFile := filepath.Join(abs, "verval.env")
	var b strings.Builder
	b.WriteString("# The api's environment without HTTP_ADDR, for operator commands on this stack:\n# set -a; . " + envFile + "; set +a; verval users bootstrap-admin --username admin\n")
	env := s.OperatorEnv()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(&b, "%s=%s\n", k, env[k])
	}
	if err := os.WriteFile(envFile, []byte(b.String()), 0o600); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nThe production topology is running. Ctrl-C stops it.\n\n")
	for i, u := range s.APIURLs {
		fmt.Fprintf(tw, "  api #%d\t%s\n", i+1, u)
	}
	fmt.Fprintf(tw, "  workers\t%d\n", len(s.Workers))
	fmt.Fprintf(tw, "  Temporal frontend\t%s (server on PostgreSQL)\n", s.TemporalAddress)
	if s.TemporalMetricsURL != "" {
		fmt.Fprintf(tw, "  Temporal metrics\t%s\n", s.TemporalMetricsURL)
	}
	fmt.Fprintf(tw, "  PostgreSQL\t127.0.0.1:%d\n", *pgPort)
	fmt.Fprintf(tw, "  logs\t%s\n", filepath.Join(abs, "logs"))
	fmt.Fprintf(tw, "  operator env\t%s\n\n", envFile)
	fmt.Fprintf(tw, "  No users yet on a new stack: set -a; . %s; set +a; verval users bootstrap-admin --username admin\n", envFile)
	tw.Flush()
	<-ctx.Done()
	return nil
}

// settingList is a repeatable name=value flag.
type settingList []string

func (l *settingList) String() string { return strings.Join(*l, " ") }

func (l *settingList) Set(v string) error {
	if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
		return fmt.Errorf("%q is not name=value", v)
	}
	*l = append(*l, v)
	return nil
}
