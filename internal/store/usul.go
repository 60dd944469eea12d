package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/pii"
)

// Usul is a household proposed into a cycle from outside its P3KE file
// (docs/process.md, "Usul"): by the desa's officer or PSM, or recorded by
// TKSK or Dinsos from a citizen. Its household has source "usul".
type Usul struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	CycleID     int64     `gorm:"not null;index" json:"cycleId"`
	HouseholdID int64     `gorm:"not null;uniqueIndex" json:"householdId"`
	Channel     string    `gorm:"size:16;not null" json:"channel"`
	Reason      string    `gorm:"size:1000;not null" json:"reason"`
	ProposedBy  int64     `gorm:"not null" json:"proposedBy"`
	CreatedAt   time.Time `gorm:"not null" json:"createdAt"`
}

// The channels an usul comes through: the desa's own people, or a citizen
// at the office, by letter, or through the Cek Bansos application.
const (
	ChannelDesa      = "desa"
	ChannelPSM       = "psm"
	ChannelWalkIn    = "walk_in"
	ChannelLetter    = "letter"
	ChannelCekBansos = "cek_bansos"
)

// UsulChannels lists every channel, in the report's order.
func UsulChannels() []string {
	return []string{ChannelDesa, ChannelPSM, ChannelWalkIn, ChannelLetter, ChannelCekBansos}
}

// CitizenChannels are the channels TKSK and Dinsos record an usul from.
var CitizenChannels = []string{ChannelWalkIn, ChannelLetter, ChannelCekBansos}

// SourceUsul is the source of a household that came in as an usul;
// households from the file have SourceFile.
const (
	SourceFile = "p3ke"
	SourceUsul = "usul"
)

// NewUsul is an usul to record.
type NewUsul struct {
	CycleID  int64
	NIK      string
	NoKK     string
	Name     string
	Address  string
	DesaCode string
	Members  int
	Reason   string
	Channel  string
}

// undecidedStages are the stages before the village's list is decided:
// an usul for a household in one of them is already in the cycle; in any
// later stage its decision is taken, and an objection is a sanggah.
var undecidedStages = []string{string(domain.StageAwaitingVerification), string(domain.StageVerified)}

