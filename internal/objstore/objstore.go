// Package objstore keeps verval's files (the visit photos) by key: a
// directory on this machine for `verval dev` and single-machine installs,
// or an S3-compatible bucket in production (docker-compose.yml's objects
// service). Callers put sealed bytes only (internal/pii): the store never
// sees a photo in clear, so neither its disks nor its backups do.
package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNotFound is a key the store does not hold.
var ErrNotFound = errors.New("objstore: object not found")

// Store keeps objects by key. Keys are the caller's: letters, digits,
// '/', '-', '_' and '.', never starting with '/' or holding "..".
type Store interface {
	// Put stores b under key, replacing what was there.
	Put(ctx context.Context, key string, b []byte) error
	// Get returns the bytes under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
	// Name says where the objects are, for logs (no credentials).
	Name() string
}

// MaxObject bounds what Get reads: verval's objects are photos of a few
// hundred KB.
const MaxObject = 32 << 20

// Config selects a store: Location is "dir:PATH" (or a bare path), or the
// URL of an S3-compatible bucket, http(s)://host:port/bucket (path-style).
type Config struct {
	Location  string
	AccessKey string
	SecretKey string
	// Region is the bucket's region; S3-compatible servers accept any.
	Region string
}

// IsS3 reports whether location names an S3-compatible bucket.
func IsS3(location string) bool {
	return strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://")
}

// Open opens the store cfg names. An S3 bucket is created when it does
// not exist yet (a new deployment's first start).
func Open(ctx context.Context, cfg Config) (Store, error) {
	if !IsS3(cfg.Location) {
		return OpenDir(strings.TrimPrefix(cfg.Location, "dir:"))
	}
	u, err := url.Parse(cfg.Location)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("objstore: %q is not http(s)://host:port/bucket", cfg.Location)
	}
	bucket := strings.Trim(u.Path, "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		return nil, fmt.Errorf("objstore: %q names no bucket (want http(s)://host:port/bucket)", cfg.Location)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("objstore: an S3 bucket needs an access key and a secret key")
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("objstore: %s: %w", u.Host, err)
	}
	s := &s3Store{c: c, bucket: bucket, name: u.Scheme + "://" + u.Host + "/" + bucket}
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("objstore: %s unreachable: %w", s.name, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: region}); err != nil {
			return nil, fmt.Errorf("objstore: create bucket %s: %w", s.name, err)
		}
	}
	return s, nil
}

// validKey refuses keys that could leave the store's directory or bucket
// prefix.
func validKey(key string) error {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") || strings.Contains(key, "..") {
		return fmt.Errorf("objstore: bad key %q", key)
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '/', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("objstore: bad key %q", key)
		}
	}
	return nil
}

// dirStore keeps each object as a file under its directory.
type dirStore struct{ dir string }

// OpenDir opens (creating it) a directory store.
func OpenDir(dir string) (Store, error) {
	if dir == "" {
		return nil, errors.New("objstore: no directory given")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("objstore: %w", err)
	}
	return &dirStore{dir: dir}, nil
}

func (d *dirStore) Name() string { return "dir:" + d.dir }

func (d *dirStore) path(key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.dir, filepath.FromSlash(key)), nil
}

// Put writes a temporary file and renames it, so a reader never sees half
// an object.
func (d *dirStore) Put(_ context.Context, key string, b []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), p)
}

func (d *dirStore) Get(_ context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

func (d *dirStore) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// s3Store keeps objects in one bucket of an S3-compatible server.
type s3Store struct {
	c      *minio.Client
	bucket string
	name   string
}

func (s *s3Store) Name() string { return s.name }

func (s *s3Store) Put(ctx context.Context, key string, b []byte) error {
	if err := validKey(key); err != nil {
		return err
	}
	_, err := s.c.PutObject(ctx, s.bucket, key, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	return err
}

func (s *s3Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, notFound(err)
	}
	defer o.Close()
	b, err := readAll(o)
	return b, notFound(err)
}

func (s *s3Store) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if errors.Is(notFound(err), ErrNotFound) {
		return nil
	}
	return err
}

// notFound turns the server's NoSuchKey into ErrNotFound.
func notFound(err error) error {
	if err != nil && minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return ErrNotFound
	}
	return err
}

func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxObject+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxObject {
		return nil, fmt.Errorf("objstore: object larger than %d bytes", MaxObject)
	}
	return b, nil
}

// Memory is a store in memory, for tests.
type Memory struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{m: map[string][]byte{}} }

func (m *Memory) lock()   { m.mu.Lock() }
func (m *Memory) unlock() { m.mu.Unlock() }

func (m *Memory) Name() string { return "memory" }

func (m *Memory) Put(_ context.Context, key string, b []byte) error {
	if err := validKey(key); err != nil {
		return err
	}
	m.lock()
	defer m.unlock()
	m.m[key] = bytes.Clone(b)
	return nil
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.lock()
	defer m.unlock()
	b, ok := m.m[key]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(b), nil
}

func (m *Memory) Delete(_ context.Context, key string) error {
	m.lock()
	defer m.unlock()
	delete(m.m, key)
	return nil
}

// Objects returns a copy of every object, for tests that look at what
// was stored.
func (m *Memory) Objects() map[string][]byte {
	m.lock()
	defer m.unlock()
	out := make(map[string][]byte, len(m.m))
	for k, v := range m.m {
		out[k] = bytes.Clone(v)
	}
	return out
}

// Lazy is the store cfg names, opened at its first use rather than at
// start: the API starts (and serves everything else) while the object
// store is still coming up, and a failed open is tried again at the next
// use.
func Lazy(cfg Config) Store { return &lazy{cfg: cfg} }

type lazy struct {
	mu  sync.Mutex
	cfg Config
	s   Store
}

func (l *lazy) get(ctx context.Context) (Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		s, err := Open(ctx, l.cfg)
		if err != nil {
			return nil, err
		}
		l.s = s
	}
	return l.s, nil
}

func (l *lazy) Name() string {
	if IsS3(l.cfg.Location) {
		if u, err := url.Parse(l.cfg.Location); err == nil {
			return u.Scheme + "://" + u.Host + u.Path
		}
	}
	return l.cfg.Location
}

func (l *lazy) Put(ctx context.Context, key string, b []byte) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, b)
}

func (l *lazy) Get(ctx context.Context, key string) ([]byte, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, key)
}

func (l *lazy) Delete(ctx context.Context, key string) error {
	s, err := l.get(ctx)
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}
