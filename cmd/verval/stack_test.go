package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/devserver"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// stack is a whole verval system started the way a user starts it:
// run(ctx, ["dev"]) with a real Temporal dev server, the worker and the
// HTTP API, on SQLite or a fresh PostgreSQL database.
type stack struct {
	t        *testing.T
	base     string
	env      map[string]string
	temporal client.Client
	cancel   context.CancelFunc
	done     chan int
	out      *syncBuffer
}

// syncBuffer collects the process output; the server goroutines write it
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// databases are the two databases every end-to-end test runs on.
var databases = []string{"sqlite", "postgres"}

// startStack starts `verval dev` on free ports in a temporary data
// directory and waits until /readyz answers 200.
func startStack(t *testing.T, db string) *stack {
	t.Helper()
	return startStackEnv(t, stackEnv(t, db))
}

// stackEnv is the environment of a fresh stack on free ports in a
// temporary data directory; a test may add settings before starting it.
func stackEnv(t *testing.T, db string) map[string]string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; run without -short")
	}
	httpPort, _ := devserver.FreePort()
	tPort, _ := devserver.FreePort()
	uiPort, _ := devserver.FreePort()
	env := map[string]string{
		"VERVAL_DATA_DIR":  t.TempDir(),
		"HTTP_ADDR":        fmt.Sprintf("127.0.0.1:%d", httpPort),
		"TEMPORAL_ADDRESS": fmt.Sprintf("127.0.0.1:%d", tPort),
		"TEMPORAL_UI_PORT": fmt.Sprint(uiPort),
		// info, so the personal-data search of the logs sees every line
		// a production process writes.
		"LOG_LEVEL": "info",
		// The dev server's log at info too, so its search has lines to
		// read (at error it is often empty).
		"TEMPORAL_LOG_LEVEL": "info",
		// These stacks' officers record results without photos; the photo
		// rule (VERVAL_PHOTOS_REQUIRED's default) has its own tests
		// (api/photos_test.go, TestBrowserOffline).
		"VERVAL_PHOTOS_REQUIRED": "none",
	}
	if db == "postgres" {
		env["DATABASE_URL"] = storetest.PostgresURL(t)
	}
	return env
}

// startStackEnv starts `verval dev` with env (a restart reuses it). A
// port the stack's environment picked that another process took between
// the pick and the start (the end-to-end tests of several packages run at
// once) is picked again, at most twice: env then holds the ports used.
func startStackEnv(t *testing.T, env map[string]string) *stack {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, taken := tryStackEnv(t, env)
		if s != nil {
			return s
		}
		if attempt == 3 {
			t.Fatalf("verval dev found a port taken three times:\n%s", taken)
		}
		for _, k := range []string{"HTTP_ADDR", "TEMPORAL_ADDRESS"} {
			p, _ := devserver.FreePort()
			env[k] = fmt.Sprintf("127.0.0.1:%d", p)
		}
		p, _ := devserver.FreePort()
		env["TEMPORAL_UI_PORT"] = fmt.Sprint(p)
	}
}

// tryStackEnv starts `verval dev` with env and waits until it is ready. It
// returns nil and the process's output when the process exited because
// one of its ports was taken, and fails the test on any other exit.
func tryStackEnv(t *testing.T, env map[string]string) (*stack, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &stack{t: t, env: env, base: "http://" + env["HTTP_ADDR"], cancel: cancel, done: make(chan int, 1), out: &syncBuffer{}}
	getenv := func(k string) string { return env[k] }
	go func() { s.done <- run(ctx, []string{"dev"}, getenv, nil, s.out, s.out) }()
	// The first run on a machine compiles the Temporal CLI (minutes).
	deadline := time.Now().Add(15 * time.Minute)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-s.done:
			cancel()
			if out := s.out.String(); strings.Contains(out, "address already in use") {
				return nil, out
			}
			t.Fatalf("verval dev exited with %d:\n%s", code, s.out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("verval dev not ready:\n%s", s.out.String())
		}
	}
	dc, fc := codec.ClientOptions(pii.DevKeyring())
	c, err := client.Dial(client.Options{HostPort: env["TEMPORAL_ADDRESS"], DataConverter: dc, FailureConverter: fc, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	s.temporal = c
	t.Cleanup(s.stop)
	s.checkTemporalUI(env["TEMPORAL_UI_PORT"])
	s.checkSearchAttributes()
	s.checkSchedules()
	return s, ""
}

// checkSchedules checks that the worker of verval dev created the daily
// sessions purge's schedule on the operations queue (it does so as it
// starts, alongside the API becoming ready).
func (s *stack) checkSchedules() {
	s.t.Helper()
	h := s.temporal.ScheduleClient().GetHandle(context.Background(), workflows.SessionsPurgeScheduleID)
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var d *client.ScheduleDescription
		if d, err = h.Describe(context.Background()); err == nil {
			if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || a.TaskQueue != workflows.OpsTaskQueue {
				s.t.Errorf("schedule %s runs %+v", workflows.SessionsPurgeScheduleID, d.Schedule.Action)
			}
			return
		}
	}
	s.t.Errorf("verval dev made no schedule %s: %v\n%s", workflows.SessionsPurgeScheduleID, err, s.out.String())
}

