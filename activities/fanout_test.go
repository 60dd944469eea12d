package activities_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/testx"
)

// fakeCases records the signals a fan-out sends instead of sending them.
type fakeCases struct {
	mu sync.Mutex
	// signals are the households signalled, in order, one entry per signal.
	signals []signal
	// failAfter, when > 0, fails every signal once that many have been sent:
	// the worker died in the middle of the fan-out.
	failAfter int
	// finished are households whose workflow has ended: a revocation is
	// not delivered to them.
	finished map[int64]bool
	// hold keeps each message in flight this long, counting how many are
	// in flight at once (inFlight, most).
	hold           time.Duration
	inFlight, most int
}

type signal struct {
	Name        string
	CycleID     int64
	HouseholdID int64
	DecreeID    int64
	Reason      string
	Date        string
}

var errWorkerDied = errors.New("worker died")

func (f *fakeCases) send(s signal) error {
	f.mu.Lock()
	if f.hold > 0 {
		f.inFlight++
		f.most = max(f.most, f.inFlight)
		f.mu.Unlock()
		time.Sleep(f.hold)
		f.mu.Lock()
		f.inFlight--
	}
	defer f.mu.Unlock()
	if f.failAfter > 0 && len(f.signals) >= f.failAfter {
		return errWorkerDied
	}
	f.signals = append(f.signals, s)
	return nil
}

func (f *fakeCases) StartHousehold(context.Context, domain.HouseholdStart) (bool, error) {
	return false, errors.New("not in this test")
}

func (f *fakeCases) ReinstateHousehold(context.Context, domain.HouseholdStart) error {
	return errors.New("not in this test")
}

func (f *fakeCases) ExcludeHousehold(context.Context, int64, int64, int64, activities.ExcludeRequest) error {
	return errors.New("not in this test")
}

func (f *fakeCases) SanggahClosed(context.Context, int64, int64, string) error {
	return errors.New("not in this test")
}

func (f *fakeCases) MeetingClosed(context.Context, int64, int64, int64) error {
	return errors.New("not in this test")
}

func (f *fakeCases) DecreeSigned(_ context.Context, cycleID, householdID, decreeID int64, _ string) error {
	return f.send(signal{Name: "decree-signed", CycleID: cycleID, HouseholdID: householdID, DecreeID: decreeID})
}

func (f *fakeCases) DecreeRevoked(_ context.Context, cycleID, householdID, decreeID int64, reason, date string) (bool, error) {
	err := f.send(signal{Name: "decree-revoked", CycleID: cycleID, HouseholdID: householdID, DecreeID: decreeID, Reason: reason, Date: date})
	return err == nil && !f.finished[householdID], err
}

func (f *fakeCases) ProposalSubmitted(context.Context, int64, int64, int64) error {
	return errors.New("not in this test")
}

func (f *fakeCases) KemensosAnswer(context.Context, int64, int64, activities.Answer) error {
	return errors.New("not in this test")
}

// CycleClosed records the close; a household in finished reports its
// case had already ended, as the workflow's validator answers.
func (f *fakeCases) CycleClosed(_ context.Context, cycleID, householdID int64, reason string) (bool, error) {
	err := f.send(signal{Name: "close-cycle", CycleID: cycleID, HouseholdID: householdID, Reason: reason})
	return err == nil && !f.finished[householdID], err
}

// counts is how many signals each household received.
func (f *fakeCases) counts() map[int64]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := map[int64]int{}
	for _, s := range f.signals {
		n[s.HouseholdID]++
	}
	return n
}

// fixture is a cycle with households in a store.
type fixture struct {
	db    *gorm.DB
	st    *store.Store
	cycle store.Cycle
	ids   []int64
}

var opened = time.Date(2025, time.March, 3, 1, 0, 0, 0, time.UTC)

// newFixture stores a cycle of Kab. Blitar with n desil-1 households at stage.
func newFixture(t *testing.T, n int, stage string) *fixture {
	t.Helper()
	return newFixtureOn(t, storetest.SQLite(t), n, stage)
}

