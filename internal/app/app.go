// Package app assembles verval's parts from a Config: the database, the
// keys, the Temporal client, the worker and the HTTP server. cmd/verval and
// the end-to-end tests build the system the same way through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/api"
	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/metrics"
	"github.com/verval/verval/internal/objstore"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/worker"
	"github.com/verval/verval/workflows"
)

// App is a connected verval process.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *gorm.DB
	Store    *store.Store
	Keys     *pii.Keyring
	Temporal client.Client
	// Metrics is the process's Prometheus registry: HTTP, Temporal SDK,
	// database pool and Go runtime metrics.
	Metrics *metrics.Metrics
	// MetricsAddr is where /metrics is served: empty on the API's own
	// listener, host:port on a listener of its own (keep that one inside
	// the network), "off" nowhere.
	MetricsAddr string
}

// Keys returns the configured keyring, or the development keys when none
// are configured (only `verval dev` and tests allow that; config.Load
// refuses it elsewhere).
func Keys(c config.Config) (*pii.Keyring, error) {
	if c.PIIKeys == "" {
		return pii.DevKeyring(), nil
	}
	return pii.ParseKeyring(c.PIIKeys, c.PIIHashKey)
}

// Open connects to the database (running migrations) and to Temporal.
func Open(ctx context.Context, c config.Config, log *slog.Logger) (*App, error) {
	keys, err := Keys(c)
	if err != nil {
		return nil, fmt.Errorf("VERVAL_PII_KEYS: %w", err)
	}
	// The SDK's workflow cache is shared by the process's workers and
	// sized when the first of them starts (a later call is ignored), so it
	// is set here, before anything can start one.
	sdkworker.SetStickyWorkflowCacheSize(c.WorkflowCache)
	db, err := store.Open(ctx, c.DatabaseURL, c.SQLitePath(), log)
	if err != nil {
		return nil, err
	}
	m := metrics.New(log)
	if sqlDB, err := db.DB(); err == nil {
		m.AddDB(sqlDB)
	}
	dc, fc := codec.ClientOptions(keys)
	tc, err := temporalx.Dial(ctx, temporalx.Options{
		Address: c.TemporalAddress, Namespace: c.TemporalNamespace, Logger: log,
		DataConverter: dc, FailureConverter: fc, MetricsHandler: m.Temporal(),
	})
	if err != nil {
		_ = m.Close()
		closeDB(db)
		return nil, err
	}
	return &App{Config: c, MetricsAddr: c.MetricsAddr, Log: log, DB: db, Store: &store.Store{DB: db, Keys: keys}, Keys: keys, Temporal: tc, Metrics: m}, nil
}

