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
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/metrics"
	"github.com/verval/verval/internal/store"
)

// Deps are the API's dependencies, built once in cmd/verval.
type Deps struct {
	DB       *gorm.DB
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// SessionTTL is how long a login token stays valid.
	SessionTTL time.Duration
	// TemporalUIURL is the Temporal Web UI as a browser reaches it.
	TemporalUIURL string
	// TemporalNamespace is used to build Web UI links and to reset a
	// household's sticky queue.
	TemporalNamespace string
	// ResetSticky resets a household's sticky queue before an Update:
	// set it when the workers cache workflows (workflows.Cases).
	ResetSticky bool
	// Codec serves /codec for the Temporal Web UI; nil leaves it out.
	Codec http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RequestTimeout bounds each /api/v1 request (default 30 s), so an
	// unreachable Temporal or database answers 503 instead of hanging.
	RequestTimeout time.Duration
	// Metrics counts and times every request by route pattern; nil turns
	// the instrumentation off.
	Metrics *metrics.Metrics
	// ServeMetrics adds GET /metrics (unauthenticated, Prometheus format)
	// to this router; off when the metrics have a listener of their own.
	ServeMetrics bool
	// Kemensos configures proposals: the monthly cut-off and the simulated
	// ministry of the local stack.
	Kemensos KemensosOptions
	// EnrolRules are the programmes' rules (VERVAL_ENROL_RULES): their
	// programmes have enrolment lists. Nil means enrol.DefaultRules.
	EnrolRules []enrol.Rule
}

// KemensosOptions configures the Kemensos gateway.
type KemensosOptions struct {
	// CutoffDay is the regency's monthly data cut-off (default 17): a
	// proposal built after it goes into next month's batch.
	CutoffDay int
	// ReminderAfter: Dinsos is reminded when a batch has unanswered
	// households this long after submission (default 60 days).
	ReminderAfter time.Duration
	// Simulated: batches are marked as answered by the simulated Kemensos
	// (the worker's gateway, activities.Activities.Kemensos, answers them).
	Simulated bool
}

// Server is the HTTP API.
type Server struct {
	deps    Deps
	router  *gin.Engine
	limiter *loginLimiter
	spec    openapiJSON
}

// New builds the router with every route registered.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.EnrolRules == nil {
		d.EnrolRules = enrol.DefaultRules()
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// No proxy is trusted unless configured: a client cannot fake its
	// address (which login throttling counts) with X-Forwarded-For.
	_ = r.SetTrustedProxies(nil)
	// Uploaded files above 1 MiB go to a temporary file while the form is
	// parsed instead of staying in memory beside the copy the handler
	// reads: a 12 MB P3KE file is held once, not twice.
	r.MaxMultipartMemory = 1 << 20
	s := &Server{deps: d, router: r, limiter: newLoginLimiter(loginMaxFailures, loginWindow, loginMaxKeys)}
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
	// The web pages (api/web) share the store, the meeting recorder, the
	// decree and proposal steps and the login throttle.
	web.Register(r, web.Deps{Store: s.deps.Store, Cases: s.cases(), Log: s.deps.Log, SessionTTL: s.deps.SessionTTL, Now: s.deps.Now,
		WorkflowURL: s.workflowURL, StuckQueryURL: s.stuckQueryURL, StuckStages: stuckStages, RecordMeeting: s.recordMeetingAs, Office: s.webOffice(),
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
	if err := store.Ping(ctx, s.deps.DB); err != nil {
		checks["database"], ok = "unreachable", false
	} else {
		checks["database"] = "ok"
	}
	if _, err := s.deps.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"], ok = "unreachable", false
	} else {
		checks["temporal"] = "ok"
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"ready": ok, "checks": checks})
}
