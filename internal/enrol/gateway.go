package enrol

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Entry is one household's enrolment in, or exit from, one programme.
type Entry struct {
	CycleID     int64
	HouseholdID int64
	Programme   string
	At          time.Time
	// Reason is why the household leaves the programme; empty for an
	// enrolment.
	Reason string
}

// Gateway is how households reach a programme's own registration and
// leave it. Export is the real one (each programme takes its list as a
// file); Simulated stands in for the benchmarks. Both are idempotent:
// enrolling or exiting twice records once, so a retried activity
// duplicates nothing.
type Gateway interface {
	// Enrol registers e.HouseholdID in e.Programme.
	Enrol(ctx context.Context, e Entry) error
	// Exit ends e.HouseholdID's membership of e.Programme with e.Reason,
	// and records the exit even when verval never enrolled it (aid the
	// household had before, from P3KE).
	Exit(ctx context.Context, e Entry) error
	// Active lists, sorted, the programmes the household is enrolled in
	// and has not left.
	Active(ctx context.Context, cycleID, householdID int64) ([]string, error)
}

// Lists keeps the programmes' enrolment lists for Export: the store's
// enrolments table, which each programme's list download (XLSX) reads.
type Lists interface {
	PutEnrolment(ctx context.Context, e Entry) error
	PutExit(ctx context.Context, e Entry) error
	ActiveProgrammes(ctx context.Context, cycleID, householdID int64) ([]string, error)
}

// Export is the enrolment list export: every enrolment and exit goes on
// its programme's list, which Dinsos downloads per programme (GET
// /api/v1/cycles/{id}/enrolments?programme=...) for the programme's own
// system.
type Export struct{ Lists Lists }

// Enrol puts the household on the programme's list.
func (x Export) Enrol(ctx context.Context, e Entry) error { return x.Lists.PutEnrolment(ctx, e) }

// Exit puts the household's exit on the programme's list.
func (x Export) Exit(ctx context.Context, e Entry) error { return x.Lists.PutExit(ctx, e) }

// Active lists the household's active enrolments on the lists.
func (x Export) Active(ctx context.Context, cycleID, householdID int64) ([]string, error) {
	return x.Lists.ActiveProgrammes(ctx, cycleID, householdID)
}

// Membership is a household's record in the simulated programmes.
type Membership struct {
	Entry
	// Exited: the household left; Entry.At and Entry.Reason are the exit's.
	Exited bool
	// EnrolledAt is when it was enrolled; zero when only its exit is known.
	EnrolledAt time.Time
}

type memberKey struct {
	cycleID, householdID int64
	programme            string
}

// Simulated stands in for the programmes' own registration systems in
// benchmarks: memberships are kept in memory, nothing goes on the
// exported lists. Deterministic: the same calls leave the same members.
// Use NewSimulated; it is safe for concurrent use.
type Simulated struct {
	mu      sync.Mutex
	members map[memberKey]Membership
}

// NewSimulated returns an empty simulated gateway.
func NewSimulated() *Simulated { return &Simulated{members: map[memberKey]Membership{}} }

// Enrol registers the household; enrolling it again changes nothing.
func (s *Simulated) Enrol(_ context.Context, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := memberKey{e.CycleID, e.HouseholdID, e.Programme}
	if _, ok := s.members[k]; !ok {
		s.members[k] = Membership{Entry: e, EnrolledAt: e.At}
	}
	return nil
}

// Exit ends the membership; the first exit is kept.
func (s *Simulated) Exit(_ context.Context, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := memberKey{e.CycleID, e.HouseholdID, e.Programme}
	m, ok := s.members[k]
	if ok && m.Exited {
		return nil
	}
	s.members[k] = Membership{Entry: e, Exited: true, EnrolledAt: m.EnrolledAt}
	return nil
}

// Active lists the household's programmes it has not left.
func (s *Simulated) Active(_ context.Context, cycleID, householdID int64) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k, m := range s.members {
		if k.cycleID == cycleID && k.householdID == householdID && !m.Exited {
			out = append(out, k.programme)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Members lists a programme's memberships, enrolled and exited, by cycle
// and household.
func (s *Simulated) Members(programme string) []Membership {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Membership
	for k, m := range s.members {
		if k.programme == programme {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Membership) int {
		return cmp.Or(cmp.Compare(a.CycleID, b.CycleID), cmp.Compare(a.HouseholdID, b.HouseholdID))
	})
	return out
}

// NeedsDecree lists, in rule order, the programmes that take only
// households in a signed decree: a revocation ends them.
func NeedsDecree(rules []Rule) []string {
	var out []string
	for _, r := range rules {
		if r.NeedsDecree {
			out = append(out, r.Programme)
		}
	}
	return out
}

var (
	_ Gateway = Export{}
	_ Gateway = (*Simulated)(nil)
)
