// Package apiclient is a small client of verval's HTTP API for the command
// line (verval intake) and the benchmarks: login, JSON calls, file uploads,
// and a progress bar for long work.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// Client calls the API as one logged-in user.
type Client struct {
	Base  string
	HTTP  *http.Client
	Token string
}

// StatusError is an answer other than the one expected.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// Login logs in and returns a client carrying the session token.
func Login(ctx context.Context, h *http.Client, base, username, password string) (*Client, error) {
	if h == nil {
		h = &http.Client{Timeout: 5 * time.Minute}
	}
	c := &Client{Base: strings.TrimRight(base, "/"), HTTP: h}
	var resp struct{ Token string }
	if _, err := c.Call(ctx, "POST", "/api/v1/login", map[string]string{"username": username, "password": password}, &resp); err != nil {
		return nil, err
	}
	c.Token = resp.Token
	return c, nil
}

// Call sends a JSON request and decodes a 2xx JSON answer into out (if
// not nil); any other status is a *StatusError. headers are name, value
// pairs. It returns the round-trip time.
func (c *Client) Call(ctx context.Context, method, path string, body, out any, headers ...string) (time.Duration, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Send(req, out)
}

// Upload posts file as multipart form field "file", streaming it: the
// file is never held in memory whole.
func (c *Client) Upload(ctx context.Context, path, name string, file io.Reader, out any) (time.Duration, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(fw, file)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", c.Base+path, pr)
	if err != nil {
		pr.Close()
		return 0, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Send(req, out)
}

// Send sends req with the session token.
func (c *Client) Send(req *http.Request, out any) (time.Duration, error) {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	start := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode/100 != 2 {
		return took, &StatusError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Body: string(b)}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return took, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return took, nil
}
