package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// TestServerSecurityHeaders checks the secure headers on the real server
// (api.New's router and middleware, not the middleware alone): JSON API
// answers, signed-in and not, web pages, health checks and unknown paths.
// API answers are never cached (pages decide for themselves: the login
// page is no-store too, static files are cached by version).
func TestServerSecurityHeaders(t *testing.T) {
	a := newTestAPI(t, storetest.SQLite(t), mxT0)
	if _, err := a.st.CreateUser(t.Context(), store.NewUser{Username: "admin.headers", Password: mxPassword, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	token := a.login("admin.headers", mxPassword)
	for _, tc := range []struct {
		method, path, token string
		status              int
	}{
		{"GET", "/api/v1/me", "", http.StatusUnauthorized},
		{"GET", "/api/v1/me", token, http.StatusOK},
		{"GET", "/api/v1/cycles", token, http.StatusOK},
		{"GET", "/api/v1/openapi.json", "", http.StatusOK},
		{"POST", "/api/v1/login", "", http.StatusBadRequest},
		{"GET", "/api/v1/no-such-route", token, http.StatusNotFound},
		{"GET", "/masuk", "", http.StatusOK},
		{"GET", "/", "", http.StatusSeeOther},
		{"GET", "/static/app.js", "", http.StatusOK},
		{"GET", "/healthz", "", http.StatusOK},
		{"GET", "/no-such-page", "", http.StatusNotFound},
	} {
		req := httptest.NewRequestWithContext(t.Context(), tc.method, tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		w := httptest.NewRecorder()
		a.srv.Handler().ServeHTTP(w, req)
		what := tc.method + " " + tc.path
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", what, w.Code, tc.status)
		}
		h := w.Header()
		csp := h.Get("Content-Security-Policy")
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("Cross-Origin-Opener-Policy") != "same-origin" || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: security headers missing: %v", what, h)
		}
		if h.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", what)
		}
		if strings.HasPrefix(tc.path, "/api/") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, h.Get("Cache-Control"))
		}
	}
}
