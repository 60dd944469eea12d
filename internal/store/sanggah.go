package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// Sanggah is an objection to a household's decision (docs/process.md,
// "Sanggah"): an inclusion error (on the list but well-off) or an
// exclusion error (left out but poor). Its case is a workflow of its own
// (workflows.SanggahWorkflow). Who objected, and how to reach them, is
// sealed in ObjectorSealed and shown to nobody: the objector is told
// through the gateway, from an activity, and follows the case by Receipt.
type Sanggah struct {
	ID          int64  `gorm:"primaryKey" json:"id"`
	CycleID     int64  `gorm:"not null;index" json:"cycleId"`
	HouseholdID int64  `gorm:"not null;index" json:"householdId"`
	Receipt     string `gorm:"size:32;not null;uniqueIndex" json:"receipt"`
	// Seq numbers the cycle's objections, for the receipt.
	Seq           int                `gorm:"not null" json:"-"`
	Kind          domain.SanggahKind `gorm:"size:16;not null" json:"kind"`
	Channel       string             `gorm:"size:16;not null" json:"channel"`
	ObjectorKind  string             `gorm:"size:16;not null" json:"objectorKind"`
	Reason        string             `gorm:"size:1000;not null" json:"reason"`
	Reverifier    string             `gorm:"size:8;not null" json:"reverifier"`
	RegencyCode   string             `gorm:"size:5;not null" json:"regencyCode"`
	KecamatanCode string             `gorm:"size:8;not null" json:"kecamatanCode"`
	DesaCode      string             `gorm:"size:13;not null;index" json:"desaCode"`
	// ObjectorSealed is the objector's name and phone (sanggahObjector),
	// sealed with ADSanggahObjector.
	ObjectorSealed []byte               `gorm:"not null" json:"-"`
	Status         domain.SanggahStatus `gorm:"size:20;not null" json:"status"`
	StatusAt       time.Time            `gorm:"not null" json:"statusAt"`
	DueAt          time.Time            `gorm:"not null" json:"dueAt"`
	// The household's stage when the objection was made.
	HouseholdStage string    `gorm:"size:32;not null" json:"householdStage"`
	CreatedBy      int64     `gorm:"not null" json:"createdBy"`
	CreatedAt      time.Time `gorm:"not null" json:"createdAt"`
	// The re-verification's finding.
	FindingOutcome string     `gorm:"size:16;not null;default:''" json:"findingOutcome,omitempty"`
	FindingNote    string     `gorm:"size:1000;not null;default:''" json:"findingNote,omitempty"`
	FindingBy      int64      `gorm:"not null;default:0" json:"findingBy,omitempty"`
	FindingAt      *time.Time `json:"findingAt,omitempty"`
	// Dinsos' decision.
	DecisionNote string     `gorm:"size:1000;not null;default:''" json:"decisionNote,omitempty"`
	DecidedBy    int64      `gorm:"not null;default:0" json:"decidedBy,omitempty"`
	DecidedAt    *time.Time `json:"decidedAt,omitempty"`
	// InformedAt is when the objector was last told (at registration, then
	// at the decision); nil when they never were (no phone).
	InformedAt      *time.Time `json:"informedAt,omitempty"`
	WorkflowStarted bool       `gorm:"not null;default:false" json:"-"`
}

// TableName keeps the table's name in Indonesian's own plural-less form.
func (Sanggah) TableName() string { return "sanggah" }

// ADSanggahObjector is the additional data an objector's contact is
// sealed with.
const ADSanggahObjector = "sanggah.objector"

// SanggahObjector is who objected and how to reach them.
type SanggahObjector struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// NewSanggah is an objection to record.
type NewSanggah struct {
	CycleID      int64
	HouseholdID  int64
	Kind         domain.SanggahKind
	Channel      string
	ObjectorKind string
	Objector     SanggahObjector
	Reason       string
	// Reverifier is domain.ReverifyVillage (default) or ReverifyTKSK.
	Reverifier string
}

// decidedStages are the household stages in which its decision is taken,
// by the objection that fits them: an inclusion error is against a
// household found eligible, an exclusion error against one found
// otherwise (or revoked).
var decidedStages = []string{
	string(domain.StageAwaitingDecree), string(domain.StageAwaitingProposal), string(domain.StageAwaitingKemensos),
	string(domain.StageEnrolled), string(domain.StageRejected), string(domain.StageNotEligible),
	string(domain.StageRemoved), string(domain.StageRevoked),
}

