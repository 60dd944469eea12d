package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/verval/verval/internal/apiclient"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

const (
	desaJaten = "35.05.01.2001" // desa1's village
	desaSalam = "35.05.01.2002" // desa2's village
)

type taskList struct {
	Tasks []struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		DesaCode string `json:"desaCode"`
		Status   string `json:"status"`
	} `json:"tasks"`
	Total int `json:"total"`
}

// intake uploads a file into a cycle and waits for the intake to finish.
func intake(t *testing.T, dinsos *user, cycleID int64, data []byte) apiclient.Intake {
	t.Helper()
	var in apiclient.Intake
	if code := dinsos.upload(fmt.Sprintf("/api/v1/cycles/%d/intake", cycleID), "p3ke.csv", data, &in); code != 202 {
		t.Fatalf("intake: %d", code)
	}
	eventually(t, time.Minute, "the intake to finish", func() bool {
		dinsos.call("GET", fmt.Sprintf("/api/v1/intakes/%d", in.ID), nil, &in)
		return in.Ended()
	})
	if in.Status != "done" {
		t.Fatalf("intake failed: %s", in.Error)
	}
	return in
}

// TestVillageVerification drives the first human step of the cycle through
// the HTTP API of a real stack: intake, two village officers visiting their
// households (with a retried and an invalid submission), both village
// meetings, and every household in the stage its outcome calls for, in the
// app and in Temporal's visibility store.
func TestVillageVerification(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) { testVillageVerification(t, db) })
	}
}

