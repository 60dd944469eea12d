package codec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/verval/verval/internal/codec"
)

const (
	testToken = "s3cret-codec-token-for-tests-only"
	uiOrigin  = "https://temporal-ui.verval.example"
)

// newCodecServer mounts the handler under /codec the way the gin server
// does (StripPrefix), so the tests exercise the production path layout.
func newCodecServer(t *testing.T, token string) *httptest.Server {
	t.Helper()
	return newAuditedCodecServer(t, token, func(context.Context, codec.DecodeRecord) error { return nil })
}

func newAuditedCodecServer(t *testing.T, token string, audit codec.AuditFunc) *httptest.Server {
	t.Helper()
	h := codec.Handler(keyring(t, "a:"+keyA), token, []string{uiOrigin + "/temporal/", "http://localhost:8233", "not a url", ""}, audit)
	mux := http.NewServeMux()
	mux.Handle("/codec/", http.StripPrefix("/codec", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type request struct {
	method, path string
	header       map[string]string
	body         []byte
}

func do(t *testing.T, srv *httptest.Server, r request) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(r.method, srv.URL+r.path, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func payloadsJSON(t *testing.T, ps ...*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parsePayloads(t *testing.T, b []byte) []*commonpb.Payload {
	t.Helper()
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(b, &ps); err != nil {
		t.Fatalf("response is not Payloads JSON: %v: %s", err, b)
	}
	return ps.Payloads
}

func authed(extra map[string]string) map[string]string {
	h := map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func TestHandlerRejectsMissingOrWrongToken(t *testing.T) {
	srv := newCodecServer(t, testToken)
	body := payloadsJSON(t, jsonPayload(t, testNIK))
	for name, auth := range map[string]string{
		"missing":         "",
		"wrong":           "Bearer nope",
		"prefix of token": "Bearer " + testToken[:10],
		"token + suffix":  "Bearer " + testToken + "x",
		"no scheme":       testToken,
		"basic scheme":    "Basic " + testToken,
		"empty bearer":    "Bearer ",
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/codec/encode", "/codec/decode"} {
				h := map[string]string{"Content-Type": "application/json", "Origin": uiOrigin}
				if auth != "" {
					h["Authorization"] = auth
				}
				resp, got := do(t, srv, request{"POST", path, h, body})
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s: status %d, want 401", path, resp.StatusCode)
				}
				if bytes.Contains(got, []byte(testNIK)) {
					t.Fatal("401 response echoes the payload")
				}
				// CORS headers on the 401 let the UI show "unauthorized"
				// rather than an opaque network error.
				if resp.Header.Get("Access-Control-Allow-Origin") != uiOrigin {
					t.Fatal("401 lacks CORS headers")
				}
			}
		})
	}
}

func TestHandlerEmptyTokenFailsClosed(t *testing.T) {
	srv := newCodecServer(t, "")
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		resp, _ := do(t, srv, request{"POST", "/codec/decode", map[string]string{"Authorization": auth}, payloadsJSON(t)})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("auth %q: status %d, want 401", auth, resp.StatusCode)
		}
	}
}

func TestHandlerRoundTrip(t *testing.T) {
	srv := newCodecServer(t, testToken)
	original := jsonPayload(t, household{testNIK, testKK, testName})

	resp, body := do(t, srv, request{"POST", "/codec/encode", authed(map[string]string{"X-Namespace": "verval"}), payloadsJSON(t, original)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("encode: status %d: %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control = %q, want no-store", cc)
	}
	assertNoPII(t, body)
	encoded := parsePayloads(t, body)
	if len(encoded) != 1 || string(encoded[0].Metadata[converter.MetadataEncoding]) != codec.MetadataEncodingEncrypted {
		t.Fatalf("encode returned %v", encoded)
	}

	// The namespace-in-path form the CLI templating uses works too.
	for _, path := range []string{"/codec/decode", "/codec/verval/decode"} {
		resp, body = do(t, srv, request{"POST", path, authed(nil), payloadsJSON(t, encoded...)})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, body)
		}
		decoded := parsePayloads(t, body)
		var got household
		if err := converter.GetDefaultDataConverter().FromPayload(decoded[0], &got); err != nil {
			t.Fatal(err)
		}
		if got != (household{testNIK, testKK, testName}) {
			t.Fatalf("%s: decoded %+v", path, got)
		}
	}

	// An unencrypted (pre-encryption) payload passes through /decode.
	resp, body = do(t, srv, request{"POST", "/codec/decode", authed(nil), payloadsJSON(t, original)})
	if resp.StatusCode != http.StatusOK || len(parsePayloads(t, body)) != 1 {
		t.Fatalf("decode plain: status %d: %s", resp.StatusCode, body)
	}
}

func TestHandlerErrors(t *testing.T) {
	srv := newCodecServer(t, testToken)
	tests := []struct {
		name string
		req  request
		want int
	}{
		{"unknown path", request{"POST", "/codec/other", authed(nil), payloadsJSON(t)}, http.StatusNotFound},
		{"GET decode", request{"GET", "/codec/decode", authed(nil), nil}, http.StatusNotFound},
		{"bad json", request{"POST", "/codec/decode", authed(nil), []byte("{not json")}, http.StatusBadRequest},
		{"too large", request{"POST", "/codec/encode", authed(nil), bytes.Repeat([]byte(" "), codec.MaxBodyBytes+1)}, http.StatusRequestEntityTooLarge},
		{"undecryptable", request{"POST", "/codec/decode", authed(nil), payloadsJSON(t, &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(codec.MetadataEncodingEncrypted)},
			Data:     []byte("garbage"),
		})}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.req)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
		})
	}
}

