package main

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// household of the cycle test: its data and what its year must end in.
type cycleCase struct {
	fam     family
	id      int64
	outcome string
	// answer is Kemensos' answer to the first batch: "" accepted, else the
	// rejection code; answer2 its answer to the second batch, for the
	// households rejected NIK_TIDAK_PADAN and then corrected.
	answer, answer2 string
	// corrected are the numbers Dinsos corrected (empty: unchanged).
	nik, kk string
	// revoked by a later decree; settled if it was enrolled then (its
	// case in its open year: it leaves its programmes and is proposed HAPUS).
	revoked, settled bool
	want             domain.Stage
}

// eligible: the village found the household still poor.
func (cc *cycleCase) eligible() bool { return cc.outcome == "eligible" }

// proposed: an addition (eligible, not registered) or a removal (not
// eligible, registered) goes to Kemensos.
func (cc *cycleCase) proposed() bool { return cc.eligible() != cc.fam.DTKS }

// accepted: Kemensos accepted it, at once or after the NIK correction.
func (cc *cycleCase) accepted() bool {
	return cc.proposed() && (cc.answer == "" || cc.answer == kemensosNIK && cc.nik != "" && cc.answer2 == "")
}

// kemensosNIK is Kemensos' fixable rejection: NIK not matched at Dukcapil.
const kemensosNIK = "NIK_TIDAK_PADAN"

// noAnswer, as a household's answer, leaves it out of the answer file.
const noAnswer = "-"

// final is the stage and reason the household's year must end in.
func (cc *cycleCase) final() (domain.Stage, string) {
	switch {
	case cc.revoked:
		return domain.StageRevoked, "revoked: anggota keluarga diangkat PNS"
	case cc.eligible() && (cc.fam.DTKS || cc.accepted()):
		return domain.StageEnrolled, ""
	case cc.eligible() && cc.answer == kemensosNIK:
		return domain.StageRejected, "rejected " + cc.answer2
	case cc.eligible():
		return domain.StageRejected, "rejected " + cc.answer
	case cc.fam.DTKS && cc.answer == "":
		return domain.StageRemoved, "removal accepted: verified " + cc.outcome
	case cc.fam.DTKS:
		return domain.StageRejected, "removal rejected " + cc.answer
	}
	return domain.StageNotEligible, "verified " + cc.outcome + ", not in the registry"
}

// programmes are the aid programmes the household ends the year in: all
// five for the enrolled poor (desil 1), those the regency and the village
// pay for a decreed household Kemensos would not register, none otherwise.
func (cc *cycleCase) programmes() []string {
	switch st, _ := cc.final(); {
	case st == domain.StageEnrolled:
		return []string{"BLT-DD", "BPJS-TK", "BPNT", "PBI-JK", "PKH"}
	case st == domain.StageRejected && cc.eligible():
		return []string{"BLT-DD", "BPJS-TK"}
	}
	return nil
}

// reportProgrammes are the programmes the cycle report counts.
var reportProgrammes = []string{"PKH", "BPNT", "PBI-JK", "BPJS-TK", "BLT-DD"}

