// Package bench measures verval end to end on one machine: it starts the
// embedded stack the way `verval dev` does (a Temporal dev server on a file
// database with WAL, the SQLite application database, the worker and the
// API in this process), loads a generated P3KE file through the HTTP API,
// drives village officers through it, and reports rates, latencies, memory
// and history sizes beside the same server's raw capacity, measured in the
// same run so the ratios hold on a noisy shared machine.
//
// It is the engine of `verval bench intake` and `verval bench cycle`; the
// figures it printed are in docs/performance.md.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/verval/verval/internal/app"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/devserver"
)

// kemensosDelay is how long the simulated Kemensos takes to answer in a
// bench: short, so the proposal phase measures verval, not the wait.
const kemensosDelay = time.Second

// StackOptions configure an embedded stack.
type StackOptions struct {
	// TemporalBin is the Temporal CLI (devserver.EnsureBinary).
	TemporalBin string
	// Dir is the data directory: temporal.db, verval.db.
	Dir string
	// DatabaseURL, when set, puts the application database on PostgreSQL
	// instead of SQLite in Dir.
	DatabaseURL string
	// Log receives the application's and the dev server's logs.
	Log io.Writer
	// WorkflowCache, when not empty, sets VERVAL_WORKFLOW_CACHE, the
	// worker's workflow cache (process-wide in the SDK; "0" turns it off).
	// Every cached household keeps its coroutines and state in memory.
	WorkflowCache string
	// WorkflowPollers, when positive, sets VERVAL_WORKFLOW_POLLERS.
	WorkflowPollers int
	// FanOutUpdates, when not empty, sets VERVAL_FANOUT_UPDATES.
	FanOutUpdates string
	// TemporalAddress, when set, runs against that Temporal cluster
	// instead of starting a dev server: TemporalNamespace (default
	// "default") must have verval's search attributes (README), and should
	// be one no earlier bench used, since a fresh application database
	// numbers its cycles and households from 1 again.
	TemporalAddress   string
	TemporalNamespace string
	// TemporalMetricsURL is that cluster's Prometheus endpoint, for its
	// database calls (`verval stack --temporal-metrics-port`).
	TemporalMetricsURL string
}

// Stack is a running embedded verval: dev server, worker, API, and a bench
// worker for the trivial reference workflow.
type Stack struct {
	// BaseURL is the API, http://127.0.0.1:port.
	BaseURL string
	// App is the in-process application (its Temporal client, store,
	// metrics registry).
	App *app.App
	// Reference runs the trivial reference workflow.
	Reference *Reference
	server    *devserver.Server
	// metricsURL is the Temporal server's Prometheus endpoint, or empty.
	metricsURL string
	cancel     context.CancelFunc
	errc       chan error
}

