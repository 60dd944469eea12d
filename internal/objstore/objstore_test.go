package objstore_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/verval/verval/internal/objstore"
)

// exercise puts, gets, replaces and deletes through s.
func exercise(t *testing.T, s objstore.Store) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.Get(ctx, "photos/1/a.bin"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("Get of a missing key: %v, want ErrNotFound", err)
	}
	if err := s.Put(ctx, "photos/1/a.bin", []byte("sealed one")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "photos/1/a.bin", []byte("sealed two")); err != nil {
		t.Fatal(err)
	}
	b, err := s.Get(ctx, "photos/1/a.bin")
	if err != nil || string(b) != "sealed two" {
		t.Fatalf("Get = %q, %v", b, err)
	}
	if err := s.Delete(ctx, "photos/1/a.bin"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "photos/1/a.bin"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if _, err := s.Get(ctx, "photos/1/a.bin"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../b", "a b", "a\x00"} {
		if err := s.Put(ctx, bad, []byte("x")); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	s, err := objstore.Open(t.Context(), objstore.Config{Location: "dir:" + dir})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
}

func TestMemory(t *testing.T) { exercise(t, objstore.NewMemory()) }

// fakeS3 answers the few path-style S3 calls the client makes: bucket
// HEAD and PUT, object PUT, GET and DELETE; it does not check signatures
// but requires one.
type fakeS3 struct {
	mu      sync.Mutex
	buckets map[string]bool
	objects map[string][]byte
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=verval-access/") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	noKey := func() {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no</Message><Key>`+key+`</Key></Error>`)
	}
	switch {
	case key == "" && r.Method == http.MethodHead:
		if !f.buckets[bucket] {
			w.WriteHeader(http.StatusNotFound)
		}
	case key == "" && r.Method == http.MethodPut:
		f.buckets[bucket] = true
	case !f.buckets[bucket]:
		w.WriteHeader(http.StatusNotFound)
	case r.Method == http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
			b = unchunk(b)
		}
		f.objects[bucket+"/"+key] = b
		w.Header().Set("ETag", `"x"`)
	case r.Method == http.MethodGet, r.Method == http.MethodHead:
		b, ok := f.objects[bucket+"/"+key]
		if !ok {
			noKey()
			return
		}
		w.Header().Set("Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT")
		w.Header().Set("ETag", `"x"`)
		w.Write(b)
	case r.Method == http.MethodDelete:
		delete(f.objects, bucket+"/"+key)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotImplemented)
	}
}

func TestS3(t *testing.T) {
	f := &fakeS3{buckets: map[string]bool{}, objects: map[string][]byte{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg := objstore.Config{Location: srv.URL + "/verval-photos", AccessKey: "verval-access", SecretKey: "verval-secret-key"}
	s, err := objstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !f.buckets["verval-photos"] {
		t.Fatal("Open did not create the missing bucket")
	}
	exercise(t, s)
	if err := s.Put(t.Context(), "photos/2/b.bin", []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	if got := string(f.objects["verval-photos/photos/2/b.bin"]); got != "sealed" {
		t.Fatalf("the server holds %q", got)
	}
	for _, bad := range []objstore.Config{
		{Location: srv.URL, AccessKey: "a", SecretKey: "b"},
		{Location: srv.URL + "/a/b", AccessKey: "a", SecretKey: "b"},
		{Location: srv.URL + "/verval-photos"},
	} {
		if _, err := objstore.Open(t.Context(), bad); err == nil {
			t.Errorf("Open(%+v) accepted", bad)
		}
	}
}

// unchunk decodes an aws-chunked body: "size;chunk-signature=...\r\ndata\r\n"
// until a chunk of size 0.
func unchunk(b []byte) []byte {
	var out []byte
	for {
		line, rest, ok := bytes.Cut(b, []byte("\r\n"))
		if !ok {
			return out
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		var n int
		for _, c := range size {
			n = n*16 + strings.IndexByte("0123456789abcdef", c|0x20)
		}
		if n == 0 || len(rest) < n {
			return out
		}
		out = append(out, rest[:n]...)
		b = bytes.TrimPrefix(rest[n:], []byte("\r\n"))
	}
}
