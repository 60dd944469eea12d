package store

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/verval/verval/internal/domain"
)

// Cycle is one regency's verval cycle for one year.
type Cycle struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	RegencyCode string    `gorm:"size:5;not null;uniqueIndex:idx_cycle_regency_year" json:"regencyCode"`
	Year        int       `gorm:"not null;uniqueIndex:idx_cycle_regency_year" json:"year"`
	OpenedAt    time.Time `gorm:"not null" json:"openedAt"`
	// VerificationDays is how long a village has for each visit.
	VerificationDays int `gorm:"not null" json:"verificationDays"`
	// MaxDesil is the cycle's scope: families of desil 1 to MaxDesil
	// enter verification (1 to 5; 1 by default). The families of a higher
	// desil in the file are kept as ReferenceFamily rows.
	MaxDesil int `gorm:"not null;default:1" json:"maxDesil"`
	// SanggahDays is an objection's service level: decided this many days
	// after it is registered (domain.DefaultSanggahDays by default).
	SanggahDays int       `gorm:"not null;default:14" json:"sanggahDays"`
	CreatedBy   int64     `json:"createdBy"`
	CreatedAt   time.Time `json:"createdAt"`
	// ClosedAt is when Dinsos closed the cycle (tutup buku); nil while open.
	// A closed cycle takes in no households and drafts no decrees or
	// proposals; its waiting households end in stage closed.
	ClosedAt    *time.Time `json:"closedAt,omitempty"`
	CloseReason string     `gorm:"size:500;not null;default:''" json:"closeReason,omitempty"`
	ClosedBy    int64      `gorm:"not null;default:0" json:"closedBy,omitempty"`
	// CloseHouseholds is how many households the close's fan-out has
	// reached (closed, or found already finished), for its progress.
	CloseHouseholds int `gorm:"not null;default:0" json:"closeHouseholds"`
}

// VerificationDue is when the villages' visits of cy's households are
// due: VerificationDays after the cycle opened, or, for a cycle that
// opened before it came into verval (a regency bringing its running year
// in), after the day it came in.
func (cy *Cycle) VerificationDue() time.Time {
	from := cy.OpenedAt
	if cy.CreatedAt.After(from) {
		from = cy.CreatedAt
	}
	return from.Add(time.Duration(cy.VerificationDays) * 24 * time.Hour)
}