// Close releases the connections.
func (a *App) Close() {
	a.Temporal.Close()
	_ = a.Metrics.Close()
	closeDB(a.DB)
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

// Activities builds the activities with their real dependencies.
func (a *App) Activities() *activities.Activities {
	return &activities.Activities{
		Store:    a.Store,
		Cases:    workflows.Cases{Client: a.Temporal, Namespace: a.Config.TemporalNamespace, ResetSticky: a.Config.StickyWorkers()},
		Notifier: activities.DBNotifier{Store: a.Store, Log: a.Log},
		Log:      a.Log,
		Kemensos: KemensosGateway(a.Config),
		Rules:    a.Config.EnrolRules,
		Enrol:    EnrolGateway(a.Config, a.Store),

		FanOutUpdates: activities.NewSlots(a.Config.FanOutUpdates),
	}
}

// EnrolGateway is the enrolment gateway VERVAL_ENROL_GATEWAY chooses: the
// programmes' enrolment lists in the store, or the simulated programmes.
func EnrolGateway(c config.Config, s *store.Store) enrol.Gateway {
	if c.EnrolGateway == "simulated" {
		return enrol.NewSimulated()
	}
	return enrol.Export{Lists: s}
}

// KemensosGateway is the gateway VERVAL_KEMENSOS chooses: the simulated
// Kemensos with its delay, seed and rejection share, or the file-based one.
func KemensosGateway(c config.Config) kemensos.Gateway {
	if c.Kemensos == "simulated" {
		return kemensos.Simulator{Delay: c.KemensosDelay, Seed: c.KemensosSeed, RejectShare: c.KemensosRejectShare}
	}
	return kemensos.File{}
}

// NewWorker builds the workers (households' queue and operations queue).
func (a *App) NewWorker() worker.Workers {
	return worker.New(a.Temporal, a.Activities(), worker.Options{WorkflowTaskPollers: a.Config.WorkflowPollers, StopTimeout: a.Config.ShutdownTimeout})
}

// RunWorker ensures verval's Temporal Schedules (the daily sessions purge,
// workflows.EnsureSchedules), polls until ctx ends, then stops cleanly:
// polling stops and running activities get ShutdownTimeout
// (VERVAL_SHUTDOWN_TIMEOUT) to finish. `verval worker` and `verval dev`
// both run it. A schedule that cannot be ensured is logged as an error and
// the worker polls anyway: the purge is housekeeping, the households' cases
// are not, and the next start tries again.
func (a *App) RunWorker(ctx context.Context) error {
	if err := workflows.EnsureSchedules(ctx, a.Temporal); err != nil {
		a.Log.Error("temporal schedules not ensured; the worker polls without them", "err", err)
	}
	w := a.NewWorker()
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	a.Log.Info("worker polling", "taskQueues", []string{workflows.TaskQueue, workflows.OpsTaskQueue}, "namespace", a.Config.TemporalNamespace)
	<-ctx.Done()
	w.Stop()
	a.Log.Info("worker stopped")
	return nil
}

// APIServer builds the HTTP API.
func (a *App) APIServer() *api.Server {
	off := office.New(office.Deps{
		Store: a.Store, Temporal: a.Temporal, Log: a.Log,
		Namespace: a.Config.TemporalNamespace, ResetSticky: a.Config.StickyWorkers(),
		Kemensos: office.KemensosOptions{
			CutoffDay: a.Config.KemensosCutoffDay, Simulated: a.Config.Kemensos == "simulated",
			ReminderAfter: a.Config.KemensosReminderAfter,
		},
		EnrolRules: a.Config.EnrolRules,
		Objects: objstore.Lazy(objstore.Config{Location: a.Config.ObjectStore, AccessKey: a.Config.S3AccessKey,
			SecretKey: a.Config.S3SecretKey, Region: a.Config.S3Region}),
		PhotoRules: a.Config.PhotoRules, VisitFarKm: a.Config.VisitFarKm,
	})
	return api.New(api.Deps{
		Office: off, Log: a.Log,
		SessionTTL: a.Config.SessionTTL, RequestTimeout: a.Config.RequestTimeout, TemporalUIURL: a.Config.TemporalUIURL,
		SecureCookies:     a.Config.SecureCookies(),
		TrustedProxies:    a.Config.TrustedProxies,
		TemporalNamespace: a.Config.TemporalNamespace,
		Codec:             a.codecHandler(),
		Metrics:           a.Metrics, ServeMetrics: a.MetricsAddr == "",
	})
}

// ServeHTTP listens on the configured address until ctx ends, then lets
// in-flight requests finish (up to ShutdownTimeout). ready, if non-nil,
// receives the bound address once listening.
func (a *App) ServeHTTP(ctx context.Context, ready chan<- string) error {
	return a.serveHandler(ctx, a.APIServer().Handler(), ready)
}

// serveHandler is ServeHTTP with the handler given, so the shutdown can be
// tested without the whole API behind it.
func (a *App) serveHandler(ctx context.Context, h http.Handler, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", a.Config.HTTPAddr, err)
	}
	if a.MetricsAddr != "" && a.MetricsAddr != "off" {
		stop, err := a.serveMetrics(ctx)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Uploads of a 50,000-row P3KE file on a slow link take a while.
		ReadTimeout:  5 * time.Minute,
		WriteTimeout: 5 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		BaseContext:  func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("http listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("http stopped")
	return nil
}

// NewLogger builds the process logger.
func NewLogger(c config.Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// codecHandler serves /codec for the Temporal Web UI and CLI. The Web UI
// cannot send a fixed bearer token (only its users' OIDC tokens), so on the
// development keys, which are public and protect nothing, requests from
// the UI's own origin are let through (audited as "dev UI"); with real keys
// the token is always required. Every decode is an entry in the audit
// chain (auditDecode) before anything is decrypted.
func (a *App) codecHandler() http.Handler {
	origins := []string{a.Config.TemporalUIURL}
	if u, err := url.Parse(a.Config.TemporalUIURL); err == nil && u.Hostname() == "localhost" {
		origins = append(origins, u.Scheme+"://127.0.0.1:"+u.Port())
	}
	h := codec.Handler(a.Keys, a.Config.CodecAuthToken, origins, a.auditDecode)
	if !a.Keys.Insecure() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && slices.Contains(origins, r.Header.Get("Origin")) {
			r.Header.Set("Authorization", "Bearer "+a.Config.CodecAuthToken)
			r = codec.WithCaller(r, codec.CallerDevUI)
		}
		h.ServeHTTP(w, r)
	})
}

// auditDecode appends a codec decode to the audit chain: action
// "codec.decode", no user (ActorID 0, role "codec"), the request id, and in
// the detail the caller, the payload count, the namespace and the client
// address; never the payloads. The idempotency key carries a random part:
// request ids may come from the client (X-Request-ID), and a reused one
// must not let a second decode go unrecorded.
func (a *App) auditDecode(ctx context.Context, d codec.DecodeRecord) error {
	err := a.Store.AppendAuditEntry(ctx, store.AuditEntry{
		IdemKey: store.UniqueAuditKey("codec.decode", d.RequestID), At: d.At,
		ActorRole: "codec", RequestID: d.RequestID, Action: "codec.decode",
		Detail: store.JSON(map[string]any{"caller": d.Caller, "payloads": d.Payloads, "namespace": d.Namespace, "remoteAddr": d.RemoteAddr}),
	})
	if err != nil {
		a.Log.Error("codec decode refused: audit append failed", "requestId", d.RequestID, "err", err)
	}
	return err
}
