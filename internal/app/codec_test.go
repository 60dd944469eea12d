package app

import (
	"crypto/rand"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/pii"
)

// TestCodecHandler: on the public development keys the Temporal Web UI's
// origin decodes without a token; with real keys only the token opens it.
func TestCodecHandler(t *testing.T) {
	key := func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	}
	real, err := pii.ParseKeyring("k1:"+key(), key())
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{TemporalUIURL: "http://localhost:8233", CodecAuthToken: "secret-token"}
	tests := []struct {
		name          string
		keys          *pii.Keyring
		origin, token string
		want          int
	}{
		{"dev keys, UI origin", pii.DevKeyring(), "http://localhost:8233", "", 200},
		{"dev keys, UI origin by IP", pii.DevKeyring(), "http://127.0.0.1:8233", "", 200},
		{"dev keys, other origin", pii.DevKeyring(), "http://evil.example", "", 401},
		{"dev keys, no origin", pii.DevKeyring(), "", "", 401},
		{"real keys, UI origin", real, "http://localhost:8233", "", 401},
		{"real keys, token", real, "", "secret-token", 200},
		{"real keys, wrong token", real, "", "nope", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &App{Config: cfg, Keys: tt.keys}
			req := httptest.NewRequest("POST", "/decode", strings.NewReader(`{"payloads":[]}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			a.codecHandler().ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body.String())
			}
		})
	}
}
