package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verval/verval/internal/metrics"
	"github.com/verval/verval/internal/store/storetest"
)

// TestMetricsEndpoint: the API counts a request under its route pattern and
// serves the counter at /metrics without a login; with ServeMetrics off
// (a separate METRICS_ADDR listener) the API's port has no /metrics.
func TestMetricsEndpoint(t *testing.T) {
	m := metrics.New(nil)
	t.Cleanup(func() { _ = m.Close() })
	srv := New(Deps{Log: storetest.Logger(t), Metrics: m, ServeMetrics: true})
	srv.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, body)
	}
	want := `verval_http_requests_total{code="200",method="GET",route="/healthz"} 1`
	if !strings.Contains(string(body), want) {
		t.Fatalf("/metrics lacks %s:\n%s", want, body)
	}

	hidden := New(Deps{Log: storetest.Logger(t), Metrics: m})
	rec = httptest.NewRecorder()
	hidden.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("GET /metrics with ServeMetrics off: %d, want 404", rec.Code)
	}
}
