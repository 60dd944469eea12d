package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/app"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
)

// runServe runs the API, the worker, or both, until ctx ends (SIGTERM):
// the HTTP server lets in-flight requests finish and the worker stops
// polling before the process exits.
func runServe(ctx context.Context, getenv func(string) string, stderr io.Writer, api, worker bool) error {
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := app.NewLogger(cfg, stderr)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.DevUsers {
		if _, err := a.Store.EnsureDevUsers(ctx); err != nil {
			return err
		}
	}
	return serve(ctx, a, api, worker, nil)
}

// serve runs the chosen parts of an opened app until ctx ends.
func serve(ctx context.Context, a *app.App, api, worker bool, ready chan<- string) error {
	g, gctx := errgroup.WithContext(ctx)
	if worker {
		g.Go(func() error { return a.RunWorker(gctx) })
	}
	if api {
		g.Go(func() error { return a.ServeHTTP(gctx, ready) })
	}
	return g.Wait()
}

func runMigrate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv, false)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath(), app.NewLogger(cfg, stderr))
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}

func runP3KE(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return p3ke.RunCheck(args[1:], stdout, stderr)
		case "sample":
			return p3ke.RunSample(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage: verval p3ke check FILE --regency PP.KK [--desil N] [--json]\n       verval p3ke sample --villages CODE[,CODE...] [--households N] [--out FILE]")
	return 2
}

func runDTSEN(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return p3ke.RunCheck(args[1:], stdout, stderr)
		case "sample":
			return p3ke.RunDTSENSample(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage: verval dtsen check FILE --regency PP.KK [--desil N] [--json]\n       verval dtsen sample --regency PP.KK [--households N] [--desil N] [--fault-rate F] [--out FILE]")
	return 2
}

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if len(args) == 0 || args[0] != "verify" || fs.Parse(args[1:]) != nil {
		fmt.Fprintln(stderr, "usage: verval audit verify")
		return 2
	}
	_, db, ok := toolDatabase(ctx, getenv, stderr)
	if !ok {
		return 2
	}
	s := &store.Store{DB: db}
	brk, n, err := s.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if brk != nil {
		fmt.Fprintf(stdout, "audit chain BROKEN at entry %d: %s (%d entries before it are intact)\n", brk.ID, brk.Reason, n)
		return 1
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries\n", n)
	return 0
}

// toolDatabase is the operator commands' database (audit, pii): the
// configuration from the environment (the local stack's defaults when no
// DATABASE_URL is set), migrations applied. When it cannot, it says why
// on stderr and ok is false (exit 2).
// toolStore is toolDatabase's store, with the PII keys of the
// configuration (for the commands that seal or open personal data).
func toolStore(ctx context.Context, getenv func(string) string, stderr io.Writer) (*store.Store, bool) {
	cfg, db, ok := toolDatabase(ctx, getenv, stderr)
	if !ok {
		return nil, false
	}
	keys, err := app.Keys(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "configuration: %v\n", err)
		return nil, false
	}
	return &store.Store{DB: db, Keys: keys}, true
}

func toolDatabase(ctx context.Context, getenv func(string) string, stderr io.Writer) (config.Config, *gorm.DB, bool) {
	cfg, err := config.Load(getenv, getenv("DATABASE_URL") == "")
	if err != nil {
		fmt.Fprintf(stderr, "configuration:\n%v\n", err)
		return cfg, nil, false
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath(), app.NewLogger(cfg, stderr))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cfg, nil, false
	}
	return cfg, db, true
}
