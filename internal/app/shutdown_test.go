package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/verval/verval/internal/config"
)

// TestServeHTTPFinishesInFlightRequests: when the process is told to stop
// (SIGTERM cancels ctx), the listener closes at once, but a request already
// being handled runs to its end and gets its answer before ServeHTTP
// returns.
func TestServeHTTPFinishesInFlightRequests(t *testing.T) {
	a := &App{
		Config:      config.Config{HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 10 * time.Second},
		Log:         slog.New(slog.DiscardHandler),
		MetricsAddr: "off",
	}
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, served := make(chan string, 1), make(chan error, 1)
	go func() { served <- a.serveHandler(ctx, h, ready) }()
	addr := <-ready

	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{resp.StatusCode, string(b), err}
	}()
	<-entered
	cancel()

	// Shutdown has begun once the listener refuses new connections.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after the stop")
		}
	}
	select {
	case err := <-served:
		t.Fatalf("ServeHTTP returned (%v) while a request was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if got := <-answered; got.err != nil || got.status != http.StatusOK || got.body != "finished" {
		t.Errorf("in-flight request: status %d body %q err %v; want 200 finished", got.status, got.body, got.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ServeHTTP: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("ServeHTTP did not return after the last request finished")
	}
}