// newFixtureOn is newFixture on database db.
func newFixtureOn(t *testing.T, db *gorm.DB, n int, stage string) *fixture {
	t.Helper()
	f := &fixture{db: db, st: storetest.NewStore(db, nil)}
	f.cycle = store.Cycle{RegencyCode: "35.05", Year: 2025, OpenedAt: opened, VerificationDays: 30, CreatedAt: opened}
	must(t, db.Create(&f.cycle).Error)
	hh := make([]store.Household, n)
	for i := range hh {
		// Synthetic records: no real NIK or KK number, sealed fields are
		// placeholders (the fan-out reads ids only).
		hh[i] = store.Household{
			CycleID: f.cycle.ID, IntakeID: 1, Row: i + 2, FamilyID: fmt.Sprintf("P3KE-%05d", i),
			KKHash: fmt.Sprintf("kk-%05d", i), KKSealed: []byte{0}, KKMasked: "3505************",
			NIKHash: fmt.Sprintf("nik-%05d", i), NIKSealed: []byte{0}, NIKMasked: "3505************",
			Name: "Warga Uji", Address: "Jl. Uji", RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001",
			Desil: 1, Stage: stage, StageEnteredAt: opened, StageSeq: 2, WorkflowStarted: true,
		}
	}
	must(t, db.CreateInBatches(&hh, 200).Error)
	for _, h := range hh {
		f.ids = append(f.ids, h.ID)
	}
	return f
}

// signedDecree stores a signed decree listing ids with action.
func (f *fixture) signedDecree(t *testing.T, kind domain.DecreeKind, action string, ids []int64) store.Decree {
	t.Helper()
	number := fmt.Sprintf("400/%s/KEP/2025", kind)
	signedAt := opened.Add(20 * 24 * time.Hour)
	d := store.Decree{
		CycleID: f.cycle.ID, RegencyCode: "35.05", Kind: kind, Status: domain.DecreeSigned, Number: &number,
		SignedDate: "2025-03-23", Households: len(ids), CreatedAt: opened, SignedAt: &signedAt,
	}
	must(t, f.db.Create(&d).Error)
	items := make([]store.DecreeItem, len(ids))
	for i, id := range ids {
		items[i] = store.DecreeItem{DecreeID: d.ID, HouseholdID: id, Action: action}
	}
	must(t, f.db.CreateInBatches(&items, 200).Error)
	return d
}

// settled ends household id's case at stage (seq 3), enrolled through the
// export gateway in programmes.
func (f *fixture) settled(t *testing.T, id int64, stage string, programmes ...string) {
	t.Helper()
	at := opened.Add(40 * 24 * time.Hour)
	for _, p := range programmes {
		must(t, f.st.PutEnrolment(context.Background(), enrol.Entry{CycleID: f.cycle.ID, HouseholdID: id, Programme: p, At: at}))
	}
	must(t, f.st.Transition(context.Background(), store.Transition{HouseholdID: id, Seq: 3, Stage: stage, At: at}))
}

