package codec

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"

	"go.temporal.io/sdk/converter"

	"github.com/verval/verval/internal/pii"
)

// MaxBodyBytes bounds a codec server request body. The Web UI decodes one
// page of history at a time; Temporal refuses payloads over 2 MiB by default
// and a page rarely holds more than a few, so 4 MiB leaves room without
// letting a caller make us buffer arbitrary amounts.
const MaxBodyBytes = 4 << 20

// Handler serves the Temporal codec server protocol (POST .../encode and
// POST .../decode, Payloads as protobuf JSON) for the Web UI and the CLI.
//
// Every request except a CORS preflight must carry "Authorization: Bearer
// <authToken>"; an empty authToken rejects every request (fail closed).
// CORS headers are sent only for an Origin listed in allowedOrigins, matched
// on scheme://host[:port] case-insensitively (a URL with a path, like the
// UI's public URL, is reduced to its origin); "*" is not honoured because
// the UI sends credentials. The handler matches only
// the end of the path, so it can be mounted under a prefix, e.g.
// http.StripPrefix("/codec", h), and also serves /{namespace}/decode.
//
// Every authenticated decode is first recorded through audit (who, when,
// how many payloads, the request id; never the payloads); when audit fails,
// or is nil, the decode is refused with 503 and nothing is decrypted.
func Handler(k *pii.Keyring, authToken string, allowedOrigins []string, audit AuditFunc) http.Handler {
	var h http.Handler = converter.NewPayloadCodecHTTPHandler(NewCodec(k))
	h = auditDecode(h, audit)
	h = limitBody(h, MaxBodyBytes)
	h = requireBearer(h, authToken)
	h = noStore(h)
	return withCORS(h, allowedOrigins)
}

// noStore keeps decoded personal data out of browser and proxy caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// requireBearer checks the bearer token in constant time. Both sides are
// hashed first so that the comparison takes the same time whatever the
// length of the presented token.
func requireBearer(next http.Handler, token string) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		presented, ok := bearerToken(r.Header.Get("Authorization"))
		got := sha256.Sum256([]byte(presented))
		if token == "" || !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="verval-codec"`)
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// limitBody answers 413 for bodies over max, whether declared by
// Content-Length or discovered while reading a chunked body, and hands the
// buffered body to next.
func limitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			if err != nil {
				http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
				return
			}
			if int64(len(body)) > max {
				http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// withCORS lets the listed Web UI origins call the codec server with
// credentials. Preflight requests are answered here, before authentication:
// browsers never attach Authorization to a preflight.
func withCORS(next http.Handler, origins []string) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		if o = normaliseOrigin(o); o != "" {
			allowed[o] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		ok := origin != "" && allowed[strings.ToLower(origin)]
		w.Header().Add("Vary", "Origin")
		if ok {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions {
			if origin != "" && !ok {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			if ok {
				w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Namespace")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// normaliseOrigin reduces a configured URL such as the UI's public URL
// ("https://ops.example/temporal/") to the origin a browser sends
// ("https://ops.example"), lowercased. "*" and unparsable values yield "".
func normaliseOrigin(o string) string {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
