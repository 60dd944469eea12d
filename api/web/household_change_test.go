package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/workflows"
)

// TestChangeOfMembersPage (issue 21): on an enrolled household's page the
// village officer records a change of members with one edit (a birth, on
// the change's date); without an edit it is refused next to the field in
// Indonesian and nothing is sent. Recorded, the household's case gets the
// key of the staged edit, not the newborn's name or NIK; once confirmed,
// the page lists the edit under the change and the newborn among the
// members.
func TestChangeOfMembersPage(t *testing.T) {
	e := newEnv(t)
	id := e.hh["SITI AMINAH"]
	head := store.HouseholdMember{HouseholdID: id, CycleID: e.cycle.ID, Name: "SITI AMINAH", Relation: "kepala_keluarga", Sex: "P",
		BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Status: store.MemberPresent, Source: store.SourceIntake}
	if err := e.st.DB.Create(&head).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", id).Updates(map[string]any{"stage": "enrolled", "members": 1}).Error; err != nil {
		t.Fatal(err)
	}
	var sent []workflows.ChangeRequest
	var refusal error
	e.temporal.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(func(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
		sent = append(sent, o.Args[0].(workflows.ChangeRequest))
		if refusal != nil {
			return nil, refusal
		}
		h := mocks.NewWorkflowUpdateHandle(e.t)
		h.On("Get", mock.Anything, mock.Anything).Return(func(_ context.Context, v any) error {
			*v.(*workflows.ChangeResponse) = workflows.ChangeResponse{ChangeID: 1, Stage: domain.StageEnrolled}
			return nil
		})
		return h, nil
	}).Maybe()
	desa := e.login("desa1")
	path := fmt.Sprintf("/rumah-tangga/%d/perubahan", id)
	form := url.Values{"kind": {"members_changed"}, "date": {"2026-04-20"}, "note": {"anak lahir"}}
	w := desa.post(path, form)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Perubahan anggota keluarga memuat 1 sampai 20 perubahan") || len(sent) != 0 {
		t.Fatalf("a change of members without an edit: %d, %d Updates\n%s", w.Code, len(sent), w.Body.String())
	}
	const nik = "3505016004260002"
	form.Set("memberChange", "born")
	form.Set("memberName", "BAYI LESTARI")
	form.Set("memberSex", "P")
	form.Set("memberNik", nik)
	// The case refuses it (a change waits already): the staged edit goes.
	refusal = temporalx.Refuse(domain.Err(domain.CodeChangePending))
	if w := desa.post(path, form); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "menunggu konfirmasi") || len(sent) != 1 {
		t.Fatalf("a change of members the case refuses: %d, %d Updates\n%s", w.Code, len(sent), w.Body.String())
	}
	var staged int64
	if err := e.st.DB.Model(&store.ChangeMember{}).Count(&staged).Error; err != nil || staged != 0 {
		t.Errorf("%d edits left staged after the refusal (%v)", staged, err)
	}
	refusal = nil
	if w := desa.post(path, form); w.Code != http.StatusSeeOther || len(sent) != 2 {
		t.Fatalf("a change of members: %d, %d Updates\n%s", w.Code, len(sent), w.Body.String())
	}
	req := sent[1]
	if req.Kind != domain.ChangeMembers || req.MembersKey == "" || strings.Contains(fmt.Sprintf("%+v", req), "BAYI") || strings.Contains(fmt.Sprintf("%+v", req), nik) {
		t.Errorf("the Update's request: %+v", req)
	}
	ctx := t.Context()
	change, err := e.st.RecordChange(ctx, store.NewChange{CycleID: e.cycle.ID, HouseholdID: id, Kind: req.Kind, Date: req.Date, Note: req.Note,
		DesaCode: jaten, MembersKey: req.MembersKey, Actor: req.Actor, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.DecideChange(ctx, store.ChangeDecision{CycleID: e.cycle.ID, HouseholdID: id, ChangeID: change, Confirm: true,
		Actor: domain.Actor{UserID: 9, Role: "tksk"}, At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	page := desa.get(fmt.Sprintf("/rumah-tangga/%d", id)).Body.String()
	for _, want := range []string{
		"Anggota keluarga berubah<br><span class=\"muted\">Lahir (anggota baru): BAYI LESTARI (20 April 2026)</span>",
		"<td>BAYI LESTARI</td>",
		"dicatat sebagai perubahan dalam tahun",
		"<dt>Anggota</dt><dd>2 jiwa</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the household's page lacks %q", want)
		}
	}
	if strings.Contains(page, nik) {
		t.Errorf("the household's page shows the newborn's NIK")
	}
}
