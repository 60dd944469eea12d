package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/pii"
	topology "github.com/verval/verval/internal/stack"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// TestProductionTopology runs a small cycle on docker-compose.yml's
// topology started by `verval stack`'s code: PostgreSQL of its own, the
// Temporal server on it, two workers and two api replicas, each with the
// compose file's environment. Officers alternate between the replicas (a
// token from a login on one is used on the other); PostgreSQL restarts in
// the middle of verification, submissions being sent again on 503 with
// their Idempotency-Key; the worker running the decree's fan-out is
// SIGKILLed in the middle of it, and the stack starts it again as
// `restart: unless-stopped` does. At the end every household is in its
// expected stage exactly once, every fan-out is complete, no enrolment is
// duplicated and the audit chain is intact.
//
// The stack's PostgreSQL is a cluster of its own on its own port, so its
// restart touches none of the tests running meanwhile in other packages
// on the machine's PostgreSQL. 50 s here on a quiet machine, 1.5 minutes
// under load.
func TestProductionTopology(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; run without -short")
	}
	if err := topology.PostgresAvailable(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	began := time.Now()
	root, bin := buildVerval(t)
	// Not t.TempDir: PostgreSQL runs as the postgres user, which must
	// reach its data directory through the parents.
	dir, err := os.MkdirTemp("", "verval-topology-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var progress syncBuffer
	// The compose file's variables, as an operator's .env would set them:
	// a small shard count for a small test cluster.
	// Its officers record results without photos.
	vars := map[string]string{"TEMPORAL_NUM_HISTORY_SHARDS": "8", "LOG_LEVEL": "warn", "TEMPORAL_LOG_LEVEL": "warn", "VERVAL_PHOTOS_REQUIRED": "none"}
	s, err := topology.Start(context.Background(), topology.Options{
		Root: root, Dir: dir, Verval: bin, Vars: func(k string) string { return vars[k] }, Log: &progress,
	})
	t.Cleanup(func() {
		if s != nil {
			s.Stop()
		}
		if t.Failed() {
			for _, name := range []string{"temporal", "worker-1", "worker-2", "api-1", "api-2"} {
				b, _ := os.ReadFile(filepath.Join(dir, "logs", name+".log"))
				t.Logf("%s.log (end):\n%s", name, tailOf(string(b), 30))
			}
		}
		os.RemoveAll(dir)
	})
	if err != nil {
		t.Fatalf("stack: %v\n%s", err, progress.String())
	}
	started := time.Since(began)
	t.Logf("stack up in %s", started.Round(time.Second))
	if len(s.APIURLs) != 2 || len(s.Workers) != 2 {
		t.Fatalf("stack has %d api replicas and %d workers, want 2 and 2", len(s.APIURLs), len(s.Workers))
	}

	// Accounts, as an administrator would create them (the stack, like
	// the compose file, creates none).
	db, err := store.Open(context.Background(), s.DatabaseURL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pii.ParseKeyring(s.Env[topology.API]["VERVAL_PII_KEYS"], s.Env[topology.API]["VERVAL_PII_HASH_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&store.Store{DB: db, Keys: keys}).EnsureDevUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	dc, fc := codec.ClientOptions(keys)
	tc, err := client.Dial(client.Options{HostPort: s.TemporalAddress, DataConverter: dc, FailureConverter: fc, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()

	// replicas[i] is api replica i; on(u, i) is u's token sent to it.
	replicas := []*stack{{t: t, base: s.APIURLs[0]}, {t: t, base: s.APIURLs[1]}}
	on := func(u *user, i int) *user { return &user{s: replicas[i%2], token: u.token} }
	dinsos := replicas[0].login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	if code := on(dinsos, 1).call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2030}, &cycle); code != 201 {
		t.Fatalf("create the cycle on the second replica with a token from the first: %d", code)
	}

	// 300 households in two villages: a third in the registry (DTKS), a
	// tenth found not poor. The 270 eligible make the decree's fan-out two
	// pages (200 and 70), so the worker is killed with a page to go.
	const n = 300
	var fams []family
	outcome := map[string]string{}
	for i := 1; i <= n; i++ {
		desa := desaJaten
		if i%2 == 0 {
			desa = desaSalam
		}
		f := testFamily(i, desa, i%3 == 0)
		fams = append(fams, f)
		outcome[f.Name] = "eligible"
		if i%10 == 0 {
			outcome[f.Name] = "not_poor"
		}
	}
	in := intake(t, on(dinsos, 0), cycle.ID, p3keCSV(fams))
	if in.HouseholdsStored != n || in.WorkflowsStarted != n {
		t.Fatalf("intake: %+v, want %d stored and started", in, n)
	}
	officers := map[string]*user{desaJaten: replicas[1].login("desa1", "desa-satu-2026"), desaSalam: replicas[0].login("desa2", "desa-dua-2026")}
	ids := householdIDs(t, officers)
	if len(ids) != n {
		t.Fatalf("the officers' task lists hold %d households, want %d", len(ids), n)
	}

	// Verification through both replicas in turn; PostgreSQL restarts
	// once a third of the results are in, while the rest are being sent.
	var sent, answered atomic.Int64
	type window struct {
		took             time.Duration
		before, after    int64
		sentBeforeFinish int64
	}
	restarted := make(chan window, 1)
	go func() {
		for sent.Load() < n/3 {
			time.Sleep(5 * time.Millisecond)
		}
		w := window{before: answered.Load()}
		t0 := time.Now()
		if err := s.RestartPostgres(context.Background()); err != nil {
			t.Errorf("restart PostgreSQL: %v", err)
		}
		w.took, w.after, w.sentBeforeFinish = time.Since(t0), answered.Load(), sent.Load()
		restarted <- w
	}()
	verifyStart := time.Now()
	// Family i goes through replica i%2.
	retried := submitEach(t, fams, func(i int, f family) int {
		sent.Add(1)
		defer answered.Add(1)
		u := on(officers[f.Desa], i)
		return u.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", ids[f.Name]), visit(outcome[f.Name], ""), nil,
			"Idempotency-Key", fmt.Sprintf("topology-%d", ids[f.Name]))
	})
	w := <-restarted
	t.Logf("verification: %d results in %s through both replicas; PostgreSQL's restart took %s, with %d answers before it and %d when it was back; %d submissions sent again after a 503",
		n, time.Since(verifyStart).Round(time.Millisecond), w.took.Round(time.Millisecond), w.before, w.after, retried)
	if w.after >= n {
		t.Errorf("every result was answered before PostgreSQL came back: the restart did not happen during verification")
	}
	eventually(t, time.Minute, "both replicas ready after the restart", func() bool {
		return replicas[0].ready() == 200 && replicas[1].ready() == 200
	})

	// Meetings close the villages' lists (each a fan-out of Updates).
	for desa, u := range officers {
		if code := on(u, 0).call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID),
			map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA-" + desa, "attendees": 30}, nil); code != 201 {
			t.Fatalf("meeting %s: %d", desa, code)
		}
	}
	eligible := 0
	for _, f := range fams {
		if outcome[f.Name] == "eligible" {
			eligible++
		}
	}
	countWorkflows(t, tc, `VervalStage = "awaiting_decree"`, eligible)

	// The decree, and the worker running its fan-out killed in the middle.
	bupati := replicas[1].login("bupati", "bupati-blitar-2026")
	var d struct{ ID int64 }
	if code := on(dinsos, 1).call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 {
		t.Fatalf("draft decree: %d", code)
	}
	if code := on(dinsos, 0).call("POST", fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); code != 200 {
		t.Fatalf("submit decree: %d", code)
	}
	if code := on(bupati, 0).call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": "188/1/2030", "date": time.Now().Format("2006-01-02")}, nil); code != 200 {
		t.Fatalf("sign decree: %d", code)
	}
	var dv struct {
		Decree struct{ FannedOut, Households int }
	}
	var victim *topology.Proc
	for deadline := time.Now().Add(time.Minute); victim == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the decree fan-out did not start within a minute (%+v)", dv.Decree)
		}
		on(dinsos, 1).call("GET", fmt.Sprintf("/api/v1/decrees/%d", d.ID), nil, &dv)
		if dv.Decree.FannedOut == 0 {
			continue
		}
		victim = fanOutWorker(t, tc, workflows.DecreeWorkflowID(d.ID), s.Workers)
	}
	victim.Kill()
	on(dinsos, 0).call("GET", fmt.Sprintf("/api/v1/decrees/%d", d.ID), nil, &dv)
	if dv.Decree.FannedOut >= dv.Decree.Households || dv.Decree.Households != eligible {
		t.Fatalf("worker killed after the fan-out: %d of %d households reached, want a fan-out of %d under way", dv.Decree.FannedOut, dv.Decree.Households, eligible)
	}
	t.Logf("%s (the fan-out's) SIGKILLed after %d of %d households", victim.Name, dv.Decree.FannedOut, dv.Decree.Households)

	// The end: every household in its stage, exactly once.
	want := map[string]int{}
	for _, f := range fams {
		switch {
		case outcome[f.Name] == "eligible" && f.DTKS:
			want["enrolled"]++
		case outcome[f.Name] == "eligible" || f.DTKS:
			want["awaiting_proposal"]++
		default:
			want["not_eligible"]++
		}
	}
	// An enrolled case continued as new into its open year: its first run
	// (ContinuedAsNew) is not counted, the year's run is.
	for stage, count := range want {
		countWorkflows(t, tc, fmt.Sprintf(`VervalStage = %q AND ExecutionStatus != "ContinuedAsNew"`, stage), count)
	}
	countWorkflows(t, tc, `WorkflowType = "HouseholdWorkflow" AND ExecutionStatus != "ContinuedAsNew"`, n)
	eventually(t, 2*time.Minute, "the decree's fan-out to complete", func() bool {
		on(dinsos, 1).call("GET", fmt.Sprintf("/api/v1/decrees/%d", d.ID), nil, &dv)
		return dv.Decree.FannedOut == eligible
	})
	var stages []struct {
		Stage string
		N     int
	}
	db.Model(&store.Household{}).Where("cycle_id = ?", cycle.ID).Select("stage, count(*) AS n").Group("stage").Scan(&stages)
	got := map[string]int{}
	for _, st := range stages {
		got[st.Stage] = st.N
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("households by stage in the database: %v, want %v", got, want)
	}
	var meetingRows, meetings int64
	db.Model(&store.Meeting{}).Where("cycle_id = ?", cycle.ID).Count(&meetings)
	db.Model(&store.MeetingHousehold{}).Count(&meetingRows)
	if meetings != 2 || meetingRows != n {
		t.Errorf("meetings: %d closing %d households, want 2 closing %d", meetings, meetingRows, n)
	}
	var enrolledRows, enrolments, distinct int64
	db.Model(&store.StageEvent{}).Where("stage = ?", "enrolled").Count(&enrolledRows)
	db.Model(&store.Enrolment{}).Count(&enrolments)
	db.Model(&store.Enrolment{}).Distinct("household_id").Count(&distinct)
	if enrolledRows != int64(want["enrolled"]) || distinct != int64(want["enrolled"]) || enrolments != 5*int64(want["enrolled"]) {
		t.Errorf("%d enrolled stage rows, %d enrolments over %d households; want %d, %d, %d",
			enrolledRows, enrolments, distinct, want["enrolled"], 5*want["enrolled"], want["enrolled"])
	}
	if victim.Restarts() != 1 {
		t.Errorf("%s was started again %d times after its SIGKILL, want 1", victim.Name, victim.Restarts())
	}

	audit := exec.Command(bin, "audit", "verify")
	for k, v := range s.OperatorEnv() {
		audit.Env = append(audit.Env, k+"="+v)
	}
	if out, err := audit.CombinedOutput(); err != nil || !strings.Contains(string(out), "audit chain intact") {
		t.Errorf("verval audit verify: %v\n%s", err, out)
	}
	for _, name := range []string{"worker-1", "worker-2", "api-1", "api-2"} {
		if b, _ := os.ReadFile(filepath.Join(dir, "logs", name+".log")); strings.Contains(string(b), "panic") {
			t.Errorf("%s panicked:\n%s", name, tailOf(string(b), 40))
		}
	}
	t.Logf("topology test: %s in all (stack start %s)", time.Since(began).Round(time.Second), started.Round(time.Second))
}

// fanOutWorker is the worker process running the workflow's pending
// FanOutDecree activity, from the SDK's default identity "PID@host@".
func fanOutWorker(t *testing.T, tc client.Client, workflowID string, workers []*topology.Proc) *topology.Proc {
	t.Helper()
	desc, err := tc.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, pa := range desc.PendingActivities {
		if pa.GetActivityType().GetName() != "FanOutDecree" {
			continue
		}
		pid, _ := strconv.Atoi(strings.SplitN(pa.GetLastWorkerIdentity(), "@", 2)[0])
		for _, w := range workers {
			if w.Pid() == pid {
				return w
			}
		}
	}
	return nil
}

func tailOf(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
