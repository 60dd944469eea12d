package activities_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
)

// startCases is a Temporal stand-in for intake's starts: a workflow ID is
// started once; starting it again is refused (started false), as the
// server's WorkflowIDReusePolicy does. failAfter > 0 fails every start once
// that many workflows exist: the worker died.
type startCases struct {
	fakeCases
	mu        sync.Mutex
	starts    map[int64]int
	failAfter int
}

func (c *startCases) StartHousehold(_ context.Context, h domain.HouseholdStart) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failAfter > 0 && len(c.starts) >= c.failAfter {
		return false, errWorkerDied
	}
	c.starts[h.HouseholdID]++
	return c.starts[h.HouseholdID] == 1, nil
}

// StartIntakeCases dies half-way and is retried: every household's
// workflow exists once, every household ends marked started, and the
// intake's count says so.
func TestStartIntakeCasesResumesAfterCrash(t *testing.T) {
	const households = 1300
	f := newFixture(t, households, "awaiting_verification")
	must(t, f.db.Create(&store.Intake{ID: 1, CycleID: f.cycle.ID, Status: store.IntakeRunning}).Error)
	must(t, f.db.Model(&store.Household{}).Where("1 = 1").Update("workflow_started", false).Error)
	cases := &startCases{starts: map[int64]int{}, failAfter: 700}
	acts := &activities.Activities{Store: f.st, Cases: cases}
	suite := newSuite(t)

	first := suite.NewTestActivityEnvironment()
	first.RegisterActivity(acts)
	if _, err := first.ExecuteActivity(acts.StartIntakeCases, activities.IntakeRef{IntakeID: 1}); err == nil || !strings.Contains(err.Error(), errWorkerDied.Error()) {
		t.Fatalf("first attempt: %v, want it to fail with %v", err, errWorkerDied)
	}
	var marked int64
	must(t, f.db.Model(&store.Household{}).Where("workflow_started = ?", true).Count(&marked).Error)
	if marked == 0 || marked > 700 {
		t.Fatalf("after the crash %d households are marked started; want the ones started before it (at most 700), some of them", marked)
	}

	cases.mu.Lock()
	cases.failAfter = 0
	cases.mu.Unlock()
	second := suite.NewTestActivityEnvironment()
	second.RegisterActivity(acts)
	v, err := second.ExecuteActivity(acts.StartIntakeCases, activities.IntakeRef{IntakeID: 1})
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	var counts activities.IntakeCounts
	must(t, v.Get(&counts))
	if counts.Started != households {
		t.Errorf("counts after the retry: %+v, want %d started", counts, households)
	}
	if len(cases.starts) != households {
		t.Errorf("%d workflows exist, want %d", len(cases.starts), households)
	}
	must(t, f.db.Model(&store.Household{}).Where("workflow_started = ?", true).Count(&marked).Error)
	if marked != households {
		t.Errorf("%d households marked started, want %d", marked, households)
	}
	var in store.Intake
	must(t, f.db.First(&in, 1).Error)
	if in.WorkflowsStarted != households {
		t.Errorf("intake shows %d workflows started, want %d", in.WorkflowsStarted, households)
	}
}

