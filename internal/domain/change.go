package domain

// ChangeKind is a change to a decided (enrolled) household during the
// year, recorded by the village officer, the PSM, the PKH companion or
// Dinsos and confirmed by the TKSK or Dinsos (docs/process.md, "During
// the year").
type ChangeKind string

// The changes. The values are stored and shown; add new ones, never rename.
const (
	// ChangeHeadDied: the head of the family died. With NewHeadMemberID a
	// member present becomes the head and the family stays enrolled;
	// without, the family ends.
	ChangeHeadDied ChangeKind = "head_died"
	// ChangeMovedDesa: the family moved to another desa of the regency;
	// the household is handed to that village's officers.
	ChangeMovedDesa ChangeKind = "moved_desa"
	// ChangeMovedOut: the family moved out of the regency.
	ChangeMovedOut ChangeKind = "moved_out"
	// ChangeGraduated: the family is now well-off (graduasi).
	ChangeGraduated ChangeKind = "graduated"
	// ChangeWithdrew: the family withdrew of its own will (mengundurkan diri).
	ChangeWithdrew ChangeKind = "withdrew"
	// ChangeMembers: the family's members changed (births, deaths, moves,
	// recorded member by member); the family stays enrolled.
	ChangeMembers ChangeKind = "members_changed"
	// ChangeRevoked is not recorded by an officer: it is a revocation
	// decree's effect on an enrolled household, kept with the changes so
	// the next monthly batch proposes its HAPUS.
	ChangeRevoked ChangeKind = "revoked"
)

// ChangeKinds lists the changes an officer records.
func ChangeKinds() []ChangeKind {
	return []ChangeKind{ChangeHeadDied, ChangeMovedDesa, ChangeMovedOut, ChangeGraduated, ChangeWithdrew, ChangeMembers}
}

// Valid reports whether k is a change an officer records.
func (k ChangeKind) Valid() bool {
	for _, c := range ChangeKinds() {
		if c == k {
			return true
		}
	}
	return false
}

// Exits reports whether a confirmed change of kind k ends the family's
// programmes (and proposes its HAPUS). A head's death with a new head
// does not (newHead).
func (k ChangeKind) Exits(newHead bool) bool {
	switch k {
	case ChangeHeadDied:
		return !newHead
	case ChangeMovedOut, ChangeGraduated, ChangeWithdrew, ChangeRevoked:
		return true
	}
	return false
}

// Change statuses.
const (
	ChangePending   = "pending"
	ChangeConfirmed = "confirmed"
	ChangeRefused   = "refused"
)