func testVillageVerification(t *testing.T, db string) {
	s := startStack(t, db)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2026}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2026}, nil); code != 409 {
		t.Fatalf("second cycle for the same regency and year: %d, want 409", code)
	}

	// Three families in each village; the second and third of Salam are in
	// the registry (DTKS). One desil-2 row is skipped, one bad NIK rejected.
	fams := []family{
		testFamily(1, desaJaten, false), testFamily(2, desaJaten, false), testFamily(3, desaJaten, true),
		testFamily(4, desaSalam, false), testFamily(5, desaSalam, true), testFamily(6, desaSalam, true),
	}
	skipped := testFamily(7, desaJaten, false)
	skipped.Desil = 2
	bad := testFamily(8, desaJaten, false)
	bad.NIK = "35050115038"
	file := p3keCSV(append(fams, skipped, bad))

	in := intake(t, dinsos, cycle.ID, file)
	if in.Accepted != 6 || in.Skipped != 1 || in.Rejected != 1 || in.HouseholdsStored != 6 || in.WorkflowsStarted != 6 {
		t.Fatalf("intake counts: %+v", in)
	}
	// The same file again, through the command line: nothing new.
	path := filepath.Join(t.TempDir(), "p3ke.csv")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	getenv := func(k string) string { return map[string]string{"VERVAL_PASSWORD": "dinsos-blitar-2026"}[k] }
	code := run(context.Background(), []string{"intake", path, "--cycle", fmt.Sprint(cycle.ID), "--server", s.base}, getenv, nil, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "accepted 6, skipped 1, rejected 1") ||
		!strings.Contains(out.String(), "0 households stored, 6 already present, 0 cases started, 1 rows rejected") {
		t.Fatalf("verval intake of the same file again: exit %d\n%s%s", code, out.String(), errOut.String())
	}

	desa1 := s.login("desa1", "desa-satu-2026")
	desa2 := s.login("desa2", "desa-dua-2026")
	ids := map[string]int64{}
	for _, u := range []*user{desa1, desa2} {
		var tl taskList
		if code := u.call("GET", "/api/v1/tasks?status=open", nil, &tl); code != 200 || tl.Total != 3 {
			t.Fatalf("task list: %d, %d tasks, want 3", code, tl.Total)
		}
		for _, task := range tl.Tasks {
			ids[task.Name] = task.ID
		}
	}
	id := func(i int) int64 { return ids[fmt.Sprintf("KEPALA KELUARGA %d", i)] }

	// A village officer never sees another village's household: 404, not 403.
	if code := desa1.call("GET", fmt.Sprintf("/api/v1/households/%d", id(4)), nil, nil); code != 404 {
		t.Fatalf("desa1 reading a Salam household: %d, want 404", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(4)), visit("eligible", ""), nil); code != 404 {
		t.Fatalf("desa1 submitting for a Salam household: %d, want 404", code)
	}

	// An invalid result is refused with the field named, and leaves nothing.
	var refusal struct{ Error, Field string }
	future := visit("eligible", "")
	future["visitDate"] = time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(1)), future, &refusal); code != 422 || refusal.Field != "visitDate" {
		t.Fatalf("future visit date: %d %+v, want 422 visitDate", code, refusal)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(2)), visit("not_found", ""), &refusal); code != 422 || refusal.Field != "note" {
		t.Fatalf("not_found without a note: %d %+v, want 422 note", code, refusal)
	}

	// A retried submission with the same Idempotency-Key applies once.
	// The worker first forgets every household, as it has days after the
	// intake: the Update must still apply on its first workflow task
	// (checked on the history below).
	sdkworker.PurgeStickyWorkflowCache()
	var first, retry struct{ Version int }
	key := "visit-1-attempt"
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(1)), visit("eligible", ""), &first, "Idempotency-Key", key); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(1)), visit("eligible", ""), &retry, "Idempotency-Key", key); code != 200 || retry.Version != first.Version || first.Version != 1 {
		t.Fatalf("retried submit: %d version %d then %d, want 1 and 1", code, first.Version, retry.Version)
	}
	// The same result without the key is a second submission: 409.
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(1)), visit("eligible", ""), nil); code != 409 {
		t.Fatalf("second first-submission: %d, want 409", code)
	}

	submit := func(u *user, i int, outcome, note string, version int) {
		t.Helper()
		body := visit(outcome, note)
		body["version"] = version
		if code := u.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(i)), body, nil); code != 200 {
			t.Fatalf("submit %s for family %d: %d", outcome, i, code)
		}
	}
	submit(desa1, 2, "eligible", "", 0)
	submit(desa1, 2, "not_poor", "", 1) // a correction before the meeting
	unacceptedWrite(t, s, id(2))
	// The page shows the database's version 3; the officer corrects it.
	submit(desa1, 2, "not_poor", "dikoreksi setelah kunjungan ulang", 3)
	submit(desa1, 2, "not_poor", "", 3) // the workflow took it as version 3
	submit(desa1, 3, "moved", "pindah ke Surabaya menurut tetangga", 0)
	submit(desa2, 4, "eligible", "", 0)
	submit(desa2, 5, "deceased", "meninggal Maret 2026, keterangan kepala dusun", 0)
	submit(desa2, 6, "eligible", "", 0)

	for _, u := range []*user{desa1, desa2} {
		var m struct{ ID int64 }
		body := map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA/" + u.token[:4], "attendees": 23}
		if code := u.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), body, &m); code != 201 {
			t.Fatalf("record meeting: %d", code)
		}
	}

	want := map[int]domain.Stage{
		1: domain.StageAwaitingDecree,   // eligible
		2: domain.StageNotEligible,      // corrected to not_poor, not in DTKS
		3: domain.StageAwaitingProposal, // moved, in DTKS: removal
		4: domain.StageAwaitingDecree,
		5: domain.StageAwaitingProposal, // deceased, in DTKS: removal
		6: domain.StageAwaitingDecree,
	}
	tksk := s.login("tksk", "tksk-wonodadi-2026")
	for i, stage := range want {
		eventually(t, 30*time.Second, fmt.Sprintf("family %d to reach %s", i, stage), func() bool {
			var h struct{ Stage string }
			tksk.call("GET", fmt.Sprintf("/api/v1/households/%d", id(i)), nil, &h)
			return h.Stage == string(stage)
		})
	}
	// Household 1's audit: its one submission (the retry with the same
	// Idempotency-Key added nothing) and its village's meeting.
	var hh1 struct{ Audit []struct{ Action string } }
	if code := tksk.call("GET", fmt.Sprintf("/api/v1/households/%d", id(1)), nil, &hh1); code != 200 {
		t.Fatalf("household 1: %d", code)
	}
	var actions []string
	for _, e := range hh1.Audit {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ", "); got != "verification.submit, meeting.record" {
		t.Errorf("household 1's audit: %s, want verification.submit, meeting.record", got)
	}
	// After the meeting the village can no longer change a result.
	body := visit("not_poor", "")
	body["version"] = 1
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", id(1)), body, nil); code != 409 {
		t.Fatalf("correction after the meeting: %d, want 409", code)
	}

	// The same stages are what an administrator finds in the Temporal UI:
	// each household's case, found by its workflow ID within the cycle
	// year, shows the stage the app shows, the finished not_eligible case
	// included.
	for i, stage := range want {
		query := fmt.Sprintf(`WorkflowId = %q AND %s = 2026 AND %s = %q AND %s = "35.05"`,
			workflows.HouseholdWorkflowID(cycle.ID, id(i)), workflows.SACycleYear.GetName(),
			workflows.SAStage.GetName(), stage, workflows.SARegency.GetName())
		eventually(t, 30*time.Second, fmt.Sprintf("visibility to show family %d in %s", i, stage), func() bool {
			resp, err := s.temporal.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
			return err == nil && resp.Count == 1
		})
	}
	// Another cycle year finds none of them.
	other := fmt.Sprintf(`%s = 2025 AND %s = "35.05"`, workflows.SACycleYear.GetName(), workflows.SARegency.GetName())
	if resp, err := s.temporal.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Query: other}); err != nil || resp.Count != 0 {
		t.Fatalf("households of cycle year 2025: %v %v, want 0", resp.GetCount(), err)
	}

	// Few events per household: the whole path so far fits in a small history.
	hist := s.temporal.GetWorkflowHistory(context.Background(), workflows.HouseholdWorkflowID(cycle.ID, id(1)), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := 0
	var updates []string
	for hist.HasNext() {
		ev, err := hist.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		// Intake started the case eagerly: the worker in the same process
		// received the first workflow task with the start.
		if ev.EventId == 1 && !ev.GetWorkflowExecutionStartedEventAttributes().GetEagerExecutionAccepted() {
			t.Errorf("the household's workflow was not started eagerly")
		}
		switch ev.EventType {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			updates = append(updates, "accepted "+ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetName())
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			updates = append(updates, "completed")
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
			updates = append(updates, ev.EventType.String())
		}
		if ev.EventType == enums.EVENT_TYPE_WORKFLOW_TASK_FAILED || ev.EventType == enums.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT {
			t.Errorf("history event %d is %s: a workflow task was lost (%v)", ev.EventId, ev.EventType, ev.GetWorkflowTaskFailedEventAttributes().GetFailure().GetMessage())
		}
	}
	// Household 1's Updates: the one submission (the invalid one was
	// refused by the validator, the retry with the same Idempotency-Key
	// and the 409s left nothing) and the meeting's close.
	wantUpdates := []string{
		"accepted " + workflows.UpdateSubmitVerification, "completed",
		"accepted " + workflows.UpdateMeetingClosed, "completed",
	}
	if strings.Join(updates, ", ") != strings.Join(wantUpdates, ", ") {
		t.Errorf("household 1's Update events:\n got  %v\n want %v", updates, wantUpdates)
	}
	defer restartFindsData(t, s, id(1), domain.StageAwaitingDecree, 5)
	t.Logf("household history after verification and meeting: %d events", events)

	// No NIK, No KK or name in clear in any workflow of the namespace, nor
	// in verval's log or the Temporal server's.
	assertNoPIIInClear(t, s, append(fams, skipped, bad), "HouseholdWorkflow", "IntakeWorkflow", "MeetingWorkflow")
	if events > 25 {
		t.Errorf("household history has %d events after verification; the whole cycle must stay within 40", events)
	}
}

