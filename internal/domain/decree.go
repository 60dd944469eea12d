package domain

import "time"

// DecreeChange is a review step on a decree (submit, return, revise, sign,
// withdraw): its move from one status to another, recorded by the decree
// workflow's activity with its audit entry.
type DecreeChange struct {
	DecreeID int64
	From, To DecreeStatus
	// Number and Date sign the decree.
	Number string
	Date   string
	// Reason is why it is returned or withdrawn.
	Reason string
	Actor  Actor
	At     time.Time
}