// ParseIntake reads a file of several stored chunks through the parser
// and stores every family the generator made acceptable; when a chunk
// cannot be opened (the store's failure, not the file's) the activity's
// error is retryable, not "UnreadableFile", and nothing is half-stored
// past the last whole batch.
func TestParseIntakeReadsChunks(t *testing.T) {
	var csv bytes.Buffer
	want, err := p3ke.GenerateCSV(&csv, p3ke.GenOptions{Regency: "35.05", Households: 6000, Seed: 7, FaultRate: 0.02})
	must(t, err)
	if csv.Len() <= store.IntakeChunkSize {
		t.Fatalf("the file is %d bytes: too small for two chunks", csv.Len())
	}
	for _, tc := range []struct {
		name    string
		corrupt bool
	}{{"whole", false}, {"chunk 1 unreadable", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0, "")
			in := store.Intake{CycleID: f.cycle.ID, FileName: "p3ke.csv"}
			must(t, f.st.CreateIntake(context.Background(), &in, bytes.NewReader(csv.Bytes()), int64(csv.Len())))
			if tc.corrupt {
				var c0 store.IntakeFileChunk
				must(t, f.db.First(&c0, "intake_id = ? AND seq = 0", in.ID).Error)
				must(t, f.db.Model(&store.IntakeFileChunk{}).Where("intake_id = ? AND seq = 1", in.ID).Update("data", c0.Data).Error)
			}
			acts := &activities.Activities{Store: f.st}
			env := newSuite(t).NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			v, err := env.ExecuteActivity(acts.ParseIntake, activities.IntakeRef{IntakeID: in.ID})
			var stored int64
			must(t, f.db.Model(&store.Household{}).Where("intake_id = ?", in.ID).Count(&stored).Error)
			if !tc.corrupt {
				var counts activities.IntakeCounts
				if err != nil {
					t.Fatal(err)
				}
				must(t, v.Get(&counts))
				if counts.Stored != want.Accepted || stored != int64(want.Accepted) {
					t.Fatalf("stored %d (%d in the database), the generator made %d acceptable", counts.Stored, stored, want.Accepted)
				}
				// Every issue is stored with its coded reason.
				var issues, uncoded int64
				must(t, f.db.Model(&store.IntakeIssue{}).Where("intake_id = ?", in.ID).Count(&issues).Error)
				must(t, f.db.Model(&store.IntakeIssue{}).Where("intake_id = ? AND (code IS NULL OR code = '')", in.ID).Count(&uncoded).Error)
				if issues == 0 || uncoded != 0 {
					t.Fatalf("%d issues stored, %d of them without a code", issues, uncoded)
				}
				return
			}
			var appErr *temporal.ApplicationError
			if err == nil || (errors.As(err, &appErr) && (appErr.NonRetryable() || appErr.Type() == "UnreadableFile")) {
				t.Fatalf("ParseIntake with an unreadable chunk: %v; want a retryable error", err)
			}
			if stored == 0 || stored >= int64(want.Accepted) {
				t.Fatalf("%d households stored before the bad chunk; want the ones of the first chunk only", stored)
			}
		})
	}
}

// A file that cannot be read fails ParseIntake for good, with its coded
// reason as the error's details for FinishIntake.
func TestParseIntakeUnreadableFileIsCoded(t *testing.T) {
	f := newFixture(t, 0, "")
	in := store.Intake{CycleID: f.cycle.ID, FileName: "p3ke.csv"}
	file := "id_keluarga_p3ke,nama_kepala_keluarga\nP1,JOKO\n"
	must(t, f.st.CreateIntake(context.Background(), &in, strings.NewReader(file), int64(len(file))))
	acts := &activities.Activities{Store: f.st}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	_, err := env.ExecuteActivity(acts.ParseIntake, activities.IntakeRef{IntakeID: in.ID})
	var appErr *temporal.ApplicationError
	var fail activities.IntakeFailure
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "UnreadableFile" || appErr.Details(&fail) != nil {
		t.Fatalf("ParseIntake: %v", err)
	}
	if fail.Code != p3ke.CodeMissingColumns || len(fail.Args) != 1 || !strings.HasPrefix(fail.Args[0], "no_kk, ") ||
		!strings.HasPrefix(appErr.Message(), "the header row lacks required columns: no_kk, ") {
		t.Errorf("failure %+v, message %q", fail, appErr.Message())
	}
}

