package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/wilayah"
)

// HouseholdChange is a change to an enrolled household during the year:
// recorded by an officer (pending), then confirmed or refused by the TKSK
// or Dinsos. A confirmed change that ends the family's aid (and a
// revocation decree's effect on an enrolled household, kind revoked) is
// proposed HAPUS in the next monthly batch: Hapus set, ProposalID the
// batch that took it. Every such exit is proposed, whether or not the
// household came in marked terdaftar_dtks (in_dtks): an enrolled
// household is in the registry, already or since Kemensos took its TAMBAH.
type HouseholdChange struct {
	ID          int64  `gorm:"primaryKey" json:"id"`
	CycleID     int64  `gorm:"not null;index" json:"cycleId"`
	HouseholdID int64  `gorm:"not null;index" json:"householdId"`
	Kind        string `gorm:"size:16;not null" json:"kind"`
	// Date is when it happened (YYYY-MM-DD): the programmes' exit date.
	Date string `gorm:"size:10;not null" json:"date"`
	Note string `gorm:"size:1000;not null" json:"note"`
	// DesaCode is the household's desa when the change was recorded: the
	// desa the monthly change report counts it in.
	DesaCode         string     `gorm:"size:13;not null;index" json:"desaCode"`
	NewDesaCode      string     `gorm:"size:13;not null;default:''" json:"newDesaCode,omitempty"`
	NewKecamatanCode string     `gorm:"size:8;not null;default:''" json:"newKecamatanCode,omitempty"`
	NewHeadMemberID  *int64     `json:"newHeadMemberId,omitempty"`
	Status           string     `gorm:"size:10;not null" json:"status"`
	RecordedBy       int64      `gorm:"not null" json:"recordedBy"`
	RecordedRole     string     `gorm:"size:16;not null" json:"recordedRole"`
	RecordedAt       time.Time  `gorm:"not null" json:"recordedAt"`
	DecidedBy        *int64     `json:"decidedBy,omitempty"`
	DecidedRole      string     `gorm:"size:16;not null;default:''" json:"decidedRole,omitempty"`
	DecidedAt        *time.Time `gorm:"index" json:"decidedAt,omitempty"`
	DecisionNote     string     `gorm:"size:1000;not null;default:''" json:"decisionNote,omitempty"`
	DecreeID         *int64     `json:"decreeId,omitempty"`
	Hapus            bool       `gorm:"not null;default:false" json:"hapus"`
	ProposalID       *int64     `gorm:"index" json:"proposalId,omitempty"`
	// Members are the member edits a members_changed change carries
	// (Changes fills them).
	Members []ChangeMember `gorm:"-" json:"members,omitempty"`
}

// ChangeMember is one edit of a household's members that a
// members_changed change carries: the edits of the village's visit
// (MemberChange: a birth, a death, a move out, a new occupation). The
// office stages them (StageChangeMembers, under StageKey) before the
// household's case records the change, which ties them to it (ChangeID);
// they are applied to the members when the change is confirmed
// (DecideChange) and stay as the change's record. A birth's NIK is sealed
// as a member's; the names are masked on reading as the members' are.
type ChangeMember struct {
	ID          int64  `gorm:"primaryKey" json:"-"`
	HouseholdID int64  `gorm:"not null;index" json:"-"`
	StageKey    string `gorm:"size:64;not null;index" json:"-"`
	ChangeID    *int64 `gorm:"index" json:"-"`
	// Kind is born, died, moved_out or occupation (domain.MemberBorn...).
	Kind string `gorm:"size:16;not null" json:"change"`
	// MemberID is the member who died, moved out or changed occupation;
	// for a birth, the new member once the change is confirmed.
	MemberID int64 `gorm:"not null;default:0" json:"memberId,omitempty"`
	// MemberName is that member's name, for reading (not stored).
	MemberName string `gorm:"-" json:"memberName,omitempty"`
	// Date is when it happened (a birth's: the birth date).
	Date string `gorm:"size:10;not null;default:''" json:"date,omitempty"`
	// Name, Sex, Relation and the NIK are a birth's new member.
	Name       string `gorm:"size:200;not null;default:''" json:"name,omitempty"`
	Sex        string `gorm:"size:1;not null;default:''" json:"sex,omitempty"`
	Relation   string `gorm:"size:16;not null;default:''" json:"relation,omitempty"`
	NIKHash    string `gorm:"size:64;not null;default:''" json:"-"`
	NIKSealed  []byte `json:"-"`
	NIKMasked  string `gorm:"size:16;not null;default:''" json:"nikMasked,omitempty"`
	Occupation string `gorm:"size:200;not null;default:''" json:"occupation,omitempty"`
}