// checkTemporalUI checks that the dev server's Web UI answers on the port
// verval dev was given.
func (s *stack) checkTemporalUI(port string) {
	s.t.Helper()
	url := "http://127.0.0.1:" + port + "/"
	var status int
	var lastErr error
	// The UI is served by the dev server's process; it starts with the
	// frontend but may lag it by a moment.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			lastErr = err
			continue
		}
		resp.Body.Close()
		if status = resp.StatusCode; status == http.StatusOK {
			return
		}
	}
	s.t.Fatalf("Temporal UI at %s: status %d, error %v; want 200", url, status, lastErr)
}

// checkSearchAttributes checks that the dev server lists every custom
// search attribute of workflows.SearchAttributes, with its type.
func (s *stack) checkSearchAttributes() {
	s.t.Helper()
	ns := s.env["TEMPORAL_NAMESPACE"]
	if ns == "" {
		ns = "default"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := s.temporal.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		s.t.Fatalf("list search attributes: %v", err)
	}
	for _, sa := range workflows.SearchAttributes() {
		want, err := enumspb.IndexedValueTypeFromString(sa.Type)
		if err != nil {
			s.t.Fatalf("search attribute %s: %v", sa.Name, err)
		}
		got, ok := resp.GetCustomAttributes()[sa.Name]
		if !ok {
			s.t.Errorf("search attribute %s is not registered on the dev server (have %v)", sa.Name, resp.GetCustomAttributes())
		} else if got != want {
			s.t.Errorf("search attribute %s has type %s, want %s", sa.Name, got, want)
		}
	}
}

// stop ends the stack like Ctrl-C does and checks it exits cleanly.
func (s *stack) stop() {
	if s.cancel == nil {
		return
	}
	s.temporal.Close()
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			s.t.Errorf("verval dev exited with %d after Ctrl-C:\n%s", code, s.out.String())
		}
	case <-time.After(60 * time.Second):
		s.t.Errorf("verval dev did not stop within 60 s of Ctrl-C")
	}
}

// quietLogger drops the SDK's logs in tests.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// user is a logged-in API client.
type user struct {
	s     *stack
	token string
}

func (s *stack) login(username, password string) *user {
	s.t.Helper()
	var resp struct{ Token string }
	u := &user{s: s}
	if code := u.call("POST", "/api/v1/login", map[string]string{"username": username, "password": password}, &resp); code != 200 {
		s.t.Fatalf("login %s: %d", username, code)
	}
	u.token = resp.Token
	return u
}

// call sends a JSON request and decodes the JSON answer into out (if not
// nil); it returns the status. headers are name, value pairs.
func (u *user) call(method, path string, body, out any, headers ...string) int {
	u.s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u.s.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return u.send(req, out)
}

func (u *user) send(req *http.Request, out any) int {
	u.s.t.Helper()
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		u.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			u.s.t.Fatalf("%s %s: %d %s: %v", req.Method, req.URL.Path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// upload posts a file as multipart field "file".
func (u *user) upload(path, name string, data []byte, out any) int {
	u.s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", u.s.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return u.send(req, out)
}

// eventually retries cond every 100 ms until it holds or the limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// family is one row of a test P3KE file.
type family struct {
	ID, KK, NIK, Name, Desa string
	Desil                   int
	DTKS                    bool
}

// p3keCSV renders families as a P3KE CSV file.
func p3keCSV(fams []family) []byte {
	var b strings.Builder
	b.WriteString("id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,jenis_kelamin,alamat,kode_wilayah,desil,jumlah_anggota,jenis_lantai,jenis_dinding,jenis_atap,terdaftar_dtks\n")
	for _, f := range fams {
		dtks := "Tidak"
		if f.DTKS {
			dtks = "Ya"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,L,Dusun Krajan RT 001 RW 002,%s,%d,4,Tanah,Bambu,Genteng,%s\n", f.ID, f.KK, f.NIK, f.Name, f.Desa, f.Desil, dtks)
	}
	return []byte(b.String())
}

// testFamily builds a valid family of Kec. Wonodadi (35.05.01), Kab. Blitar:
// NIK issued there to a man born on the 15th, No KK issued there too.
func testFamily(i int, desa string, dtks bool) family {
	return family{
		ID: fmt.Sprintf("P3KE-%05d", i), KK: fmt.Sprintf("35050101012%05d", i), NIK: fmt.Sprintf("350501150380%04d", i),
		Name: fmt.Sprintf("KEPALA KELUARGA %d", i), Desa: desa, Desil: 1, DTKS: dtks,
	}
}