// A DTSEN file read with the cycle's scope: the families of desil 1 to 4
// become households with their members (the faulty ones rejected), the
// others are kept as
// reference with their desil, village and member count; run again (a
// retried activity), nothing is stored twice.
func TestParseIntakeDTSENScope(t *testing.T) {
	var file bytes.Buffer
	plan, err := p3ke.GenerateDTSEN(&file, p3ke.DTSENOptions{GenOptions: p3ke.GenOptions{Regency: "35.05", Households: 1500, Seed: 3, FaultRate: 0.05}, MaxDesil: 4})
	must(t, err)
	f := newFixture(t, 0, "")
	ctx := context.Background()
	must(t, f.db.Model(&store.Cycle{}).Where("id = ?", f.cycle.ID).Update("max_desil", 4).Error)
	in := store.Intake{CycleID: f.cycle.ID, FileName: "dtsen.csv"}
	must(t, f.st.CreateIntake(ctx, &in, bytes.NewReader(file.Bytes()), int64(file.Len())))
	acts := &activities.Activities{Store: f.st}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	for range 2 {
		if _, err := env.ExecuteActivity(acts.ParseIntake, activities.IntakeRef{IntakeID: in.ID}); err != nil {
			t.Fatal(err)
		}
	}
	var households, refs, above int64
	must(t, f.db.Model(&store.Household{}).Where("intake_id = ?", in.ID).Count(&households).Error)
	must(t, f.db.Model(&store.ReferenceFamily{}).Where("cycle_id = ?", f.cycle.ID).Count(&refs).Error)
	must(t, f.db.Model(&store.Household{}).Where("intake_id = ? AND desil > 4", in.ID).Count(&above).Error)
	if households != int64(plan.Summary.Accepted) || refs != int64(plan.Summary.Skipped) || above != 0 {
		t.Fatalf("%d households (%d above desil 4), %d reference families; the plan: %v", households, above, refs, plan.Summary)
	}
	counts, err := f.st.ReferenceCounts(ctx, auth.Principal{Role: auth.RoleDinsos, Region: "35.05"}, f.cycle.ID)
	must(t, err)
	var fams int64
	for _, c := range counts {
		if c.Desil < 5 || c.Members < c.Families {
			t.Errorf("reference count %+v", c)
		}
		fams += c.Families
	}
	if fams != refs || len(counts) != 6 {
		t.Errorf("reference counts %+v", counts)
	}
	// Each household's people are stored with it (the head first), and
	// nothing else: no member of a rejected or skipped family.
	var people, heads int64
	must(t, f.db.Model(&store.HouseholdMember{}).Where("cycle_id = ?", f.cycle.ID).Count(&people).Error)
	must(t, f.db.Model(&store.HouseholdMember{}).Where("cycle_id = ? AND relation = ?", f.cycle.ID, "kepala_keluarga").Count(&heads).Error)
	if people != int64(plan.Summary.People) || heads != households {
		t.Errorf("%d members stored (%d heads), the plan has %d people in %d families", people, heads, plan.Summary.People, households)
	}
	got, err := f.st.GetIntake(ctx, in.ID)
	must(t, err)
	if got.Accepted != plan.Summary.Accepted || got.Skipped != plan.Summary.Skipped || got.Rejected != plan.Summary.Rejected {
		t.Errorf("intake counts %+v, plan %v", got, plan.Summary)
	}
}

// intakeRun uploads file into f's cycle and runs the intake's activities
// as IntakeWorkflow does: parse, then (unless the parse is to fail, as one
// whose file stops part way) start, then finish.
func (f *fixture) intakeRun(t *testing.T, acts *activities.Activities, file string, parseFails bool) store.Intake {
	t.Helper()
	ctx := context.Background()
	in := store.Intake{CycleID: f.cycle.ID, FileName: "dtsen.csv"}
	must(t, f.st.CreateIntake(ctx, &in, strings.NewReader(file), int64(len(file))))
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	ref := activities.IntakeRef{IntakeID: in.ID}
	_, err := env.ExecuteActivity(acts.ParseIntake, ref)
	must(t, err)
	finish := activities.FinishIntakeInput{IntakeID: in.ID}
	if parseFails {
		finish.Error, finish.Code = "the file cannot be read past row 9", p3ke.CodeUnreadablePastRow
	} else {
		_, err = env.ExecuteActivity(acts.StartIntakeCases, ref)
		must(t, err)
	}
	_, err = env.ExecuteActivity(acts.FinishIntake, finish)
	must(t, err)
	got, err := f.st.GetIntake(ctx, in.ID)
	must(t, err)
	return *got
}

