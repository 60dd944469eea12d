// Package metrics is verval's Prometheus instrumentation: one registry per
// process holding the HTTP API's request counts and latencies (labelled by
// route pattern, never by the raw path, which can carry ids), the Temporal
// SDK's client and worker metrics, the database pool's statistics and the
// Go runtime's. Nothing is registered globally: each process builds one
// Metrics and hands it to the parts that report into it.
package metrics

import (
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Namespace prefixes verval's own metric names.
const Namespace = "verval"

// temporalReportInterval is how often the SDK's tally scope pushes its
// counters into the Prometheus registry. A scrape sees values at most this
// old; a second is what Temporal's own samples use and costs nothing.
const temporalReportInterval = time.Second

// httpBuckets are the request-duration histogram's upper bounds, in
// seconds: fine below a second, where the task list (100 ms) and result
// submission (250 ms) targets sit, and up to a minute for P3KE uploads.
var httpBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Metrics is one process's registry and the instruments verval reports to.
type Metrics struct {
	// Registry holds every metric of the process; Handler serves it.
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	temporal client.MetricsHandler
	closer   io.Closer
}

// New builds a registry with the Go runtime and process collectors, the
// HTTP instruments and a Temporal SDK handler reporting into it. log
// receives registration conflicts from the SDK bridge (logged, never a
// panic: a metric must not take a worker down). Close stops the bridge.
func New(log *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "HTTP request latency from the first middleware to the last byte written, by method, route pattern and status code.",
			Buckets: httpBuckets,
		}, []string{"method", "route", "code"}),
	}
	reg.MustRegister(m.requests, m.duration)

	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       reg,
		DefaultTimerType: tallyprom.HistogramTimerType,
		OnRegisterError: func(err error) {
			if log != nil {
				log.Warn("temporal SDK metric not exported", "err", err)
			}
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, temporalReportInterval)
	m.temporal = sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope))
	m.closer = closer
	return m
}

// Temporal is the handler to set as the Temporal client's MetricsHandler
// (temporalx.Options.MetricsHandler): the client's and every worker's
// metrics built on that client (temporal_request, temporal_workflow_*,
// temporal_activity_*, ...) land in Registry.
func (m *Metrics) Temporal() client.MetricsHandler { return m.temporal }

// AddDB exports a database pool's statistics (open, in-use and idle
// connections, waits for a connection) as verval_db_*. The embedded SQLite
// store has one connection, so its wait count is where contention shows.
func (m *Metrics) AddDB(db *sql.DB) {
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, "app"))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Middleware counts and times every request. The route label is gin's
// route pattern (/api/v1/tasks/:id), or "unmatched" for a path no route
// takes, so ids and query strings never become labels; unknown methods are
// folded into OTHER for the same reason.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		labels := prometheus.Labels{"method": method(c.Request.Method), "route": Route(c), "code": strconv.Itoa(c.Writer.Status())}
		m.requests.With(labels).Inc()
		m.duration.With(labels).Observe(time.Since(start).Seconds())
	}
}

func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// Close stops the SDK bridge's reporting loop.
func (m *Metrics) Close() error {
	if m.closer == nil {
		return nil
	}
	return m.closer.Close()
}

// Route names a request by gin's route pattern (/api/v1/tasks/:id), or
// "unmatched" for a path no route takes: never the raw path or query,
// which carry ids and could carry personal data. Metrics labels and the
// access log both use it.
func Route(c *gin.Context) string {
	if route := c.FullPath(); route != "" {
		return route
	}
	return "unmatched"
}