// fits reports whether an objection of kind k fits a household.
func fits(k domain.SanggahKind, h *Household) bool {
	if !slices.Contains(decidedStages, h.Stage) {
		return false
	}
	listed := h.Outcome == string(domain.OutcomeEligible) && h.Stage != string(domain.StageRevoked)
	return (k == domain.SanggahInclusion) == listed
}

// CreateSanggah checks an objection and stores it with its receipt code
// (SanggahReceipt) and its due date (the cycle's sanggah days). The caller
// has checked the caller's region. A household still before its decision
// is CodeSanggahUndecided; one an objection of this kind does not fit is
// CodeSanggahKindStage; one with an objection open is CodeSanggahOpen. The
// same objection sent again while its workflow has not started returns
// the one stored (resume=true), so the start can be retried.
func (s *Store) CreateSanggah(ctx context.Context, in NewSanggah, actor domain.Actor) (sg *Sanggah, cy *Cycle, resume bool, err error) {
	if err := checkSanggah(&in); err != nil {
		return nil, nil, false, err
	}
	contact, err := json.Marshal(in.Objector)
	if err != nil {
		return nil, nil, false, err
	}
	sg, cy = &Sanggah{}, &Cycle{}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOpenCycle(tx, in.CycleID); err != nil {
			return err
		}
		if err := tx.First(cy, "id = ?", in.CycleID).Error; err != nil {
			return wrapNotFound(err)
		}
		var h Household
		if err := tx.First(&h, "id = ? AND cycle_id = ?", in.HouseholdID, in.CycleID).Error; err != nil {
			return wrapNotFound(err)
		}
		var open Sanggah
		res := tx.Where("household_id = ? AND status IN ?", h.ID, openSanggah).Limit(1).Find(&open)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			if !open.WorkflowStarted && open.Kind == in.Kind && open.Reason == in.Reason && open.CreatedBy == actor.UserID {
				*sg, resume = open, true
				return nil
			}
			return conflict(domain.CodeSanggahOpen, open.ID)
		}
		switch {
		case slices.Contains(undecidedStages, h.Stage):
			return conflict(domain.CodeSanggahUndecided, h.Stage)
		case !fits(in.Kind, &h):
			return conflict(domain.CodeSanggahKindStage, in.Kind, h.Stage)
		}
		var last int
		if err := tx.Model(&Sanggah{}).Where("cycle_id = ?", cy.ID).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error; err != nil {
			return err
		}
		sealed, err := s.Keys.Seal(string(contact), ADSanggahObjector)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		days := cy.SanggahDays
		if days <= 0 {
			days = domain.DefaultSanggahDays
		}
		*sg = Sanggah{
			CycleID: cy.ID, HouseholdID: h.ID, Seq: last + 1, Receipt: SanggahReceipt(cy.RegencyCode, cy.Year, last+1),
			Kind: in.Kind, Channel: in.Channel, ObjectorKind: in.ObjectorKind, Reason: in.Reason, Reverifier: in.Reverifier,
			RegencyCode: h.RegencyCode, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode, ObjectorSealed: sealed,
			Status: domain.SanggahRegistered, StatusAt: now, DueAt: now.Add(time.Duration(days) * 24 * time.Hour),
			HouseholdStage: h.Stage, CreatedBy: actor.UserID, CreatedAt: now,
		}
		if err := tx.Create(sg).Error; err != nil {
			return fmt.Errorf("store sanggah: %w", err)
		}
		hid := h.ID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("sanggah.create:%d", sg.ID), At: now, ActorID: actor.UserID, ActorRole: actor.Role,
			RequestID: actor.RequestID, CycleID: cy.ID, HouseholdID: &hid, Action: "sanggah.create",
			Detail: jsonString(map[string]any{"sanggahId": sg.ID, "kind": sg.Kind, "channel": sg.Channel, "objector": sg.ObjectorKind, "reverifier": sg.Reverifier}),
		})
	})
	if err != nil {
		return nil, nil, false, WrapUnavailable(err)
	}
	return sg, cy, resume, nil
}

// SanggahReceipt is an objection's receipt code: SGH, the regency's code
// without dots, the year and the cycle's sequence number
// (SGH-3505-2026-000123). It names no person and no village.
func SanggahReceipt(regency string, year, seq int) string {
	return fmt.Sprintf("SGH-%s-%d-%06d", strings.ReplaceAll(regency, ".", ""), year, seq)
}