// newSuite is a test suite logging warnings and errors to the test's output.
func newSuite(t *testing.T) *testsuite.WorkflowTestSuite {
	s := &testsuite.WorkflowTestSuite{}
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// heartbeat is what a fan-out heartbeats: the last household reached and
// the result so far.
type heartbeat struct {
	After int64
	Res   activities.FanOutResult
}

// resumeConverter lets a test hand an activity several heartbeat values,
// as the server does after a retry: TestActivityEnvironment's
// SetHeartbeatDetails takes one value, which resumeConverter spreads into
// one payload per field of a heartbeat.
type resumeConverter struct{ converter.DataConverter }

func (c resumeConverter) ToPayloads(values ...any) (*commonpb.Payloads, error) {
	if len(values) == 1 {
		if hb, ok := values[0].(heartbeat); ok {
			return c.DataConverter.ToPayloads(hb.After, hb.Res)
		}
	}
	return c.DataConverter.ToPayloads(values...)
}

// A crash in the middle of a decree's fan-out: the retry resumes after the
// last page the first attempt heartbeated, so no household before it is
// signalled twice, only the interrupted page is repeated (households ignore
// a decree they have), and every household is signalled.
func TestFanOutDecreeResumesAfterCrash(t *testing.T) {
	const households, crashAfter = 650, 450 // pages of 200: the crash is in the third
	f := newFixture(t, households, "awaiting_decree")
	d := f.signedDecree(t, domain.DecreeInitial, "add", f.ids)
	cases := &fakeCases{failAfter: crashAfter}
	acts := &activities.Activities{Store: f.st, Cases: cases}

	suite := newSuite(t)
	first := suite.NewTestActivityEnvironment()
	first.RegisterActivity(acts)
	var mu sync.Mutex
	var beats []heartbeat
	first.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var hb heartbeat
		if err := details.Get(&hb.After, &hb.Res); err != nil {
			t.Errorf("heartbeat details: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		beats = append(beats, hb)
	})
	if _, err := first.ExecuteActivity(acts.FanOutDecree, activities.FanOutInput{DecreeID: d.ID}); err == nil || !strings.Contains(err.Error(), errWorkerDied.Error()) {
		t.Fatalf("first attempt: %v, want it to fail with %v", err, errWorkerDied)
	}
	if len(beats) == 0 {
		t.Fatal("the first attempt heartbeated nothing")
	}
	last := beats[len(beats)-1]
	// The last heartbeat is the last complete page: 400 households, the
	// third page being cut off by the crash.
	testx.Equal(t, "last heartbeat", last, heartbeat{After: f.ids[399], Res: activities.FanOutResult{Households: 400}})
	var progress store.Decree
	must(t, f.db.First(&progress, d.ID).Error)
	if progress.FannedOut != last.Res.Households {
		t.Errorf("decree progress after the crash: %d, want %d as heartbeated", progress.FannedOut, last.Res.Households)
	}

	// The retry, on another worker, gets the heartbeat back.
	second := cases.retryOn(suite, resumeConverter{converter.GetDefaultDataConverter()}, acts, last)
	v, err := second.ExecuteActivity(acts.FanOutDecree, activities.FanOutInput{DecreeID: d.ID})
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	var res activities.FanOutResult
	must(t, v.Get(&res))
	testx.Equal(t, "result", res, activities.FanOutResult{Households: households})

	counts := cases.counts()
	for i, id := range f.ids {
		want := 1
		if i >= 400 && i < crashAfter {
			want = 2 // the interrupted page, sent again
		}
		if counts[id] != want {
			t.Errorf("household #%d (id %d) signalled %d times, want %d", i, id, counts[id], want)
		}
	}
	for _, s := range cases.signals {
		if s.Name != "decree-signed" || s.CycleID != f.cycle.ID || s.DecreeID != d.ID {
			t.Fatalf("signal %+v, want decree-signed of decree %d in cycle %d", s, d.ID, f.cycle.ID)
		}
	}
	must(t, f.db.First(&progress, d.ID).Error)
	if progress.FannedOut != households {
		t.Errorf("decree progress at the end: %d, want %d", progress.FannedOut, households)
	}
}

// A revocation decree revokes running cases by signal (with the revoking
// decree's id and reason) and writes the revocation of cases that already
// ended enrolled directly, once: running the fan-out again changes nothing.
func TestFanOutDecreeRevokes(t *testing.T) {
	f := newFixture(t, 4, "awaiting_proposal")
	running, enrolled, revoked, notListed := f.ids[0], f.ids[1], f.ids[2], f.ids[3]
	// The enrolled household's case ended with its programmes.
	f.settled(t, enrolled, "enrolled", "PKH", "BPJS-TK")
	// The revoked one was revoked by an earlier revocation already.
	must(t, f.st.Transition(context.Background(), store.Transition{HouseholdID: revoked, Seq: 3, Stage: "revoked", At: opened.Add(30 * 24 * time.Hour), Reason: "revoked: lama"}))
	f.signedDecree(t, domain.DecreeInitial, "add", f.ids)
	d := f.signedDecree(t, domain.DecreeRevocation, "revoke", []int64{running, enrolled, revoked})
	cases := &fakeCases{finished: map[int64]bool{enrolled: true, revoked: true}}
	acts := &activities.Activities{Store: f.st, Cases: cases}

	suite := newSuite(t)
	for attempt := 1; attempt <= 2; attempt++ {
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		v, err := env.ExecuteActivity(acts.FanOutDecree, activities.FanOutInput{DecreeID: d.ID, Reason: "SK dicabut"})
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		var res activities.FanOutResult
		must(t, v.Get(&res))
		testx.Equal(t, "result", res, activities.FanOutResult{Households: 3})
	}
	for _, s := range cases.signals {
		if s.Name != "decree-revoked" || s.DecreeID != d.ID || s.Reason != "SK dicabut" || s.HouseholdID == notListed {
			t.Errorf("signal %+v, want decree-revoked by decree %d with its reason, to listed households only", s, d.ID)
		}
	}
	testx.Equal(t, "signals per household", cases.counts(), map[int64]int{running: 2, enrolled: 2, revoked: 2})

	stage := func(id int64) (string, string, int) {
		var h store.Household
		must(t, f.db.First(&h, id).Error)
		return h.Stage, h.Reason, h.StageSeq
	}
	// The running case revokes itself when its workflow takes the signal.
	if s, _, seq := stage(running); s != "awaiting_proposal" || seq != 2 {
		t.Errorf("running household: stage %s#%d, want untouched (its workflow settles it)", s, seq)
	}
	if s, r, seq := stage(enrolled); s != "revoked" || r != "revoked: SK dicabut" || seq != 4 {
		t.Errorf("enrolled household: stage %s#%d (%s), want revoked#4 (revoked: SK dicabut)", s, seq, r)
	}
	if s, r, seq := stage(revoked); s != "revoked" || r != "revoked: lama" || seq != 3 {
		t.Errorf("already revoked household: stage %s#%d (%s), want unchanged", s, seq, r)
	}
	var events int64
	must(t, f.db.Model(&store.StageEvent{}).Where("household_id = ? AND stage = ?", enrolled, "revoked").Count(&events).Error)
	if events != 1 {
		t.Errorf("%d revoked stage events for the enrolled household, want 1", events)
	}
	en, err := f.st.Enrolments(context.Background(), enrolled)
	must(t, err)
	if len(en) != 2 {
		t.Fatalf("enrolments %+v, want its two programmes", en)
	}
	for _, e := range en {
		if e.Status != store.EnrolmentExited || e.ExitReason != "revoked: SK dicabut" {
			t.Errorf("enrolment %s: %s (%s), want exited by the revocation", e.Programme, e.Status, e.ExitReason)
		}
	}
}

// The cycle's close reaches every household whose case has not ended, in
// pages; those recorded as ended are not sent anything, one the database
// has not yet seen end is counted as finished; a crash resumes after the
// last page heartbeated, and the progress is on the cycle.
func TestFanOutCloseResumesAndSkipsFinished(t *testing.T) {
	const households, crashAfter = 450, 300
	f := newFixture(t, households, "awaiting_proposal")
	ended := f.ids[10]
	f.settled(t, ended, "removed")
	lagging := f.ids[20] // its workflow ended; the database does not know yet
	cases := &fakeCases{failAfter: crashAfter, finished: map[int64]bool{lagging: true}}
	acts := &activities.Activities{Store: f.st, Cases: cases}
	in := activities.CloseCycleInput{CycleID: f.cycle.ID, Reason: "tutup buku 2025"}

	suite := newSuite(t)
	first := suite.NewTestActivityEnvironment()
	first.RegisterActivity(acts)
	var last struct {
		After int64
		Res   activities.CloseCycleResult
	}
	first.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		if err := details.Get(&last.After, &last.Res); err != nil {
			t.Errorf("heartbeat details: %v", err)
		}
	})
	if _, err := first.ExecuteActivity(acts.FanOutClose, in); err == nil {
		t.Fatal("first attempt: want it to fail with the crash")
	}
	// A heartbeat after each household: the last one names the 300th
	// (the ended household is not among them); the progress on the cycle
	// is written per page of 200.
	if last.Res.Households != crashAfter || last.After != f.ids[crashAfter] {
		t.Fatalf("last heartbeat %+v, want %d households up to id %d", last, crashAfter, f.ids[crashAfter])
	}
	var cy store.Cycle
	must(t, f.db.First(&cy, f.cycle.ID).Error)
	if cy.CloseHouseholds != 200 {
		t.Errorf("progress after the crash %d, want 200", cy.CloseHouseholds)
	}

	second := cases.retryOn(suite, closeResumeConverter{converter.GetDefaultDataConverter()}, acts, last)
	v, err := second.ExecuteActivity(acts.FanOutClose, in)
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	var res activities.CloseCycleResult
	must(t, v.Get(&res))
	testx.Equal(t, "result", res, activities.CloseCycleResult{Households: households - 1, Closed: households - 2, Finished: 1})
	counts := cases.counts()
	for i, id := range f.ids {
		want := 1
		switch {
		case id == ended:
			want = 0
		}
		// With a heartbeat after each household, the resumed attempt
		// starts after the last one closed: none is sent twice (had one
		// been, the Update's ID would still apply it once).
		if counts[id] != want {
			t.Errorf("household #%d sent %d closes, want %d", i, counts[id], want)
		}
	}
	for _, s := range cases.signals {
		if s.Name != "close-cycle" || s.CycleID != f.cycle.ID || s.Reason != in.Reason {
			t.Fatalf("message %+v, want the close of cycle %d with its reason", s, f.cycle.ID)
		}
	}
	must(t, f.db.First(&cy, f.cycle.ID).Error)
	if cy.CloseHouseholds != households-1 {
		t.Errorf("progress at the end %d, want %d", cy.CloseHouseholds, households-1)
	}
}

