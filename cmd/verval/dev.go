package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/verval/verval/internal/app"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/devserver"
	"github.com/verval/verval/internal/store"
)

// runDev runs the whole stack on one machine: a Temporal dev server (with
// its Web UI, state in ./data so cases survive a restart), the worker and
// the API in this process, on the embedded database unless DATABASE_URL is
// set. Ctrl-C stops everything in order.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("dev takes no arguments; configure it with environment variables (README.md)")
	}
	cfg, err := config.Load(getenv, true)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := app.NewLogger(cfg, stderr)
	root, err := devserver.RepoRoot(".")
	if err != nil && getenv("VERVAL_TEMPORAL_BIN") == "" {
		return err
	}
	bin, err := devserver.EnsureBinary(ctx, root, getenv, stdout)
	if err != nil {
		return err
	}
	host, portStr, _ := net.SplitHostPort(cfg.TemporalAddress)
	port, _ := strconv.Atoi(portStr)
	uiPort := port + 1000
	if v := getenv("TEMPORAL_UI_PORT"); v != "" {
		if uiPort, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("TEMPORAL_UI_PORT: %q is not a port number", v)
		}
	}
	if getenv("TEMPORAL_UI_URL") == "" {
		cfg.TemporalUIURL = fmt.Sprintf("http://localhost:%d", uiPort)
	}
	tLogLevel := getenv("TEMPORAL_LOG_LEVEL")
	switch tLogLevel {
	case "", "debug", "info", "warn", "error", "never":
	default:
		return fmt.Errorf("TEMPORAL_LOG_LEVEL: %q is not one of debug, info, warn, error, never", tLogLevel)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	serverLog, err := os.OpenFile(filepath.Join(cfg.DataDir, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	defer serverLog.Close()
	fmt.Fprintf(stdout, "Starting the Temporal dev server on %s (state in %s)...\n", cfg.TemporalAddress, filepath.Join(cfg.DataDir, "temporal.db"))
	srv, err := devserver.Start(ctx, devserver.Options{
		Binary: bin, IP: host, Port: port, UIPort: uiPort,
		DBFile:        filepath.Join(cfg.DataDir, "temporal.db"),
		CodecEndpoint: cfg.PublicURL + "/codec",
		LogLevel:      tLogLevel,
		Log:           serverLog,
	})
	if err != nil {
		return fmt.Errorf("%w\n(is another verval dev running? the server's log is %s)", err, serverLog.Name())
	}
	defer func() {
		fmt.Fprintln(stdout, "Stopping the Temporal dev server...")
		_ = srv.Stop()
	}()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	// VERVAL_DEV_USERS=false starts the stack without them, as for
	// `verval api` (a local stack on a copy of real data, for instance).
	var users []store.DevUser
	if cfg.DevUsers {
		if users, err = a.Store.EnsureDevUsers(ctx); err != nil {
			return err
		}
	}
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, a, true, true, ready) }()
	select {
	case <-ready:
	case err := <-errc:
		return err
	}
	db := "SQLite " + cfg.SQLitePath()
	if cfg.DatabaseURL != "" {
		db = "PostgreSQL (DATABASE_URL)"
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nverval is running. Ctrl-C stops it.\n\n")
	fmt.Fprintf(tw, "  API and web\t%s\n", cfg.PublicURL)
	fmt.Fprintf(tw, "  Temporal Web UI\t%s\n", cfg.TemporalUIURL)
	fmt.Fprintf(tw, "  Temporal frontend\t%s\n", srv.Address)
	fmt.Fprintf(tw, "  Database\t%s\n\n", db)
	if !cfg.DevUsers {
		fmt.Fprintf(tw, "  Development logins: none (VERVAL_DEV_USERS=false)\n")
	} else {
		fmt.Fprintf(tw, "  Development logins:\n")
		fmt.Fprintf(tw, "  user\tpassword\trole\tregion\n")
	}
	for _, u := range users {
		region := u.RegionName
		if region == "" {
			region = "everything"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.Username, u.Password, u.Role, region)
	}
	tw.Flush()
	select {
	case err := <-errc:
		return err
	case <-srv.Done():
		return fmt.Errorf("the Temporal dev server stopped unexpectedly (its log is %s): %w", serverLog.Name(), srv.Err())
	}
}
