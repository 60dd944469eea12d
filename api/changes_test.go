package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// TestChangeOfMembers (issue 21): a members_changed change carries member
// edits of the visit's shape. Refused at the door: one without edits,
// another kind with edits, the head's death as a member's, a member named
// twice, a bad NIK (each naming its field). Recorded: the edits are
// staged in the database under the key the household's case gets, and
// neither the Update's request nor its ID holds a name or NIK. Once the
// case has recorded and confirmed it, the household's record shows the
// change with its edits, and its members as they now are.
func TestChangeOfMembers(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	ctx := t.Context()
	in := store.Intake{CycleID: cycle.ID, FileName: "dtsen.csv"}
	if err := a.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	person := func(name, relation string, born int) store.NewMember {
		return store.NewMember{HouseholdMember: store.HouseholdMember{Name: name, Relation: relation, Sex: "L", BirthDate: time.Date(born, 1, 1, 0, 0, 0, 0, time.UTC)}}
	}
	hh := store.NewHousehold{NIK: "3505011508790001", NoKK: "3505010101200001", Household: store.Household{Row: 2, FamilyID: "A", Name: "SUPARMAN",
		Address: "Dusun Krajan", RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Members: 3},
		People: []store.NewMember{person("SUPARMAN", "kepala_keluarga", 1979), person("AGUS", "anak", 2004), person("MBAH KARTO", "orang_tua", 1950)}}
	hh.People[0].NIK = hh.NIK
	if _, err := a.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 2, Households: []store.NewHousehold{hh}, Accepted: 1, Rows: 1, DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var h store.Household
	if err := a.db.First(&h, "cycle_id = ?", cycle.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Model(&h).Update("stage", "enrolled").Error; err != nil {
		t.Fatal(err)
	}
	ms, err := a.st.Members(ctx, h.ID)
	if err != nil || len(ms) != 3 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	head, son, grandfather := ms[0].ID, ms[1].ID, ms[2].ID
	path := fmt.Sprintf("/api/v1/households/%d/changes", h.ID)
	send := func(body map[string]any) *apiResponse {
		return a.do(apiRequest{method: "POST", route: "/api/v1/households/:id/changes", path: path, token: token, json: body,
			header: map[string]string{"Idempotency-Key": "k-members"}})
	}
	change := func(members ...map[string]any) map[string]any {
		return map[string]any{"kind": "members_changed", "date": "2026-03-01", "note": "anggota berubah", "members": members}
	}
	const babyNIK = "3505014103260001"
	birth := map[string]any{"change": "born", "name": "BAYI LESTARI", "sex": "P", "nik": babyNIK}
	for _, c := range []struct {
		what  string
		body  map[string]any
		field string
		code  domain.Code
	}{
		{"no edits", change(), "members", domain.CodeChangeMembers},
		{"edits on another kind", map[string]any{"kind": "graduated", "date": "2026-03-01", "note": "mampu", "members": []any{birth}}, "members", domain.CodeChangeMembers},
		{"the head's death", change(map[string]any{"change": "died", "memberId": head}), "members[0].memberId", domain.CodeChangeMembers},
		{"a member twice", change(map[string]any{"change": "died", "memberId": son}, map[string]any{"change": "moved_out", "memberId": son}), "members[1].memberId", domain.CodeChangeMembers},
		{"a bad NIK", change(map[string]any{"change": "born", "name": "BAYI", "sex": "P", "nik": "123"}), "members[0].nik", domain.CodeMemberNIK},
		{"the head's NIK", change(map[string]any{"change": "born", "name": "BAYI", "sex": "P", "nik": "3505011508790001"}), "members[0].nik", domain.CodeMemberNIK},
	} {
		r := send(c.body)
		var e struct{ Code, Field string }
		r.decode(t, &e)
		if r.code != http.StatusUnprocessableEntity || e.Code != string(c.code) || e.Field != c.field {
			t.Errorf("%s: %s; want 422 %s on %s", c.what, r.shown(), c.code, c.field)
		}
		wantTemporal(t, c.what, r, "")
	}

	r := send(change(birth, map[string]any{"change": "died", "memberId": grandfather, "date": "2026-02-20"},
		map[string]any{"change": "occupation", "memberId": son, "occupation": "Buruh tani"}))
	if !r.want(t, "a change of members", http.StatusCreated) {
		return
	}
	calls := r.temporalCalls("UpdateWorkflow")
	if len(calls) != 1 {
		t.Fatalf("%d Updates", len(calls))
	}
	opts := calls[0].Arguments.Get(1).(client.UpdateWorkflowOptions)
	req := opts.Args[0].(workflows.ChangeRequest)
	sent, _ := json.Marshal(req)
	for _, secret := range []string{babyNIK, "BAYI", "Buruh"} {
		if strings.Contains(string(sent)+opts.UpdateID+opts.WorkflowID, secret) {
			t.Errorf("the Update carries %q: %s (%s)", secret, sent, opts.UpdateID)
		}
	}
	var staged []store.ChangeMember
	if err := a.db.Where("stage_key = ?", req.MembersKey).Order("id").Find(&staged).Error; err != nil || req.MembersKey == "" || len(staged) != 3 {
		t.Fatalf("staged under %q: %+v, %v", req.MembersKey, staged, err)
	}
	if staged[0].Date != "2026-03-01" || staged[1].Date != "2026-02-20" || staged[0].NIKHash != a.st.Keys.Hash(babyNIK) {
		t.Errorf("staged edits: %+v", staged)
	}

	// The household's case records and confirms it (as workflows/year.go).
	at := time.Now()
	id, err := a.st.RecordChange(ctx, store.NewChange{CycleID: cycle.ID, HouseholdID: h.ID, Kind: req.Kind, Date: req.Date, Note: req.Note,
		DesaCode: h.DesaCode, MembersKey: req.MembersKey, Actor: domain.Actor{UserID: 1, Role: "dinsos"}, At: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.st.DecideChange(ctx, store.ChangeDecision{CycleID: cycle.ID, HouseholdID: h.ID, ChangeID: id, Confirm: true,
		Actor: domain.Actor{UserID: 1, Role: "dinsos"}, At: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Members int
		People  []store.HouseholdMember
		Changes []store.HouseholdChange
	}
	a.do(apiRequest{method: "GET", route: "/api/v1/households/:id", path: fmt.Sprintf("/api/v1/households/%d", h.ID), token: token}).decode(t, &rec)
	got := ""
	for _, p := range rec.People {
		got += fmt.Sprintf("%s:%s:%s ", p.Name, p.Status, p.Occupation)
	}
	if want := "SUPARMAN:present: AGUS:present:Buruh tani MBAH KARTO:died: BAYI LESTARI:present: "; got != want || rec.Members != 3 {
		t.Errorf("members after the confirmed change: %q (%d), want %q (3)", got, rec.Members, want)
	}
	if len(rec.Changes) != 1 || len(rec.Changes[0].Members) != 3 || rec.Changes[0].Members[1].MemberName != "MBAH KARTO" || rec.Changes[0].Members[0].Name != "BAYI LESTARI" {
		t.Errorf("the change in the household's record: %+v", rec.Changes)
	}
}
