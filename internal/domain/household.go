package domain

import "time"

// HouseholdStart starts one household's case for one cycle year: the
// household workflow's input, built by the intake. It holds internal ids,
// region codes and flags only: no personal data enters the workflow's
// history.
type HouseholdStart struct {
	CycleID       int64
	HouseholdID   int64
	Year          int
	RegencyCode   string
	KecamatanCode string
	DesaCode      string
	// Desil is the P3KE welfare decile (1 = poorest 10%).
	Desil int
	// InDTKS: the household is already in the national social registry.
	InDTKS bool
	// CycleOpenedAt bounds visit dates from below.
	CycleOpenedAt time.Time
	// DueAt is when the village's verification is due.
	DueAt time.Time
	// Deadlines holds the reminder and escalation periods; zero fields take
	// the defaults of DefaultDeadlines.
	Deadlines Deadlines
	// Open, when set, starts the household's open year: its case was
	// enrolled and continued as new to take the year's changes
	// (workflows/year.go). Nil for a case starting at verification.
	Open *OpenYear `json:",omitempty"`
	// Reinstate, when set, starts a new run of a household whose case had
	// ended left out of the list: Dinsos upheld an objection that it is
	// poor (an exclusion error), so it goes back to awaiting_decree for
	// the next decree (workflows/reinstate.go). Nil otherwise.
	Reinstate *Reinstatement `json:",omitempty"`
}

// Reinstatement is what a household's new run takes from the upheld
// objection and the case that ended.
type Reinstatement struct {
	SanggahID int64
	// Receipt is the objection's receipt code, the new stage's reason.
	Receipt string
	// From is the stage the ended case stood in; Seq its stage-transition
	// counter, which the new run goes on from so history rows stay keyed.
	From Stage
	Seq  int
	// Actor is who upheld the objection, for the audit trail.
	Actor Actor
}

// OpenYear is what an enrolled household's case carries from one run to
// the next through Continue-As-New.
type OpenYear struct {
	// Seq is the stage-transition counter, kept so history rows stay keyed.
	Seq int
	// EnrolledAt is when the household entered enrolled.
	EnrolledAt time.Time
	// EnrolledOn (YYYY-MM-DD) is the day it was enrolled from: the day of
	// the decision (the decree's signing, Kemensos' determination), as its
	// enrolments are dated. A change cannot have happened before it. ""
	// in a year continued before it was carried: only the cycle's opening
	// bounds a change then.
	EnrolledOn string `json:",omitempty"`
	DecreeID   int64
	Programmes []string
	// Changes counts the changes confirmed (or refused) so far this year;
	// Runs counts the runs of the open year.
	Changes, Runs int
}

// Deadlines are the periods that drive reminders and escalations.
type Deadlines struct {
	// ReminderBefore: the village is reminded this long before DueAt.
	ReminderBefore time.Duration
	// EscalateDinsosAfter: an overdue visit goes to the TKSK at DueAt and to
	// Dinsos this long after.
	EscalateDinsosAfter time.Duration
	// ReopenPeriod: a reopened verification is due this long after reopening.
	ReopenPeriod time.Duration
	// KemensosReminderAfter: Dinsos is reminded when Kemensos has not
	// answered a proposal batch this long after it was submitted. The
	// household workflow no longer uses it (the proposal workflow reminds
	// per batch); it stays so recorded inputs still decode.
	KemensosReminderAfter time.Duration
}

// DefaultDeadlines are the periods used when a cycle sets none.
func DefaultDeadlines() Deadlines {
	return Deadlines{
		ReminderBefore:        3 * 24 * time.Hour,
		EscalateDinsosAfter:   7 * 24 * time.Hour,
		ReopenPeriod:          14 * 24 * time.Hour,
		KemensosReminderAfter: 60 * 24 * time.Hour,
	}
}

// WithDefaults fills the zero periods from DefaultDeadlines.
func (d Deadlines) WithDefaults() Deadlines {
	def := DefaultDeadlines()
	if d.ReminderBefore <= 0 {
		d.ReminderBefore = def.ReminderBefore
	}
	if d.EscalateDinsosAfter <= 0 {
		d.EscalateDinsosAfter = def.EscalateDinsosAfter
	}
	if d.ReopenPeriod <= 0 {
		d.ReopenPeriod = def.ReopenPeriod
	}
	if d.KemensosReminderAfter <= 0 {
		d.KemensosReminderAfter = def.KemensosReminderAfter
	}
	return d
}

// Indicators are the housing and asset indicators a village officer saw on
// a visit (the P3KE file's categories, as free text).
type Indicators struct {
	KepemilikanRumah  string `json:"kepemilikanRumah,omitempty"`
	JenisLantai       string `json:"jenisLantai,omitempty"`
	JenisDinding      string `json:"jenisDinding,omitempty"`
	JenisAtap         string `json:"jenisAtap,omitempty"`
	SumberAirMinum    string `json:"sumberAirMinum,omitempty"`
	SumberPenerangan  string `json:"sumberPenerangan,omitempty"`
	BahanBakarMemasak string `json:"bahanBakarMemasak,omitempty"`
	FasilitasBAB      string `json:"fasilitasBab,omitempty"`
}

// VisitResult is what a village officer found at a household.
type VisitResult struct {
	Outcome   Outcome `json:"outcome"`
	VisitDate string  `json:"visitDate"`
	// DuplicateOf is the household this one duplicates (outcome duplicate).
	DuplicateOf int64      `json:"duplicateOf,omitempty"`
	Indicators  Indicators `json:"indicators"`
	Note        string     `json:"note,omitempty"`
}

// Text limits, in characters (runes, not bytes), of what a person types.
// Every free-text field of every step has one, checked where the step is
// validated (the workflow's Update validator or the office), and stated in
// the OpenAPI document as maxLength: an unbounded field once carried a
// 2.5 MB visit result into a workflow's history and ended its case.
const (
	// MaxIndicatorRunes bounds each of a visit's indicators.
	MaxIndicatorRunes = 100
	// MaxNoteRunes bounds a visit's note.
	MaxNoteRunes = 2000
	// MaxReasonRunes bounds a reason given for a step: a reopen, a decree
	// returned, withdrawn or revoking households.
	MaxReasonRunes = 1000
)

// Fields lists the indicators by their JSON names, in a fixed order.
func (in Indicators) Fields() []struct{ Name, Value string } {
	return []struct{ Name, Value string }{
		{"kepemilikanRumah", in.KepemilikanRumah}, {"jenisLantai", in.JenisLantai}, {"jenisDinding", in.JenisDinding},
		{"jenisAtap", in.JenisAtap}, {"sumberAirMinum", in.SumberAirMinum}, {"sumberPenerangan", in.SumberPenerangan},
		{"bahanBakarMemasak", in.BahanBakarMemasak}, {"fasilitasBab", in.FasilitasBAB},
	}
}

// DecidedOn is the time an enrolment, an exit or a revocation decided on
// day (YYYY-MM-DD: the decree's signing, Kemensos' determination) is
// dated: that day, or at when day is empty, malformed or after at.
func DecidedOn(day string, at time.Time) time.Time {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil || d.After(at) {
		return at
	}
	return d
}
