package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/apiclient"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/devserver"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// buildVerval builds the verval binary for a test that runs it as
// processes; it returns the repository root too.
func buildVerval(t *testing.T) (root, bin string) {
	t.Helper()
	root, err := devserver.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(t.TempDir(), "verval")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build verval: %v\n%s", err, out)
	}
	return root, bin
}

// proc is a verval process of the system under test.
type proc struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// startProc runs the built verval binary with args and env.
func startProc(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), out: &syncBuffer{}}
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process at once, as a crash or an OOM kill would.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// privatePostgres is a PostgreSQL server of the test's own, so stopping it
// does not disturb the other tests sharing the machine's cluster.
type privatePostgres struct {
	bin, dir string
	port     int
	asUser   []string
}

func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL server binaries not found")
		}
		t.Skip("PostgreSQL server binaries not found (apt-get install postgresql)")
	}
	pg := &privatePostgres{bin: filepath.Dir(matches[len(matches)-1])}
	pg.port, _ = devserver.FreePort()
	dir, err := os.MkdirTemp("", "verval-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() { pg.stop(t); os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		pg.asUser = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	pg.run(t, "initdb", "-D", dir+"/data", "-A", "trust", "-U", "postgres", "--no-sync")
	pg.start(t)
	return pg
}

func (pg *privatePostgres) run(t *testing.T, tool string, args ...string) {
	t.Helper()
	argv := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, tool)), args...)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
}

func (pg *privatePostgres) start(t *testing.T) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.dir+"/data", "-l", pg.dir+"/log", "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir), "start")
}

func (pg *privatePostgres) stop(t *testing.T) {
	argv := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, "pg_ctl")), "-D", pg.dir+"/data", "-m", "fast", "-w", "stop")
	_ = exec.Command(argv[0], argv[1:]...).Run()
}

