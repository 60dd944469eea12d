package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"

	"github.com/verval/verval/api"
	"github.com/verval/verval/internal/store/storetest"
)

// undocumented are the registered routes deliberately left out of the
// OpenAPI document, each with why. Everything under /api/ and the health
// probes must be documented; so a new API route without documentation
// fails TestOpenAPICoversEveryRoute.
var undocumented = []undocumentedRoute{
	{
		// Temporal's remote codec protocol (POST {namespace}/encode and
		// /decode with protobuf-JSON payloads), for the Temporal Web UI and
		// CLI, authenticated by its own token (VERVAL_CODEC_AUTH_TOKEN),
		// not by a session. It is Temporal's contract, not verval's API.
		why:   "Temporal codec server",
		match: func(_, p string) bool { return strings.HasPrefix(p, "/codec/") },
	},
	{
		// Prometheus exposition format for the monitoring scraper.
		why:   "Prometheus metrics",
		match: func(_, p string) bool { return p == "/metrics" },
	},
	{
		// Server-rendered web pages and their static files, for browsers:
		// HTML, not the JSON API. Anything under /api/ and the health
		// probes stay documented.
		why: "web pages",
		match: func(_, p string) bool {
			return !strings.HasPrefix(p, "/api/") && p != "/api" && p != "/healthz" && p != "/readyz"
		},
	},
}

// undocumentedRoute is a rule of undocumented.
type undocumentedRoute struct {
	why   string
	match func(method, path string) bool
}

// quietServer is a Server for tests that touch neither the database nor
// Temporal: route listing and the public OpenAPI document. The codec is
// mounted so its routes are registered as in production.
func quietServer() *api.Server {
	return api.New(api.Deps{
		Log:   slog.New(slog.DiscardHandler),
		Codec: http.NotFoundHandler(),
	})
}

func TestOpenAPIValid(t *testing.T) {
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	// Every operation needing a session says so with 401 and names the
	// error body; public ones say security: [].
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			public := op.Security != nil && len(*op.Security) == 0
			if !public && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s %s needs a session but documents no 401", method, path)
			}
			if op.Description == "" {
				t.Errorf("%s %s has no description", method, path)
			}
		}
	}
}

// TestOpenAPICoversEveryRoute compares the document's operations with the
// routes the server registers, both ways.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	registered := map[string]bool{}
	skipped := map[string]bool{}
	for _, r := range quietServer().Routes() {
		key := r.Method + " " + openapiPath(r.Path)
		if documented[key] {
			registered[key] = true
			continue
		}
		i := slices.IndexFunc(undocumented, func(u undocumentedRoute) bool { return u.match(r.Method, r.Path) })
		if i < 0 {
			t.Errorf("route %s %s is not in api/openapi.yaml", r.Method, r.Path)
			continue
		}
		skipped[undocumented[i].why] = true
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("api/openapi.yaml documents %s, which the server does not register", key)
		}
	}
	// The check above would pass vacuously if routes were never seen.
	if !skipped["Temporal codec server"] || len(registered) < 20 {
		t.Errorf("route listing looks wrong: %d documented routes registered, skipped %v", len(registered), skipped)
	}
}

// TestOpenAPIServed fetches the document as a client would.
func TestOpenAPIServed(t *testing.T) {
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/api/v1/openapi.json", nil)
	w := httptest.NewRecorder()
	quietServer().Handler().ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	body, _ := io.ReadAll(w.Body)
	served, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("served document does not parse: %v", err)
	}
	if err := served.Validate(t.Context()); err != nil {
		t.Fatalf("served document is invalid: %v", err)
	}
	doc, _ := api.OpenAPI()
	if got, want := served.Paths.Len(), doc.Paths.Len(); got != want || served.Paths.Find("/api/v1/tasks/{id}/result") == nil {
		t.Errorf("served document has %d paths, the embedded one %d", got, want)
	}
}

// TestReadyzUnavailable: with Temporal down the probe answers the 503 the
// document describes, naming the dependency that failed.
func TestReadyzUnavailable(t *testing.T) {
	a := newTestAPI(t, storetest.SQLite(t), time.Now())
	a.temporal.ExpectedCalls = nil
	a.temporal.On("CheckHealth", mock.Anything, mock.Anything).Return(nil, serviceerror.NewUnavailable("frontend down"))
	r := a.do(apiRequest{method: "GET", route: "/readyz", path: "/readyz"})
	if !r.want(t, "readyz", http.StatusServiceUnavailable) {
		return
	}
	var v struct {
		Ready  bool
		Checks map[string]string
	}
	r.decode(t, &v)
	if v.Ready || v.Checks["database"] != "ok" || v.Checks["temporal"] != "unreachable" {
		t.Errorf("readyz: %s", r.body)
	}
}

// The README's route table names routes with their full /api/v1 path, and
// each is one the server registers (the bodies are the OpenAPI
// document's, which the test above holds to the server).
func TestReadmeRoutesAreRegistered(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	start, end := strings.Index(s, "## The API"), strings.Index(s, "## Web pages")
	if start < 0 || end < start {
		t.Fatal("README has no API section")
	}
	registered := map[string]bool{}
	for _, r := range quietServer().Routes() {
		registered[r.Method+" "+openapiPath(r.Path)] = true
	}
	route := regexp.MustCompile("`(GET|POST) (/[^`?\\[ ]*)")
	n := 0
	for _, m := range route.FindAllStringSubmatch(s[start:end], -1) {
		n++
		if !strings.HasPrefix(m[2], "/api/v1/") {
			t.Errorf("README route %s %s lacks the /api/v1 prefix", m[1], m[2])
		} else if !registered[m[1]+" "+m[2]] {
			t.Errorf("README route %s %s is not registered", m[1], m[2])
		}
	}
	if n < 30 {
		t.Errorf("only %d routes found in the README's API section", n)
	}
}