// checkSanggah checks an objection's fields.
func checkSanggah(in *NewSanggah) error {
	in.Reason = strings.TrimSpace(in.Reason)
	in.Objector.Name = strings.TrimSpace(in.Objector.Name)
	in.Objector.Phone = NormalizePhone(in.Objector.Phone)
	if in.Reverifier == "" {
		in.Reverifier = domain.ReverifyVillage
	}
	switch {
	case !in.Kind.Valid():
		return invalid("kind", domain.CodeSanggahKind)
	case in.ObjectorKind != domain.ObjectorCitizen && in.ObjectorKind != domain.ObjectorHousehold && in.ObjectorKind != domain.ObjectorOfficer:
		return invalid("objectorKind", domain.CodeSanggahObjector)
	case in.Objector.Name == "" || utf8.RuneCountInString(in.Objector.Name) > 200:
		return invalid("objectorName", domain.CodeSanggahName)
	case in.Objector.Phone != "" && !phoneRE.MatchString(in.Objector.Phone):
		return invalid("objectorPhone", domain.CodePhone)
	case utf8.RuneCountInString(in.Reason) < 10 || utf8.RuneCountInString(in.Reason) > 1000:
		return invalid("reason", domain.CodeSanggahReason)
	case in.Reverifier != domain.ReverifyVillage && in.Reverifier != domain.ReverifyTKSK:
		return invalid("reverifier", domain.CodeSanggahReverifier)
	}
	if e := domain.CheckChars("objectorName", in.Objector.Name, false); e != nil {
		return e
	}
	if e := domain.CheckChars("reason", in.Reason, true); e != nil {
		return e
	}
	return nil
}

// SanggahStarted records that an objection's workflow runs: its
// re-verification has begun.
func (s *Store) SanggahStarted(ctx context.Context, id int64) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Model(&Sanggah{}).Where("id = ? AND status = ?", id, domain.SanggahRegistered).
		Updates(map[string]any{"workflow_started": true, "status": domain.SanggahReverification, "status_at": s.now().UTC()}).Error)
}

// GetSanggah returns an objection inside the principal's region (by its
// household's desa).
func (s *Store) GetSanggah(ctx context.Context, p auth.Principal, id int64) (*Sanggah, error) {
	var sg Sanggah
	if err := scope(s.DB.WithContext(ctx), p, "desa_code").First(&sg, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &sg, nil
}

// SanggahByID returns an objection, for the workflow's activities.
func (s *Store) SanggahByID(ctx context.Context, id int64) (*Sanggah, error) {
	var sg Sanggah
	if err := s.DB.WithContext(ctx).First(&sg, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &sg, nil
}

// ListSanggah lists a cycle's objections inside the principal's region,
// newest first; status "" is every status.
func (s *Store) ListSanggah(ctx context.Context, p auth.Principal, cycleID int64, status string, limit int) ([]Sanggah, error) {
	var out []Sanggah
	q := scope(s.DB.WithContext(ctx), p, "desa_code").Where("cycle_id = ?", cycleID)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	err := q.Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// SanggahObjectorOf opens an objection's sealed objector, for the
// activity that tells them.
func (s *Store) SanggahObjectorOf(sg *Sanggah) (SanggahObjector, error) {
	var o SanggahObjector
	clear, err := s.Keys.Open(sg.ObjectorSealed, ADSanggahObjector)
	if err != nil {
		return o, err
	}
	return o, json.Unmarshal([]byte(clear), &o)
}

// SanggahStep is a finding or a decision on an objection, as its workflow
// records it.
type SanggahStep struct {
	SanggahID int64
	Actor     domain.Actor
	At        time.Time
	// Outcome is the finding's outcome (a visit outcome); empty for a decision.
	Outcome string
	// Upheld is the decision.
	Upheld bool
	Note   string
}

// RecordSanggahFinding records the re-verification's finding: the
// objection then waits for Dinsos' decision. Recording it again is a
// no-op; an objection not in re-verification is CodeSanggahStatus.
func (s *Store) RecordSanggahFinding(ctx context.Context, st SanggahStep) error {
	return s.sanggahStep(ctx, st, domain.SanggahReverification, domain.SanggahAwaitingDecision, "sanggah.finding",
		map[string]any{"finding_outcome": st.Outcome, "finding_note": st.Note, "finding_by": st.Actor.UserID, "finding_at": st.At.UTC()},
		map[string]any{"outcome": st.Outcome})
}

// DecideSanggah records Dinsos' decision, with an entry in the
// household's audit (its history): an upheld objection is a candidate for
// the next decree (SanggahCandidates). Deciding again is a no-op.
func (s *Store) DecideSanggah(ctx context.Context, st SanggahStep) error {
	to := domain.SanggahRejected
	if st.Upheld {
		to = domain.SanggahUpheld
	}
	return s.sanggahStep(ctx, st, domain.SanggahAwaitingDecision, to, "sanggah.decide",
		map[string]any{"decision_note": st.Note, "decided_by": st.Actor.UserID, "decided_at": st.At.UTC()},
		map[string]any{"decision": to})
}

func (s *Store) sanggahStep(ctx context.Context, st SanggahStep, from, to domain.SanggahStatus, action string, cols, detail map[string]any) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sg Sanggah
		if err := tx.First(&sg, "id = ?", st.SanggahID).Error; err != nil {
			return wrapNotFound(err)
		}
		if sg.Status == to {
			return nil
		}
		if sg.Status != from {
			return conflict(domain.CodeSanggahStatus, sg.Status, from)
		}
		cols["status"], cols["status_at"] = to, st.At.UTC()
		if err := tx.Model(&Sanggah{}).Where("id = ? AND status = ?", sg.ID, from).Updates(cols).Error; err != nil {
			return err
		}
		detail["sanggahId"], detail["kind"] = sg.ID, sg.Kind
		hid := sg.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("%s:%d", action, sg.ID), At: st.At.UTC(), ActorID: st.Actor.UserID, ActorRole: st.Actor.Role,
			RequestID: st.Actor.RequestID, CycleID: sg.CycleID, HouseholdID: &hid, Action: action, Detail: jsonString(detail),
		})
	}))
}