func TestHandlerBodyLimitChunked(t *testing.T) {
	srv := newCodecServer(t, testToken)
	// A body without Content-Length (chunked) is cut off while reading.
	req, _ := http.NewRequest("POST", srv.URL+"/codec/encode", io.MultiReader(strings.NewReader(strings.Repeat(" ", codec.MaxBodyBytes+10))))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestHandlerCORSPreflight(t *testing.T) {
	srv := newCodecServer(t, testToken)
	preflight := func(origin string) map[string]string {
		return map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization,content-type,x-namespace",
		}
	}

	// Allowed origin, no Authorization (browsers never send it on preflight).
	resp, _ := do(t, srv, request{"OPTIONS", "/codec/decode", preflight(uiOrigin), nil})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("preflight status %d, want 204", resp.StatusCode)
	}
	for header, want := range map[string]string{
		"Access-Control-Allow-Origin":      uiOrigin,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Headers":     "Content-Type, Authorization, X-Namespace",
		"Access-Control-Allow-Methods":     "POST, OPTIONS",
	} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if resp.Header.Get("Vary") != "Origin" {
		t.Errorf("Vary = %q, want Origin", resp.Header.Get("Vary"))
	}

	// Second configured origin, differing only in case.
	resp, _ = do(t, srv, request{"OPTIONS", "/codec/encode", preflight("http://LOCALHOST:8233"), nil})
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://LOCALHOST:8233" {
		t.Fatalf("second origin: %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// Foreign origin: refused, no CORS grant.
	resp, _ = do(t, srv, request{"OPTIONS", "/codec/decode", preflight("https://evil.example"), nil})
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin: %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// A foreign origin with a valid token gets an answer (the token is the
	// gate, as for the CLI) but no CORS grant, so a browser hides it.
	resp, _ = do(t, srv, request{"POST", "/codec/encode", authed(map[string]string{"Origin": "https://evil.example"}), payloadsJSON(t)})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin POST: %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestHandlerWildcardOriginNotHonoured(t *testing.T) {
	h := codec.Handler(keyring(t, "a:"+keyA), testToken, []string{"*"}, nil)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("OPTIONS", "/decode", nil)
	req.Header.Set("Origin", "https://anything.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("wildcard: %d %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
}

// TestHandlerAuditsDecode: every authenticated decode is recorded once,
// before decryption, with who, when, how many payloads and the request id,
// and never the payloads; encode and refused requests are not decodes.
func TestHandlerAuditsDecode(t *testing.T) {
	var recs []codec.DecodeRecord
	srv := newAuditedCodecServer(t, testToken, func(_ context.Context, r codec.DecodeRecord) error {
		recs = append(recs, r)
		return nil
	})
	original := jsonPayload(t, household{testNIK, testKK, testName})
	_, body := do(t, srv, request{"POST", "/codec/encode", authed(nil), payloadsJSON(t, original, original)})
	encoded := parsePayloads(t, body)
	if len(recs) != 0 {
		t.Fatalf("encode was audited as a decode: %+v", recs)
	}

	before := time.Now()
	resp, body := do(t, srv, request{"POST", "/codec/verval/decode", authed(nil), payloadsJSON(t, encoded...)})
	if resp.StatusCode != http.StatusOK || len(parsePayloads(t, body)) != 2 {
		t.Fatalf("decode: status %d: %s", resp.StatusCode, body)
	}
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	r := recs[0]
	if r.Caller != codec.CallerToken || r.Payloads != 2 || r.Namespace != "verval" ||
		r.RequestID == "" || r.RequestID != resp.Header.Get("X-Request-ID") || r.At.Before(before) || r.RemoteAddr != "127.0.0.1" {
		t.Fatalf("record %+v (response request id %q)", r, resp.Header.Get("X-Request-ID"))
	}
	assertNoPII(t, []byte(fmt.Sprintf("%+v", r)))

	// Refused before decoding: no token, bad JSON. Not audited.
	do(t, srv, request{"POST", "/codec/decode", map[string]string{"Content-Type": "application/json"}, payloadsJSON(t, encoded...)})
	do(t, srv, request{"POST", "/codec/decode", authed(nil), []byte("{not json")})
	if len(recs) != 1 {
		t.Fatalf("refused requests were audited: %+v", recs[1:])
	}
}

// TestHandlerAuditFailureRefusesDecode: no audit entry, no data.
func TestHandlerAuditFailureRefusesDecode(t *testing.T) {
	srv := newAuditedCodecServer(t, testToken, func(context.Context, codec.DecodeRecord) error {
		return errors.New("database is locked")
	})
	_, body := do(t, srv, request{"POST", "/codec/encode", authed(nil), payloadsJSON(t, jsonPayload(t, household{testNIK, testKK, testName}))})
	encoded := parsePayloads(t, body)
	resp, body := do(t, srv, request{"POST", "/codec/decode", authed(nil), payloadsJSON(t, encoded...)})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", resp.StatusCode, body)
	}
	assertNoPII(t, body)
	if bytes.Contains(body, []byte("payloads")) || bytes.Contains(body, []byte("database")) {
		t.Fatalf("refusal carries data or the error: %s", body)
	}

	// A handler built without an audit trail decodes nothing either.
	h := codec.Handler(keyring(t, "a:"+keyA), testToken, nil, nil)
	req := httptest.NewRequest("POST", "/decode", bytes.NewReader(payloadsJSON(t, encoded...)))
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("nil audit: status %d, want 503: %s", rec.Code, rec.Body)
	}
	assertNoPII(t, rec.Body.Bytes())
}