// StartStack starts the dev server, opens the application, and runs the
// worker, the API and the bench worker until Close.
func StartStack(ctx context.Context, o StackOptions) (*Stack, error) {
	httpPort, err := devserver.FreePort()
	if err != nil {
		return nil, err
	}
	tAddr, tPort := o.TemporalAddress, 0
	if tAddr == "" {
		if tPort, err = devserver.FreePort(); err != nil {
			return nil, err
		}
		tAddr = fmt.Sprintf("127.0.0.1:%d", tPort)
	}
	env := map[string]string{
		"VERVAL_DATA_DIR":    o.Dir,
		"HTTP_ADDR":          fmt.Sprintf("127.0.0.1:%d", httpPort),
		"TEMPORAL_ADDRESS":   tAddr,
		"TEMPORAL_NAMESPACE": o.TemporalNamespace,
		"DATABASE_URL":       o.DatabaseURL,
		// One line per request at info would be the bench's main cost.
		"LOG_LEVEL": "warn",
		// The simulated Kemensos answers a batch after this long.
		"VERVAL_KEMENSOS":       "simulated",
		"VERVAL_KEMENSOS_DELAY": kemensosDelay.String(),
		// The bench's officers send results without photos: it measures
		// the cases, not the object store.
		"VERVAL_PHOTOS_REQUIRED": "none",
	}
	if o.WorkflowCache != "" {
		env["VERVAL_WORKFLOW_CACHE"] = o.WorkflowCache
	}
	if o.FanOutUpdates != "" {
		env["VERVAL_FANOUT_UPDATES"] = o.FanOutUpdates
	}
	if o.WorkflowPollers > 0 {
		env["VERVAL_WORKFLOW_POLLERS"] = fmt.Sprint(o.WorkflowPollers)
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, true)
	if err != nil {
		return nil, err
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	var srv *devserver.Server
	if o.TemporalAddress == "" {
		var mPort int
		if mPort, err = devserver.FreePort(); err != nil {
			return nil, err
		}
		srv, err = devserver.Start(ctx, devserver.Options{
			Binary: o.TemporalBin, IP: "127.0.0.1", Port: tPort, UIPort: -1, MetricsPort: mPort,
			// A file with WAL, exactly as `verval dev` runs it.
			DBFile: filepath.Join(o.Dir, "temporal.db"),
			Log:    logw,
		})
		if err != nil {
			return nil, err
		}
	}
	stopServer := func() {
		if srv != nil {
			_ = srv.Stop()
		}
	}
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg, logw))
	if err != nil {
		stopServer()
		return nil, err
	}
	if _, err := a.Store.EnsureDevUsers(ctx); err != nil {
		a.Close()
		stopServer()
		return nil, err
	}
	ref, err := StartReference(a.Temporal, cfg.WorkflowPollers)
	if err != nil {
		a.Close()
		stopServer()
		return nil, err
	}
	// The stack outlives a cancelled ctx long enough to stop in order.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Stack{App: a, Reference: ref, server: srv, metricsURL: o.TemporalMetricsURL, cancel: cancel, errc: make(chan error, 2)}
	if srv != nil {
		s.metricsURL = srv.MetricsURL
	}
	ready := make(chan string, 1)
	go func() { s.errc <- a.RunWorker(runCtx) }()
	go func() { s.errc <- a.ServeHTTP(runCtx, ready) }()
	select {
	case addr := <-ready:
		s.BaseURL = "http://" + addr
	case err := <-s.errc:
		s.errc <- err
		_ = s.Close()
		return nil, err
	case <-time.After(time.Minute):
		_ = s.Close()
		return nil, errors.New("the API did not listen within a minute")
	}
	return s, nil
}

// DBCalls reads the database calls of the Temporal server so far (the
// stack's own dev server, or a cluster given its metrics URL); nil when
// its metrics are unknown.
func (s *Stack) DBCalls(ctx context.Context) (DBCalls, error) {
	if s.metricsURL == "" {
		return nil, nil
	}
	return ScrapeDBCalls(ctx, s.metricsURL)
}

// persistenceLatency snapshots the Temporal server's database call
// latencies; nil when its metrics are unknown or cannot be read.
func (s *Stack) persistenceLatency(ctx context.Context) histograms {
	if s.metricsURL == "" {
		return nil
	}
	fams, err := scrapeMetrics(ctx, s.metricsURL)
	if err != nil {
		return nil
	}
	return persistenceLatency(fams)
}

// stopSampler ends a memory sample of this stack; the Temporal figures
// are its dev server's, or none against a cluster.
func (s *Stack) stopSampler(m *MemSampler) Memory {
	mem := m.Stop()
	mem.TemporalLocal = s.server != nil
	if !mem.TemporalLocal {
		mem.TemporalPeakRSSMB, mem.TemporalCPUSeconds = 0, 0
	}
	return mem
}

// Close stops the API, the workers and the dev server (if it started
// one), in that order.
func (s *Stack) Close() error {
	s.cancel()
	var errs []error
	for range 2 {
		select {
		case err := <-s.errc:
			errs = append(errs, err)
		case <-time.After(time.Minute):
			errs = append(errs, errors.New("the stack did not stop within a minute"))
		}
	}
	s.Reference.Stop()
	s.App.Close()
	if s.server != nil {
		errs = append(errs, s.server.Stop())
	}
	return errors.Join(errs...)
}
