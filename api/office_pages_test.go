package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// The decree and proposal pages (api/web) run the API's own steps
// (draftDecreeAs, decreeStepAs, buildProposalAs, submitProposalAs,
// applyAnswersAs): what the API refuses, the page refuses, in Indonesian
// and next to the field, without touching Temporal.
func TestOfficePagesUseTheAPIsSteps(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		post := func(actor, route, path string, form url.Values) *apiResponse {
			t.Helper()
			session := w.byName[actor].token
			form.Set("csrf", w.csrf(session))
			return w.do(apiRequest{method: "POST", route: route, path: path, cookie: session, form: form})
		}

		// A decree number the regency has used is refused beside the
		// number, before the workflow is asked.
		other := store.Decree{CycleID: blitar.id, RegencyCode: blitar.regency, Kind: store.DecreeAmendment, Status: store.DecreeSubmitted}
		if err := db.Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		r := post("bupati.blitar", "/sk/:id/tandatangani", fmt.Sprintf("/sk/%d/tandatangani", other.ID),
			url.Values{"number": {"188/1/KEP/35.05/2026"}, "date": {"2026-03-20"}})
		if r.want(t, "sign with a number already used", http.StatusUnprocessableEntity) {
			body := string(r.body)
			i := strings.Index(body, `id="f-number"`)
			j := strings.Index(body, `id="f-date"`)
			if i < 0 || j < i || !strings.Contains(body[i:j], "Nomor SK ini sudah dipakai SK lain di kabupaten/kota ini.") {
				t.Errorf("no message beside the number:\n%s", body)
			}
		}
		wantTemporal(t, "sign with a number already used", r, "")

		// Drafting twice: the second finds nothing waiting.
		r = post("dinsos.blitar", "/sk", "/sk", url.Values{"siklus": {fmt.Sprint(blitar.id)}})
		r.want(t, "first draft", http.StatusSeeOther)
		wantTemporal(t, "first draft", r, "ExecuteWorkflow")
		r = post("dinsos.blitar", "/sk", "/sk", url.Values{"siklus": {fmt.Sprint(blitar.id)}})
		if r.want(t, "second draft", http.StatusConflict) && !strings.Contains(string(r.body), "Belum ada keluarga yang menunggu SK") {
			t.Errorf("second draft: %s", r.body)
		}
		wantTemporal(t, "second draft", r, "")

		// A malformed month is refused beside the month.
		r = post("dinsos.blitar", "/usulan", "/usulan", url.Values{"siklus": {fmt.Sprint(blitar.id)}, "month": {"2026-13"}})
		if r.want(t, "batch for month 13", http.StatusUnprocessableEntity) && !strings.Contains(string(r.body), `id="month-error">Isi bulan yang benar`) {
			t.Errorf("batch for month 13: %s", r.body)
		}

		// An answer file naming a household the batch does not hold is
		// refused whole: its rows in a table, nothing applied, no signal.
		h := blitar.proposed
		raw, ct := uploadForm(map[string]string{"csrf": w.csrf(w.byName["dinsos.blitar"].token)}, "jawaban.csv",
			"no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-03-25\n3505019999999999,,DITETAPKAN,,,2026-03-25\n")
		r = w.do(apiRequest{method: "POST", route: "/usulan/:id/jawaban", path: fmt.Sprintf("/usulan/%d/jawaban", blitar.sentProposal),
			cookie: w.byName["dinsos.blitar"].token, raw: raw, contentType: ct})
		if r.want(t, "answer file with an unknown household", http.StatusUnprocessableEntity) {
			body := string(r.body)
			if !strings.Contains(body, "Berkas jawaban ditolak: 1 baris bermasalah") || !strings.Contains(body, `<table class="list row-errors">`) ||
				!strings.Contains(body, "<tr><td>3</td>") {
				t.Errorf("refused answer file's page:\n%s", body)
			}
		}
		wantTemporal(t, "answer file with an unknown household", r, "")
		var answered int64
		db.Model(&store.ProposalItem{}).Where("proposal_id = ? AND answer <> ?", blitar.sentProposal, "").Count(&answered)
		if answered != 0 {
			t.Errorf("a refused file applied %d answers", answered)
		}
	})
}
