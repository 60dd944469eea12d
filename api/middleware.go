package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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
