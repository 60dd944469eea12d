package domain

import (
	"slices"
	"time"
)

// SanggahKind is what an objection (sanggah) says is wrong with a
// household's decision.
type SanggahKind string

const (
	// SanggahInclusion: the household is on the list (eligible, decreed,
	// enrolled) but is well-off (an inclusion error).
	SanggahInclusion SanggahKind = "inclusion"
	// SanggahExclusion: the household was found not_poor, not_found, ...
	// (or left the list) but is poor (an exclusion error).
	SanggahExclusion SanggahKind = "exclusion"
)

// Valid reports whether k is a known kind.
func (k SanggahKind) Valid() bool { return k == SanggahInclusion || k == SanggahExclusion }

// SanggahStatus is where an objection's case stands.
type SanggahStatus string

const (
	// SanggahRegistered: recorded, its case not started yet.
	SanggahRegistered SanggahStatus = "registered"
	// SanggahReverification: the household's village (or the TKSK) is to
	// look at the household again with the objection's reason.
	SanggahReverification SanggahStatus = "reverification"
	// SanggahAwaitingDecision: the finding is recorded; Dinsos decides.
	SanggahAwaitingDecision SanggahStatus = "awaiting_decision"
	// SanggahUpheld: Dinsos found the objection right; it goes into the
	// next decree (a revocation or an addition).
	SanggahUpheld SanggahStatus = "upheld"
	// SanggahRejected: Dinsos found the decision right.
	SanggahRejected SanggahStatus = "rejected"
	// SanggahClosed: Dinsos closed the cycle (tutup buku) before the
	// objection was decided; it ended undecided.
	SanggahClosed SanggahStatus = "closed"
	// SanggahEnacted is shown, never stored: an upheld objection whose
	// decree has been carried out (the household revoked).
	SanggahEnacted SanggahStatus = "enacted"
)

// Decided reports whether the objection has been decided.
func (s SanggahStatus) Decided() bool { return s == SanggahUpheld || s == SanggahRejected }

// Open reports whether the objection's case is still before its decision.
func (s SanggahStatus) Open() bool { return slices.Contains(OpenSanggahStatuses(), s) }

// OpenSanggahStatuses lists the statuses of an objection not decided yet.
func OpenSanggahStatuses() []SanggahStatus {
	return []SanggahStatus{SanggahRegistered, SanggahReverification, SanggahAwaitingDecision}
}

// SanggahStatuses lists the stored statuses, in the order of a case.
func SanggahStatuses() []SanggahStatus {
	return []SanggahStatus{SanggahRegistered, SanggahReverification, SanggahAwaitingDecision, SanggahUpheld, SanggahRejected, SanggahClosed}
}

// The objector of a sanggah: a citizen, the household itself, or an
// officer (who records it in its own name).
const (
	ObjectorCitizen   = "citizen"
	ObjectorHousehold = "household"
	ObjectorOfficer   = "officer"
)

// Who re-verifies a household a sanggah is against: its village, or the
// kecamatan's TKSK when the objector asks for someone outside the village.
const (
	ReverifyVillage = "village"
	ReverifyTKSK    = "tksk"
)

// DefaultSanggahDays is a sanggah's service level: decided this many days
// after it was registered, unless the cycle sets another.
const DefaultSanggahDays = 14

// SanggahStart starts one objection's case.
type SanggahStart struct {
	SanggahID     int64
	CycleID       int64
	HouseholdID   int64
	Year          int
	RegencyCode   string
	KecamatanCode string
	DesaCode      string
	// Reverifier is ReverifyVillage or ReverifyTKSK.
	Reverifier   string
	RegisteredAt time.Time
	// DueAt is when the objection is to be decided (the service level).
	DueAt time.Time
	// Deadlines holds the reminder and escalation periods, as a visit's.
	Deadlines Deadlines
	// Kind is the objection's kind: an upheld exclusion error reinstates
	// the household. Empty in cases started before it was added.
	Kind SanggahKind `json:",omitempty"`
}
