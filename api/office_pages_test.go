package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
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
		other := store.Decree{CycleID: blitar.id, RegencyCode: blitar.regency, Kind: domain.DecreeAmendment, Status: domain.DecreeSubmitted}
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
			if !strings.Contains(body, "Berkas jawaban ditolak: 1 baris bermasalah") || !strings.Contains(body, `<table class="list row-errors stack">`) ||
				!strings.Contains(body, `<tr><td data-label="Baris">3</td>`) {
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

// Dinsos records on the batch's page that Kemensos did not answer: a
// missing reason is refused beside the field; the dashboard's refused
// close says where the way out is; a marking whose workflow could not be
// told keeps the form to send again, and sending it again tells the
// workflow; Kemensos' late file is refused at the household's row, in
// Indonesian; a batch with nothing left to mark is a conflict.
func TestNoAnswerFromKemensosOnThePages(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		session := w.byName["dinsos.blitar"].token
		post := func(route, path string, form url.Values) *apiResponse {
			t.Helper()
			form.Set("csrf", w.csrf(session))
			return w.do(apiRequest{method: "POST", route: route, path: path, cookie: session, form: form})
		}
		mark := func(reason string) *apiResponse {
			t.Helper()
			return post("/usulan/:id/tidak-dijawab", fmt.Sprintf("/usulan/%d/tidak-dijawab", blitar.sentProposal), url.Values{"alasan": {reason}})
		}
		signal := func(err error) {
			for _, c := range w.temporal.ExpectedCalls {
				if c.Method == "SignalWorkflow" {
					c.ReturnArguments = mock.Arguments{err}
				}
			}
		}
		if err := db.Model(&store.Intake{}).Where("id = ?", blitar.intake).Update("status", store.IntakeDone).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&store.Proposal{}).Where("id = ?", blitar.draftProposal).Update("status", domain.ProposalAnswered).Error; err != nil {
			t.Fatal(err)
		}
		r := post("/dasbor/tutup", "/dasbor/tutup", url.Values{"siklus": {fmt.Sprint(blitar.id)}, "alasan": {"akhir tahun"}})
		if r.want(t, "close with a batch waiting", http.StatusConflict) && !strings.Contains(string(r.body), "atau catat tidak ada jawaban Kemensos pada halaman usulan itu") {
			t.Errorf("the refused close does not name the way out:\n%s", r.body)
		}

		r = mark("  ")
		if r.want(t, "no reason", http.StatusUnprocessableEntity) {
			body := string(r.body)
			i := strings.Index(body, `id="f-reason"`)
			if i < 0 || !strings.Contains(body[i:], "Tuliskan alasan keluarga dicatat tidak dijawab Kemensos") {
				t.Errorf("no message beside the reason:\n%s", body)
			}
		}
		wantTemporal(t, "no reason", r, "")

		signal(serviceerror.NewUnavailable("temporal down"))
		r = mark("tidak ada jawaban sampai Desember")
		if r.want(t, "marked, workflow not told", http.StatusServiceUnavailable) {
			body := string(r.body)
			if !strings.Contains(body, "belum dapat diteruskan ke keluarganya") || !strings.Contains(body, `action="/usulan/`) ||
				!strings.Contains(body, ">tidak ada jawaban sampai Desember</textarea>") {
				t.Errorf("the page does not keep the form to send again:\n%s", body)
			}
		}
		signal(nil)
		r = mark("tidak ada jawaban sampai Desember")
		r.want(t, "sent again", http.StatusSeeOther)
		wantTemporal(t, "sent again", r, "SignalWorkflow")
		if got := r.header.Get("Location"); got != fmt.Sprintf("/usulan/%d?tidakdijawab=0", blitar.sentProposal) {
			t.Errorf("sent again: redirected to %q", got)
		}

		h := blitar.proposed
		raw, ct := uploadForm(map[string]string{"csrf": w.csrf(session)}, "jawaban.csv",
			"no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITOLAK,GANDA,,2026-04-25\n")
		r = w.do(apiRequest{method: "POST", route: "/usulan/:id/jawaban", path: fmt.Sprintf("/usulan/%d/jawaban", blitar.sentProposal),
			cookie: session, raw: raw, contentType: ct})
		if r.want(t, "a late answer file", http.StatusUnprocessableEntity) && !strings.Contains(string(r.body), "Dinas Sosial sudah mencatat keluarga ini tidak dijawab Kemensos") {
			t.Errorf("a late answer file's page:\n%s", r.body)
		}
		wantTemporal(t, "a late answer file", r, "")

		if err := w.st.MarkAnswersSignalled(t.Context(), blitar.sentProposal, []int64{h.id}); err != nil {
			t.Fatal(err)
		}
		r = mark("lagi")
		if r.want(t, "nothing left to mark", http.StatusConflict) && !strings.Contains(string(r.body), "Semua keluarga pada usulan ini sudah dijawab atau sudah dicatat tidak dijawab.") {
			t.Errorf("nothing left to mark:\n%s", r.body)
		}
		wantTemporal(t, "nothing left to mark", r, "")
		r = post("/dasbor/tutup", "/dasbor/tutup", url.Values{"siklus": {fmt.Sprint(blitar.id)}, "alasan": {"akhir tahun"}})
		r.want(t, "close once the batch is marked", http.StatusSeeOther)
	})
}