// StageChangeMembers stages the member edits of a members_changed change
// the household's case is about to record under key (NewChange.MembersKey),
// a birth's NIK sealed. Staged again under the same key, the edits replace
// those staged before; once a recorded change holds them, nothing changes.
func (s *Store) StageChangeMembers(ctx context.Context, householdID int64, key string, edits []MemberChange) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var taken int64
		if err := tx.Model(&ChangeMember{}).Where("household_id = ? AND stage_key = ? AND change_id IS NOT NULL", householdID, key).Count(&taken).Error; err != nil || taken > 0 {
			return err
		}
		if err := dropStaged(tx, householdID, key); err != nil {
			return err
		}
		rows := make([]ChangeMember, len(edits))
		for i, e := range edits {
			m := HouseholdMember{}
			if err := s.sealMember(&m, e.NIK); err != nil {
				return err
			}
			rows[i] = ChangeMember{HouseholdID: householdID, StageKey: key, Kind: e.Kind, MemberID: e.MemberID, Date: e.Date,
				Name: e.Member.Name, Sex: e.Member.Sex, Relation: e.Member.Relation, Occupation: e.Occupation,
				NIKHash: m.NIKHash, NIKSealed: m.NIKSealed, NIKMasked: m.NIKMasked}
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Create(&rows).Error
	})
}

// NewChange is a change as an officer records it.
type NewChange struct {
	CycleID, HouseholdID          int64
	Kind                          domain.ChangeKind
	Date, Note                    string
	DesaCode                      string
	NewDesaCode, NewKecamatanCode string
	NewHeadMemberID               int64
	// MembersKey: the member edits staged for it (StageChangeMembers).
	MembersKey string
	Actor      domain.Actor
	At         time.Time
}

// changeAuditKey keys the audit entry of a change's step.
func changeAuditKey(step string, householdID int64, at time.Time) string {
	return fmt.Sprintf("change.%s:%d:%d", step, householdID, at.UnixNano())
}

// DropStagedChangeMembers deletes the member edits staged under key that
// no change took (the household's case refused it).
func (s *Store) DropStagedChangeMembers(ctx context.Context, householdID int64, key string) error {
	return dropStaged(s.DB.WithContext(ctx), householdID, key)
}

func dropStaged(db *gorm.DB, householdID int64, key string) error {
	return staged(db, householdID, key).Delete(&ChangeMember{}).Error
}

// staged selects the member edits staged under key that no change has
// taken yet.
func staged(db *gorm.DB, householdID int64, key string) *gorm.DB {
	return db.Model(&ChangeMember{}).Where("household_id = ? AND stage_key = ? AND change_id IS NULL", householdID, key)
}

// RecordChange stores a pending change with its audit entry and returns its
// id. The household's workflow records it once per Update; a retried
// activity finds the row its first try wrote (same household and time).
func (s *Store) RecordChange(ctx context.Context, c NewChange) (int64, error) {
	var id int64
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prev HouseholdChange
		err := tx.Where("household_id = ? AND recorded_at = ? AND status = ?", c.HouseholdID, c.At.UTC(), domain.ChangePending).First(&prev).Error
		if err == nil {
			id = prev.ID
			return nil
		}
		row := HouseholdChange{
			CycleID: c.CycleID, HouseholdID: c.HouseholdID, Kind: string(c.Kind), Date: c.Date, Note: c.Note,
			DesaCode: c.DesaCode, NewDesaCode: c.NewDesaCode, NewKecamatanCode: c.NewKecamatanCode,
			Status: domain.ChangePending, RecordedBy: c.Actor.UserID, RecordedRole: c.Actor.Role, RecordedAt: c.At.UTC(),
		}
		if c.NewHeadMemberID != 0 {
			row.NewHeadMemberID = &c.NewHeadMemberID
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		if c.MembersKey != "" {
			if err := staged(tx, c.HouseholdID, c.MembersKey).Update("change_id", row.ID).Error; err != nil {
				return err
			}
		}
		hh := c.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: changeAuditKey("record", c.HouseholdID, c.At), At: c.At.UTC(), ActorID: c.Actor.UserID, ActorRole: c.Actor.Role,
			RequestID: c.Actor.RequestID, CycleID: c.CycleID, HouseholdID: &hh, Action: "household.change",
			Detail: jsonString(map[string]any{"changeId": row.ID, "kind": c.Kind, "date": c.Date, "newDesaCode": c.NewDesaCode}),
		})
	})
	return id, err
}