// openSanggah are the statuses of an objection not decided yet.
var openSanggah = domain.OpenSanggahStatuses()

// CloseSanggah records that the cycle was closed before an objection was
// decided: it ends undecided (domain.SanggahClosed), in the household's
// audit. Closing it again is a no-op; a decided objection stays decided
// (CodeSanggahStatus).
func (s *Store) CloseSanggah(ctx context.Context, st SanggahStep) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sg Sanggah
		if err := tx.First(&sg, "id = ?", st.SanggahID).Error; err != nil {
			return wrapNotFound(err)
		}
		if sg.Status == domain.SanggahClosed {
			return nil
		}
		if !sg.Status.Open() {
			return conflict(domain.CodeSanggahStatus, sg.Status, domain.SanggahAwaitingDecision)
		}
		if err := tx.Model(&Sanggah{}).Where("id = ? AND status IN ?", sg.ID, openSanggah).
			Updates(map[string]any{"status": domain.SanggahClosed, "status_at": st.At.UTC(), "decision_note": ClipReason(st.Note)}).Error; err != nil {
			return err
		}
		hid := sg.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("sanggah.close:%d", sg.ID), At: st.At.UTC(), ActorID: st.Actor.UserID, ActorRole: st.Actor.Role,
			RequestID: st.Actor.RequestID, CycleID: sg.CycleID, HouseholdID: &hid, Action: "sanggah.close",
			Detail: jsonString(map[string]any{"sanggahId": sg.ID, "kind": sg.Kind, "from": sg.Status}),
		})
	}))
}

// OpenSanggah lists, by id, a cycle's objections whose case runs and is
// not decided, after id after: what the cycle's close ends.
func (s *Store) OpenSanggah(ctx context.Context, cycleID, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.DB.WithContext(ctx).Model(&Sanggah{}).
		Where("cycle_id = ? AND id > ? AND workflow_started = ? AND status IN ?", cycleID, after, true, openSanggah).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, WrapUnavailable(err)
}

// SanggahInformed records that the objector was told.
func (s *Store) SanggahInformed(ctx context.Context, id int64, at time.Time) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Model(&Sanggah{}).Where("id = ?", id).Update("informed_at", at.UTC()).Error)
}

// SanggahPublic is what the login-free status page shows for a receipt:
// the status and its dates, and the kecamatan. No name, NIK, No KK or desa.
type SanggahPublic struct {
	Receipt       string               `json:"receipt"`
	Kind          domain.SanggahKind   `json:"kind"`
	Status        domain.SanggahStatus `json:"status"`
	StatusAt      time.Time            `json:"statusAt"`
	KecamatanCode string               `json:"kecamatanCode"`
	RegisteredAt  time.Time            `json:"registeredAt"`
	DueAt         time.Time            `json:"dueAt"`
	FindingAt     *time.Time           `json:"findingAt,omitempty"`
	DecidedAt     *time.Time           `json:"decidedAt,omitempty"`
	EnactedAt     *time.Time           `json:"enactedAt,omitempty"`
	InformedAt    *time.Time           `json:"informedAt,omitempty"`
}

