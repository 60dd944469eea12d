// Package api is verval's HTTP API (gin): JSON under /api/v1, health probes,
// and the codec endpoint for the Temporal Web UI. Handlers pass the request's
// context to Temporal and the database and report errors through one mapper.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/metrics"
	"github.com/verval/verval/internal/office"
)

// Deps are the API's dependencies, built once in cmd/verval.
type Deps struct {
	// Office takes every step and answers every read: the API only parses
	// requests and renders what the office returns.
	Office *office.Service
	Log    *slog.Logger
	// SessionTTL is how long a login token stays valid.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure. TLS ends in front of
	// verval (docs/deployment.md), so a request's own TLS says nothing;
	// the app sets it when PUBLIC_URL is https.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (config.Config.TrustedProxies); none when empty.
	TrustedProxies []string
	// TemporalUIURL is the Temporal Web UI as a browser reaches it.
	TemporalUIURL string
	// TemporalNamespace is used to build Web UI links.
	TemporalNamespace string
	// Codec serves /codec for the Temporal Web UI; nil leaves it out.
	Codec http.Handler
	// RequestTimeout bounds each /api/v1 request (default 30 s), so an
	// unreachable Temporal or database answers 503 instead of hanging.
	RequestTimeout time.Duration
	// Metrics counts and times every request by route pattern; nil turns
	// the instrumentation off.
	Metrics *metrics.Metrics
	// ServeMetrics adds GET /metrics (unauthenticated, Prometheus format)
	// to this router; off when the metrics have a listener of their own.
	ServeMetrics bool
}

// Server is the HTTP API.
type Server struct {
	deps    Deps
	router  *gin.Engine
	limiter *loginLimiter
	// status limits the login-free sanggah status look-ups per address.
	status *statusLimiter
	spec   openapiJSON
}

// New builds the router with every route registered.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Office == nil {
		// A server that answers no step (route listing, the OpenAPI
		// document, metrics): an office with nothing behind it.
		d.Office = office.New(office.Deps{})
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// No proxy is trusted unless configured (VERVAL_TRUSTED_PROXIES): a
	// client cannot fake its address (which login throttling counts) with
	// X-Forwarded-For; from a trusted proxy, the address it forwards is
	// the client's. The configuration checked the entries.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Log.Error("VERVAL_TRUSTED_PROXIES refused; trusting no proxy", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	// Uploaded files above 1 MiB go to a temporary file while the form is
	// parsed instead of staying in memory beside the copy the handler
	// reads: a 12 MB P3KE file is held once, not twice.
	r.MaxMultipartMemory = 1 << 20
	s := &Server{deps: d, router: r, limiter: newLoginLimiter(loginWindow, loginPairMax, loginAccountFree, loginAccountMaxDelay, loginAddressMax, loginMaxKeys),
		status: newStatusLimiter(statusWindow, statusMax, statusMaxKeys)}
	r.Use(requestID(), securityHeaders(), s.accessLog())
	if d.Metrics != nil {
		// Outside the recovery, so a panic is counted as the 500 it becomes.
		r.Use(d.Metrics.Middleware())
	}
	r.Use(gin.CustomRecovery(s.recovered))
	s.routes()
	return s
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.router }

// Routes lists the registered routes as "METHOD /path", for the OpenAPI check.
func (s *Server) Routes() gin.RoutesInfo { return s.router.Routes() }

func (s *Server) routes() {
	r := s.router
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	if s.deps.Metrics != nil && s.deps.ServeMetrics {
		r.GET("/metrics", gin.WrapH(s.deps.Metrics.Handler()))
	}
	if s.deps.Codec != nil {
		r.Any("/codec/*path", gin.WrapH(http.StripPrefix("/codec", s.deps.Codec)))
	}
	s.apiRoutes(r.Group("/api/v1"))
	// The web pages (api/web) share the office, the Web UI links and the
	// login throttle.
	web.Register(r, web.Deps{Office: s.deps.Office, Log: s.deps.Log, SessionTTL: s.deps.SessionTTL, SecureCookies: s.deps.SecureCookies,
		WorkflowURL: s.workflowURL, StuckQueryURL: s.stuckQueryURL, SanggahURL: s.sanggahWorkflowURL, StatusTake: s.status.take,
		Throttle: web.Throttle{Blocked: s.limiter.blocked, Failed: s.limiter.failed, Succeeded: s.limiter.succeeded, Acquire: s.limiter.acquire, ClientKey: clientKey}})
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when the database and Temporal both answer, so a
// load balancer stops sending traffic to a replica that cannot serve it.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := gin.H{}
	ok := true
	database, temporal := s.deps.Office.Ready(ctx)
	for name, err := range map[string]error{"database": database, "temporal": temporal} {
		if err != nil {
			checks[name], ok = "unreachable", false
		} else {
			checks[name] = "ok"
		}
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"ready": ok, "checks": checks})
}