// restartFindsData stops the stack like Ctrl-C and starts it again on the
// same data directory (and database): the cases are all still there, in
// the application and in Temporal.
func restartFindsData(t *testing.T, s *stack, householdID int64, stage domain.Stage, running int64) {
	t.Helper()
	s.stop()
	s2 := startStackEnv(t, s.env)
	u := s2.login("tksk", "tksk-wonodadi-2026")
	var h struct{ Stage string }
	if code := u.call("GET", fmt.Sprintf("/api/v1/households/%d", householdID), nil, &h); code != 200 || h.Stage != string(stage) {
		t.Fatalf("after a restart: %d, stage %q, want %s", code, h.Stage, stage)
	}
	eventually(t, 30*time.Second, "Temporal to list the running cases after a restart", func() bool {
		resp, err := s2.temporal.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
			Query: `WorkflowType = "HouseholdWorkflow" AND ExecutionStatus = "Running"`})
		return err == nil && resp.Count == running
	})
}

// visit is a valid visit result body for outcome.
// wib is Java's time zone: an officer there dates a visit by its clock.
var wib = wilayah.WIB

func visit(outcome, note string) map[string]any {
	return map[string]any{
		"outcome": outcome, "visitDate": time.Now().In(wib).Format("2006-01-02"), "note": note,
		"indicators": map[string]string{"jenisLantai": "Tanah", "jenisDinding": "Bambu", "jenisAtap": "Genteng"},
	}
}

// unacceptedWrite does what a visit result whose workflow task failed
// after its database write left behind: household id's task at the next
// version in the database (an eligible result), unknown to its workflow.
// The officer's next correction, sent at the version the database shows,
// must be taken (as the workflow's next version) and replace it.
func unacceptedWrite(t *testing.T, s *stack, householdID int64) {
	t.Helper()
	db, err := store.Open(context.Background(), s.env["DATABASE_URL"], filepath.Join(s.env["VERVAL_DATA_DIR"], "verval.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &store.Store{DB: db, Keys: pii.DevKeyring()}
	var task store.Task
	if err := db.First(&task, "household_id = ?", householdID).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.RecordVisit(context.Background(), store.Visit{CycleID: task.CycleID, HouseholdID: householdID, Version: task.Version + 1,
		Result: domain.VisitResult{Outcome: domain.OutcomeEligible, VisitDate: time.Now().Format("2006-01-02")},
		Actor:  domain.Actor{UserID: 1, Role: "village", RequestID: "unaccepted"}, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}
