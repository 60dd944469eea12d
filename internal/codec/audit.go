package codec

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// DecodeRecord is what the audit trail keeps of one /decode request: who,
// when, how many payloads and the request id. It never holds the payloads,
// encrypted or decrypted.
type DecodeRecord struct {
	// Caller is who presented the request: CallerToken for the holder of
	// the codec token, or what WithCaller set (CallerDevUI).
	Caller    string
	At        time.Time
	Payloads  int
	RequestID string
	// Namespace is the Temporal namespace from the path
	// (/{namespace}/decode) or the X-Namespace header, if any.
	Namespace string
	// RemoteAddr is the client's IP address as seen by this process (a
	// reverse proxy's, behind one).
	RemoteAddr string
}

// AuditFunc records one decode before any payload is decrypted. An error
// refuses the decode: no audit entry, no data.
type AuditFunc func(ctx context.Context, rec DecodeRecord) error

const (
	// CallerToken: the request carried the codec token. The token is
	// shared, so the audit entry names the token, not a person; the
	// request id and address tell requests apart.
	CallerToken = "codec token"
	// CallerDevUI: the development stack's Temporal Web UI, let through
	// without a token on the public development keys.
	CallerDevUI = "dev UI"
)

type callerKey struct{}

// WithCaller marks r as coming from caller, for the audit record. Only
// in-process code can set it; a client cannot.
func WithCaller(r *http.Request, caller string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, caller))
}

// auditDecode records every POST .../decode through audit before handing
// the request on. The body has already been bounded and buffered by
// limitBody. A body that is not Payloads JSON gets 400 here, as it would
// from the SDK's handler, without an entry: nothing is decrypted.
func auditDecode(next http.Handler, audit AuditFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/decode") {
			next.ServeHTTP(w, r)
			return
		}
		if audit == nil {
			// Fail closed: a handler built without an audit trail decodes nothing.
			http.Error(w, "decode refused: no audit trail configured", http.StatusServiceUnavailable)
			return
		}
		var body []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
				return
			}
			body = b
		}
		var ps commonpb.Payloads
		if err := protojson.Unmarshal(body, &ps); err != nil {
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		rec := DecodeRecord{
			Caller:     CallerToken,
			At:         time.Now(),
			Payloads:   len(ps.Payloads),
			RequestID:  requestID(w),
			Namespace:  namespace(r),
			RemoteAddr: remoteIP(r.RemoteAddr),
		}
		if c, ok := r.Context().Value(callerKey{}).(string); ok && c != "" {
			rec.Caller = c
		}
		if err := audit(r.Context(), rec); err != nil {
			// The error may name the database; the caller gets no detail.
			http.Error(w, "decode refused: the audit trail is unavailable", http.StatusServiceUnavailable)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// requestID is the id the API's middleware gave this request (its
// X-Request-ID response header), or a new one when the handler runs on its
// own.
func requestID(w http.ResponseWriter) string {
	if id := w.Header().Get("X-Request-ID"); id != "" {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	w.Header().Set("X-Request-ID", id)
	return id
}

// namespace is the namespace a decode names, bounded so a caller cannot
// fill the audit trail with an arbitrary string.
func namespace(r *http.Request) string {
	ns := r.Header.Get("X-Namespace")
	if p := strings.Trim(strings.TrimSuffix(r.URL.Path, "/decode"), "/"); p != "" {
		ns = p
	}
	if len(ns) > 255 {
		ns = ns[:255]
	}
	return ns
}

func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
