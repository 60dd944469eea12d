package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// TestSanggahEndToEnd runs an usul and an objection through the real
// stack: two registered families of Desa Jaten are verified eligible,
// decreed and enrolled, and a third, proposed by the village (usul),
// verified and decreed with them; a citizen objects to one at Dinsos (an inclusion error, the
// objector's name and phone sealed) and gets a receipt; the village sees
// the objection and its reason, never the objector, re-verifies the
// household and finds it not_poor; Dinsos upholds the objection; a
// revocation decree drafted without naming households revokes it and
// takes it out of its programmes; the month's batch proposes the usul's
// family TAMBAH and the revoked one HAPUS, and Kemensos' answer enrols the
// usul's family; the objector is told at registration
// and at the decision (the dev gateway's notifications); and the
// login-free status page and API show each status on the way. No
// history, search attribute or log holds the families' or the
// objector's data in clear.
func TestSanggahEndToEnd(t *testing.T) {
	s := startStackKemensosFile(t)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	bupati := s.login("bupati", "bupati-blitar-2026")
	desa1 := s.login("desa1", "desa-satu-2026")
	public := &user{s: s}
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2028, "sanggahDays": 10}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}
	// 904 is found not poor at its visit: left out, it is the exclusion
	// error's household. 905 is found eligible, and an inclusion error
	// upheld before the first decree takes it off the list.
	fams := []family{testFamily(901, desaJaten, true), testFamily(902, desaJaten, true), testFamily(904, desaJaten, false), testFamily(905, desaJaten, false)}
	if in := intake(t, dinsos, cycle.ID, p3keCSV(fams)); in.WorkflowsStarted != 4 {
		t.Fatalf("intake: %+v", in)
	}
	// An usul: desa1 proposes a poor family the file did not bring.
	newcomer := testFamily(903, desaJaten, false)
	var usul struct {
		HouseholdID int64
		Source      string
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/cycles/%d/usul", cycle.ID), map[string]any{"nik": newcomer.NIK, "noKk": newcomer.KK,
		"name": newcomer.Name, "address": "Dusun Krajan RT 002 RW 001", "desaCode": desaJaten, "members": 3,
		"reason": "Janda dengan dua anak, belum pernah menerima bantuan"}, &usul); code != 201 || usul.Source != "usul" {
		t.Fatalf("usul: %d %+v", code, usul)
	}
	fams = append(fams, newcomer)
	var tl taskList
	desa1.call("GET", "/api/v1/tasks?status=open", nil, &tl)
	ids := map[string]int64{}
	for _, task := range tl.Tasks {
		ids[task.Name] = task.ID
	}
	if ids[newcomer.Name] != usul.HouseholdID {
		t.Fatalf("the usul's task is not in the village's list: %v", ids)
	}
	proposed := &cycleCase{fam: newcomer, id: usul.HouseholdID}
	cases := []*cycleCase{{fam: fams[0], id: ids[fams[0].Name]}, {fam: fams[1], id: ids[fams[1].Name]}}
	target := cases[0]
	for _, cc := range append(cases, proposed) {
		if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", cc.id), visit("eligible", ""), nil); code != 200 {
			t.Fatalf("visit: %d", code)
		}
	}
	leftOut := &cycleCase{fam: fams[2], id: ids[fams[2].Name]}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", leftOut.id), visit("not_poor", ""), nil); code != 200 {
		t.Fatalf("visit: %d", code)
	}
	wellOff := &cycleCase{fam: fams[3], id: ids[fams[3].Name]}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", wellOff.id), visit("eligible", ""), nil); code != 200 {
		t.Fatalf("visit: %d", code)
	}
	// An objection before the decision is refused: the visit is where to
	// correct it.
	objection := map[string]any{"householdId": target.id, "kind": "inclusion", "channel": "walk_in", "objectorKind": "citizen",
		"objectorName": objectorName, "objectorPhone": objectorPhone, "reason": "Punya toko grosir dan dua mobil di Jaten"}
	var refusal struct{ Code string }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), objection, &refusal); code != 409 || refusal.Code != string(domain.CodeSanggahUndecided) {
		t.Fatalf("an objection before the decision: %d %+v", code, refusal)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), map[string]any{"date": time.Now().Format("2006-01-02"), "beritaAcaraNo": "BA-SGH", "attendees": 30}, nil); code != 201 {
		t.Fatalf("meeting: %d", code)
	}
	waitStages(t, dinsos, append(cases, proposed, wellOff), func(*cycleCase) domain.Stage { return domain.StageAwaitingDecree })
	waitStages(t, dinsos, []*cycleCase{leftOut}, func(*cycleCase) domain.Stage { return domain.StageNotEligible })
	decree := func(body any, number string) {
		t.Helper()
		var d struct{ ID, Households int64 }
		if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), body, &d); code != 201 || d.Households < 1 {
			t.Fatalf("draft decree: %d %+v", code, d)
		}
		if code := dinsos.call("POST", fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); code != 200 {
			t.Fatalf("submit decree: %d", code)
		}
		if code := bupati.call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": number, "date": time.Now().Format("2006-01-02")}, nil); code != 200 {
			t.Fatalf("sign decree: %d", code)
		}
	}
	// An inclusion error upheld before the first decree: the household
	// leaves the way to the list (found not poor, not in the registry:
	// not eligible), and the decree does not name it.
	var early struct {
		ID      int64
		Receipt string
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), map[string]any{"householdId": wellOff.id, "kind": "inclusion",
		"channel": "letter", "objectorKind": "citizen", "objectorName": objectorName, "reason": "Pemilik penggilingan padi di Jaten"}, &early); code != 201 {
		t.Fatalf("inclusion sanggah before the decree: %d", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/finding", early.ID), map[string]string{"outcome": "not_poor", "note": "Punya penggilingan padi"}, nil); code != 200 {
		t.Fatalf("inclusion finding: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/decision", early.ID), map[string]string{"decision": "upheld", "note": "Terbukti mampu"}, nil); code != 200 {
		t.Fatalf("inclusion decision: %d", code)
	}
	waitStages(t, dinsos, []*cycleCase{wellOff}, func(*cycleCase) domain.Stage { return domain.StageNotEligible })
	decree(nil, "188/1/2028")
	waitStages(t, dinsos, cases, func(*cycleCase) domain.Stage { return domain.StageEnrolled })
	// The usul's family is not in the registry: it waits for the batch.
	waitStages(t, dinsos, []*cycleCase{proposed}, func(*cycleCase) domain.Stage { return domain.StageAwaitingProposal })

	// The citizen's objection, recorded by Dinsos: a receipt.
	var sg struct {
		ID               int64
		Receipt, Status  string
		DueAt, CreatedAt time.Time
		Reason           string
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), objection, &sg); code != 201 ||
		!strings.HasPrefix(sg.Receipt, "SGH-3505-2028-") || sg.Status != string(domain.SanggahReverification) ||
		sg.DueAt.Sub(sg.CreatedAt).Round(time.Hour) != 10*24*time.Hour {
		t.Fatalf("file sanggah: %d %+v", code, sg)
	}
	statusOf := func(receipt string, want domain.SanggahStatus) {
		t.Helper()
		var st struct{ Status, KecamatanName string }
		eventually(t, 30*time.Second, "status "+string(want), func() bool {
			public.call("GET", "/api/v1/status/"+receipt, nil, &st)
			return st.Status == string(want)
		})
		resp, err := http.Get(s.base + "/status?kode=" + receipt)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, secret := range []string{objectorName, objectorPhone, target.fam.Name, target.fam.NIK, target.fam.KK, leftOut.fam.Name, leftOut.fam.NIK, leftOut.fam.KK,
			wellOff.fam.Name, wellOff.fam.NIK, wellOff.fam.KK, "Jaten"} {
			if strings.Contains(string(page), secret) {
				t.Fatalf("the status page at %s shows personal data or the desa", want)
			}
		}
		if resp.StatusCode != 200 || st.KecamatanName != "Wonodadi" || !strings.Contains(string(page), receipt) {
			t.Fatalf("status page at %s: %d %+v", want, resp.StatusCode, st)
		}
	}
	status := func(want domain.SanggahStatus) { t.Helper(); statusOf(sg.Receipt, want) }
	status(domain.SanggahReverification)
	statusOf(early.Receipt, domain.SanggahEnacted)
	objectorToldOf := func(receipt, text string) {
		t.Helper()
		eventually(t, 30*time.Second, "the objector told "+text, func() bool {
			var ns struct {
				Notifications []struct{ Kind, Message string }
			}
			dinsos.call("GET", "/api/v1/notifications", nil, &ns)
			for _, n := range ns.Notifications {
				if n.Kind == "sanggah_objector" && strings.Contains(n.Message, receipt) && strings.Contains(n.Message, text) {
					return true
				}
			}
			return false
		})
	}
	objectorTold := func(text string) { t.Helper(); objectorToldOf(sg.Receipt, text) }
	objectorTold("tercatat")

	// The village is told at once, and sees the objection and its reason,
	// never the objector.
	eventually(t, 30*time.Second, "the village told of the objection", func() bool {
		var ns struct {
			Notifications []struct{ Kind, Message string }
		}
		desa1.call("GET", "/api/v1/notifications", nil, &ns)
		for _, n := range ns.Notifications {
			if n.Kind == "sanggah_new" {
				return !strings.Contains(n.Message, objectorName) && !strings.Contains(n.Message, target.fam.Name)
			}
		}
		return false
	})
	var list struct{ Sanggah []map[string]any }
	// Newest first: this objection, then the one decided before the decree.
	if code := desa1.call("GET", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), nil, &list); code != 200 || len(list.Sanggah) != 2 ||
		list.Sanggah[0]["reason"] != objection["reason"] {
		t.Fatalf("the village's list: %d %+v", code, list)
	}
	if shown := fmt.Sprint(list); strings.Contains(shown, objectorName) || strings.Contains(shown, objectorPhone) {
		t.Fatal("the village sees the objector")
	}
	// Dinsos cannot decide before the finding; the village re-verifies.
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/decision", sg.ID), map[string]string{"decision": "upheld", "note": "cepat"}, &refusal); code != 409 {
		t.Fatalf("a decision before the finding: %d", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/finding", sg.ID), map[string]string{"outcome": "not_poor", "note": "Rumah tembok, ada dua mobil"}, nil); code != 200 {
		t.Fatalf("finding: %d", code)
	}
	status(domain.SanggahAwaitingDecision)
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/decision", sg.ID), map[string]string{"decision": "upheld", "note": "Terbukti mampu"}, nil); code != 200 {
		t.Fatalf("decision: %d", code)
	}
	status(domain.SanggahUpheld)
	objectorTold("DITERIMA")

	// The next decree: a revocation drafted without naming households
	// revokes the upheld objection's (through the revocation path: by
	// signal if its case still runs, in the store if it has ended), and the
	// enrolled household leaves its programmes.
	decree(map[string]any{"kind": "revocation", "reason": "sanggah diterima: keluarga mampu"}, "188/2/2028")
	eventually(t, 30*time.Second, "the revocation", func() bool {
		var h struct {
			Stage      string
			Programmes []struct{ Programme, Status string }
		}
		dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", target.id), nil, &h)
		for _, p := range h.Programmes {
			if p.Status == "active" {
				return false
			}
		}
		return h.Stage == string(domain.StageRevoked) && len(h.Programmes) > 0
	})
	status(domain.SanggahEnacted)
	var other struct{ Stage string }
	if dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", cases[1].id), nil, &other); other.Stage != string(domain.StageEnrolled) {
		t.Fatalf("the other household is %s", other.Stage)
	}

	// The exclusion error: the village officer objects in its own name
	// that the family found not poor is poor after all; the village finds
	// it eligible, Dinsos upholds it, and the household's case, ended,
	// starts again at awaiting_decree; the next decree (an amendment)
	// lists it.
	var ex struct {
		ID      int64
		Receipt string
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), map[string]any{"householdId": leftOut.id, "kind": "exclusion",
		"objectorKind": "officer", "reason": "Suami meninggal bulan lalu, tidak ada penghasilan"}, &ex); code != 201 {
		t.Fatalf("exclusion sanggah: %d", code)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/finding", ex.ID), map[string]string{"outcome": "eligible", "note": "Rumah bilik, tanpa penghasilan"}, nil); code != 200 {
		t.Fatalf("exclusion finding: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/decision", ex.ID), map[string]string{"decision": "upheld", "note": "Layak masuk"}, nil); code != 200 {
		t.Fatalf("exclusion decision: %d", code)
	}
	statusOf(ex.Receipt, domain.SanggahUpheld)
	waitStages(t, dinsos, []*cycleCase{leftOut}, func(*cycleCase) domain.Stage { return domain.StageAwaitingDecree })
	decree(nil, "188/3/2028")
	waitStages(t, dinsos, []*cycleCase{leftOut}, func(*cycleCase) domain.Stage { return domain.StageAwaitingProposal })

	// The month's batch: the usul's family and the reinstated one proposed
	// TAMBAH, the revoked one (in the registry) HAPUS; Kemensos accepts
	// them all, and the two added families are enrolled.
	batch, file := buildBatch(t, dinsos, cycle.ID, "2028-07", 3)
	jenis := map[string]string{}
	answers := "no_kk;nik;status;alasan;keterangan;tanggal_penetapan\n"
	for _, row := range file[1:] {
		jenis[row[1]] = row[5]
		answers += fmt.Sprintf("%s;%s;DITETAPKAN;;;%s\n", row[1], row[2], time.Now().Format("2006-01-02"))
	}
	testx.Equal(t, "the batch", jenis, map[string]string{newcomer.KK: "TAMBAH", target.fam.KK: "HAPUS", leftOut.fam.KK: "TAMBAH"})
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/submit", batch), nil, nil); code != 202 {
		t.Fatalf("submit proposal: %d", code)
	}
	if code := dinsos.upload(fmt.Sprintf("/api/v1/proposals/%d/answers", batch), "jawaban.csv", []byte(answers), nil); code != 200 {
		t.Fatalf("answer file: %d", code)
	}
	waitStages(t, dinsos, []*cycleCase{proposed, leftOut}, func(*cycleCase) domain.Stage { return domain.StageEnrolled })
	status(domain.SanggahEnacted)
	statusOf(ex.Receipt, domain.SanggahEnacted)

	// The objection's case has completed, upheld, in a few events.
	id := workflows.SanggahWorkflowID(sg.ID)
	var stage string
	eventually(t, 30*time.Second, "the sanggah's workflow to complete", func() bool {
		desc, err := s.temporal.DescribeWorkflowExecution(t.Context(), id, "")
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		info := desc.GetWorkflowExecutionInfo()
		if p := info.GetSearchAttributes().GetIndexedFields()[workflows.SAStage.GetName()]; p != nil {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &stage)
		}
		return info.GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	events := 0
	for hist := s.temporal.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT); hist.HasNext(); {
		if _, err := hist.Next(); err != nil {
			t.Fatal(err)
		}
		events++
	}
	if stage != workflows.SanggahStage(domain.SanggahUpheld) || events > 45 {
		t.Fatalf("the sanggah's case: stage %q, %d history events", stage, events)
	}
	t.Logf("sanggah case: %d history events", events)

	// An objection still undecided when Dinsos closes the cycle ends with
	// it: closed, and its objector told.
	open := objection
	open["householdId"], open["reason"] = cases[1].id, "Anaknya sudah bekerja di kota dengan gaji besar"
	var late struct {
		ID      int64
		Receipt string
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/sanggah", cycle.ID), open, &late); code != 201 {
		t.Fatalf("the last objection: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), map[string]string{"reason": "tutup buku 2028"}, nil); code != 202 {
		t.Fatalf("close the cycle: %d", code)
	}
	statusOf(late.Receipt, domain.SanggahClosed)
	objectorToldOf(late.Receipt, "ditutup")
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/sanggah/%d/finding", late.ID), map[string]string{"outcome": "not_poor", "note": "Terlambat"}, &refusal); code != 409 {
		t.Fatalf("a finding after the close: %d %+v", code, refusal)
	}

	// The phone also without its leading 0 (as in +62 8...).
	assertNoPIIInClearWith(t, s, fams, []string{objectorName, objectorPhone, objectorPhone[1:]},
		"HouseholdWorkflow", "IntakeWorkflow", "MeetingWorkflow", "DecreeWorkflow", "SanggahWorkflow")
}

// The objector of the end-to-end sanggah: no history, log or page may
// show them.
const (
	objectorName  = "Bu Penyanggah Rahasiawati"
	objectorPhone = "081377775555"
)