// SanggahStatusOf looks an objection up by its receipt code (any case).
// An upheld objection shows as enacted once its household has left its
// stage for the one the objection asked: an inclusion error's revoked, or
// excluded before its decree (found not eligible after all); an exclusion
// error's enrolled. It is dated by that stage.
func (s *Store) SanggahStatusOf(ctx context.Context, receipt string) (*SanggahPublic, error) {
	var sg Sanggah
	if err := s.DB.WithContext(ctx).First(&sg, "receipt = ?", strings.ToUpper(strings.TrimSpace(receipt))).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	out := &SanggahPublic{Receipt: sg.Receipt, Kind: sg.Kind, Status: sg.Status, StatusAt: sg.StatusAt, KecamatanCode: sg.KecamatanCode,
		RegisteredAt: sg.CreatedAt, DueAt: sg.DueAt, FindingAt: sg.FindingAt, DecidedAt: sg.DecidedAt, InformedAt: sg.InformedAt}
	if sg.Status == domain.SanggahUpheld {
		var h Household
		if err := s.DB.WithContext(ctx).Select("id, stage, stage_entered_at, outcome").First(&h, "id = ?", sg.HouseholdID).Error; err != nil {
			return nil, wrapNotFound(err)
		}
		enacted := (sg.Kind == domain.SanggahInclusion && (h.Stage == string(domain.StageRevoked) || h.Outcome != string(domain.OutcomeEligible))) ||
			(sg.Kind == domain.SanggahExclusion && h.Stage == string(domain.StageEnrolled))
		if enacted && sg.DecidedAt != nil && !h.StageEnteredAt.Before(*sg.DecidedAt) {
			at := h.StageEnteredAt
			out.Status, out.StatusAt, out.EnactedAt = domain.SanggahEnacted, at, &at
		}
	}
	return out, nil
}

// StuckSanggah lists a cycle's undecided objections inside the
// principal's region that are past their due date at now, oldest first.
func (s *Store) StuckSanggah(ctx context.Context, p auth.Principal, cycleID int64, now time.Time, limit int) ([]Sanggah, error) {
	var out []Sanggah
	err := scope(s.DB.WithContext(ctx), p, "desa_code").
		Where("cycle_id = ? AND status IN ? AND due_at < ?", cycleID,
			openSanggah, now.UTC()).
		Order("due_at, id").Limit(limit).Find(&out).Error
	return out, err
}

// SanggahCandidates lists the households an upheld objection of kind puts
// into the next decree, by id: for an inclusion error, the households a
// revocation decree may take back (revocable: listed by a signed decree
// and not revoked, signed or open, since).
func (s *Store) SanggahCandidates(ctx context.Context, cycleID int64, kind domain.SanggahKind) ([]int64, error) {
	var ids []int64
	q := s.DB.WithContext(ctx).Model(&Sanggah{}).Where("sanggah.cycle_id = ? AND sanggah.status = ? AND sanggah.kind = ?", cycleID, domain.SanggahUpheld, kind)
	if kind == domain.SanggahInclusion {
		q = q.Where("sanggah.household_id IN (?)", revocable(s.DB, cycleID, 0))
	}
	err := q.Distinct().Order("sanggah.household_id").Pluck("sanggah.household_id", &ids).Error
	return ids, err
}

// CaseCounts are a cycle's usul and sanggah inside a region, for the
// dashboard.
type CaseCounts struct {
	Usul, UsulDecided                           int64
	SanggahOpen, SanggahUpheld, SanggahRejected int64
	// SanggahClosed ended undecided when the cycle was closed.
	SanggahClosed int64
}

// CaseCounts counts a cycle's usul (and those decided) and its objections
// by where they stand, inside the principal's region.
func (s *Store) CaseCounts(ctx context.Context, p auth.Principal, cycleID int64) (CaseCounts, error) {
	var out CaseCounts
	db := s.DB.WithContext(ctx)
	hh := scope(db.Table("households"), p, "households.desa_code").Where("households.cycle_id = ? AND households.source = ?", cycleID, SourceUsul)
	if err := hh.Session(&gorm.Session{}).Count(&out.Usul).Error; err != nil {
		return out, err
	}
	if err := hh.Session(&gorm.Session{}).Where("households.stage NOT IN ?", undecidedStages).Count(&out.UsulDecided).Error; err != nil {
		return out, err
	}
	var rows []struct {
		Status domain.SanggahStatus
		N      int64
	}
	if err := scope(db.Table("sanggah"), p, "desa_code").Where("cycle_id = ?", cycleID).
		Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		switch r.Status {
		case domain.SanggahUpheld:
			out.SanggahUpheld += r.N
		case domain.SanggahRejected:
			out.SanggahRejected += r.N
		case domain.SanggahClosed:
			out.SanggahClosed += r.N
		default:
			out.SanggahOpen += r.N
		}
	}
	return out, nil
}
