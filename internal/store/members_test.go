package store_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
)

// A household's members are stored with it at intake, each NIK sealed
// (never in clear in the table), hashed for look-up and masked; the
// village's corrections change them in place: a birth adds a member (NIK
// optional), a death or a move marks one with its date, a new occupation
// replaces the old; the household's member count follows the members
// present. A member who has died cannot die again, a birth's NIK already
// in the household is refused, another desa's household is not found, and
// once the village meeting has closed the list nothing changes.
func TestHouseholdMembers(t *testing.T) {
	forEachDBWithCycle(t, func(t *testing.T, db *gorm.DB, st *store.Store, cy store.Cycle) {
		ctx := t.Context()
		in := store.Intake{CycleID: cy.ID, FileName: "dtsen.csv"}
		must(t, st.CreateIntake(ctx, &in, strings.NewReader("x"), 1))
		born := func(y int) time.Time { return time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC) }
		const headNIK, wifeNIK, childNIK = "3505010103650001", "3505014103700002", "3505010103120003"
		hh := store.NewHousehold{NIK: headNIK, NoKK: "3505010101200001",
			Household: store.Household{Row: 2, FamilyID: "F1", Name: "SUPARMAN", Address: "Dusun Krajan", Members: 3,
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 3,
				NIKMasked: ident.Mask(headNIK), KKMasked: ident.Mask("3505010101200001")},
			People: []store.NewMember{
				{NIK: headNIK, HouseholdMember: store.HouseholdMember{Name: "SUPARMAN", Relation: "kepala_keluarga", Sex: "L", BirthDate: born(1965), Occupation: "Petani"}},
				{NIK: wifeNIK, HouseholdMember: store.HouseholdMember{Name: "SITI", Relation: "pasangan", Sex: "P", BirthDate: born(1970), Pregnant: true}},
				{NIK: childNIK, HouseholdMember: store.HouseholdMember{Name: "BUDI", Relation: "anak", Sex: "L", BirthDate: born(2012), InSchool: true, Disability: "berat"}},
			}}
		if _, err := st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 5, Households: []store.NewHousehold{hh}, Accepted: 1, Rows: 1, DueAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var h store.Household
		must(t, db.First(&h, "family_id = ?", "F1").Error)
		ms, err := st.Members(ctx, h.ID)
		must(t, err)
		if len(ms) != 3 || ms[0].Relation != "kepala_keluarga" || ms[1].NIKMasked != ident.Mask(wifeNIK) || !ms[1].Pregnant ||
			ms[2].Disability != "berat" || !ms[2].InSchool || ms[2].Status != store.MemberPresent || ms[2].Source != store.SourceIntake {
			t.Fatalf("members %+v", ms)
		}
		var raw []store.HouseholdMember
		must(t, db.Find(&raw).Error)
		for _, m := range raw {
			if bytes.Contains(m.NIKSealed, []byte(m.NIKMasked[:6])) || m.NIKHash == "" || len(m.NIKSealed) == 0 {
				t.Errorf("member %d: NIK not sealed", m.ID)
			}
			for _, nik := range []string{headNIK, wifeNIK, childNIK} {
				if strings.Contains(string(m.NIKSealed), nik) || m.NIKHash == nik {
					t.Errorf("member %d: NIK in clear", m.ID)
				}
			}
		}
		var byHash int64
		must(t, db.Model(&store.HouseholdMember{}).Where("nik_hash = ?", st.Keys.Hash(childNIK)).Count(&byHash).Error)
		if byHash != 1 {
			t.Errorf("a member's NIK is found by its hash %d times, want 1", byHash)
		}
		opened, err := st.Keys.Open(raw[1].NIKSealed, store.ADMemberNIK)
		if err != nil || opened != wifeNIK {
			t.Errorf("the wife's NIK opens to %q (%v)", opened, err)
		}

		desa := auth.Principal{UserID: 3, Role: auth.RoleVillage, Region: "35.05.01.2001"}
		members := func() int {
			var hh store.Household
			must(t, db.First(&hh, h.ID).Error)
			return hh.Members
		}
		m, err := st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberDied, MemberID: ms[0].ID, Date: "2026-02-10"})
		if err != nil || m.Status != store.MemberDied || m.StatusDate != "2026-02-10" || members() != 2 {
			t.Fatalf("death: %+v %v, %d members", m, err, members())
		}
		if _, err := st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberMovedOut, MemberID: ms[0].ID, Date: "2026-02-11"}); !isCode(err, domain.CodeMemberGone) {
			t.Errorf("moving a member who died: %v", err)
		}
		m, err = st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberOccupation, MemberID: ms[1].ID, Occupation: "Guru"})
		if err != nil || m.Occupation != "Guru" || members() != 2 {
			t.Fatalf("occupation: %+v %v", m, err)
		}
		m, err = st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberBorn, Date: "2026-02-01",
			Member: store.HouseholdMember{Name: "BAYI", Sex: "P", Relation: "anak", BirthDate: born(2026)}})
		if err != nil || m.Source != store.SourceVisit || m.NIKMasked != "" || m.NIKHash != "" || members() != 3 {
			t.Fatalf("birth: %+v %v, %d members", m, err, members())
		}
		if _, err := st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberBorn, Date: "2026-02-01", NIK: childNIK,
			Member: store.HouseholdMember{Name: "X", Sex: "L", Relation: "anak", BirthDate: born(2026)}}); !isCode(err, domain.CodeMemberNIK) {
			t.Errorf("a birth with a NIK already in the household: %v", err)
		}
		other := auth.Principal{UserID: 4, Role: auth.RoleVillage, Region: "35.05.01.2002"}
		if _, err := st.ChangeMember(ctx, other, h.ID, store.MemberChange{Kind: domain.MemberDied, MemberID: ms[1].ID, Date: "2026-02-10"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another desa's household: %v", err)
		}
		if _, err := st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberDied, MemberID: 999999, Date: "2026-02-10"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a member of no household: %v", err)
		}
		must(t, db.Model(&store.Task{}).Where("household_id = ?", h.ID).Update("status", domain.TaskClosed).Error)
		if _, err := st.ChangeMember(ctx, desa, h.ID, store.MemberChange{Kind: domain.MemberDied, MemberID: ms[1].ID, Date: "2026-02-10"}); !isCode(err, domain.CodeMembersLocked) {
			t.Errorf("after the meeting: %v", err)
		}
	})
}

// isCode reports whether err is a domain error with code.
func isCode(err error, code domain.Code) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}