// TestWholeCycle runs a small regency's year through the real stack, from
// P3KE intake to enrolment: 300 households in two villages with every
// visit outcome, a decree returned once and then signed, a Kemensos batch
// answered from a file (after a bad file is refused whole) with every kind
// of answer, a revocation, and a second batch of the households Kemensos
// could not match at Dukcapil once Dinsos has corrected their NIK, one of
// which Kemensos never answers: Dinsos records that, and a third batch
// proposes it again. Every
// household must end in the terminal stage its data calls for, with its
// reason and programmes, and its workflow must have completed; the cycle
// report (JSON and XLSX) must count every step and programme.
func TestWholeCycle(t *testing.T) {
	const n = 300
	s := startStackKemensosFile(t)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	bupati := s.login("bupati", "bupati-blitar-2026")
	officers := map[string]*user{desaJaten: s.login("desa1", "desa-satu-2026"), desaSalam: s.login("desa2", "desa-dua-2026")}
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2027}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}

	// Every outcome; a third of the families already registered; and
	// Kemensos' first answers cycled over the additions and the removals,
	// so every answer meets both kinds often enough.
	outcomes := []string{"eligible", "eligible", "eligible", "eligible", "eligible", "eligible", "not_poor", "not_found", "deceased", "moved"}
	addAnswers := []string{"", "", kemensosNIK, "", "PNS_TNI_POLRI", "", "UPAH_DI_ATAS_UMP", kemensosNIK, "", "GANDA", "", "DESIL_DI_ATAS_BATAS", "MENINGGAL", "TIDAK_LAYAK"}
	removeAnswers := []string{"", "", "GANDA", "", kemensosNIK, "", "TIDAK_LAYAK", "MENINGGAL"}
	var cases []*cycleCase
	var fams []family
	byName, byKK := map[string]*cycleCase{}, map[string]*cycleCase{}
	var adds, removes, niks int
	for i := 1; i <= n; i++ {
		desa := desaJaten
		if i%2 == 0 {
			desa = desaSalam
		}
		cc := &cycleCase{fam: testFamily(i, desa, i%3 == 0), outcome: outcomes[i%10]}
		if i%50 == 25 {
			cc.outcome = "duplicate"
		}
		switch {
		case cc.proposed() && cc.eligible():
			cc.answer = addAnswers[adds%len(addAnswers)]
			adds++
		case cc.proposed():
			cc.answer = removeAnswers[removes%len(removeAnswers)]
			removes++
		}
		if cc.eligible() && cc.answer == kemensosNIK {
			// Corrected NIK (and every other time No KK too); every fourth
			// is rejected again, for good, in the second batch.
			cc.nik = cc.fam.NIK[:12] + "5" + cc.fam.NIK[13:]
			if niks%2 == 1 {
				cc.kk = cc.fam.KK[:12] + "7" + cc.fam.KK[13:]
			}
			if niks%4 == 3 {
				cc.answer2 = "TIDAK_LAYAK"
			}
			niks++
		}
		cases = append(cases, cc)
		fams = append(fams, cc.fam)
		byName[cc.fam.Name], byKK[cc.fam.KK] = cc, cc
	}
	in := intake(t, dinsos, cycle.ID, p3keCSV(fams))
	if in.HouseholdsStored != n || in.WorkflowsStarted != n {
		t.Fatalf("intake: %+v", in)
	}
	for _, u := range officers {
		var tl taskList
		for page := 1; ; page++ {
			u.call("GET", fmt.Sprintf("/api/v1/tasks?perPage=200&page=%d", page), nil, &tl)
			if len(tl.Tasks) == 0 {
				break
			}
			for _, task := range tl.Tasks {
				if cc := byName[task.Name]; cc != nil {
					cc.id = task.ID
				}
			}
		}
	}

	// Visits, eight officers' requests at a time.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan string, len(cases))
	for i, cc := range cases {
		body := visit(cc.outcome, "catatan kunjungan")
		if cc.outcome == "duplicate" {
			body["duplicateOf"] = cases[i-2].id // same village
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if code := officers[cc.fam.Desa].call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", cc.id), body, nil); code != 200 {
				errs <- fmt.Sprintf("visit %s: %d", cc.fam.Name, code)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	for _, u := range officers {
		if code := u.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA-" + u.token[:6], "attendees": 40}, nil); code != 201 {
			t.Fatalf("meeting: %d", code)
		}
	}
	waitStages(t, dinsos, cases, func(cc *cycleCase) domain.Stage {
		switch {
		case cc.eligible():
			return domain.StageAwaitingDecree
		case cc.fam.DTKS:
			return domain.StageAwaitingProposal
		}
		return domain.StageNotEligible
	})

	// The decree: drafted, returned with a reason, revised, submitted, signed.
	var d struct{ ID, Households int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 {
		t.Fatalf("draft decree: %d", code)
	}
	eligible := 0
	for _, cc := range cases {
		if cc.eligible() {
			eligible++
		}
	}
	if int(d.Households) != eligible {
		t.Fatalf("decree lists %d households, want %d", d.Households, eligible)
	}
	step := func(u *user, action string, body any, want int) {
		t.Helper()
		if code := u.call("POST", fmt.Sprintf("/api/v1/decrees/%d/%s", d.ID, action), body, nil); code != want {
			t.Fatalf("decree %s: %d, want %d", action, code, want)
		}
	}
	step(bupati, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().Format("2006-01-02")}, 409) // not submitted yet
	step(dinsos, "submit", nil, 200)
	step(bupati, "return", map[string]string{}, 422) // a return needs its reason
	step(bupati, "return", map[string]string{"reason": "lampiran belum diparaf camat"}, 200)
	step(dinsos, "revise", nil, 200)
	step(dinsos, "submit", nil, 200)
	step(dinsos, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().Format("2006-01-02")}, 403) // Dinsos cannot sign
	step(bupati, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().AddDate(0, 0, 2).Format("2006-01-02")}, 422)
	step(bupati, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().Format("2006-01-02")}, 200)
	att := download(t, bupati, fmt.Sprintf("/api/v1/decrees/%d/attachment", d.ID))
	if rows := xlsxRows(t, att, "Lampiran"); len(rows) != eligible+1 {
		t.Fatalf("attachment has %d rows, want %d households and a header", len(rows)-1, eligible)
	}
	waitStages(t, dinsos, cases, func(cc *cycleCase) domain.Stage {
		switch {
		case cc.eligible() && cc.fam.DTKS:
			return domain.StageEnrolled
		case cc.proposed():
			return domain.StageAwaitingProposal
		}
		return domain.StageNotEligible
	})

	// The first Kemensos batch: additions of the new poor and removals,
	// every kind of answer. A household answer gives noAnswer is left out
	// of the answer file. sendBatch returns the batch's id and file.
	sendBatch := func(month string, want int, answer func(*cycleCase) string) (int64, [][]string) {
		t.Helper()
		var p struct {
			ID    int64
			Items int
		}
		if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": month}, &p); code != 201 || p.Items != want {
			t.Fatalf("build proposal %s: %d with %d households, want 201 with %d", month, code, p.Items, want)
		}
		file := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/proposals/%d/file", p.ID)), "")
		if len(file)-1 != p.Items || strings.Join(file[0], ",") != "kode_wilayah,no_kk,nik,nama,alamat,jenis_usulan,alasan,nomor_sk,tanggal_sk" {
			t.Fatalf("proposal file: %d rows for %d items, header %v", len(file)-1, p.Items, file[0])
		}
		if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/submit", p.ID), nil, nil); code != 202 {
			t.Fatalf("submit proposal: %d", code)
		}
		var answers strings.Builder
		answers.WriteString("no_kk;nik;status;alasan;keterangan;tanggal_penetapan\n")
		lines := 1
		for _, row := range file[1:] {
			cc := byKK[row[1]]
			if cc == nil {
				t.Fatalf("proposal file row for an unknown No KK")
			}
			if wantJenis := map[bool]string{true: "TAMBAH", false: "HAPUS"}[cc.eligible() && !cc.settled]; row[5] != wantJenis || row[7] != "188/1/2027" {
				t.Fatalf("%s proposed as %s under decree %q, want %s under 188/1/2027", cc.fam.Name, row[5], row[7], wantJenis)
			}
			status, reason := "DITETAPKAN", answer(cc)
			if reason == noAnswer {
				continue
			}
			if reason != "" {
				status = "DITOLAK"
			}
			fmt.Fprintf(&answers, "%s;%s;%s;%s;;%s\n", row[1], row[2], status, reason, time.Now().Format("2006-01-02"))
			lines++
		}
		bad := answers.String() + "3505019999999999;;DITETAPKAN;;;" + time.Now().Format("2006-01-02") + "\n"
		var refused struct{ Rows []struct{ Row int } }
		if code := dinsos.upload(fmt.Sprintf("/api/v1/proposals/%d/answers", p.ID), "jawaban.csv", []byte(bad), &refused); code != 422 || len(refused.Rows) != 1 || refused.Rows[0].Row != lines+1 {
			t.Fatalf("answer file with an unknown household: %d %+v, want 422 at row %d", code, refused, lines+1)
		}
		if code := dinsos.upload(fmt.Sprintf("/api/v1/proposals/%d/answers", p.ID), "jawaban.csv", []byte(answers.String()), nil); code != 200 {
			t.Fatalf("answer file: %d", code)
		}
		return p.ID, file
	}
	proposed := 0
	for _, cc := range cases {
		if cc.proposed() {
			proposed++
		}
	}
	_, file := sendBatch("2027-07", proposed, func(cc *cycleCase) string { return cc.answer })
	for _, row := range file[1:] {
		if cc := byKK[row[1]]; row[2] != cc.fam.NIK || cc.eligible() == (row[6] != "") {
			t.Fatalf("first batch row of %s: NIK %s…, alasan %q", cc.fam.Name, row[2][:6], row[6])
		}
	}
	waitStages(t, dinsos, cases, func(cc *cycleCase) domain.Stage {
		if cc.eligible() && cc.answer == kemensosNIK {
			return domain.StageAwaitingProposal // fixable: next month's batch, once corrected
		}
		st, _ := cc.final()
		return st
	})

	// The households Kemensos could not match wait for their NIK to be
	// corrected: no batch before that.
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2027-08"}, nil); code != 409 {
		t.Fatalf("a batch before any NIK is corrected: %d, want 409", code)
	}

	// A later decree revokes an enrolled household (its case in its open
	// year leaves its programmes, ends revoked and waits for its HAPUS) and
	// one still waiting for its NIK to be corrected (its workflow ends
	// revoked).
	var revoked, waiting *cycleCase
	for _, cc := range cases {
		if revoked == nil && cc.eligible() && cc.fam.DTKS {
			revoked = cc
		}
		if waiting == nil && cc.nik != "" {
			waiting = cc
		}
	}
	var rd struct{ ID int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), map[string]any{"kind": "revocation", "householdIds": []int64{revoked.id, waiting.id}, "reason": "anggota keluarga diangkat PNS"}, &rd); code != 201 {
		t.Fatalf("draft revocation: %d", code)
	}
	d.ID = rd.ID
	step(dinsos, "submit", nil, 200)
	step(bupati, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().Format("2006-01-02")}, 422) // number taken
	step(bupati, "sign", map[string]string{"number": "188/2/2027", "date": time.Now().Format("2006-01-02")}, 200)
	revoked.revoked, revoked.settled, waiting.revoked = true, true, true
	waiting.nik, waiting.kk, waiting.answer2 = "", "", ""
	niks--
	for _, cc := range []*cycleCase{revoked, waiting} {
		eventually(t, 30*time.Second, "the revocation", func() bool {
			var h struct{ Stage string }
			dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", cc.id), nil, &h)
			return h.Stage == string(domain.StageRevoked)
		})
	}

	// Dinsos corrects the households Kemensos could not match (the
	// bupati's office may not), and the second batch proposes them with
	// the new numbers.
	for _, cc := range cases {
		if cc.nik == "" {
			continue
		}
		body := map[string]string{"nik": cc.nik}
		if cc.kk != "" {
			body["noKk"] = cc.kk
		}
		if code := bupati.call("POST", fmt.Sprintf("/api/v1/households/%d/identity", cc.id), body, nil); code != 403 {
			t.Fatalf("the bupati's office corrects a NIK: %d, want 403", code)
		}
		var v struct{ NIKMasked, KKMasked string }
		if code := dinsos.call("POST", fmt.Sprintf("/api/v1/households/%d/identity", cc.id), body, &v); code != 200 || v.NIKMasked != ident.Mask(cc.nik) {
			t.Fatalf("correct the NIK of %s: %d %+v", cc.fam.Name, code, v)
		}
		if cc.kk != "" {
			delete(byKK, cc.fam.KK)
			byKK[cc.kk] = cc
		}
	}
	// Kemensos never answers one of them (silent), which holds the
	// cycle's close back until Dinsos records that: the household goes
	// back to wait, and a third batch proposes it again, accepted.
	var silent *cycleCase
	for _, cc := range cases {
		if silent == nil && cc.nik != "" && cc.answer2 == "" {
			silent = cc
		}
	}
	// The enrolled household the decree revoked is proposed HAPUS in it
	// (accepted), alongside the corrected ones.
	second, file := sendBatch("2027-08", niks+1, func(cc *cycleCase) string {
		if cc == silent {
			return noAnswer
		}
		return cc.answer2
	})
	for _, row := range file[1:] {
		cc := byKK[row[1]]
		if cc == revoked {
			if row[5] != "HAPUS" || row[6] != "MAMPU" {
				t.Fatalf("second batch row of the revoked household: %s %s, want HAPUS MAMPU", row[5], row[6])
			}
			continue
		}
		if row[2] != cc.nik || (cc.kk != "" && row[1] != cc.kk) || row[5] != "TAMBAH" {
			t.Fatalf("second batch row of %s: not its corrected numbers, or %s", cc.fam.Name, row[5])
		}
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), map[string]string{"reason": "tutup buku 2026"}, nil); code != 409 {
		t.Fatalf("close with a batch waiting for Kemensos: %d, want 409", code)
	}
	var marked struct{ Marked int }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/unanswered", second), map[string]string{"reason": "tidak dijawab Kemensos"}, &marked); code != 200 || marked.Marked != 1 {
		t.Fatalf("record that Kemensos did not answer: %d %+v, want 200 marking 1", code, marked)
	}
	eventually(t, 30*time.Second, "the silent household back to wait for a batch", func() bool {
		var h struct{ Stage, Reason string }
		dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", silent.id), nil, &h)
		return h.Stage == string(domain.StageAwaitingProposal) && h.Reason == "no answer from Kemensos: propose again"
	})
	if _, file := sendBatch("2027-09", 1, func(cc *cycleCase) string { return cc.answer2 }); byKK[file[1][1]] != silent {
		t.Fatalf("the third batch does not propose the household Kemensos did not answer")
	}
	waitStages(t, dinsos, cases, func(cc *cycleCase) domain.Stage { st, _ := cc.final(); return st })

	// Every household's case is over: its workflow has completed in the
	// stage its data calls for (an enrolled one is in its open year until
	// the close), and the API shows that stage's reason and the
	// household's programmes.
	for _, cc := range cases {
		wantStage, wantReason := cc.final()
		id := workflows.HouseholdWorkflowID(cycle.ID, cc.id)
		var status enums.WorkflowExecutionStatus
		var stage string
		eventually(t, 30*time.Second, "the workflow of "+cc.fam.Name+" to complete", func() bool {
			desc, err := s.temporal.DescribeWorkflowExecution(t.Context(), id, "")
			if err != nil {
				t.Fatalf("describe %s: %v", id, err)
			}
			info := desc.GetWorkflowExecutionInfo()
			status = info.GetStatus()
			if p := info.GetSearchAttributes().GetIndexedFields()[workflows.SAStage.GetName()]; p != nil {
				_ = converter.GetDefaultDataConverter().FromPayload(p, &stage)
			}
			return status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING || stage == string(domain.StageEnrolled) && wantStage == domain.StageEnrolled
		})
		// An enrolled household's case is in its open year until the close.
		wantStatus := enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
		if wantStage == domain.StageEnrolled {
			wantStatus = enums.WORKFLOW_EXECUTION_STATUS_RUNNING
		}
		if status != wantStatus || stage != string(wantStage) {
			t.Errorf("workflow of %s (outcome %s, DTKS %v, answers %q %q): %s in stage %q, want %s in %s",
				cc.fam.Name, cc.outcome, cc.fam.DTKS, cc.answer, cc.answer2, status, stage, wantStatus, wantStage)
		}
		var h struct {
			Stage, Reason, NIKMasked string
			Programmes               []struct{ Programme, Status string }
		}
		if code := dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", cc.id), nil, &h); code != 200 {
			t.Fatalf("household %s: %d", cc.fam.Name, code)
		}
		var active, exited []string
		for _, p := range h.Programmes {
			if p.Status == "active" {
				active = append(active, p.Programme)
			} else {
				exited = append(exited, p.Programme)
			}
		}
		wantExited := 0
		if cc.settled {
			wantExited = 5 // enrolled after the decree, exited by the revocation
		}
		if h.Stage != string(wantStage) || h.Reason != wantReason || !slices.Equal(active, cc.programmes()) || len(exited) != wantExited {
			t.Errorf("household %s (outcome %s, DTKS %v, answers %q %q): %s (%q), programmes %v, exits %v; want %s (%q), %v, %d exits",
				cc.fam.Name, cc.outcome, cc.fam.DTKS, cc.answer, cc.answer2, h.Stage, h.Reason, active, exited, wantStage, wantReason, cc.programmes(), wantExited)
		}
		if want := cc.fam.NIK; cc.nik != "" && h.NIKMasked != ident.Mask(cc.nik) || cc.nik == "" && h.NIKMasked != ident.Mask(want) {
			t.Errorf("household %s shows NIK %s", cc.fam.Name, h.NIKMasked)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The report counts every step per desa, and per kecamatan the sum;
	// its spreadsheet holds the same numbers.
	want := map[string]*reportRow{}
	total := newReportRow("35.05.01", "")
	for _, cc := range cases {
		r := want[cc.fam.Desa]
		if r == nil {
			r = newReportRow("35.05.01", cc.fam.Desa)
			want[cc.fam.Desa] = r
		}
		for _, r := range []*reportRow{r, total} {
			r.TakenIn++
			r.Verified[cc.outcome]++
			if cc.eligible() {
				r.Decreed++
			}
			if cc.proposed() {
				r.Proposed++
			}
			if cc.accepted() {
				r.Accepted++
			}
			if cc.settled {
				// The revoked enrolled household's HAPUS, accepted.
				r.Proposed++
				r.Accepted++
			}
			for _, p := range cc.programmes() {
				r.Enrolled[p]++
			}
			st, _ := cc.final()
			r.Final[string(st)]++
		}
	}
	var rep struct{ Kecamatan, Desa []*reportRow }
	if code := dinsos.call("GET", fmt.Sprintf("/api/v1/cycles/%d/report", cycle.ID), nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	if len(rep.Desa) != 2 || len(rep.Kecamatan) != 1 {
		t.Fatalf("report: %d desa, %d kecamatan; want 2 and 1", len(rep.Desa), len(rep.Kecamatan))
	}
	for _, got := range append(rep.Desa, rep.Kecamatan...) {
		w := want[got.DesaCode]
		if got.DesaCode == "" {
			w = total
		}
		if w == nil || !reflect.DeepEqual(got.values(), w.values()) || got.KecamatanName != "Wonodadi" || (got.DesaCode != "" && got.DesaName == "") {
			t.Errorf("report row %s %s:\n got %v\nwant %v", got.KecamatanName, got.DesaName, got.values(), w.values())
		}
	}
	x := download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/report?format=xlsx", cycle.ID))
	for _, sh := range []struct {
		name string
		rows []*reportRow
	}{{"Laporan", rep.Desa}, {"Kecamatan", rep.Kecamatan}} {
		cells := xlsxRows(t, x, sh.name)
		if len(cells) != len(sh.rows)+1 {
			t.Fatalf("report sheet %s: %d rows, want %d and a header", sh.name, len(cells)-1, len(sh.rows))
		}
		for i, r := range sh.rows {
			got := map[string]string{}
			for j, h := range cells[0] {
				if j < len(cells[i+1]) {
					got[h] = cells[i+1][j]
				}
			}
			wantCells := map[string]string{"Kode Kecamatan": "35.05.01", "Kecamatan": "Wonodadi", "Diterima (P3KE)": fmt.Sprint(r.TakenIn),
				"Ditetapkan SK": fmt.Sprint(r.Decreed), "Diusulkan": fmt.Sprint(r.Proposed), "Diterima Kemensos": fmt.Sprint(r.Accepted)}
			if sh.name == "Laporan" {
				wantCells["Kode Desa"], wantCells["Desa/Kelurahan"] = r.DesaCode, r.DesaName
			}
			for _, o := range domain.Outcomes() {
				wantCells[fmt.Sprintf("Hasil verval: %s [%s]", web.OutcomeName(o), o)] = fmt.Sprint(r.Verified[string(o)])
			}
			for _, p := range reportProgrammes {
				wantCells["Terdaftar "+p] = fmt.Sprint(r.Enrolled[p])
			}
			for _, st := range domain.Stages() {
				wantCells[fmt.Sprintf("Tahap: %s [%s]", web.StageName(st), st)] = fmt.Sprint(r.Final[string(st)])
			}
			wantCells["Jiwa diterima"] = fmt.Sprint(r.TakenInPeople)
			for _, p := range reportProgrammes {
				wantCells["Jiwa terdaftar "+p] = fmt.Sprint(r.EnrolledPeople[p])
			}
			for _, ch := range store.UsulChannels() {
				wantCells[fmt.Sprintf("Usul: %s [%s]", web.UsulChannelName(ch), ch)] = fmt.Sprint(r.Usul[ch])
			}
			wantCells["Usul diputuskan"] = fmt.Sprint(r.UsulDecided)
			wantCells["Usul: hari sampai keputusan (median)"] = fmt.Sprint(r.UsulDays.Median)
			wantCells["Usul: hari sampai keputusan (terlama)"] = fmt.Sprint(r.UsulDays.Worst)
			for _, k := range []domain.SanggahKind{domain.SanggahInclusion, domain.SanggahExclusion} {
				wantCells[fmt.Sprintf("Sanggah: %s [%s]", web.SanggahKindName(k), k)] = fmt.Sprint(r.Sanggah[string(k)])
			}
			for _, ch := range store.UsulChannels() {
				wantCells[fmt.Sprintf("Sanggah lewat: %s [%s]", web.UsulChannelName(ch), ch)] = fmt.Sprint(r.SanggahChannel[ch])
			}
			for _, st := range domain.SanggahStatuses() {
				wantCells[fmt.Sprintf("Sanggah %s [%s]", web.SanggahStatusName(st), st)] = fmt.Sprint(r.SanggahOutcome[string(st)])
			}
			wantCells["Sanggah: hari sampai keputusan (median)"] = fmt.Sprint(r.SanggahDays.Median)
			wantCells["Sanggah: hari sampai keputusan (terlama)"] = fmt.Sprint(r.SanggahDays.Worst)
			if len(got) != len(wantCells) {
				t.Errorf("report sheet %s has columns %v", sh.name, cells[0])
			}
			for k, v := range wantCells {
				if got[k] != v {
					t.Errorf("report sheet %s row %d column %q: %q, want %q", sh.name, i+2, k, got[k], v)
				}
			}
		}
	}

	// PKH's enrolment list: every enrolled household, and the revoked one's exit.
	pkhList := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/enrolments?programme=PKH", cycle.ID)), "PKH")
	exits := 0
	for _, row := range pkhList[1:] {
		if row[6] == "exited" {
			exits++
			if row[2] != fmt.Sprint(revoked.id) {
				t.Fatalf("PKH exit for household %s, want the revoked %d", row[2], revoked.id)
			}
		}
	}
	if len(pkhList)-1 != total.Enrolled["PKH"]+1 || exits != 1 {
		t.Fatalf("PKH list: %d rows with %d exits, want %d enrolled and 1 exit", len(pkhList)-1, exits, total.Enrolled["PKH"])
	}

	// Closing the cycle (tutup buku) at its end changes no finished
	// household: the fan-out finds none still open.
	var closed struct {
		ClosedAt    *time.Time
		CloseReason string
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), map[string]string{"reason": "tutup buku 2026"}, &closed); code != 202 || closed.ClosedAt == nil {
		t.Fatalf("close: %d %+v", code, closed)
	}
	// The close reaches the enrolled households' open years, which end;
	// no household is still waiting.
	enrolledCases := 0
	for _, cc := range cases {
		if st, _ := cc.final(); st == domain.StageEnrolled {
			enrolledCases++
		}
	}
	var closeRes activities.CloseCycleResult
	if err := s.temporal.GetWorkflow(t.Context(), workflows.CycleCloseWorkflowID(cycle.ID), "").Get(t.Context(), &closeRes); err != nil ||
		closeRes != (activities.CloseCycleResult{Households: enrolledCases, Closed: enrolledCases}) {
		t.Fatalf("close fan-out: %+v, %v; want the %d open years ended and no household still open", closeRes, err, enrolledCases)
	}
	for _, cc := range cases {
		if st, _ := cc.final(); st != domain.StageEnrolled {
			continue
		}
		desc, err := s.temporal.DescribeWorkflowExecution(t.Context(), workflows.HouseholdWorkflowID(cycle.ID, cc.id), "")
		if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			t.Errorf("the open year of %s after the close: %v, %v; want completed", cc.fam.Name, desc.GetWorkflowExecutionInfo().GetStatus(), err)
		}
	}
	for _, cc := range cases {
		wantStage, wantReason := cc.final()
		var h struct{ Stage, Reason string }
		if code := dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", cc.id), nil, &h); code != 200 || h.Stage != string(wantStage) || h.Reason != wantReason {
			t.Errorf("household %s after the close: %d %s (%q), want %s (%q)", cc.fam.Name, code, h.Stage, h.Reason, wantStage, wantReason)
		}
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), map[string]any{}, nil); code != 409 {
		t.Errorf("decree of the closed cycle: %d, want 409", code)
	}
	assertNoPIIInClear(t, s, fams, "HouseholdWorkflow", "IntakeWorkflow", "MeetingWorkflow", "DecreeWorkflow", "ProposalWorkflow", "CloseCycleWorkflow")
	t.Logf("%d households, %d proposed (%d corrected after NIK_TIDAK_PADAN), %d accepted; ended %v; enrolled %v",
		n, total.Proposed, niks, total.Accepted, total.Final, total.Enrolled)
}

