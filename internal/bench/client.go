package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"sync"
	"time"
)

// newHTTPClient keeps enough idle connections for every simulated officer:
// the default two per host would make most requests dial anew.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Minute,
		Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
		},
	}
}

// apiClient is one logged-in user of the HTTP API.
type apiClient struct {
	base  string
	http  *http.Client
	token string
}

// StatusError is a response with an unexpected status.
type StatusError struct {
	Method, Route string
	Status        int
	Body          string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Route, e.Status, e.Body)
}

func login(ctx context.Context, h *http.Client, base, username, password string) (*apiClient, error) {
	c := &apiClient{base: base, http: h}
	var resp struct{ Token string }
	if _, err := c.call(ctx, http.MethodPost, "/api/v1/login", map[string]string{"username": username, "password": password}, &resp); err != nil {
		return nil, err
	}
	c.token = resp.Token
	return c, nil
}

// call sends a JSON request and decodes a 2xx answer into out. It returns
// the request's latency; a non-2xx answer is a *StatusError.
func (c *apiClient) call(ctx context.Context, method, path string, body, out any, headers ...string) (time.Duration, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.send(req, out)
}

func (c *apiClient) send(req *http.Request, out any) (time.Duration, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	t0 := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return time.Since(t0), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	d := time.Since(t0)
	if err != nil {
		return d, err
	}
	if resp.StatusCode/100 != 2 {
		return d, &StatusError{Method: req.Method, Route: req.URL.Path, Status: resp.StatusCode, Body: string(b[:min(len(b), 300)])}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return d, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return d, nil
}

// upload posts data as multipart field "file", streaming the body.
func (c *apiClient) upload(ctx context.Context, path, name string, data []byte, out any) (time.Duration, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = fw.Write(data)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, pr)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req, out)
}

// Latencies collects request latencies from many goroutines.
type Latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	errors int
}

// Add records one answered request; failed ones count as errors.
func (l *Latencies) Add(d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.errors++
		return
	}
	l.d = append(l.d, d)
}

// LatencySummary is a latency distribution in milliseconds.
type LatencySummary struct {
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
	P50    float64 `json:"p50ms"`
	P95    float64 `json:"p95ms"`
	P99    float64 `json:"p99ms"`
	Max    float64 `json:"maxms"`
}

// Summary computes the percentiles (nearest rank).
func (l *Latencies) Summary() LatencySummary {
	l.mu.Lock()
	d := slices.Clone(l.d)
	s := LatencySummary{Count: len(l.d), Errors: l.errors}
	l.mu.Unlock()
	if len(d) == 0 {
		return s
	}
	slices.Sort(d)
	pct := func(p float64) float64 {
		i := int(p*float64(len(d))+0.999999) - 1
		return ms(d[min(max(i, 0), len(d)-1)])
	}
	s.P50, s.P95, s.P99, s.Max = pct(0.50), pct(0.95), pct(0.99), ms(d[len(d)-1])
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
