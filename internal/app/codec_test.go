package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/config"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
)

func testStore(t *testing.T) *store.Store {
	t.Helper()
	db, err := store.Open(context.Background(), "", filepath.Join(t.TempDir(), "verval.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return &store.Store{DB: db}
}

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
			a := &App{Config: cfg, Keys: tt.keys, Store: testStore(t), Log: slog.New(slog.DiscardHandler)}
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

// TestCodecDecodeAudited: each decode through the API's codec endpoint is
// one entry in the hash-chained audit trail, naming the caller, the number
// of payloads and the request id, and holding nothing of the payloads; a
// reused client request id is still recorded; when the audit trail cannot
// be written the decode is refused and no payload leaves.
func TestCodecDecodeAudited(t *testing.T) {
	const name, nik = "Siti Aminah", "3201012345670001"
	keys := pii.DevKeyring()
	cfg := config.Config{TemporalUIURL: "http://localhost:8233", CodecAuthToken: "secret-token"}
	st := testStore(t)
	a := &App{Config: cfg, Keys: keys, Store: st, Log: slog.New(slog.DiscardHandler)}
	h := a.codecHandler()

	dc, _ := codec.ClientOptions(keys)
	p, err := dc.ToPayload(map[string]string{"name": name, "nik": nik})
	if err != nil {
		t.Fatal(err)
	}
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{p, p, p}})
	if err != nil {
		t.Fatal(err)
	}
	decode := func(origin, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/default/decode", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		// What the API's request-id middleware sets, here reused on purpose.
		rec := httptest.NewRecorder()
		rec.Header().Set("X-Request-ID", "req-42")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(rec, req)
		return rec
	}
	entries := func() []store.AuditEntry {
		var es []store.AuditEntry
		if err := st.DB.Order("id").Find(&es).Error; err != nil {
			t.Fatal(err)
		}
		return es
	}

	rec := decode("", "secret-token")
	if rec.Code != 200 {
		t.Fatalf("decode: %d %s", rec.Code, rec.Body)
	}
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(rec.Body.Bytes(), &ps); err != nil || len(ps.Payloads) != 3 {
		t.Fatalf("decoded %d payloads, err %v", len(ps.Payloads), err)
	}
	var got map[string]string
	if err := converter.GetDefaultDataConverter().FromPayload(ps.Payloads[0], &got); err != nil || got["name"] != name {
		t.Fatalf("decoded %v, err %v", got, err)
	}
	if rec := decode("http://localhost:8233", ""); rec.Code != 200 {
		t.Fatalf("dev UI decode: %d %s", rec.Code, rec.Body)
	}
	if rec := decode("", "wrong"); rec.Code != 401 {
		t.Fatalf("wrong token: %d", rec.Code)
	}

	es := entries()
	if len(es) != 2 {
		t.Fatalf("%d audit entries, want 2 (one per decode, none for the 401): %+v", len(es), es)
	}
	for i, wantCaller := range []string{codec.CallerToken, codec.CallerDevUI} {
		e := es[i]
		var d struct {
			Caller    string `json:"caller"`
			Payloads  int    `json:"payloads"`
			Namespace string `json:"namespace"`
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			t.Fatal(err)
		}
		if e.Action != "codec.decode" || e.RequestID != "req-42" || e.At.IsZero() ||
			d.Caller != wantCaller || d.Payloads != 3 || d.Namespace != "default" {
			t.Fatalf("entry %d: %+v detail %+v", i, e, d)
		}
		all, _ := json.Marshal(e)
		for _, s := range []string{name, nik, string(p.Data), base64.StdEncoding.EncodeToString(p.Data)} {
			if strings.Contains(string(all)+e.Detail+e.IdemKey, s) {
				t.Fatalf("entry %d holds payload contents", i)
			}
		}
	}
	if brk, n, err := st.VerifyAudit(context.Background()); err != nil || brk != nil || n != 2 {
		t.Fatalf("chain: %+v %d %v", brk, n, err)
	}

	// The audit trail is gone: no entry, no data.
	sqlDB, err := st.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	_ = sqlDB.Close()
	rec = decode("", "secret-token")
	if rec.Code != 503 {
		t.Fatalf("decode without audit: %d, want 503", rec.Code)
	}
	if b := rec.Body.String(); strings.Contains(b, "payloads") || strings.Contains(b, name) || strings.Contains(b, nik) {
		t.Fatalf("decode without audit answered data: %s", b)
	}
}