// The DTSEN file of TestMembersProgrammesAndJiwa with a fault in one
// member of family B (AGUS's NIK has 15 digits): B is rejected whole, and
// nothing of it is stored, while A, D and E go in and start; C is kept as
// reference. The corrected file uploaded again adds B alone (A, D and E
// are already present), starts B's case alone, and keeps C once.
func TestCorrectedFileAddsTheRejectedFamily(t *testing.T) {
	f := newFixture(t, 0, "")
	must(t, f.db.Model(&store.Cycle{}).Where("id = ?", f.cycle.ID).Update("max_desil", 4).Error)
	cases := &startCases{starts: map[int64]int{}}
	acts := &activities.Activities{Store: f.st, Cases: cases}
	faulty := strings.Replace(membersFile, ",3505010505040006,AGUS,", ",350501050504006,AGUS,", 1)
	if faulty == membersFile {
		t.Fatal("AGUS's NIK is not in the file")
	}
	first := f.intakeRun(t, acts, faulty, false)
	if first.Accepted != 3 || first.Rejected != 1 || first.Skipped != 1 || first.HouseholdsStored != 3 || first.WorkflowsStarted != 3 {
		t.Fatalf("first upload: %+v, want A, D and E stored and started, B rejected, C skipped", first)
	}
	issues, _, err := f.st.IntakeIssues(context.Background(), first.ID, 10, 0)
	must(t, err)
	if len(issues) != 1 || issues[0].Row != 9 || issues[0].Column != "nik_anggota" || issues[0].Severity != "error" {
		t.Fatalf("first upload's issues: %+v, want AGUS's NIK at row 9", issues)
	}
	var bHouseholds, bPeople int64
	must(t, f.db.Model(&store.Household{}).Where("family_id = ?", "B").Count(&bHouseholds).Error)
	must(t, f.db.Model(&store.HouseholdMember{}).Where("name IN ?", []string{"JOKO", "AGUS", "RINA"}).Count(&bPeople).Error)
	if bHouseholds != 0 || bPeople != 0 || len(cases.starts) != 3 {
		t.Fatalf("of the rejected family: %d households, %d people stored; %d cases started", bHouseholds, bPeople, len(cases.starts))
	}

	second := f.intakeRun(t, acts, membersFile, false)
	if second.Accepted != 4 || second.Rejected != 0 || second.HouseholdsStored != 1 || second.AlreadyPresent != 3 || second.WorkflowsStarted != 1 {
		t.Fatalf("corrected upload: %+v, want B alone stored and started, A, D and E already present", second)
	}
	var b store.Household
	must(t, f.db.First(&b, "family_id = ?", "B").Error)
	must(t, f.db.Model(&store.HouseholdMember{}).Where("household_id = ?", b.ID).Count(&bPeople).Error)
	if b.IntakeID != second.ID || !b.WorkflowStarted || bPeople != 3 {
		t.Errorf("B: %+v with %d people, want stored by the corrected upload with its 3 people, started", b, bPeople)
	}
	if len(cases.starts) != 4 || cases.starts[b.ID] != 1 {
		t.Errorf("cases started %v, want A's, D's and E's, and B's once", cases.starts)
	}
	for id, n := range cases.starts {
		if n != 1 {
			t.Errorf("household %d's case started %d times", id, n)
		}
	}
	var refs int64
	must(t, f.db.Model(&store.ReferenceFamily{}).Where("cycle_id = ?", f.cycle.ID).Count(&refs).Error)
	if refs != 1 {
		t.Errorf("%d reference families after two uploads of C, want 1", refs)
	}
}

// An intake whose parse failed after storing batches started none of
// their cases; the next upload of the cycle finds those families already
// present and starts their cases (counting them as it starts them), so a
// re-upload loses none.
func TestLaterIntakeStartsWhatAFailedOneStored(t *testing.T) {
	f := newFixture(t, 0, "")
	must(t, f.db.Model(&store.Cycle{}).Where("id = ?", f.cycle.ID).Update("max_desil", 4).Error)
	cases := &startCases{starts: map[int64]int{}}
	acts := &activities.Activities{Store: f.st, Cases: cases}
	failed := f.intakeRun(t, acts, membersFile, true)
	if failed.Status != store.IntakeFailed || failed.HouseholdsStored != 4 || failed.WorkflowsStarted != 0 || len(cases.starts) != 0 {
		t.Fatalf("the failed intake: %+v, %d cases started; want 4 households stored, none started", failed, len(cases.starts))
	}

	again := f.intakeRun(t, acts, membersFile, false)
	if again.Status != store.IntakeDone || again.HouseholdsStored != 0 || again.AlreadyPresent != 4 || again.WorkflowsStarted != 4 {
		t.Fatalf("the upload again: %+v, want the 4 families already present and their cases started", again)
	}
	var unstarted int64
	must(t, f.db.Model(&store.Household{}).Where("workflow_started = ?", false).Count(&unstarted).Error)
	if len(cases.starts) != 4 || unstarted != 0 {
		t.Errorf("%d cases started, %d households left unstarted; want 4 and none", len(cases.starts), unstarted)
	}
}
