package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/serviceerror"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/testx"
)

// A second answer file whose row contradicts the answer an earlier file
// applied to the same household is refused at that row, nothing applied
// and no signal; the same answer again is accepted and applies nothing new.
func TestContradictingAnswerFileIsARowError(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		h := blitar.proposed
		upload := func(body string) *apiResponse {
			t.Helper()
			raw, ct := uploadForm(nil, "jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+body)
			return w.do(apiRequest{method: "POST", route: "/api/v1/proposals/:id/answers", path: fmt.Sprintf("/api/v1/proposals/%d/answers", blitar.sentProposal),
				token: w.byName["dinsos.blitar"].token, raw: raw, contentType: ct})
		}
		r := upload(h.kk + "," + h.nik + ",DITETAPKAN,,,2026-03-25\n")
		r.want(t, "first file", http.StatusOK)
		wantTemporal(t, "first file", r, "SignalWorkflow")

		// Row 2 is blank (skipped); the household is at row 3, by NIK only.
		r = upload("\n," + h.nik + ",DITOLAK,NIK_TIDAK_PADAN,,2026-03-26\n")
		if r.want(t, "rejected after accepted", http.StatusUnprocessableEntity) {
			var v struct {
				Rows []struct {
					Row            int
					Column, Reason string
				}
			}
			r.decode(t, &v)
			want := "this household was already answered DITETAPKAN by an earlier answer file; a household can have only one answer"
			if len(v.Rows) != 1 || v.Rows[0].Row != 3 || v.Rows[0].Column != "status" || v.Rows[0].Reason != want {
				t.Errorf("rejected after accepted: %s", r.body)
			}
		}
		wantTemporal(t, "rejected after accepted", r, "")
		var it store.ProposalItem
		if err := db.Where("proposal_id = ? AND household_id = ?", blitar.sentProposal, h.id).First(&it).Error; err != nil {
			t.Fatal(err)
		}
		if it.Answer != "DITETAPKAN" || it.AnswerReason != "" || it.AnswerDate != "2026-03-25" {
			t.Errorf("the contradicting file changed the answer: %+v", it)
		}

		r = upload(h.kk + ",,DITETAPKAN,,diulang,2026-03-27\n")
		if r.want(t, "same answer again", http.StatusOK) {
			var v struct{ Applied int }
			r.decode(t, &v)
			if v.Applied != 0 {
				t.Errorf("same answer again applied %d", v.Applied)
			}
		}
	})
}