// reportRow is a row of the cycle report as the JSON API shows it.
type reportRow struct {
	KecamatanCode, KecamatanName, DesaCode, DesaName string
	TakenIn, Decreed, Proposed, Accepted             int
	Verified, Enrolled, Final                        map[string]int
	// The people (jiwa), as the API reports them; the spreadsheet must
	// hold the same.
	TakenInPeople  int
	EnrolledPeople map[string]int
	// The usul by channel and those decided, as the API reports them
	// (none in this cycle: its families all come from the file).
	Usul        map[string]int
	UsulDecided int
	UsulDays    struct{ Median, Worst int }
	// The objections (sanggah), as the API reports them (none here).
	Sanggah, SanggahChannel, SanggahOutcome map[string]int
	SanggahDays                             struct{ Median, Worst int }
}

func newReportRow(kec, desa string) *reportRow {
	return &reportRow{KecamatanCode: kec, DesaCode: desa, Verified: map[string]int{}, Enrolled: map[string]int{}, Final: map[string]int{}}
}

// values are the row's counts, for comparing rows.
func (r *reportRow) values() string {
	return fmt.Sprintf("%s %s taken %d verified %v decreed %d proposed %d accepted %d enrolled %v final %v",
		r.KecamatanCode, r.DesaCode, r.TakenIn, r.Verified, r.Decreed, r.Proposed, r.Accepted, r.Enrolled, r.Final)
}

