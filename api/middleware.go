package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/metrics"
)

const requestIDKey = "requestID"

// requestID gives every request an id (or keeps a well-formed one from the
// client) for logs and the audit trail.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// accessLog logs one line per request with the route pattern, never the raw
// path or query, which could carry personal data.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := metrics.Route(c)
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		s.deps.Log.Log(c.Request.Context(), level, "http request",
			"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"durationMs", time.Since(start).Milliseconds(), "requestId", c.GetString(requestIDKey))
	}
}

func (s *Server) recovered(c *gin.Context, err any) {
	s.deps.Log.Error("panic in handler", "route", c.FullPath(), "requestId", c.GetString(requestIDKey), "panic", err)
	c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: "internal error", RequestID: c.GetString(requestIDKey)})
}

// timeout bounds a request's context: Temporal's client retries an
// unreachable server until its context ends, and the caller should get a
// 503 it can retry rather than a hung connection.
func (s *Server) timeout() gin.HandlerFunc {
	d := s.deps.RequestTimeout
	if d <= 0 {
		d = 30 * time.Second
	}
	return func(c *gin.Context) {
		if strings.HasPrefix(c.ContentType(), "multipart/") {
			// Uploads over a slow village link take longer; the HTTP
			// server's read and write timeouts bound them.
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// maxJSONBody bounds the body of every /api/v1 request except the uploads
// (ownBodyLimit): the largest JSON any step takes (a decree of a whole
// regency's household ids) is a few hundred KB. Without a bound a 100 MB
// body was decoded whole before Temporal's 4 MB message limit refused it.
const maxJSONBody = 1 << 20

// ownBodyLimit lists the routes that carry files and bound their bodies
// themselves (the P3KE file, the meeting's berita acara, Kemensos' answer
// file), by route pattern.
var ownBodyLimit = map[string]bool{
	"/api/v1/cycles/:id/intake":     true,
	"/api/v1/cycles/:id/meetings":   true,
	"/api/v1/proposals/:id/answers": true,
	// Photos: bounded by the largest photo (photoUpload).
	"/api/v1/tasks/:id/photos":           true,
	"/api/v1/households/:id/usul/photos": true,
	"/api/v1/sanggah/:id/photos":         true,
}

// bodyLimit refuses a body larger than limit with 413 and code
// request.too_large: at once when Content-Length says so, else when a
// handler reading it passes the limit (bind).
func (s *Server) bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ownBodyLimit[c.FullPath()] || c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		if c.Request.ContentLength > limit {
			// Not read: the connection is closed after the answer.
			c.Header("Connection", "close")
			s.fail(c, errBodyTooLarge(limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// errBodyTooLarge is the 413 of a body over limit bytes.
func errBodyTooLarge(limit int64) error {
	return domain.Err(domain.CodeBodyTooLarge, byteSize(limit))
}

// byteSize writes n bytes as "1 MiB", "512 KiB" or "300 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