func (pg *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// TestSurvivingFaults kills the worker in the middle of an intake and of a
// decree fan-out, restarts Temporal and PostgreSQL under the running system,
// and has two officers submit the same visit at once. Every household must
// end in the right state exactly once: none lost, none duplicated, no
// double enrolment; the API answers 503 during an outage and recovers.
func TestSurvivingFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; run without -short")
	}
	root, bin := buildVerval(t)
	temporalBin, err := devserver.EnsureBinary(context.Background(), root, os.Getenv, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	pg := startPrivatePostgres(t)
	tPort, _ := devserver.FreePort()
	tdb := filepath.Join(t.TempDir(), "temporal.db")
	startTemporal := func() *devserver.Server {
		srv, err := devserver.Start(context.Background(), devserver.Options{Binary: temporalBin, Port: tPort, UIPort: -1, DBFile: tdb})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	tsrv := startTemporal()
	t.Cleanup(func() { tsrv.Kill() })

	httpPort, _ := devserver.FreePort()
	keys, hashKey := pii.DevKeyringEnv()
	env := append(os.Environ(),
		"DATABASE_URL="+pg.url(), fmt.Sprintf("TEMPORAL_ADDRESS=127.0.0.1:%d", tPort), fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", httpPort),
		"VERVAL_PII_KEYS="+keys, "VERVAL_PII_HASH_KEY="+hashKey, "VERVAL_DEV_USERS=true", "VERVAL_KEMENSOS=file",
		// A throw-away stack: the public development keys are allowed.
		"VERVAL_ALLOW_DEV_KEYS=true",
		"VERVAL_REQUEST_TIMEOUT=5s", "LOG_LEVEL=warn")
	api := startProc(t, bin, env, "api")
	worker := startProc(t, bin, env, "worker")
	s := &stack{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}
	deadline := time.Now().Add(time.Minute)
	for s.ready() != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("the API is not ready:\napi: %s\nworker: %s", api.out.String(), worker.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	dc, fc := codec.ClientOptions(pii.DevKeyring())
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", tPort), DataConverter: dc, FailureConverter: fc, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()

	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2028}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}

	// 1. The worker dies half-way through an intake.
	const n = 600
	var fams []family
	for i := 1; i <= n; i++ {
		desa := desaJaten
		if i%2 == 0 {
			desa = desaSalam
		}
		fams = append(fams, testFamily(i, desa, i%2 == 0))
	}
	var in apiclient.Intake
	if code := dinsos.upload(fmt.Sprintf("/api/v1/cycles/%d/intake", cycle.ID), "p3ke.csv", p3keCSV(fams), &in); code != 202 {
		t.Fatalf("intake: %d", code)
	}
	eventually(t, time.Minute, "the intake to be half-way", func() bool {
		dinsos.call("GET", fmt.Sprintf("/api/v1/intakes/%d", in.ID), nil, &in)
		return in.WorkflowsStarted > 0 || in.Status == "done"
	})
	worker.kill()
	t.Logf("worker killed during intake: %d stored, %d workflows started of %d", in.HouseholdsStored, in.WorkflowsStarted, n)
	if in.Status == "done" {
		t.Errorf("the intake finished before the worker could be killed; the crash was not exercised")
	}
	worker = startProc(t, bin, env, "worker")
	eventually(t, 3*time.Minute, "the intake to finish after the restart", func() bool {
		dinsos.call("GET", fmt.Sprintf("/api/v1/intakes/%d", in.ID), nil, &in)
		return in.Ended()
	})
	if in.Status != "done" || in.HouseholdsStored != n || in.WorkflowsStarted != n || in.AlreadyPresent != 0 {
		t.Fatalf("intake after a crash: %+v, want %d stored and started exactly once", in, n)
	}
	countWorkflows(t, tc, `WorkflowType = "HouseholdWorkflow"`, n)

	// 2. Two officers of one village submit the same visit at once: one wins.
	db, err := store.Open(context.Background(), pg.url(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &store.Store{DB: db, Keys: pii.DevKeyring()}
	if _, err := st.CreateUser(context.Background(), store.NewUser{Username: "desa1b", Password: "desa-satu-b-2026", Name: "Operator Desa Jaten 2", Role: auth.RoleVillage, Region: desaJaten}); err != nil {
		t.Fatal(err)
	}
	officers := map[string]*user{desaJaten: s.login("desa1", "desa-satu-2026"), desaSalam: s.login("desa2", "desa-dua-2026")}
	second := s.login("desa1b", "desa-satu-b-2026")
	ids := householdIDs(t, officers)
	race := ids[fams[0].Name]
	codes := make(chan int, 2)
	var wg sync.WaitGroup
	for _, u := range []*user{officers[desaJaten], second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- u.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", race), visit("eligible", ""), nil)
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("two officers submitting at once: %v, want one 200 and one 409", got)
	}

	// 3. The worker dies during the decree fan-out.
	submitAll(t, officers, fams[1:], ids, "eligible")
	for _, u := range officers {
		if code := u.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA-" + u.token[:6], "attendees": 30}, nil); code != 201 {
			t.Fatalf("meeting: %d", code)
		}
	}
	countWorkflows(t, tc, `VervalStage = "awaiting_decree"`, n)
	bupati := s.login("bupati", "bupati-blitar-2026")
	var d struct{ ID int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 {
		t.Fatalf("draft decree: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); code != 200 {
		t.Fatalf("submit decree: %d", code)
	}
	if code := bupati.call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": "188/9/2028", "date": time.Now().Format("2006-01-02")}, nil); code != 200 {
		t.Fatalf("sign decree: %d", code)
	}
	// Kill at the first sign of progress: the activity records it after
	// each page of households, so polling fast leaves pages to go.
	var dv struct {
		Decree struct{ FannedOut, Households int }
	}
	for deadline := time.Now().Add(30 * time.Second); dv.Decree.FannedOut == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the decree fan-out did not start within 30 s")
		}
		dinsos.call("GET", fmt.Sprintf("/api/v1/decrees/%d", d.ID), nil, &dv)
	}
	worker.kill()
	// The fan-out had not finished when the worker died: its activity is
	// still pending on the decree's workflow, and fewer households than
	// the decree lists were reached.
	dinsos.call("GET", fmt.Sprintf("/api/v1/decrees/%d", d.ID), nil, &dv)
	desc, err := tc.DescribeWorkflowExecution(context.Background(), workflows.DecreeWorkflowID(d.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	pending := false
	for _, pa := range desc.PendingActivities {
		pending = pending || pa.GetActivityType().GetName() == "FanOutDecree"
	}
	if !pending || dv.Decree.FannedOut >= dv.Decree.Households || dv.Decree.Households != n {
		t.Fatalf("the worker was killed after the fan-out: FanOutDecree pending %v, %d of %d households reached (want a pending fan-out of %d)",
			pending, dv.Decree.FannedOut, dv.Decree.Households, n)
	}
	t.Logf("worker killed during the decree fan-out after %d of %d households", dv.Decree.FannedOut, dv.Decree.Households)
	worker = startProc(t, bin, env, "worker")
	// An enrolled household's first run continued as new into its open
	// year, with the same stage: the year's run is counted, not both.
	countWorkflows(t, tc, `VervalStage = "enrolled" AND ExecutionStatus != "ContinuedAsNew"`, n/2)
	countWorkflows(t, tc, `VervalStage = "awaiting_proposal"`, n/2)
	// Exactly once: one enrolled history row per enrolled household, and
	// each programme once per household.
	var enrolledRows, enrolments, distinct int64
	db.Model(&store.StageEvent{}).Where("stage = ?", "enrolled").Count(&enrolledRows)
	db.Model(&store.Enrolment{}).Count(&enrolments)
	db.Model(&store.Enrolment{}).Distinct("household_id").Count(&distinct)
	if enrolledRows != n/2 || distinct != n/2 || enrolments != 5*n/2 {
		t.Fatalf("after the fan-out crash: %d enrolled stage rows, %d enrolments over %d households; want %d, %d, %d",
			enrolledRows, enrolments, distinct, n/2, 5*n/2, n/2)
	}

	// Two households of a second cycle still wait for their visit: each
	// officer's submission is sent while Temporal, then PostgreSQL, is
	// down, and sent again with its Idempotency-Key until it applies.
	var cycle2 struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2029}, &cycle2); code != 201 {
		t.Fatalf("create the second cycle: %d", code)
	}
	late := []family{testFamily(n+1, desaJaten, false), testFamily(n+2, desaJaten, false)}
	intake(t, dinsos, cycle2.ID, p3keCSV(late))
	ids = householdIDs(t, officers)
	acrossTemporal := submitAcross(officers[desaJaten], ids[late[0].Name])
	acrossPostgres := submitAcross(officers[desaJaten], ids[late[1].Name])

	// 4. Temporal restarts under the running system.
	tsrv.Stop()
	eventually(t, 30*time.Second, "readiness to fail without Temporal", func() bool { return s.ready() == 503 })
	if code := bupati.call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": "x", "date": time.Now().Format("2006-01-02")}, nil); code != 503 {
		t.Fatalf("an Update while Temporal is down: %d, want 503\n%s", code, api.out.String())
	}
	if code := acrossTemporal.send(); code != 503 {
		t.Fatalf("a visit result while Temporal is down: %d, want 503", code)
	}
	go acrossTemporal.retry()
	tsrv = startTemporal()
	eventually(t, time.Minute, "readiness after Temporal restarts", func() bool { return s.ready() == 200 })

	// 5. PostgreSQL restarts under the running system.
	pg.stop(t)
	eventually(t, 30*time.Second, "readiness to fail without the database", func() bool { return s.ready() == 503 })
	if code := dinsos.call("GET", "/api/v1/tasks", nil, nil); code != 503 {
		t.Fatalf("a read while the database is down: %d, want 503", code)
	}
	if code := acrossPostgres.send(); code != 503 {
		t.Fatalf("a visit result while the database is down: %d, want 503", code)
	}
	go acrossPostgres.retry()
	pg.start(t)
	eventually(t, time.Minute, "readiness after PostgreSQL restarts", func() bool { return s.ready() == 200 })

	// Each submission applied exactly once: version 1, one audited result,
	// and sending it yet again changes nothing.
	for _, sub := range []*acrossSubmission{acrossTemporal, acrossPostgres} {
		select {
		case code := <-sub.done:
			if code != 200 {
				t.Fatalf("visit result for household %d after the restart: %d, want 200", sub.id, code)
			}
		case <-time.After(3 * time.Minute):
			t.Fatalf("visit result for household %d not applied within 3 minutes of the restart", sub.id)
		}
		var again struct{ Version int }
		if code := sub.u.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", sub.id), visit("eligible", ""), &again, "Idempotency-Key", sub.key); code != 200 || again.Version != 1 {
			t.Fatalf("the same submission once more: %d version %d, want 200 and 1", code, again.Version)
		}
		var task store.Task
		var results int64
		// The test's own connection pool saw PostgreSQL go away too.
		eventually(t, 30*time.Second, "the test's database connection", func() bool {
			return db.First(&task, "household_id = ?", sub.id).Error == nil &&
				db.Model(&store.AuditEntry{}).Where("household_id = ? AND action IN ?", sub.id, []string{"verification.submit", "verification.correct"}).Count(&results).Error == nil
		})
		if task.Version != 1 || task.Status != domain.TaskSubmitted || results != 1 {
			t.Fatalf("household %d after a submission across a restart: task version %d (%s), %d audited results; want version 1, submitted, 1",
				sub.id, task.Version, task.Status, results)
		}
		t.Logf("visit result for household %d: %d attempts across the restart, applied once", sub.id, sub.attempts.Load())
	}

	// Nothing was lost: the system carries on to the next step.
	var p struct{ ID, Items int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2028-07"}, &p); code != 201 || p.Items != n/2 {
		t.Fatalf("proposal after the restarts: %d with %d items, want 201 with %d", code, p.Items, n/2)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/submit", p.ID), nil, nil); code != 202 {
		t.Fatalf("submit proposal: %d", code)
	}
	countWorkflows(t, tc, `VervalStage = "awaiting_kemensos"`, n/2)
	for _, pr := range []*proc{api, worker} {
		if strings.Contains(pr.out.String(), "panic") {
			t.Errorf("a process panicked:\n%s", pr.out.String())
		}
	}
}