// GetChange returns a change.
func (s *Store) GetChange(ctx context.Context, id int64) (*HouseholdChange, error) {
	var c HouseholdChange
	if err := s.DB.WithContext(ctx).First(&c, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &c, nil
}

// Changes lists a household's changes, oldest first, each with the
// member edits it carries and the names of the members they name.
func (s *Store) Changes(ctx context.Context, householdID int64) ([]HouseholdChange, error) {
	db := s.DB.WithContext(ctx)
	var out []HouseholdChange
	if err := db.Where("household_id = ?", householdID).Order("id").Find(&out).Error; err != nil || len(out) == 0 {
		return out, err
	}
	var edits []ChangeMember
	if err := db.Omit("nik_sealed").Where("household_id = ? AND change_id IS NOT NULL", householdID).Order("id").Find(&edits).Error; err != nil || len(edits) == 0 {
		return out, err
	}
	var ms []HouseholdMember
	if err := db.Select("id", "name").Where("household_id = ?", householdID).Find(&ms).Error; err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(ms))
	for _, m := range ms {
		names[m.ID] = m.Name
	}
	at := make(map[int64]int, len(out))
	for i, c := range out {
		at[c.ID] = i
	}
	for _, e := range edits {
		if i, ok := at[*e.ChangeID]; ok {
			e.MemberName = names[e.MemberID]
			out[i].Members = append(out[i].Members, e)
		}
	}
	return out, nil
}

// ChangeDecision is a change confirmed or refused, or (ChangeID 0) a
// revocation decree applied to an enrolled household.
type ChangeDecision struct {
	CycleID, HouseholdID, ChangeID int64
	Confirm                        bool
	Note                           string
	Actor                          domain.Actor
	At                             time.Time
	// Transition: the household leaves its programmes (the gateway's
	// exits are made before) and enters this stage; it is proposed HAPUS.
	Transition *Transition
	DecreeID   int64
	// On (YYYY-MM-DD) dates a revocation: the day its decree was signed;
	// "" (or a day after At) for At's day.
	On string
}

// DecideChange records a decision in one transaction: the change's status,
// what a confirmed one does (a move hands the household and its task to
// the new desa, a new head heads the family, an exit enters its stage and
// waits for its HAPUS) and the audit entry. Applying it again changes
// nothing more.
func (s *Store) DecideChange(ctx context.Context, d ChangeDecision) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c HouseholdChange
		if d.ChangeID == 0 {
			// A revocation: one row per household and decree.
			err := tx.Where("household_id = ? AND kind = ? AND decree_id = ?", d.HouseholdID, domain.ChangeRevoked, d.DecreeID).First(&c).Error
			if err == nil {
				return nil
			}
			var h Household
			if err := tx.Select("id", "desa_code").First(&h, "id = ?", d.HouseholdID).Error; err != nil {
				return wrapNotFound(err)
			}
			at := d.At.UTC()
			date := domain.DecidedOn(d.On, at).Format(time.DateOnly)
			c = HouseholdChange{
				CycleID: d.CycleID, HouseholdID: d.HouseholdID, Kind: string(domain.ChangeRevoked), Date: date,
				Note: ClipReason(d.Note), DesaCode: h.DesaCode, Status: domain.ChangeConfirmed, RecordedBy: d.Actor.UserID,
				RecordedRole: "system", RecordedAt: at, DecidedAt: &at, DecidedRole: "system", DecreeID: &d.DecreeID, Hapus: true,
			}
			if err := tx.Create(&c).Error; err != nil {
				return err
			}
			if d.Transition != nil {
				return ApplyTransition(tx, *d.Transition)
			}
			return nil
		}
		if err := tx.First(&c, "id = ?", d.ChangeID).Error; err != nil {
			return wrapNotFound(err)
		}
		if c.Status != domain.ChangePending {
			return nil // applied by an earlier try
		}
		at := d.At.UTC()
		u := map[string]any{"decided_at": at, "decided_by": d.Actor.UserID, "decided_role": d.Actor.Role, "decision_note": d.Note}
		u["status"] = domain.ChangeRefused
		if d.Confirm {
			u["status"] = domain.ChangeConfirmed
			if err := applyChange(tx, c, d); err != nil {
				return err
			}
			if d.Transition != nil {
				u["hapus"] = true
				if err := ApplyTransition(tx, *d.Transition); err != nil {
					return err
				}
			}
		}
		if err := tx.Model(&HouseholdChange{}).Where("id = ?", c.ID).Updates(u).Error; err != nil {
			return err
		}
		hh := c.HouseholdID
		return AppendAudit(tx, AuditEntry{
			IdemKey: changeAuditKey("decide", c.HouseholdID, at), At: at, ActorID: d.Actor.UserID, ActorRole: d.Actor.Role,
			RequestID: d.Actor.RequestID, CycleID: c.CycleID, HouseholdID: &hh, Action: "household.change_decided",
			Detail: jsonString(map[string]any{"changeId": c.ID, "kind": c.Kind, "confirmed": d.Confirm, "exit": d.Transition != nil}),
		})
	})
}

