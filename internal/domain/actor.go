package domain

// Actor is who did a human step, for the audit trail: a user id and role,
// and the HTTP request that carried the step. It holds no name.
type Actor struct {
	UserID    int64
	Role      string
	RequestID string
}