// Household is one family (one Kartu Keluarga) in one cycle. NIK and No KK
// are kept sealed (AES-GCM) with a keyed hash beside them for exact look-up
// and a masked form for display; the clear values are never stored.
type Household struct {
	ID       int64  `gorm:"primaryKey"`
	CycleID  int64  `gorm:"not null;uniqueIndex:idx_household_cycle_kk;uniqueIndex:idx_household_cycle_family;index:idx_household_cycle_stage"`
	IntakeID int64  `gorm:"not null;index"`
	Row      int    `gorm:"not null"`
	FamilyID string `gorm:"size:64;not null;uniqueIndex:idx_household_cycle_family"`

	KKHash    string `gorm:"size:64;not null;uniqueIndex:idx_household_cycle_kk"`
	KKSealed  []byte `gorm:"not null"`
	KKMasked  string `gorm:"size:16;not null"`
	NIKHash   string `gorm:"size:64;not null;index"`
	NIKSealed []byte `gorm:"not null"`
	NIKMasked string `gorm:"size:16;not null"`

	Name       string            `gorm:"size:200;not null"`
	Sex        string            `gorm:"size:1"`
	BirthDate  *time.Time        ``
	Address    string            `gorm:"size:500;not null"`
	Members    int               ``
	Occupation string            `gorm:"size:200"`
	Education  string            `gorm:"size:200"`
	Indicators domain.Indicators `gorm:"serializer:json;type:text"`

	RegencyCode   string `gorm:"size:5;not null"`
	KecamatanCode string `gorm:"size:8;not null;index"`
	DesaCode      string `gorm:"size:13;not null;index"`
	Desil         int    `gorm:"not null"`
	InDTKS        bool   `gorm:"not null"`
	PKH           bool   `gorm:"not null"`
	BPNT          bool   `gorm:"not null"`
	PBI           bool   `gorm:"not null"`

	Stage          string    `gorm:"size:32;not null;index:idx_household_cycle_stage"`
	StageEnteredAt time.Time `gorm:"not null"`
	// Outcome is the latest visit outcome, empty before the first visit.
	Outcome string `gorm:"size:16"`
	// Terminal reason, for households whose case has ended.
	Reason string `gorm:"size:200"`
	// StageSeq is the workflow's transition counter of the last stage
	// written, so a retried or late write never moves a household back.
	StageSeq int `gorm:"not null"`
	// Source is where the household came from: SourceFile (the P3KE or
	// DTSEN file) or SourceUsul (proposed from outside it).
	Source string `gorm:"size:8;not null;default:'p3ke'"`
	// PrevHouseholdID is the same family's household in the cycle this one
	// was opened from (source carried), with its final stage and reason
	// there: last year's result, and the link to last year's history.
	PrevHouseholdID *int64 `gorm:"index"`
	PrevStage       string `gorm:"size:32;not null;default:''"`
	PrevReason      string `gorm:"size:200;not null;default:''"`
	// WorkflowStarted is set once the household's workflow is running, so an
	// interrupted intake knows where to resume.
	WorkflowStarted bool `gorm:"not null;index"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Intake is one P3KE file loaded into a cycle, and its progress.
type Intake struct {
	ID       int64  `gorm:"primaryKey" json:"id"`
	CycleID  int64  `gorm:"not null;index" json:"cycleId"`
	FileName string `gorm:"size:255" json:"fileName"`
	Size     int64  `json:"size"`
	// Status is queued, running, done or failed.
	Status     string `gorm:"size:16;not null" json:"status"`
	RowsParsed int    `json:"rowsParsed"`
	// LastRow is the last spreadsheet row whose outcome is stored; a
	// resumed intake continues after it.
	LastRow          int    `json:"-"`
	Accepted         int    `json:"accepted"`
	Skipped          int    `json:"skipped"`
	Rejected         int    `json:"rejected"`
	Warnings         int    `json:"warnings"`
	AlreadyPresent   int    `json:"alreadyPresent"`
	HouseholdsStored int    `json:"householdsStored"`
	WorkflowsStarted int    `json:"workflowsStarted"`
	Error            string `gorm:"size:1000" json:"error,omitempty"`
	// ErrorCode and ErrorArgs say why the intake failed as a coded
	// reason (internal/p3ke's codes, or IntakeNotStarted), which the
	// pages translate; empty for a failure of verval's own and for
	// intakes that failed before codes were stored (Error still says it).
	ErrorCode  string     `gorm:"size:64" json:"errorCode,omitempty"`
	ErrorArgs  []string   `gorm:"type:text;serializer:json" json:"errorArgs,omitempty"`
	CreatedBy  int64      `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// IntakeIssue is one rejected or warned row of an intake. Code and Args
// are the parser's coded reason (internal/p3ke's or internal/ident's
// codes), which the pages translate; Reason is its English. Issues stored
// before codes were have only Reason.
type IntakeIssue struct {
	ID       int64    `gorm:"primaryKey" json:"-"`
	IntakeID int64    `gorm:"not null;index" json:"-"`
	Row      int      `json:"row"`
	Column   string   `gorm:"size:64" json:"column"`
	Reason   string   `gorm:"size:500" json:"reason"`
	Severity string   `gorm:"size:8" json:"severity"`
	Code     string   `gorm:"size:64" json:"code,omitempty"`
	Args     []string `gorm:"type:text;serializer:json" json:"args,omitempty"`
}

// HouseholdMember is one person of a household: a DTSEN member row, or
// someone the village's visit added (a birth). The NIK is sealed with a
// keyed hash beside it and a masked form, as a head's; a newborn may have
// none yet. The name is masked on reading for the roles that do not work
// with families by name, as a head's. Members live in the database only:
// no workflow carries them.
type HouseholdMember struct {
	ID          int64  `gorm:"primaryKey" json:"id"`
	HouseholdID int64  `gorm:"not null;index" json:"-"`
	CycleID     int64  `gorm:"not null;index" json:"-"`
	NIKHash     string `gorm:"size:64;not null;index" json:"-"`
	NIKSealed   []byte `json:"-"`
	NIKMasked   string `gorm:"size:16;not null" json:"nikMasked"`
	Name        string `gorm:"size:200;not null" json:"name"`
	// Relation is the machine name of hubungan_keluarga (p3ke.Relation).
	Relation   string    `gorm:"size:16;not null" json:"relation"`
	Sex        string    `gorm:"size:1;not null" json:"sex"`
	BirthDate  time.Time `gorm:"not null" json:"birthDate"`
	Occupation string    `gorm:"size:200;not null;default:''" json:"occupation"`
	// Disability is "", ringan, sedang or berat.
	Disability string `gorm:"size:8;not null;default:''" json:"disability,omitempty"`
	InSchool   bool   `gorm:"not null" json:"inSchool"`
	Pregnant   bool   `gorm:"not null" json:"pregnant"`
	// Status is present, died or moved_out (MemberPresent...); StatusDate
	// is when it changed, as the village reported it.
	Status     string `gorm:"size:16;not null" json:"status"`
	StatusDate string `gorm:"size:10;not null;default:''" json:"statusDate,omitempty"`
	// Source is intake (the file), visit (added by the village) or
	// change (a birth during the year, a confirmed change of members).
	Source string `gorm:"size:8;not null" json:"source"`
}

// A member's statuses and sources.
const (
	MemberPresent  = "present"
	MemberDied     = "died"
	MemberMovedOut = "moved_out"
	SourceIntake   = "intake"
	SourceVisit    = "visit"
	// SourceChange: born during the year, a confirmed change of members.
	SourceChange = "change"
)

// ReferenceFamily is a family of an intake's file above the cycle's desil
// scope: counted and kept as reference, not verified (no household, task
// or workflow). It holds nothing personal.
type ReferenceFamily struct {
	ID       int64  `gorm:"primaryKey" json:"-"`
	CycleID  int64  `gorm:"not null;index:idx_reference_cycle_desil" json:"cycleId"`
	IntakeID int64  `gorm:"not null;index" json:"intakeId"`
	Row      int    `gorm:"not null" json:"row"`
	FamilyID string `gorm:"size:64;not null" json:"familyId"`
	Desil    int    `gorm:"not null;index:idx_reference_cycle_desil" json:"desil"`
	// DesaCode is the family's village, or the cycle's regency code when
	// the file's code is not a village of the regency (the row is not
	// checked).
	DesaCode string `gorm:"size:13;not null" json:"desaCode"`
	// Members is jumlah_anggota, or the member rows counted.
	Members int `gorm:"not null" json:"members"`
}

// Task is a household's village verification task. Its primary key is the
// household's: there is one verification per household per cycle.
type Task struct {
	HouseholdID   int64     `gorm:"primaryKey"`
	CycleID       int64     `gorm:"not null;index"`
	KecamatanCode string    `gorm:"size:8;not null;index"`
	DesaCode      string    `gorm:"size:13;not null;index"`
	DueAt         time.Time `gorm:"not null;index"`
	// Status is open, submitted or closed (the village meeting closed it).
	Status domain.TaskStatus `gorm:"size:16;not null;index"`
	// Version counts results recorded; a correction must name the version it
	// corrects so two officers cannot overwrite each other unknowingly.
	Version     int                 `gorm:"not null"`
	Result      *domain.VisitResult `gorm:"serializer:json;type:text"`
	SubmittedBy *int64
	SubmittedAt *time.Time
	// AssigneeID is the officer a TKSK reassigned the task to, if any.
	AssigneeID *int64
	// ClosingMeetingID is the village meeting that closed the list while
	// the task was submitted: from then on its result cannot change, even
	// before the meeting's fan-out has reached the household. A reopen
	// clears it.
	ClosingMeetingID *int64
	// EscalationLevel: 0 none, 1 reminded, 2 escalated to TKSK, 3 to Dinsos.
	EscalationLevel int `gorm:"not null"`
	UpdatedAt       time.Time
}

// Meeting is a village meeting (musyawarah desa / kelurahan) that confirms
// the village's list and closes its verification.
type Meeting struct {
	ID              int64     `gorm:"primaryKey" json:"id"`
	CycleID         int64     `gorm:"not null;index:idx_meeting_cycle_desa" json:"cycleId"`
	DesaCode        string    `gorm:"size:13;not null;index:idx_meeting_cycle_desa" json:"desaCode"`
	Date            string    `gorm:"size:10;not null" json:"date"`
	BeritaAcaraNo   string    `gorm:"size:100;not null" json:"beritaAcaraNo"`
	Attendees       int       `gorm:"not null" json:"attendees"`
	DocumentName    string    `gorm:"size:255" json:"documentName,omitempty"`
	Document        []byte    `json:"-"`
	HouseholdsTotal int       `json:"householdsTotal"`
	RecordedBy      int64     `json:"recordedBy"`
	CreatedAt       time.Time `json:"createdAt"`
}

// MeetingHousehold is one household whose list a village meeting closed:
// the meeting's audit entry is shown in that household's history.
type MeetingHousehold struct {
	MeetingID   int64 `gorm:"primaryKey;autoIncrement:false"`
	HouseholdID int64 `gorm:"primaryKey;autoIncrement:false;index"`
}

// StageEvent is one entry of a household's stage history.
type StageEvent struct {
	ID          int64     `gorm:"primaryKey" json:"-"`
	HouseholdID int64     `gorm:"not null;uniqueIndex:idx_stage_event_seq" json:"-"`
	Seq         int       `gorm:"not null;uniqueIndex:idx_stage_event_seq" json:"seq"`
	Stage       string    `gorm:"size:32;not null" json:"stage"`
	At          time.Time `gorm:"not null" json:"at"`
	Reason      string    `gorm:"size:200" json:"reason,omitempty"`
}

// User is a person who logs in. RegionCode and Regions scope what they may
// see: village codes for village officers, PSM and PKH companions,
// kecamatan codes for TKSK, a regency code for Dinsos and the bupati's
// office, empty for administrators.
type User struct {
	ID           int64  `gorm:"primaryKey" json:"id"`
	Username     string `gorm:"size:64;not null;uniqueIndex" json:"username"`
	PasswordHash string `gorm:"size:255;not null" json:"-"`
	Name         string `gorm:"size:200;not null" json:"name"`
	// Phone is the person's phone number (digits, a leading + allowed),
	// for handing over a one-time password; "" when not given.
	Phone      string `gorm:"size:20;not null;default:''" json:"phone,omitempty"`
	Role       string `gorm:"size:16;not null" json:"role"`
	RegionCode string `gorm:"size:13;not null" json:"regionCode"`
	// Regions are every region the account holds, sorted and joined by
	// ";" (RegionCode is the first): several desa for a PKH companion.
	Regions  string `gorm:"type:text;not null;default:''" json:"-"`
	Disabled bool   `gorm:"not null" json:"disabled"`
	// MustChangePassword: the password is a one-time one, handed out at
	// creation; every step but changing it is refused until it is.
	MustChangePassword bool      `gorm:"not null;default:false" json:"mustChangePassword"`
	CreatedAt          time.Time `json:"createdAt"`
}

// Session is a login token, stored as a hash so a database leak does not
// leak usable tokens.
type Session struct {
	TokenHash string    `gorm:"primaryKey;size:64"`
	UserID    int64     `gorm:"not null;index"`
	ExpiresAt time.Time `gorm:"not null"`
	RevokedAt *time.Time
	CreatedAt time.Time
}

// AuditEntry is one human action, append-only and chained by hash to the
// one before it so tampering shows.
type AuditEntry struct {
	ID int64 `gorm:"primaryKey" json:"id"`
	// Key makes an append idempotent: a retried activity appends once.
	IdemKey     string    `gorm:"size:128;not null;uniqueIndex" json:"-"`
	At          time.Time `gorm:"not null" json:"at"`
	ActorID     int64     `gorm:"not null" json:"actorId"`
	ActorRole   string    `gorm:"size:16;not null" json:"actorRole"`
	RequestID   string    `gorm:"size:64" json:"requestId,omitempty"`
	CycleID     int64     `gorm:"index" json:"cycleId,omitempty"`
	HouseholdID *int64    `gorm:"index" json:"householdId,omitempty"`
	Action      string    `gorm:"size:64;not null" json:"action"`
	Detail      string    `gorm:"type:text" json:"detail,omitempty"`
	PrevHash    string    `gorm:"size:64;not null" json:"-"`
	Hash        string    `gorm:"size:64;not null;uniqueIndex" json:"-"`
}

// Notification is a reminder or escalation shown in the app. Key makes a
// notification idempotent: a retried activity writes it once.
type Notification struct {
	ID          int64      `gorm:"primaryKey" json:"id"`
	IdemKey     string     `gorm:"size:128;not null;uniqueIndex" json:"-"`
	CycleID     int64      `gorm:"not null;index" json:"cycleId"`
	RegionCode  string     `gorm:"size:13;not null;index" json:"regionCode"`
	Kind        string     `gorm:"size:32;not null" json:"kind"`
	HouseholdID int64      `json:"householdId,omitempty"`
	DesaCode    string     `gorm:"size:13" json:"desaCode"`
	Message     string     `gorm:"size:500;not null" json:"message"`
	CreatedAt   time.Time  `json:"createdAt"`
	ReadAt      *time.Time `json:"readAt,omitempty"`
}

// Decree is an SK Bupati / SK Wali Kota: drafted by Dinsos, reviewed,
// returned or signed by the bupati's office. Signing settles every
// household listed at once.
type Decree struct {
	ID          int64               `gorm:"primaryKey" json:"id"`
	CycleID     int64               `gorm:"not null;index" json:"cycleId"`
	RegencyCode string              `gorm:"size:5;not null;uniqueIndex:idx_decree_number" json:"regencyCode"`
	Kind        domain.DecreeKind   `gorm:"size:16;not null" json:"kind"`
	Status      domain.DecreeStatus `gorm:"size:16;not null" json:"status"`
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

// Proposal is a monthly batch of households proposed to Kemensos:
// additions of new poor and removals of households found not eligible.
type Proposal struct {
	ID       int64                 `gorm:"primaryKey" json:"id"`
	CycleID  int64                 `gorm:"not null;index" json:"cycleId"`
	DecreeID int64                 `gorm:"not null" json:"decreeId"`
	Month    string                `gorm:"size:7;not null" json:"month"`
	Status   domain.ProposalStatus `gorm:"size:16;not null" json:"status"`
	Items    int                   `json:"items"`
	Answered int                   `json:"answered"`
	// Simulated proposals are answered by the simulated Kemensos.
	Simulated   bool       `json:"simulated"`
	CreatedBy   int64      `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	SubmittedAt *time.Time `json:"submittedAt,omitempty"`
	// ChangesUntil (YYYY-MM-DD), when building the batch, is the last day
	// a change it proposes may have happened on: its month's cut-off day.
	// A change after it waits for the next month's batch; "" takes every
	// change. Not stored.
	ChangesUntil string `gorm:"-" json:"-"`
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
	// AnswerMemberID is the household's member Kemensos' rejection names
	// (the answer file's nik_anggota), nil when it names none.
	AnswerMemberID *int64
	// Signalled is set once the household's workflow has the answer.
	Signalled bool `gorm:"not null"`
	// Corrected is set on a NIK_TIDAK_PADAN rejection once Dinsos has
	// corrected the household's numbers: only then is it proposed again.
	Corrected bool `gorm:"not null;default:false"`
	// KKHash, KKSealed, NIKHash and NIKSealed are the household's No KK
	// and NIK as this batch proposed them, copied (sealed, with their keyed
	// hashes) from the household when the batch is built. A later
	// correction changes the household's numbers, not the batch's: the
	// batch's file stays the file that was sent, and Kemensos' answers to
	// it are matched by the numbers it proposed (ProposalLines,
	// ProposalMatcher). Items built before these columns were filled from
	// the households' numbers when the columns were added.
	KKHash    string `gorm:"size:64;not null;default:''"`
	KKSealed  []byte
	NIKHash   string `gorm:"size:64;not null;default:''"`
	NIKSealed []byte
}

// proposalItemNumbers are ProposalItem's columns of personal data, left
// out of the queries that do not need them.
var proposalItemNumbers = []string{"kk_hash", "kk_sealed", "nik_hash", "nik_sealed"}

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

// MarshalJSON writes the user with its regions as a list.
func (u User) MarshalJSON() ([]byte, error) {
	type plain User
	return json.Marshal(struct {
		plain
		RegionList []string `json:"regions"`
	}{plain(u), u.RegionList()})
}

// RegionList is the user's regions (RegionCode alone for a row written
// before accounts held several).
func (u User) RegionList() []string {
	if u.Regions == "" {
		if u.RegionCode == "" {
			return []string{}
		}
		return []string{u.RegionCode}
	}
	return strings.Split(u.Regions, ";")
}
