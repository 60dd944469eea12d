package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// TestHouseholdRegistryNow: GET /api/v1/households/{id} keeps inDtks as
// the file said and tells, beside it, whether the household is in the
// registry now (inDtksNow) and why (inDtksBy, inDtksDate): one the file
// had out is in once Kemensos took its TAMBAH; one nothing has decided
// about is as its file says.
func TestHouseholdRegistryNow(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	ctx := t.Context()
	in := store.Intake{CycleID: cycle.ID, FileName: "p3ke.csv"}
	if err := a.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	var hs []store.NewHousehold
	for i, inDTKS := range []bool{false, true} {
		hs = append(hs, store.NewHousehold{NIK: fmt.Sprintf("350501150879%04d", i+1), NoKK: fmt.Sprintf("35050101012%05d", i+1),
			Household: store.Household{Row: i + 2, FamilyID: fmt.Sprint("F", i), Name: "WARGA", Address: "Dusun Krajan", RegencyCode: "35.05",
				KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Members: 3, InDTKS: inDTKS}})
	}
	if _, err := a.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 3, Households: hs, Accepted: 2, Rows: 2, DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var saved []store.Household
	if err := a.db.Where("cycle_id = ?", cycle.ID).Order("row").Find(&saved).Error; err != nil || len(saved) != 2 {
		t.Fatalf("households %+v, %v", saved, err)
	}
	added, file := saved[0].ID, saved[1].ID
	if err := a.db.Model(&store.Household{}).Where("id = ?", added).Update("stage", "enrolled").Error; err != nil {
		t.Fatal(err)
	}
	p := store.Proposal{CycleID: cycle.ID, DecreeID: 1, Month: "2026-05", Status: domain.ProposalSubmitted, Items: 1, Answered: 1}
	if err := a.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: added, Jenis: "TAMBAH", Answer: "DITETAPKAN", AnswerDate: "2026-05-04"}).Error; err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{added: "false true kemensos_added 2026-05-04", file: "true true file "} {
		var got struct {
			InDtks, InDtksNow    bool
			InDtksBy, InDtksDate string
		}
		a.do(apiRequest{method: "GET", route: "/api/v1/households/:id", path: fmt.Sprintf("/api/v1/households/%d", id), token: token}).decode(t, &got)
		if s := fmt.Sprintf("%v %v %s %s", got.InDtks, got.InDtksNow, got.InDtksBy, got.InDtksDate); s != want {
			t.Errorf("household %d: inDtks inDtksNow inDtksBy inDtksDate %q, want %q", id, s, want)
		}
	}
}
