package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// The usul page: the PSM proposes a family of its desa (its channel set by
// its role), which becomes a household of the cycle whose case starts; the
// same family again is refused naming the household masked; a TKSK records
// a citizen's usul naming its channel; a field at fault is shown next to it.
func TestUsulPage(t *testing.T) {
	e := newEnv(t)
	e.temporal.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil, nil).Maybe()
	psm := e.login("psm1")
	if w := psm.get("/usul"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<option value="35.05.01.2001"`) ||
		strings.Contains(w.Body.String(), `name="channel"`) {
		t.Fatalf("the PSM's form: %d\n%s", w.Code, w.Body)
	}
	form := url.Values{"siklus": {"1"}, "nik": {"3505015503800091"}, "noKk": {"3505010101200091"}, "name": {"SRI JANDA"},
		"address": {"Dusun Krajan RT 009"}, "desaCode": {"35.05.01.2001"}, "members": {"2"}, "reason": {"Janda lansia, belum ada dalam data"}}
	w := psm.post("/usul", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/usul?siklus=1&tersimpan=") {
		t.Fatalf("usul: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	var h store.Household
	if err := e.st.DB.Where("source = ?", store.SourceUsul).First(&h).Error; err != nil {
		t.Fatal(err)
	}
	var u store.Usul
	if err := e.st.DB.First(&u, "household_id = ?", h.ID).Error; err != nil || u.Channel != store.ChannelPSM {
		t.Fatalf("the usul's record %+v, %v", u, err)
	}
	var started []string
	for _, c := range e.temporal.Calls {
		if c.Method == "ExecuteWorkflow" {
			started = append(started, c.Arguments.Get(1).(client.StartWorkflowOptions).ID)
		}
	}
	if len(started) != 1 || started[0] != workflows.HouseholdWorkflowID(h.CycleID, h.ID) {
		t.Fatalf("started %v", started)
	}
	w = psm.post("/usul", form)
	if body := html.UnescapeString(w.Body.String()); w.Code != http.StatusConflict || !strings.Contains(body, "sudah ada dalam siklus sebagai S** J****") {
		t.Fatalf("the same family again: %d\n%s", w.Code, body)
	}

	tksk := e.login("tksk")
	citizen := url.Values{"siklus": {"1"}, "nik": {"3505015503800092"}, "noKk": {"3505010101200092"}, "name": {"PAIJO"},
		"address": {"Dusun Salam"}, "desaCode": {"35.05.01.2002"}, "members": {"5"}, "reason": {"Di-PHK, lima anak, rumah tidak layak"}, "channel": {"letter"}}
	if w := tksk.post("/usul", citizen); w.Code != http.StatusSeeOther {
		t.Fatalf("the TKSK's usul: %d\n%s", w.Code, w.Body)
	}
	citizen.Set("nik", "123")
	w = tksk.post("/usul", citizen)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `id="f-nik"`) || !strings.Contains(w.Body.String(), "field invalid") {
		t.Fatalf("a malformed NIK: %d\n%s", w.Code, w.Body)
	}
	if w := e.login("desa1").post("/usul", url.Values{"siklus": {"1"}, "nik": {"3505015503800093"}, "noKk": {"3505010101200093"}, "name": {"X Y"},
		"address": {"Salam"}, "desaCode": {"35.05.01.2002"}, "members": {"1"}, "reason": {"Di luar desa sendiri"}}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("Jaten's officer proposing for Salam: %d", w.Code)
	}
}
