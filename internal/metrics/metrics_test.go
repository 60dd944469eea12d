package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// scrape returns the registry's text exposition.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// TestMiddlewareLabelsByRoutePattern: a request is counted under its route
// pattern, never its raw path or query, and unknown paths and methods
// cannot create new label values.
func TestMiddlewareLabelsByRoutePattern(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	m := New(nil)
	t.Cleanup(func() { _ = m.Close() })
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/api/v1/tasks/:id", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/api/v1/tasks/12345?q=SUPARMAN", nil),
		httptest.NewRequest(http.MethodGet, "/api/v1/tasks/678", nil),
		httptest.NewRequest(http.MethodGet, "/no/such/3505012001", nil),
		httptest.NewRequest("PROPFIND", "/api/v1/tasks/1", nil),
	} {
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	out := scrape(t, m)
	for _, want := range []string{
		`verval_http_requests_total{code="200",method="GET",route="/api/v1/tasks/:id"} 2`,
		`verval_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`verval_http_requests_total{code="404",method="OTHER",route="unmatched"} 1`,
		`verval_http_request_duration_seconds_bucket{code="200",method="GET",route="/api/v1/tasks/:id",le="0.1"} 2`,
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leak := range []string{"12345", "SUPARMAN", "3505012001", "PROPFIND"} {
		if strings.Contains(out, leak) {
			t.Errorf("/metrics holds %q from a request's path", leak)
		}
	}
}

// TestTemporalHandlerReportsIntoRegistry: what the SDK reports through
// Temporal() shows in the same registry, under the SDK's names.
func TestTemporalHandlerReportsIntoRegistry(t *testing.T) {
	m := New(nil)
	t.Cleanup(func() { _ = m.Close() })
	h := m.Temporal().WithTags(map[string]string{"namespace": "default", "operation": "StartWorkflowExecution"})
	h.Counter("temporal_request").Inc(3)
	h.Timer("temporal_request_latency").Record(20 * time.Millisecond)
	deadline := time.Now().Add(10 * temporalReportInterval)
	for {
		out := scrape(t, m)
		// Prometheus naming: counters end in _total, timers in _seconds.
		if strings.Contains(out, `temporal_request_total{namespace="default",operation="StartWorkflowExecution"} 3`) &&
			strings.Contains(out, "temporal_request_latency_seconds_bucket{") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SDK metrics not in the registry after %s:\n%s", 10*temporalReportInterval, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