// acrossSubmission is one officer's visit result sent while part of the
// system is down and sent again, as the officers' app does, with the same
// Idempotency-Key until it is answered.
type acrossSubmission struct {
	u        *user
	id       int64
	key      string
	attempts atomic.Int64
	done     chan int
}

func submitAcross(u *user, householdID int64) *acrossSubmission {
	return &acrossSubmission{u: u, id: householdID, key: fmt.Sprintf("across-%d", householdID), done: make(chan int, 1)}
}

// send makes one attempt and returns its status.
func (a *acrossSubmission) send() int {
	a.attempts.Add(1)
	return a.u.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", a.id), visit("eligible", ""), nil, "Idempotency-Key", a.key)
}

// retry sends again every half second while the answer is 503, for up to
// three minutes, and reports the last status on done.
func (a *acrossSubmission) retry() {
	code := http.StatusServiceUnavailable
	for deadline := time.Now().Add(3 * time.Minute); code == http.StatusServiceUnavailable && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		code = a.send()
	}
	a.done <- code
}

// ready is the status of GET /readyz, 0 while nothing listens.
func (s *stack) ready() int {
	resp, err := http.Get(s.base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// countWorkflows waits until the visibility query counts want workflows.
func countWorkflows(t *testing.T, tc client.Client, query string, want int) {
	t.Helper()
	var got int64
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := tc.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err == nil {
			got = resp.Count
			if got == int64(want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d workflows, want %d", query, got, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// householdIDs maps household names to ids from the officers' task lists.
func householdIDs(t *testing.T, officers map[string]*user) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, u := range officers {
		for page := 1; ; page++ {
			var tl taskList
			u.call("GET", fmt.Sprintf("/api/v1/tasks?perPage=200&page=%d", page), nil, &tl)
			if len(tl.Tasks) == 0 {
				break
			}
			for _, task := range tl.Tasks {
				ids[task.Name] = task.ID
			}
		}
	}
	return ids
}

// submitAll records the same outcome for every family, 16 at a time; as
// the officers' app does, a 503 ("try again shortly", for example while a
// killed worker's workflow task times out) is sent again with the same
// Idempotency-Key, which applies once.
func submitAll(t *testing.T, officers map[string]*user, fams []family, ids map[string]int64, outcome string) {
	t.Helper()
	retried := submitEach(t, fams, func(_ int, f family) int {
		return officers[f.Desa].call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", ids[f.Name]), visit(outcome, ""), nil,
			"Idempotency-Key", fmt.Sprintf("fault-%d", ids[f.Name]))
	})
	if retried > 0 {
		t.Logf("%d submissions were sent again after a 503", retried)
	}
}

// submitEach sends every family's result with send(i, family), 16 at a
// time; a 503 is sent again (send must use the same Idempotency-Key) every
// half second for up to two minutes. It returns the number of repeats.
func submitEach(t *testing.T, fams []family, send func(i int, f family) int) int64 {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make(chan string, len(fams))
	var retried atomic.Int64
	for i, f := range fams {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			deadline := time.Now().Add(2 * time.Minute)
			for {
				code := send(i, f)
				if code == 200 {
					return
				}
				if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
					errs <- fmt.Sprintf("visit %s: %d", f.Name, code)
					return
				}
				retried.Add(1)
				time.Sleep(500 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	return retried.Load()
}