// closeResumeConverter spreads a close heartbeat into its two payloads, as
// resumeConverter does for a decree's.
type closeResumeConverter struct{ converter.DataConverter }

func (c closeResumeConverter) ToPayloads(values ...any) (*commonpb.Payloads, error) {
	if len(values) == 1 {
		if hb, ok := values[0].(struct {
			After int64
			Res   activities.CloseCycleResult
		}); ok {
			return c.DataConverter.ToPayloads(hb.After, hb.Res)
		}
	}
	return c.DataConverter.ToPayloads(values...)
}

// TestFanOutUpdatesBounded: fan-outs running at once share the worker's
// slots, so no more household Updates are in flight than it allows, where
// unbounded they would each send one.
func TestFanOutUpdatesBounded(t *testing.T) {
	const households, fanOuts = 20, 4
	f := newFixture(t, households, "awaiting_proposal")
	for _, tc := range []struct {
		slots int
		// atMost is the bound in flight; without one, more than two
		// fan-outs must overlap, or the bounded case proves nothing.
		atMost, moreThan int
	}{{slots: 2, atMost: 2}, {slots: 0, atMost: fanOuts, moreThan: 2}} {
		cases := &fakeCases{hold: 10 * time.Millisecond}
		acts := &activities.Activities{Store: f.st, Cases: cases, FanOutUpdates: activities.NewSlots(tc.slots)}
		suite := newSuite(t)
		var wg sync.WaitGroup
		for i := range fanOuts {
			env := suite.NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := activities.CloseCycleInput{CycleID: f.cycle.ID, Reason: fmt.Sprintf("fan-out %d", i)}
				if _, err := env.ExecuteActivity(acts.FanOutClose, in); err != nil {
					t.Errorf("fan-out %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if len(cases.signals) != households*fanOuts {
			t.Errorf("slots %d: %d closes sent, want %d", tc.slots, len(cases.signals), households*fanOuts)
		}
		if cases.most > tc.atMost || cases.most <= tc.moreThan {
			t.Errorf("slots %d: at most %d Updates in flight, want at most %d and more than %d", tc.slots, cases.most, tc.atMost, tc.moreThan)
		}
	}
}

// retryOn is the retry of a crashed fan-out on another worker: signals no
// longer fail, and the activity gets the last heartbeat back, decoded by
// dc.
func (f *fakeCases) retryOn(suite *testsuite.WorkflowTestSuite, dc converter.DataConverter, acts *activities.Activities, last any) *testsuite.TestActivityEnvironment {
	f.mu.Lock()
	f.failAfter = 0
	f.mu.Unlock()
	env := suite.NewTestActivityEnvironment()
	env.SetDataConverter(dc)
	env.RegisterActivity(acts)
	env.SetHeartbeatDetails(last)
	return env
}