// CreateUsul checks an usul (its numbers as at intake, its household
// against the cycle by look-up hash) and stores its household at
// awaiting_verification with its task and first stage, due after the
// cycle's verification days. The caller has checked the caller's region.
// A household already in the cycle is domain.CodeUsulInCycle (or
// CodeUsulDecided once decided), naming it masked and by id; a desa whose
// meeting has closed its list is CodeUsulVillageClosed. The same usul sent
// again while its workflow has not started returns the household stored
// the first time (resume=true), so the start can be retried.
func (s *Store) CreateUsul(ctx context.Context, in NewUsul, proposedBy int64) (h *Household, cy *Cycle, resume bool, err error) {
	nik, kk, err := checkUsul(&in)
	if err != nil {
		return nil, nil, false, err
	}
	nikHash, kkHash := s.Keys.Hash(nik), s.Keys.Hash(kk)
	h = &Household{}
	cy = &Cycle{}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(cy, "id = ?", in.CycleID).Error; err != nil {
			return wrapNotFound(err)
		}
		switch {
		case cy.ClosedAt != nil:
			return ErrCycleClosed
		case !strings.HasPrefix(in.DesaCode, cy.RegencyCode+"."):
			return invalid("desaCode", domain.CodeOutsideRegion)
		}
		var same Household
		res := tx.Where("cycle_id = ? AND (kk_hash = ? OR nik_hash = ?)", cy.ID, kkHash, nikHash).Limit(1).Find(&same)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			if same.Source == SourceUsul && !same.WorkflowStarted && same.NIKHash == nikHash && same.KKHash == kkHash {
				*h, resume = same, true
				return nil
			}
			code := domain.CodeUsulDecided
			if slices.Contains(undecidedStages, same.Stage) {
				code = domain.CodeUsulInCycle
			}
			return conflict(code, pii.MaskName(same.Name), same.ID)
		}
		var met int64
		if err := tx.Model(&Meeting{}).Where("cycle_id = ? AND desa_code = ?", cy.ID, in.DesaCode).Count(&met).Error; err != nil {
			return err
		}
		if met > 0 {
			return conflict(domain.CodeUsulVillageClosed)
		}
		now := s.now()
		var err error
		*h = Household{
			CycleID: cy.ID, FamilyID: "", Name: in.Name, Address: in.Address, Members: in.Members,
			NIKHash: nikHash, KKHash: kkHash, NIKMasked: ident.Mask(nik), KKMasked: ident.Mask(kk),
			RegencyCode: cy.RegencyCode, KecamatanCode: in.DesaCode[:8], DesaCode: in.DesaCode,
			// Desil 1 until the registry ranks the family: the usul says it
			// is poor, and the visit decides.
			Desil: 1, Source: SourceUsul, Stage: string(domain.StageAwaitingVerification), StageEnteredAt: now,
		}
		if h.NIKSealed, err = s.Keys.Seal(nik, ADNIK); err != nil {
			return err
		}
		if h.KKSealed, err = s.Keys.Seal(kk, ADNoKK); err != nil {
			return err
		}
		// A family id of its own, unique in the cycle as the file's are.
		h.FamilyID = "USUL-" + kkHash[:16]
		if err := tx.Create(h).Error; err != nil {
			return fmt.Errorf("store usul household: %w", err)
		}
		due := now.Add(time.Duration(cy.VerificationDays) * 24 * time.Hour)
		if err := tx.Create(&Task{HouseholdID: h.ID, CycleID: cy.ID, KecamatanCode: h.KecamatanCode, DesaCode: h.DesaCode,
			DueAt: due, Status: domain.TaskOpen}).Error; err != nil {
			return err
		}
		if err := tx.Create(&StageEvent{HouseholdID: h.ID, Seq: 0, Stage: h.Stage, At: now, Reason: "usul"}).Error; err != nil {
			return err
		}
		return tx.Create(&Usul{CycleID: cy.ID, HouseholdID: h.ID, Channel: in.Channel, Reason: in.Reason, ProposedBy: proposedBy, CreatedAt: now}).Error
	})
	if err != nil {
		return nil, nil, false, WrapUnavailable(err)
	}
	return h, cy, resume, nil
}

// checkUsul checks an usul's fields and returns its clean NIK and No KK.
func checkUsul(in *NewUsul) (nik, kk string, err error) {
	in.Name, in.Address, in.Reason = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Reason)
	in.DesaCode = strings.TrimSpace(in.DesaCode)
	if nik, err = cleanNIK(in.NIK); err != nil {
		return "", "", err
	}
	if kk, err = cleanKK(in.NoKK); err != nil {
		return "", "", err
	}
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 200:
		return "", "", invalid("name", domain.CodeUsulName)
	case in.Address == "" || utf8.RuneCountInString(in.Address) > 500:
		return "", "", invalid("address", domain.CodeUsulAddress)
	case in.Members < 1 || in.Members > 30:
		return "", "", invalid("members", domain.CodeUsulMembers)
	case utf8.RuneCountInString(in.Reason) < 10 || utf8.RuneCountInString(in.Reason) > 1000:
		return "", "", invalid("reason", domain.CodeUsulReason)
	case len(in.DesaCode) != 13:
		return "", "", invalid("desaCode", domain.CodeRegionUnknown)
	}
	for _, f := range []struct {
		name, value string
		multiline   bool
	}{{"name", in.Name, false}, {"address", in.Address, false}, {"reason", in.Reason, true}} {
		if e := domain.CheckChars(f.name, f.value, f.multiline); e != nil {
			return "", "", e
		}
	}
	return nik, kk, nil
}

// UsulStarted records that an usul household's workflow runs.
func (s *Store) UsulStarted(ctx context.Context, householdID int64) error {
	return WrapUnavailable(s.DB.WithContext(ctx).Model(&Household{}).Where("id = ?", householdID).Update("workflow_started", true).Error)
}