// The cycle report's programme columns follow the configured enrolment
// rules, in their order, and keep a programme the cycle still has
// enrolments in that the rules no longer name; the JSON lists the same
// programmes.
func TestReportProgrammesFollowTheRules(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		rules := []enrol.Rule{{Programme: "SEMBAKO-KAB", MaxDesil: 2}, {Programme: "PKH", MaxDesil: 3, NeedsRegistry: true}}
		w := newWorld(t, db, func(d *office.Deps) { d.EnrolRules = rules })
		blitar := w.cycles[0]
		now := mxT0
		for _, p := range []string{"SEMBAKO-KAB", "BPNT"} {
			if err := db.Create(&store.Enrolment{CycleID: blitar.id, HouseholdID: blitar.proposed.id, Programme: p, Status: store.EnrolmentActive, EnrolledAt: &now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		token := w.byName["dinsos.blitar"].token
		// The world already enrolled a household in BPJS-TK: it and BPNT
		// are not in the rules, so they follow, sorted.
		want := []string{"SEMBAKO-KAB", "PKH", "BPJS-TK", "BPNT"}

		r := w.do(apiRequest{method: "GET", route: "/api/v1/cycles/:id/report", path: fmt.Sprintf("/api/v1/cycles/%d/report", blitar.id), token: token})
		if r.want(t, "report", http.StatusOK) {
			var v struct {
				Programmes []string
				Desa       []struct {
					DesaCode string
					Enrolled map[string]int64
				}
			}
			r.decode(t, &v)
			if !slices.Equal(v.Programmes, want) {
				t.Errorf("programmes %v, want %v", v.Programmes, want)
			}
			var sembako int64
			for _, d := range v.Desa {
				for p := range d.Enrolled {
					if !slices.Contains(want, p) {
						t.Errorf("desa %s enrolled in %s, not among the programmes %v", d.DesaCode, p, want)
					}
				}
				sembako += d.Enrolled["SEMBAKO-KAB"]
			}
			if sembako != 1 {
				t.Errorf("SEMBAKO-KAB enrolled %d, want 1", sembako)
			}
		}

		r = w.do(apiRequest{method: "GET", route: "/api/v1/cycles/:id/report", path: fmt.Sprintf("/api/v1/cycles/%d/report?format=xlsx", blitar.id), token: token})
		if !r.want(t, "report XLSX", http.StatusOK) {
			return
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, sh := range []string{"Laporan", "Kecamatan"} {
			rows, err := f.GetRows(sh)
			if err != nil || len(rows) < 2 {
				t.Fatalf("sheet %s: %d rows, %v", sh, len(rows), err)
			}
			var got []string
			sum := map[string]int{}
			for i, h := range rows[0] {
				if p, ok := strings.CutPrefix(h, "Terdaftar "); ok {
					got = append(got, p)
					for _, row := range rows[1:] {
						if i < len(row) {
							n, _ := strconv.Atoi(row[i])
							sum[p] += n
						}
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("sheet %s: programme columns %v, want %v", sh, got, want)
			}
			if sum["SEMBAKO-KAB"] != 1 || sum["BPNT"] != 1 || sum["PKH"] != 0 {
				t.Errorf("sheet %s: programme totals %v", sh, sum)
			}
		}
	})
}

// An upload whose answers are stored but whose batch workflow cannot be
// told (Temporal down) is retried, then answered 503 saying the answers
// were stored; the same file uploaded again applies nothing twice and
// tells the workflow.
func TestAnswersStoredButNotSignalled(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		h := blitar.proposed
		signal := func(err error) {
			for _, c := range w.temporal.ExpectedCalls {
				if c.Method == "SignalWorkflow" {
					c.ReturnArguments = mock.Arguments{err}
				}
			}
		}
		upload := func() *apiResponse {
			t.Helper()
			raw, ct := uploadForm(nil, "jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-03-25\n")
			return w.do(apiRequest{method: "POST", route: "/api/v1/proposals/:id/answers", path: fmt.Sprintf("/api/v1/proposals/%d/answers", blitar.sentProposal),
				token: w.byName["dinsos.blitar"].token, raw: raw, contentType: ct})
		}

		signal(serviceerror.NewUnavailable("temporal down"))
		r := upload()
		if r.want(t, "upload while Temporal is down", http.StatusServiceUnavailable) {
			var v struct {
				Error   string
				Applied int
			}
			r.decode(t, &v)
			if v.Applied != 1 || !strings.Contains(v.Error, "the answers were stored") || !strings.Contains(v.Error, "upload the same file again") {
				t.Errorf("upload while Temporal is down: %s", r.body)
			}
			if r.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		}
		if n := len(r.temporalCalls("SignalWorkflow")); n != 3 {
			t.Errorf("signal tried %d times, want 3", n)
		}
		var it store.ProposalItem
		if err := db.Where("proposal_id = ? AND household_id = ?", blitar.sentProposal, h.id).First(&it).Error; err != nil {
			t.Fatal(err)
		}
		if it.Answer != "DITETAPKAN" || it.Signalled {
			t.Errorf("after the failed signal: %+v, want the answer stored, not yet given", it)
		}

		signal(nil)
		r = upload()
		if r.want(t, "the same file again", http.StatusOK) {
			var v struct{ Applied int }
			r.decode(t, &v)
			if v.Applied != 0 {
				t.Errorf("the same file again applied %d", v.Applied)
			}
		}
		wantTemporal(t, "the same file again", r, "SignalWorkflow")
	})
}

// Dinsos records that Kemensos did not answer a batch: the reason is
// required; the household is marked, the batch's workflow told, and a
// cycle whose close was refused for the waiting batch closes. Kemensos'
// late file for the household is refused at its row, saying why. A repeat
// marks nothing and tells the workflow again (how a marking whose signal
// failed, answered 503, is handed over), until the households have it.
func TestMarkUnansweredLetsTheCycleClose(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		h := blitar.proposed
		token := w.byName["dinsos.blitar"].token
		mark := func(id int64, body any) *apiResponse {
			t.Helper()
			return w.do(apiRequest{method: "POST", route: "/api/v1/proposals/:id/unanswered", path: fmt.Sprintf("/api/v1/proposals/%d/unanswered", id), token: token, json: body})
		}
		closeCycle := func() *apiResponse {
			t.Helper()
			return w.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/close", path: fmt.Sprintf("/api/v1/cycles/%d/close", blitar.id), token: token,
				json: map[string]string{"reason": "tutup buku 2026"}})
		}
		// Nothing else holds the close back: the intake has finished and
		// the draft batch was sent and answered.
		if err := db.Model(&store.Intake{}).Where("id = ?", blitar.intake).Update("status", store.IntakeDone).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&store.Proposal{}).Where("id = ?", blitar.draftProposal).Update("status", domain.ProposalAnswered).Error; err != nil {
			t.Fatal(err)
		}
		r := closeCycle()
		r.want(t, "close with a batch waiting for Kemensos", http.StatusConflict)
		if !strings.Contains(string(r.body), "record that Kemensos did not answer") {
			t.Errorf("the refused close does not name the way out: %s", r.body)
		}

		for _, reason := range []any{nil, map[string]string{}, map[string]string{"reason": "  "}, map[string]string{"reason": strings.Repeat("é", 501)}} {
			r := mark(blitar.sentProposal, reason)
			if reason == nil {
				r.want(t, "no body", http.StatusBadRequest)
			} else {
				wantField(t, fmt.Sprintf("reason %v", reason), r, "reason")
			}
			wantTemporal(t, "refused marking", r, "")
		}
		if err := db.Model(&store.Proposal{}).Where("id = ?", blitar.draftProposal).Update("status", domain.ProposalDraft).Error; err != nil {
			t.Fatal(err)
		}
		mark(blitar.draftProposal, map[string]string{"reason": "x"}).want(t, "a draft batch", http.StatusConflict)
		if err := db.Model(&store.Proposal{}).Where("id = ?", blitar.draftProposal).Update("status", domain.ProposalAnswered).Error; err != nil {
			t.Fatal(err)
		}

		r = mark(blitar.sentProposal, map[string]string{"reason": " " + strings.Repeat("é", 480) + " "})
		if r.want(t, "mark", http.StatusOK) {
			var v struct{ ID, Marked int64 }
			r.decode(t, &v)
			if v.ID != blitar.sentProposal || v.Marked != 1 {
				t.Errorf("mark: %s", r.body)
			}
		}
		wantTemporal(t, "mark", r, "SignalWorkflow")
		var it store.ProposalItem
		if err := db.Where("proposal_id = ? AND household_id = ?", blitar.sentProposal, h.id).First(&it).Error; err != nil {
			t.Fatal(err)
		}
		if it.Answer != "TIDAK_DIJAWAB" || it.AnswerNote != strings.Repeat("é", 480) {
			t.Errorf("marked item: answer %q, note of %d bytes", it.Answer, len(it.AnswerNote))
		}

		// Kemensos' late file: refused at the household's row, all of it.
		raw, ct := uploadForm(nil, "jawaban.csv", "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+h.kk+","+h.nik+",DITETAPKAN,,,2026-04-25\n")
		r = w.do(apiRequest{method: "POST", route: "/api/v1/proposals/:id/answers", path: fmt.Sprintf("/api/v1/proposals/%d/answers", blitar.sentProposal),
			token: token, raw: raw, contentType: ct})
		if r.want(t, "a late answer file", http.StatusUnprocessableEntity) {
			var v struct {
				Rows []struct {
					Row            int
					Column, Reason string
				}
			}
			r.decode(t, &v)
			if len(v.Rows) != 1 || v.Rows[0].Row != 2 || v.Rows[0].Column != "status" ||
				!strings.Contains(v.Rows[0].Reason, "not answered by Kemensos (TIDAK_DIJAWAB) and it is to be proposed again") {
				t.Errorf("a late answer file: %s", r.body)
			}
		}
		wantTemporal(t, "a late answer file", r, "")

		// The signal of a repeat fails: 503, nothing marked twice; the
		// repeat after it tells the workflow.
		for _, c := range w.temporal.ExpectedCalls {
			if c.Method == "SignalWorkflow" {
				c.ReturnArguments = mock.Arguments{serviceerror.NewUnavailable("temporal down")}
			}
		}
		r = mark(blitar.sentProposal, map[string]string{"reason": "lagi"})
		if r.want(t, "repeat while Temporal is down", http.StatusServiceUnavailable) {
			if !strings.Contains(string(r.body), "the households were marked unanswered") || r.header.Get("Retry-After") == "" {
				t.Errorf("repeat while Temporal is down: %s", r.body)
			}
		}
		for _, c := range w.temporal.ExpectedCalls {
			if c.Method == "SignalWorkflow" {
				c.ReturnArguments = mock.Arguments{nil}
			}
		}
		r = mark(blitar.sentProposal, map[string]string{"reason": "lagi"})
		if r.want(t, "repeat", http.StatusOK) && !strings.Contains(string(r.body), `"marked":0`) {
			t.Errorf("repeat: %s", r.body)
		}
		wantTemporal(t, "repeat", r, "SignalWorkflow")
		if err := w.st.MarkAnswersSignalled(t.Context(), blitar.sentProposal, []int64{h.id}); err != nil {
			t.Fatal(err)
		}
		mark(blitar.sentProposal, map[string]string{"reason": "lagi"}).want(t, "a fully answered batch", http.StatusConflict)

		closeCycle().want(t, "close once the batch is marked", http.StatusAccepted)
	})
}

