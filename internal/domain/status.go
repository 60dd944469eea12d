package domain

// DecreeStatus is where an SK Bupati is in its review.
type DecreeStatus string

// The decree statuses, stored in the decrees table and shown on the pages.
const (
	DecreeDraft     DecreeStatus = "draft"
	DecreeSubmitted DecreeStatus = "submitted"
	DecreeReturned  DecreeStatus = "returned"
	DecreeSigned    DecreeStatus = "signed"
	// DecreeWithdrawn: Dinsos withdrew (batalkan) a draft or returned
	// decree; its households are free for the next decree.
	DecreeWithdrawn DecreeStatus = "withdrawn"
)

// DecreeStatuses lists every decree status in review order.
func DecreeStatuses() []DecreeStatus {
	return []DecreeStatus{DecreeDraft, DecreeSubmitted, DecreeReturned, DecreeSigned, DecreeWithdrawn}
}

// DecreeKind says what a decree does to its households.
type DecreeKind string

// The decree kinds.
const (
	// DecreeInitial fixes the cycle's first list of eligible households.
	DecreeInitial DecreeKind = "initial"
	// DecreeAmendment adds households verified after an earlier decree.
	DecreeAmendment DecreeKind = "amendment"
	// DecreeRevocation removes households an earlier decree listed.
	DecreeRevocation DecreeKind = "revocation"
)

// DecreeKinds lists every decree kind.
func DecreeKinds() []DecreeKind {
	return []DecreeKind{DecreeInitial, DecreeAmendment, DecreeRevocation}
}

// ProposalStatus is where a monthly Kemensos batch is.
type ProposalStatus string

// The batch statuses.
const (
	// ProposalDraft: built, its file can be downloaded, not yet sent.
	ProposalDraft ProposalStatus = "draft"
	// ProposalSubmitted: sent to Kemensos (SIKS-NG), waiting for answers.
	ProposalSubmitted ProposalStatus = "submitted"
	// ProposalAnswered: every household has an answer (or was recorded as
	// not answered by Kemensos).
	ProposalAnswered ProposalStatus = "answered"
)

// ProposalStatuses lists every batch status.
func ProposalStatuses() []ProposalStatus {
	return []ProposalStatus{ProposalDraft, ProposalSubmitted, ProposalAnswered}
}

// TaskStatus is where a village verification task is.
type TaskStatus string

// The task statuses.
const (
	// TaskOpen: not visited yet.
	TaskOpen TaskStatus = "open"
	// TaskSubmitted: a result is recorded; the village can still correct it.
	TaskSubmitted TaskStatus = "submitted"
	// TaskClosed: the village meeting closed the list.
	TaskClosed TaskStatus = "closed"
)

// TaskStatuses lists every task status.
func TaskStatuses() []TaskStatus {
	return []TaskStatus{TaskOpen, TaskSubmitted, TaskClosed}
}