// startStackKemensosFile starts a stack whose Kemensos answers come as
// uploaded files.
func startStackKemensosFile(t *testing.T) *stack {
	t.Helper()
	env := stackEnv(t, "sqlite")
	env["VERVAL_KEMENSOS"] = "file"
	return startStackEnv(t, env)
}

// waitStages waits until every household is in the stage want gives it.
func waitStages(t *testing.T, u *user, cases []*cycleCase, want func(*cycleCase) domain.Stage) {
	t.Helper()
	for _, cc := range cases {
		cc.want = want(cc)
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, cc := range cases {
		var h struct{ Stage string }
		for {
			u.call("GET", fmt.Sprintf("/api/v1/households/%d", cc.id), nil, &h)
			if h.Stage == string(cc.want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s (outcome %s, DTKS %v, answer %q) is %s, want %s", cc.fam.Name, cc.outcome, cc.fam.DTKS, cc.answer, h.Stage, cc.want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// buildBatch builds the cycle's Kemensos batch of month, which must hold
// want households, and returns its id and its upload file's rows.
func buildBatch(t *testing.T, dinsos *user, cycleID int64, month string, want int) (int64, [][]string) {
	t.Helper()
	var p struct {
		ID    int64
		Items int
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycleID), map[string]string{"month": month}, &p); code != 201 || p.Items != want {
		t.Fatalf("build the batch of %s: %d with %d households, want 201 with %d", month, code, p.Items, want)
	}
	return p.ID, xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/proposals/%d/file", p.ID)), "")
}

func download(t *testing.T, u *user, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", u.s.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+u.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b.String())
	}
	return b.Bytes()
}

// xlsxRows reads a sheet (the first when name is empty) of an XLSX file.
func xlsxRows(t *testing.T, data []byte, name string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if name == "" {
		name = f.GetSheetName(0)
	}
	rows, err := f.GetRows(name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
