package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store/storetest"
)

// uploadRoutes carry files and have their own, larger limits.
var uploadRoutes = map[string]bool{
	"/api/v1/cycles/:id/intake":     true,
	"/api/v1/cycles/:id/meetings":   true,
	"/api/v1/proposals/:id/answers": true,
	// Photos: their own limit, the largest photo (photos_test.go).
	"/api/v1/tasks/:id/photos":           true,
	"/api/v1/households/:id/usul/photos": true,
	"/api/v1/sanggah/:id/photos":         true,
}

// TestBodyLimit: every /api/v1 route but the uploads refuses a body over
// 1 MiB with 413 and code request.too_large, before anything reads it when
// Content-Length says so, and while decoding when it does not (chunked).
// A 2.5 MB indicator used to reach the household workflow and end its case.
func TestBodyLimit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		big := bytes.Repeat([]byte("x"), 2<<20)
		body := append(append([]byte(`{"outcome":"eligible","visitDate":"2026-03-10","indicators":{"sumberAirMinum":"`), big...), `"}}`...)
		n := 0
		for _, rt := range w.srv.Routes() {
			if rt.Method != http.MethodPost || !strings.HasPrefix(rt.Path, "/api/v1/") || uploadRoutes[rt.Path] {
				continue
			}
			n++
			path := strings.ReplaceAll(rt.Path, ":id", fmt.Sprint(w.households[0].id))
			r := w.do(apiRequest{method: "POST", route: rt.Path, path: path, token: w.byName["admin"].token,
				raw: body, contentType: "application/json"})
			if !r.want(t, "POST "+rt.Path+" with 2 MiB", http.StatusRequestEntityTooLarge) {
				continue
			}
			var e struct{ Code, Error string }
			r.decode(t, &e)
			if e.Code != "request.too_large" || !strings.Contains(e.Error, "1 MiB") {
				t.Errorf("POST %s: %+v, want code request.too_large naming 1 MiB", rt.Path, e)
			}
			wantTemporal(t, "POST "+rt.Path+" with 2 MiB", r, "")
		}
		if n < 15 {
			t.Errorf("%d POST routes checked, want every one", n)
		}

		// Chunked: no Content-Length, so the handler's decoding stops at the limit.
		var jaten int64
		for _, h := range w.households {
			if h.desa == "35.05.01.2001" {
				jaten = h.id
			}
		}
		hr := httptest.NewRequestWithContext(t.Context(), "POST", fmt.Sprintf("/api/v1/tasks/%d/result", jaten), io.MultiReader(bytes.NewReader(body)))
		hr.ContentLength = -1
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Authorization", "Bearer "+w.byName["desa.jaten"].token)
		rec := httptest.NewRecorder()
		before := len(w.temporal.Calls)
		w.srv.Handler().ServeHTTP(rec, hr)
		var e struct{ Code string }
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != http.StatusRequestEntityTooLarge || e.Code != "request.too_large" {
			t.Errorf("chunked 2 MiB visit result: %d %s, want 413 request.too_large", rec.Code, rec.Body.String())
		}
		if len(w.temporal.Calls) != before {
			t.Errorf("chunked 2 MiB visit result reached Temporal: %v", w.temporal.Calls[before:])
		}
	})
}
