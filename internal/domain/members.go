package domain

// The changes a village's visit makes to a household's members
// (store.MemberChange).
const (
	MemberBorn       = "born"       // a new member: a birth (or someone who joined the family card)
	MemberDied       = "died"       // a member died
	MemberMovedOut   = "moved_out"  // a member moved out of the household
	MemberOccupation = "occupation" // a member has a new occupation
)

// MemberChanges lists the kinds of member change.
func MemberChanges() []string {
	return []string{MemberBorn, MemberDied, MemberMovedOut, MemberOccupation}
}