// The report and the enrolment lists are read by people in Bahasa
// Indonesia: the report's outcome and stage columns are named in
// Indonesian with their code in brackets, the enrolment list's status code
// has its Indonesian beside it and the exit's reason is in Indonesian.
func TestFilesSpeakIndonesian(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		token := w.byName["dinsos.blitar"].token
		sheetRows := func(path, sheet string) [][]string {
			t.Helper()
			r := w.do(apiRequest{method: "GET", path: path, token: token})
			if !r.want(t, path, http.StatusOK) {
				t.FailNow()
			}
			rows := xlsxRows(t, r.body, sheet)
			if len(rows) < 2 {
				t.Fatalf("%s sheet %s: %d rows", path, sheet, len(rows))
			}
			return rows
		}

		header := sheetRows(fmt.Sprintf("/api/v1/cycles/%d/report?format=xlsx", blitar.id), "Laporan")[0]
		for _, want := range []string{"Hasil verval: Pindah [moved]", "Hasil verval: Masih miskin (layak) [eligible]",
			"Tahap: Menunggu kunjungan desa [awaiting_verification]", "Tahap: Terdaftar sebagai penerima bantuan [enrolled]"} {
			if !slices.Contains(header, want) {
				t.Errorf("report header lacks %q: %q", want, header)
			}
		}
		for _, h := range header {
			if strings.HasPrefix(h, "Verval: ") {
				t.Errorf("report header %q is in English", h)
			}
		}

		// The world's decreed household left PKH; give its exit the
		// reason the workflow writes.
		if err := db.Model(&store.Enrolment{}).Where("programme = ? AND status = ?", "PKH", store.EnrolmentExited).
			Update("exit_reason", "removal accepted: verified moved").Error; err != nil {
			t.Fatal(err)
		}
		rows := sheetRows(fmt.Sprintf("/api/v1/cycles/%d/enrolments?programme=PKH", blitar.id), "")
		col := func(name string) int {
			i := slices.Index(rows[0], name)
			if i < 0 {
				t.Fatalf("enrolment list has no column %s: %q", name, rows[0])
			}
			return i
		}
		st, text, why := col("status"), col("keterangan_status"), col("alasan_keluar")
		found := false
		for _, r := range rows[1:] {
			if len(r) > why && r[st] == "exited" {
				found = true
				if r[text] != "Berhenti" || r[why] != "penghapusan dari DTKS diterima Kemensos: Pindah" {
					t.Errorf("exited row: keterangan_status %q, alasan_keluar %q", r[text], r[why])
				}
			}
		}
		if !found {
			t.Errorf("no exited row in %q", rows)
		}
	})
}