// applyChange does what a confirmed change does to the household's rows.
func applyChange(tx *gorm.DB, c HouseholdChange, d ChangeDecision) error {
	switch domain.ChangeKind(c.Kind) {
	case domain.ChangeMembers:
		return applyChangeMembers(tx, c, d)
	case domain.ChangeMovedDesa:
		// The household and its task go to the new village's officers; an
		// officer the old village had assigned no longer holds it.
		if err := tx.Model(&Household{}).Where("id = ?", c.HouseholdID).
			Updates(map[string]any{"desa_code": c.NewDesaCode, "kecamatan_code": c.NewKecamatanCode}).Error; err != nil {
			return err
		}
		return tx.Model(&Task{}).Where("household_id = ?", c.HouseholdID).
			Updates(map[string]any{"desa_code": c.NewDesaCode, "kecamatan_code": c.NewKecamatanCode, "assignee_id": nil}).Error
	case domain.ChangeHeadDied:
		// The head (and only the head) died; a member present heads the
		// family from now on, or, with none named, the family ends.
		if err := tx.Model(&HouseholdMember{}).Where("household_id = ? AND relation = ? AND status = ?", c.HouseholdID, string(p3ke.RelHead), MemberPresent).
			Updates(map[string]any{"status": MemberDied, "status_date": c.Date}).Error; err != nil {
			return err
		}
		if c.NewHeadMemberID != nil {
			var m HouseholdMember
			if err := tx.Omit("nik_sealed").First(&m, "id = ? AND household_id = ? AND status = ?", *c.NewHeadMemberID, c.HouseholdID, MemberPresent).Error; err != nil {
				return invalid("newHeadMemberId", domain.CodeChangeHead)
			}
			if err := tx.Model(&HouseholdMember{}).Where("id = ?", m.ID).Update("relation", string(p3ke.RelHead)).Error; err != nil {
				return err
			}
			if err := tx.Model(&Household{}).Where("id = ?", c.HouseholdID).Update("name", m.Name).Error; err != nil {
				return err
			}
		}
		var present int64
		if err := tx.Model(&HouseholdMember{}).Where("household_id = ? AND status = ?", c.HouseholdID, MemberPresent).Count(&present).Error; err != nil {
			return err
		}
		if present > 0 || c.NewHeadMemberID != nil {
			return tx.Model(&Household{}).Where("id = ?", c.HouseholdID).Update("members", present).Error
		}
	}
	return nil
}

