package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/workflows"
)

// household of the cycle test: its data and what its year must end in.
type cycleCase struct {
	fam     family
	id      int64
	outcome string
	// answer Kemensos gives: "" accepted, else the rejection code.
	answer string
	want   workflows.Stage
}

// TestWholeCycle runs a small regency's year through the real stack, from
// P3KE intake to enrolment: 200 households in two villages with every
// visit outcome, a decree returned once and then signed, a Kemensos batch
// answered from a file (after a bad file is refused whole), and a
// revocation. Every household must end in the stage its data calls for,
// and the cycle report must add up.
func TestWholeCycle(t *testing.T) {
	s := startStackKemensosFile(t)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	bupati := s.login("bupati", "bupati-blitar-2026")
	officers := map[string]*user{desaJaten: s.login("desa1", "desa-satu-2026"), desaSalam: s.login("desa2", "desa-dua-2026")}
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2027}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}

	outcomes := []string{"eligible", "eligible", "eligible", "eligible", "eligible", "eligible", "not_poor", "not_found", "deceased", "moved"}
	var cases []*cycleCase
	var fams []family
	for i := 1; i <= 200; i++ {
		desa := desaJaten
		if i%2 == 0 {
			desa = desaSalam
		}
		cc := &cycleCase{fam: testFamily(i, desa, i%3 == 0), outcome: outcomes[i%10]}
		if i%50 == 25 {
			cc.outcome = "duplicate"
		}
		cases = append(cases, cc)
		fams = append(fams, cc.fam)
	}
	in := intake(t, dinsos, cycle.ID, p3keCSV(fams))
	if in.HouseholdsStored != 200 || in.WorkflowsStarted != 200 {
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
				for _, cc := range cases {
					if cc.fam.Name == task.Name {
						cc.id = task.ID
					}
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
	waitStages(t, dinsos, cases, func(cc *cycleCase) workflows.Stage {
		switch {
		case cc.outcome == "eligible":
			return workflows.StageAwaitingDecree
		case cc.fam.DTKS:
			return workflows.StageAwaitingProposal
		}
		return workflows.StageNotEligible
	})

	// The decree: drafted, returned with a reason, revised, submitted, signed.
	var d struct{ ID, Households int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 {
		t.Fatalf("draft decree: %d", code)
	}
	eligible := 0
	for _, cc := range cases {
		if cc.outcome == "eligible" {
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
	waitStages(t, dinsos, cases, func(cc *cycleCase) workflows.Stage {
		switch {
		case cc.outcome == "eligible" && cc.fam.DTKS:
			return workflows.StageEnrolled
		case cc.outcome == "eligible", cc.fam.DTKS:
			return workflows.StageAwaitingProposal
		}
		return workflows.StageNotEligible
	})

	// The Kemensos batch: additions of the new poor and removals.
	var p struct {
		ID    int64
		Items int
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2027-07"}, &p); code != 201 {
		t.Fatalf("build proposal: %d", code)
	}
	file := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/proposals/%d/file", p.ID)), "")
	if len(file)-1 != p.Items || strings.Join(file[0], ",") != "kode_wilayah,no_kk,nik,nama,alamat,jenis_usulan,alasan,nomor_sk,tanggal_sk" {
		t.Fatalf("proposal file: %d rows for %d items, header %v", len(file)-1, p.Items, file[0])
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/submit", p.ID), nil, nil); code != 202 {
		t.Fatalf("submit proposal: %d", code)
	}
	byKK := map[string]*cycleCase{}
	for _, cc := range cases {
		byKK[cc.fam.KK] = cc
	}
	var answers strings.Builder
	answers.WriteString("no_kk;nik;status;alasan;keterangan;tanggal_penetapan\n")
	rejects := []string{"NIK_TIDAK_PADAN", "PNS_TNI_POLRI", "NIK_TIDAK_PADAN", "TIDAK_LAYAK"}
	for _, row := range file[1:] {
		cc := byKK[row[1]]
		if cc == nil {
			t.Fatalf("proposal file row for an unknown No KK")
		}
		if wantJenis := map[bool]string{true: "HAPUS", false: "TAMBAH"}[cc.outcome != "eligible"]; row[5] != wantJenis {
			t.Fatalf("%s proposed as %s, want %s", cc.fam.Name, row[5], wantJenis)
		}
		if len(rejects) > 0 && (cc.outcome == "eligible") == (rejects[0] != "TIDAK_LAYAK") {
			cc.answer, rejects = rejects[0], rejects[1:]
		}
		status := "DITETAPKAN"
		if cc.answer != "" {
			status = "DITOLAK"
		}
		fmt.Fprintf(&answers, "%s;%s;%s;%s;;%s\n", row[1], row[2], status, cc.answer, time.Now().Format("2006-01-02"))
	}
	bad := answers.String() + "3505019999999999;;DITETAPKAN;;;" + time.Now().Format("2006-01-02") + "\n"
	var refused struct{ Rows []struct{ Row int } }
	if code := dinsos.upload(fmt.Sprintf("/api/v1/proposals/%d/answers", p.ID), "jawaban.csv", []byte(bad), &refused); code != 422 || len(refused.Rows) != 1 || refused.Rows[0].Row != len(file)+1 {
		t.Fatalf("answer file with an unknown household: %d %+v, want 422 at row %d", code, refused, len(file)+1)
	}
	if code := dinsos.upload(fmt.Sprintf("/api/v1/proposals/%d/answers", p.ID), "jawaban.csv", []byte(answers.String()), nil); code != 200 {
		t.Fatalf("answer file: %d", code)
	}
	final := func(cc *cycleCase) workflows.Stage {
		switch {
		case cc.outcome == "eligible" && cc.fam.DTKS:
			return workflows.StageEnrolled
		case cc.outcome == "eligible" && cc.answer == "":
			return workflows.StageEnrolled
		case cc.outcome == "eligible" && cc.answer == "NIK_TIDAK_PADAN":
			return workflows.StageAwaitingProposal // fixable: next month's batch
		case cc.outcome == "eligible":
			return workflows.StageRejected
		case cc.fam.DTKS && cc.answer == "":
			return workflows.StageRemoved
		case cc.fam.DTKS:
			return workflows.StageRejected
		}
		return workflows.StageNotEligible
	}
	waitStages(t, dinsos, cases, final)

	// A later decree revokes one enrolled household.
	var revoked *cycleCase
	for _, cc := range cases {
		if final(cc) == workflows.StageEnrolled {
			revoked = cc
			break
		}
	}
	var rd struct{ ID int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), map[string]any{"kind": "revocation", "householdIds": []int64{revoked.id}, "reason": "anggota keluarga diangkat PNS"}, &rd); code != 201 {
		t.Fatalf("draft revocation: %d", code)
	}
	d.ID = rd.ID
	step(dinsos, "submit", nil, 200)
	step(bupati, "sign", map[string]string{"number": "188/1/2027", "date": time.Now().Format("2006-01-02")}, 422) // number taken
	step(bupati, "sign", map[string]string{"number": "188/2/2027", "date": time.Now().Format("2006-01-02")}, 200)
	eventually(t, 30*time.Second, "the revocation", func() bool {
		var h struct{ Stage string }
		dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", revoked.id), nil, &h)
		return h.Stage == string(workflows.StageRevoked)
	})

	// The report adds up.
	var rep struct {
		Desa []struct {
			TakenIn, Decreed, Proposed, Accepted int
			Verified, Enrolled                   map[string]int
		}
	}
	if code := dinsos.call("GET", fmt.Sprintf("/api/v1/cycles/%d/report", cycle.ID), nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	var taken, verified, decreed, proposed, accepted, pkh, blt int
	for _, r := range rep.Desa {
		taken, decreed, proposed, accepted = taken+r.TakenIn, decreed+r.Decreed, proposed+r.Proposed, accepted+r.Accepted
		for _, n := range r.Verified {
			verified += n
		}
		pkh, blt = pkh+r.Enrolled["PKH"], blt+r.Enrolled["BLT-DD"]
	}
	var wantAccepted, wantEnrolled, wantRejectedAdd int
	for _, cc := range cases {
		if cc.outcome == "eligible" && !cc.fam.DTKS || cc.outcome != "eligible" && cc.fam.DTKS {
			if cc.answer == "" {
				wantAccepted++
			}
		}
		if final(cc) == workflows.StageEnrolled && cc != revoked {
			wantEnrolled++
		}
		if cc.outcome == "eligible" && final(cc) == workflows.StageRejected {
			wantRejectedAdd++
		}
	}
	if taken != 200 || verified != 200 || decreed != eligible || proposed != p.Items || accepted != wantAccepted || pkh != wantEnrolled || blt != wantEnrolled+wantRejectedAdd {
		t.Fatalf("report: taken %d verified %d decreed %d (want %d) proposed %d (want %d) accepted %d (want %d) PKH %d (want %d) BLT-DD %d (want %d)",
			taken, verified, decreed, eligible, proposed, p.Items, accepted, wantAccepted, pkh, wantEnrolled, blt, wantEnrolled+wantRejectedAdd)
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
	if len(pkhList)-1 != wantEnrolled+1 || exits != 1 {
		t.Fatalf("PKH list: %d rows with %d exits, want %d enrolled and 1 exit", len(pkhList)-1, exits, wantEnrolled)
	}
	if x := download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/report?format=xlsx", cycle.ID)); len(xlsxRows(t, x, "Laporan")) != len(rep.Desa)+1 {
		t.Fatalf("report spreadsheet rows do not match the JSON report")
	}
	assertNoPIIInClear(t, s, fams, "HouseholdWorkflow", "IntakeWorkflow", "MeetingWorkflow", "DecreeWorkflow", "ProposalWorkflow")
}

// startStackKemensosFile starts a stack whose Kemensos answers come as
// uploaded files.
func startStackKemensosFile(t *testing.T) *stack {
	t.Helper()
	s := startStack(t, "sqlite")
	s.stop()
	s.env["VERVAL_KEMENSOS"] = "file"
	return startStackEnv(t, s.env)
}

// waitStages waits until every household is in the stage want gives it.
func waitStages(t *testing.T, u *user, cases []*cycleCase, want func(*cycleCase) workflows.Stage) {
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