// An enrolment list is one programme's: without ?programme= the request is
// refused (400, naming the field), as the README's route table says.
func TestEnrolmentListNeedsProgramme(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.do(apiRequest{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/enrolments", w.cycles[0].id), token: w.byName["dinsos.blitar"].token})
		if r.want(t, "enrolments without programme", http.StatusBadRequest) {
			var v struct{ Field string }
			r.decode(t, &v)
			if v.Field != "programme" {
				t.Errorf("refusal names field %q, want programme: %s", v.Field, r.body)
			}
		}
	})
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`programme` is required") {
		t.Error("README does not say the enrolment list's programme is required")
	}
}

// TestProposalNamesRejectedMember: a batch's JSON lists Kemensos'
// rejections that name a member of the family, as its page does: the
// member's NIK masked for everyone, Dinsos reading the names, the
// administrator only their first letters and no address.
func TestProposalNamesRejectedMember(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		blitar := w.cycles[0]
		h := blitar.proposed
		const nik, name = "3505011203780002", "BAMBANG SUSANTO"
		sealed, err := w.st.Keys.Seal(nik, store.ADMemberNIK)
		if err != nil {
			t.Fatal(err)
		}
		m := store.HouseholdMember{HouseholdID: h.id, CycleID: blitar.id, NIKHash: w.st.Keys.Hash(nik), NIKSealed: sealed, NIKMasked: ident.Mask(nik),
			Name: name, Relation: "pasangan", Sex: "L", BirthDate: time.Date(1978, 3, 12, 0, 0, 0, 0, time.UTC), Occupation: "PNS",
			Status: store.MemberPresent, Source: store.SourceIntake}
		if err := db.Create(&m).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&store.ProposalItem{}).Where("proposal_id = ? AND household_id = ?", blitar.sentProposal, h.id).
			Updates(map[string]any{"answer": "DITOLAK", "answer_reason": "PNS_TNI_POLRI", "answer_date": "2026-03-25", "answer_member_id": m.ID}).Error; err != nil {
			t.Fatal(err)
		}
		w.secrets = append(w.secrets, nik)
		w.names = append(w.names, name)

		get := func(who string, proposal int64) []store.MemberRejection {
			t.Helper()
			r := w.do(apiRequest{method: "GET", route: "/api/v1/proposals/:id", path: fmt.Sprintf("/api/v1/proposals/%d", proposal), token: w.byName[who].token})
			var v struct {
				ID               int64
				MemberRejections []store.MemberRejection
			}
			if r.want(t, who, http.StatusOK) {
				r.decode(t, &v)
			}
			if v.ID != proposal || v.MemberRejections == nil {
				t.Errorf("%s: %s", who, r.body)
			}
			return v.MemberRejections
		}
		want := store.MemberRejection{HouseholdID: h.id, HeadName: h.name, Address: h.address, Reason: "PNS_TNI_POLRI",
			MemberID: m.ID, MemberName: name, NIKMasked: ident.Mask(nik), Relation: "pasangan"}
		testx.Equal(t, "Dinsos' member rejections", get("dinsos.blitar", blitar.sentProposal), []store.MemberRejection{want})
		want.HeadName, want.Address, want.MemberName = h.masked, office.HiddenAddress, pii.MaskName(name)
		testx.Equal(t, "the administrator's member rejections", get("admin", blitar.sentProposal), []store.MemberRejection{want})
		testx.Equal(t, "the draft's member rejections", get("dinsos.blitar", blitar.draftProposal), []store.MemberRejection{})
	})
}