// applyChangeMembers applies the member edits a confirmed members_changed
// change carries, in order, each audited (the member by id), and the
// member count follows.
func applyChangeMembers(tx *gorm.DB, c HouseholdChange, d ChangeDecision) error {
	var edits []ChangeMember
	if err := tx.Where("change_id = ?", c.ID).Order("id").Find(&edits).Error; err != nil || len(edits) == 0 {
		return err
	}
	h := Household{ID: c.HouseholdID, CycleID: c.CycleID}
	at := d.At.UTC()
	for _, e := range edits {
		ch := MemberChange{Kind: e.Kind, MemberID: e.MemberID, Date: e.Date, Occupation: e.Occupation}
		var born HouseholdMember
		if e.Kind == domain.MemberBorn {
			day, err := time.Parse(time.DateOnly, e.Date)
			if err != nil {
				return invalid("date", domain.CodeMemberDate)
			}
			born = HouseholdMember{Name: e.Name, Sex: e.Sex, Relation: e.Relation, BirthDate: day,
				NIKHash: e.NIKHash, NIKSealed: e.NIKSealed, NIKMasked: e.NIKMasked}
		}
		m, err := editMember(tx, h, ch, born, SourceChange)
		if err != nil {
			return err
		}
		if e.Kind == domain.MemberBorn {
			if err := tx.Model(&ChangeMember{}).Where("id = ?", e.ID).Update("member_id", m.ID).Error; err != nil {
				return err
			}
		}
		detail := MemberAuditDetail(ch, m)
		detail["changeId"] = c.ID
		hh := c.HouseholdID
		if err := AppendAudit(tx, AuditEntry{
			IdemKey: fmt.Sprintf("change.member:%d:%d", c.ID, e.ID), At: at, ActorID: d.Actor.UserID, ActorRole: d.Actor.Role,
			RequestID: d.Actor.RequestID, CycleID: c.CycleID, HouseholdID: &hh, Action: "household.change_member", Detail: jsonString(detail),
		}); err != nil {
			return err
		}
	}
	return countMembers(tx, c.HouseholdID)
}

// hapusChanges are the confirmed changes of a cycle whose HAPUS no batch
// has proposed yet, oldest first, for BuildProposal: those that happened
// by day until (YYYY-MM-DD; "" for every one).
func hapusChanges(tx *gorm.DB, cycleID int64, until string) ([]HouseholdChange, error) {
	var out []HouseholdChange
	q := tx.Where("cycle_id = ? AND status = ? AND hapus = ? AND proposal_id IS NULL", cycleID, domain.ChangeConfirmed, true)
	if until != "" {
		q = q.Where("date <= ?", until)
	}
	err := q.Order("id").Find(&out).Error
	return out, err
}

// ChangeReportRow is one desa's changes of one month: those recorded, by
// kind, and what became of them.
type ChangeReportRow struct {
	KecamatanCode string         `json:"kecamatanCode"`
	DesaCode      string         `json:"desaCode"`
	Recorded      map[string]int `json:"recorded"`
	Pending       int            `json:"pending"`
	Confirmed     int            `json:"confirmed"`
	Refused       int            `json:"refused"`
	// Exits are the confirmed changes that ended the family's aid (and
	// the revocations of enrolled households); Proposed those already in
	// a monthly batch as HAPUS.
	Exits    int `json:"exits"`
	Proposed int `json:"proposed"`
}

// ChangeReport counts a cycle's changes recorded in month (YYYY-MM, UTC)
// per desa in the principal's region (the desa the household was in when
// the change was recorded), in desa order.
func (s *Store) ChangeReport(ctx context.Context, p auth.Principal, cycleID int64, month time.Time) ([]*ChangeReportRow, error) {
	var rows []HouseholdChange
	q := scope(s.DB.WithContext(ctx).Model(&HouseholdChange{}), p, "desa_code").
		Where("cycle_id = ? AND recorded_at >= ? AND recorded_at < ?", cycleID, month, month.AddDate(0, 1, 0))
	if err := q.Select("desa_code, kind, status, hapus, proposal_id").Order("desa_code, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var out []*ChangeReportRow
	for _, c := range rows {
		if len(out) == 0 || out[len(out)-1].DesaCode != c.DesaCode {
			out = append(out, &ChangeReportRow{KecamatanCode: wilayah.Kecamatan(c.DesaCode), DesaCode: c.DesaCode, Recorded: map[string]int{}})
		}
		r := out[len(out)-1]
		r.Recorded[c.Kind]++
		switch c.Status {
		case domain.ChangePending:
			r.Pending++
		case domain.ChangeConfirmed:
			r.Confirmed++
		case domain.ChangeRefused:
			r.Refused++
		}
		if c.Hapus {
			r.Exits++
		}
		if c.ProposalID != nil {
			r.Proposed++
		}
	}
	return out, nil
}
