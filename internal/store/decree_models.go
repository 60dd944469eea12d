package store

import "time"

// Decree statuses.
const (
	DecreeDraft     = "draft"
	DecreeSubmitted = "submitted"
	DecreeReturned  = "returned"
	DecreeSigned    = "signed"
	// DecreeWithdrawn is a draft or returned decree Dinsos withdrew
	// (batalkan): it ends unsigned and its households are free for the
	// next draft.
	DecreeWithdrawn = "withdrawn"
)

// Decree kinds.
const (
	// DecreeInitial fixes the cycle's first list of extreme-poor households.
	DecreeInitial = "initial"
	// DecreeAmendment adds households verified after an earlier decree.
	DecreeAmendment = "amendment"
	// DecreeRevocation revokes households of earlier decrees.
	DecreeRevocation = "revocation"
)

// Decree is an SK Bupati / SK Wali Kota: drafted by Dinsos, reviewed,
// returned or signed by the bupati's office. Signing settles every
// household listed at once.
type Decree struct {
	ID          int64  `gorm:"primaryKey" json:"id"`
	CycleID     int64  `gorm:"not null;index" json:"cycleId"`
	RegencyCode string `gorm:"size:5;not null;uniqueIndex:idx_decree_number" json:"regencyCode"`
	Kind        string `gorm:"size:16;not null" json:"kind"`
	Status      string `gorm:"size:16;not null" json:"status"`
	// Number is the decree number, unique in the regency once signed.
	Number       *string `gorm:"size:100;uniqueIndex:idx_decree_number" json:"number,omitempty"`
	SignedDate   string  `gorm:"size:10" json:"signedDate,omitempty"`
	ReturnReason string  `gorm:"size:1000" json:"returnReason,omitempty"`
	Reason       string  `gorm:"size:1000" json:"reason,omitempty"`
	// WithdrawReason is why Dinsos withdrew the decree.
	WithdrawReason string     `gorm:"size:1000" json:"withdrawReason,omitempty"`
	Households     int        `json:"households"`
	FannedOut      int        `json:"fannedOut"`
	CreatedBy      int64      `json:"createdBy"`
	SignedBy       *int64     `json:"signedBy,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	SignedAt       *time.Time `json:"signedAt,omitempty"`
}

// DecreeItem is one household of a decree.
type DecreeItem struct {
	DecreeID    int64 `gorm:"primaryKey;autoIncrement:false"`
	HouseholdID int64 `gorm:"primaryKey;autoIncrement:false;index"`
	// Action is add (listed as extreme poor) or revoke.
	Action string `gorm:"size:8;not null"`
}

// Proposal statuses.
const (
	ProposalDraft     = "draft"
	ProposalSubmitted = "submitted"
	ProposalAnswered  = "answered"
)

// Proposal is a monthly batch of households proposed to Kemensos:
// additions of new poor and removals of households found not eligible.
type Proposal struct {
	ID       int64  `gorm:"primaryKey" json:"id"`
	CycleID  int64  `gorm:"not null;index" json:"cycleId"`
	DecreeID int64  `gorm:"not null" json:"decreeId"`
	Month    string `gorm:"size:7;not null" json:"month"`
	Status   string `gorm:"size:16;not null" json:"status"`
	Items    int    `json:"items"`
	Answered int    `json:"answered"`
	// Simulated proposals are answered by the simulated Kemensos.
	Simulated   bool       `json:"simulated"`
	CreatedBy   int64      `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	SubmittedAt *time.Time `json:"submittedAt,omitempty"`
}

// ProposalItem is one household of a proposal and Kemensos' answer to it.
type ProposalItem struct {
	ProposalID  int64 `gorm:"primaryKey;autoIncrement:false"`
	HouseholdID int64 `gorm:"primaryKey;autoIncrement:false;index"`
	// Jenis is TAMBAH (add to the registry) or HAPUS (remove).
	Jenis  string `gorm:"size:8;not null"`
	Alasan string `gorm:"size:32"`
	// Answer is empty until Kemensos answers: DITETAPKAN or DITOLAK.
	Answer       string `gorm:"size:16"`
	AnswerReason string `gorm:"size:32"`
	AnswerNote   string `gorm:"size:500"`
	AnswerDate   string `gorm:"size:10"`
	// Signalled is set once the household's workflow has the answer.
	Signalled bool `gorm:"not null"`
	// Corrected is set on a NIK_TIDAK_PADAN rejection once Dinsos has
	// corrected the household's numbers: only then is it proposed again.
	Corrected bool `gorm:"not null;default:false"`
}

// Enrolment is a household's place in an aid programme in a cycle. The
// unique key makes re-running enrolment duplicate nothing.
type Enrolment struct {
	ID          int64      `gorm:"primaryKey" json:"-"`
	CycleID     int64      `gorm:"not null;uniqueIndex:idx_enrolment" json:"cycleId"`
	HouseholdID int64      `gorm:"not null;uniqueIndex:idx_enrolment" json:"householdId"`
	Programme   string     `gorm:"size:16;not null;uniqueIndex:idx_enrolment" json:"programme"`
	Status      string     `gorm:"size:8;not null" json:"status"`
	EnrolledAt  *time.Time `json:"enrolledAt,omitempty"`
	ExitedAt    *time.Time `json:"exitedAt,omitempty"`
	ExitReason  string     `gorm:"size:200" json:"exitReason,omitempty"`
}

// Enrolment statuses.
const (
	EnrolmentActive = "active"
	EnrolmentExited = "exited"
)
