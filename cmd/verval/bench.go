package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/verval/verval/internal/bench"
	"github.com/verval/verval/internal/devserver"
)

const benchUsage = `usage:
  verval bench intake [--households 50000] [--seed S] [--raw-starts K] [common flags]
  verval bench cycle  [--households 10000] [--seed S] [--officers 50] [--officer-households 50] [--officer-pause 2s] [--lifecycles K]
                      [--capacity-households 1000] [common flags]
  common flags: [--dtsen N] [--workflow-cache N] [--workflow-pollers N] [--fanout-updates N] [--database-url URL]
                [--temporal-address HOST:PORT [--temporal-namespace NS] [--temporal-metrics URL]] [--pprof ADDR] [--keep] [--json]

Starts a throw-away stack of its own (Temporal dev server on a file with
WAL, SQLite, worker and API in this process), generates a realistic P3KE
file for Kab. Blitar (35.05) and measures it end to end through the HTTP
API, beside the same server's raw capacity measured in the same run.
--dtsen N generates a DTSEN file with member rows instead (families of
every desil, about four people each) and opens the cycle with scope desil
1 to N (1 to 5): the families above it are kept as reference.
--database-url puts the application database on PostgreSQL (an empty
database); --temporal-address runs against a Temporal cluster instead of
the dev server (a namespace with verval's search attributes that no
earlier bench used: cycles and households are numbered from 1 again).
After the cycle, bench cycle verifies a second cycle of
--capacity-households with the officers back to back: the household steps
per second at saturation, against the trivial lifecycle of the same run,
is the capacity figure.
Progress goes to standard error, the report to standard output.
`

// runBench is `verval bench intake|cycle`.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "intake" && args[0] != "cycle") {
		fmt.Fprint(stderr, benchUsage)
		return errors.New("want intake or cycle")
	}
	kind := args[0]
	fs := flag.NewFlagSet("verval bench "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	defHouseholds := 50_000
	if kind == "cycle" {
		defHouseholds = 10_000
	}
	households := fs.Int("households", defHouseholds, "families (rows) in the generated P3KE file")
	seed := fs.Uint64("seed", 1, "seed of the generated file and the officers' outcomes")
	faults := fs.Float64("fault-rate", bench.DefaultFaultRate, "share of rows with one typical fault")
	dtsen := fs.Int("dtsen", 0, "a DTSEN file with member rows instead of P3KE: --households families of every desil, the cycle verifying desil 1 to `N` (1 to 5)")
	keep := fs.Bool("keep", false, "keep the data directory (databases, bench.log) and print where it is")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dbURL := fs.String("database-url", "", "put the application database on this `postgres://` URL (an empty database) instead of SQLite")
	rawStarts := fs.Int("raw-starts", 0, "intake: trivial workflows started to measure the raw start rate (default min(households, 3000))")
	officers := fs.Int("officers", 50, "cycle: village officers submitting at once")
	perOfficer := fs.Int("officer-households", 50, "cycle: a village gets one officer per this many of its households (rounded up), who split its list; 0 gives every village one officer")
	pause := fs.Duration("officer-pause", 2*time.Second, "cycle: an officer's mean pause between two results (±50%); 0 submits back to back, saturating the system")
	cache := fs.String("workflow-cache", "", "the worker's sticky workflow cache in households, 0 for none, as VERVAL_WORKFLOW_CACHE (default: verval's default)")
	lifecycles := fs.Int("lifecycles", 0, "cycle: trivial workflow lifecycles for the reference rate (default min(households, 1000))")
	pollers := fs.Int("workflow-pollers", 0, "workflow-task polls the worker keeps open, as VERVAL_WORKFLOW_POLLERS (default: verval's default)")
	fanOut := fs.String("fanout-updates", "", "household Updates the fan-outs (meetings) send at once, 0 for no bound, as VERVAL_FANOUT_UPDATES (default: verval's default)")
	tAddr := fs.String("temporal-address", "", "run against this Temporal frontend (`host:port`) instead of starting a dev server")
	tNamespace := fs.String("temporal-namespace", "default", "with --temporal-address: the namespace, with verval's search attributes, not used by an earlier bench")
	tMetrics := fs.String("temporal-metrics", "", "with --temporal-address: the server's Prometheus `URL` (verval stack --temporal-metrics-port), for its database calls and their latency")
	capacity := fs.Int("capacity-households", 1000, "cycle: households of the capacity run after the cycle (verification with officers back to back, on a second cycle; at most --households); 0 skips it")
	pprofAddr := fs.String("pprof", "", "serve Go's profiles (/debug/pprof/) on this `host:port` while the bench runs, e.g. 127.0.0.1:6060")
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	if *pprofAddr != "" {
		stop, err := servePprof(*pprofAddr, stderr)
		if err != nil {
			return err
		}
		defer stop()
	}

	var bin string
	if *tAddr == "" {
		root, err := devserver.RepoRoot(".")
		if err != nil && getenv("VERVAL_TEMPORAL_BIN") == "" {
			return err
		}
		if bin, err = devserver.EnsureBinary(ctx, root, getenv, stderr); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "verval-bench-")
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(dir, "bench.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	stack := bench.StackOptions{TemporalBin: bin, Dir: dir, DatabaseURL: *dbURL, Log: logf, WorkflowCache: *cache, WorkflowPollers: *pollers, FanOutUpdates: *fanOut,
		TemporalAddress: *tAddr, TemporalNamespace: *tNamespace, TemporalMetricsURL: *tMetrics}

	var rep any
	var write func() error
	var runErr error
	switch kind {
	case "intake":
		var r *bench.IntakeReport
		r, runErr = bench.Intake(ctx, bench.IntakeOptions{
			Households: *households, Seed: *seed, FaultRate: *faults, DTSEN: *dtsen, RawStarts: *rawStarts,
			Stack: stack, Progress: stderr,
		})
		if r != nil {
			rep, write = r, func() error { return bench.WriteIntake(stdout, r) }
		}
	case "cycle":
		var r *bench.CycleReport
		r, runErr = bench.Cycle(ctx, bench.CycleOptions{
			Households: *households, Seed: *seed, FaultRate: *faults, DTSEN: *dtsen, Officers: *officers, OfficerHouseholds: *perOfficer, OfficerPause: *pause, Lifecycles: *lifecycles,
			CapacityHouseholds: *capacity, Stack: stack, Progress: stderr,
		})
		if r != nil {
			rep, write = r, func() error { return bench.WriteCycle(stdout, r) }
		}
	}
	if rep != nil {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			err = enc.Encode(rep)
		} else {
			err = write()
		}
		runErr = errors.Join(runErr, err)
	}
	if *keep || runErr != nil {
		fmt.Fprintf(stderr, "data directory kept: %s (logs in bench.log)\n", dir)
	} else {
		_ = os.RemoveAll(dir)
	}
	return runErr
}

// servePprof serves net/http/pprof's handlers on addr (a mux of its own,
// never the API's) until the returned stop is called.
func servePprof(addr string, stderr io.Writer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stderr, "profiles: http://%s/debug/pprof/\n", ln.Addr())
	return func() { _ = srv.Close() }, nil
}
