package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/workflows"
)

// TestYearChangesEndToEnd runs the year after enrolment through the real
// stack. Kab. Blitar brings its running 2026 into verval: the cycle opened
// on 5 January (openedOn), three registered families of Desa Jaten were
// visited in January, the village meeting was on 20 January and the
// decree was signed on 2 February, so they are enrolled from that day, and
// their cases stay open. The head of the first dies on 20 March, month 3
// (the PKH companion records it, a second record is refused while it
// waits, the TKSK confirms): the family leaves PKH and every other
// programme dated the day of death, ends exited, and is proposed HAPUS
// (MENINGGAL) in the next monthly batch after the death, April's (the
// 20th is after March's cut-off, the 17th), and not in May's. The second
// moves to Desa Salam (the village officer records it, Dinsos confirms):
// it is in Salam's task list and no longer in Jaten's, and Jaten's officer
// no longer sees it. The third stays enrolled. The close ends the open
// years; 2027 opens from 2026, and its year-on-year report shows the exit.
func TestYearChangesEndToEnd(t *testing.T) {
	s := startStackKemensosFile(t)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	bupati := s.login("bupati", "bupati-blitar-2026")
	jaten, salam := s.login("desa1", "desa-satu-2026"), s.login("desa2", "desa-dua-2026")
	pendamping := s.login("pendamping", "pendamping-pkh-2026")
	tksk := s.login("tksk", "tksk-wonodadi-2026")
	var cycle struct{ ID int64 }
	// The year's days, before verval came in (today is later in 2026).
	const opened, visited, met, signed, death = "2026-01-05", "2026-01-12", "2026-01-20", "2026-02-02", "2026-03-20"
	if time.Now().In(wib).Format("2006-01-02") < "2026-04-18" {
		t.Skip("the year's dates are those of 2026 up to April's cut-off: run after 17 April 2026")
	}
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2026, "openedOn": opened}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}
	// A fourth family, in Desa Salam, is never visited: the close ends it
	// unfinished.
	fams := []family{testFamily(1, desaJaten, true), testFamily(2, desaJaten, true), testFamily(3, desaJaten, true), testFamily(4, desaSalam, false)}
	if in := intake(t, dinsos, cycle.ID, p3keCSV(fams)); in.HouseholdsStored != 4 {
		t.Fatalf("intake: %+v", in)
	}
	ids := map[string]int64{}
	var tl taskList
	jaten.call("GET", "/api/v1/tasks?perPage=200", nil, &tl)
	for _, task := range tl.Tasks {
		ids[task.Name] = task.ID
		v := visit("eligible", "masih miskin")
		v["visitDate"] = visited
		if code := jaten.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", task.ID), v, nil); code != 200 {
			t.Fatalf("visit: %d", code)
		}
	}
	died, moved, stays := ids[fams[0].Name], ids[fams[1].Name], ids[fams[2].Name]
	today := time.Now().In(wib).Format("2006-01-02")
	if code := jaten.call("POST", fmt.Sprintf("/api/v1/cycles/%d/meetings", cycle.ID), map[string]any{"date": met, "beritaAcaraNo": "BA-1", "attendees": 30}, nil); code != 201 {
		t.Fatalf("meeting: %d", code)
	}
	stageOf := func(u *user, id int64) string {
		var h struct{ Stage string }
		u.call("GET", fmt.Sprintf("/api/v1/households/%d", id), nil, &h)
		return h.Stage
	}
	waitStage := func(id int64, want domain.Stage) {
		t.Helper()
		eventually(t, 60*time.Second, fmt.Sprintf("household %d %s", id, want), func() bool { return stageOf(dinsos, id) == string(want) })
	}
	for _, id := range []int64{died, moved, stays} {
		waitStage(id, domain.StageAwaitingDecree)
	}
	var d struct{ ID int64 }
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), nil, &d); code != 201 {
		t.Fatalf("draft decree: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/decrees/%d/submit", d.ID), nil, nil); code != 200 {
		t.Fatalf("submit decree: %d", code)
	}
	if code := bupati.call("POST", fmt.Sprintf("/api/v1/decrees/%d/sign", d.ID), map[string]string{"number": "188/1/2026", "date": signed}, nil); code != 200 {
		t.Fatalf("sign decree: %d", code)
	}
	for _, id := range []int64{died, moved, stays} {
		waitStage(id, domain.StageEnrolled)
	}
	// The cases stay open: a change needs a running open year.
	eventually(t, 30*time.Second, "the open years", func() bool {
		for _, id := range []int64{died, moved, stays} {
			desc, err := s.temporal.DescribeWorkflowExecution(t.Context(), workflows.HouseholdWorkflowID(cycle.ID, id), "")
			if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
				return false
			}
		}
		return true
	})
	// Nothing to propose yet: every family is enrolled.
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2026-03"}, nil); code != 409 {
		t.Fatalf("a batch with nothing to propose: %d, want 409", code)
	}

	// The head dies.
	change := func(u *user, id int64, body map[string]any, want int) {
		t.Helper()
		var resp struct{ Code string }
		if code := u.call("POST", fmt.Sprintf("/api/v1/households/%d/changes", id), body, &resp); code != want {
			t.Fatalf("change %v of household %d: %d %s, want %d", body["kind"], id, code, resp.Code, want)
		}
	}
	decide := func(u *user, id int64, want int) {
		t.Helper()
		if code := u.call("POST", fmt.Sprintf("/api/v1/households/%d/changes/decision", id), map[string]any{"confirm": true}, nil); code != want {
			t.Fatalf("confirm the change of household %d: %d, want %d", id, code, want)
		}
	}
	change(bupati, died, map[string]any{"kind": "head_died", "date": death, "note": "meninggal"}, 403)
	// Not before the year opened.
	change(pendamping, died, map[string]any{"kind": "head_died", "date": "2026-01-04", "note": "meninggal"}, 422)
	change(pendamping, died, map[string]any{"kind": "head_died", "date": death, "note": "kepala keluarga meninggal, keluarga berakhir"}, 201)
	change(jaten, died, map[string]any{"kind": "withdrew", "date": today, "note": "mundur"}, 409) // one waits
	decide(pendamping, died, 403)
	decide(tksk, died, 200)
	waitStage(died, domain.StageExited)
	type programme struct {
		Programme, Status    string
		EnrolledAt, ExitedAt *time.Time
		ExitReason           string
	}
	var rec struct {
		Reason     string
		Programmes []programme
		Changes    []struct{ Kind, Status string }
	}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	dinsos.call("GET", fmt.Sprintf("/api/v1/households/%d", died), nil, &rec)
	// Enrolled from the decree's day, out of PKH from the day of death.
	pkh := slices.IndexFunc(rec.Programmes, func(p programme) bool { return p.Programme == "PKH" })
	if pkh < 0 || rec.Programmes[pkh].Status != "exited" || day(rec.Programmes[pkh].EnrolledAt) != signed ||
		day(rec.Programmes[pkh].ExitedAt) != death || rec.Programmes[pkh].ExitReason != "change head_died: "+death {
		t.Fatalf("PKH after the head died: %+v", rec.Programmes)
	}
	for _, p := range rec.Programmes {
		if p.Status != "exited" || day(p.ExitedAt) != death {
			t.Errorf("programme %s %s, exited %s after the family ended, want exited on %s", p.Programme, p.Status, day(p.ExitedAt), death)
		}
	}
	if len(rec.Changes) != 1 || rec.Changes[0].Kind != "head_died" || rec.Changes[0].Status != "confirmed" {
		t.Errorf("the household's changes: %+v", rec.Changes)
	}

	// The move to Salam.
	change(jaten, moved, map[string]any{"kind": "moved_desa", "date": today, "note": "pindah ke Salam", "newDesaCode": "35.06.01.2001"}, 422)
	change(jaten, moved, map[string]any{"kind": "moved_desa", "date": today, "note": "pindah ke Salam", "newDesaCode": desaSalam}, 201)
	decide(dinsos, moved, 200)
	has := func(u *user, id int64) bool {
		var tl taskList
		u.call("GET", "/api/v1/tasks?perPage=200", nil, &tl)
		for _, task := range tl.Tasks {
			if task.ID == id {
				return true
			}
		}
		return false
	}
	eventually(t, 30*time.Second, "the moved household in Salam's task list", func() bool { return has(salam, moved) })
	if has(jaten, moved) || !has(jaten, stays) {
		t.Errorf("Jaten's task list after the move: moved %v, stays %v", has(jaten, moved), has(jaten, stays))
	}
	if code := jaten.call("GET", fmt.Sprintf("/api/v1/households/%d", moved), nil, nil); code != 404 {
		t.Errorf("Jaten's officer reads the household that moved away: %d, want 404", code)
	}
	if st := stageOf(salam, moved); st != string(domain.StageEnrolled) {
		t.Errorf("the moved household in Salam: %s, want enrolled", st)
	}

	// The next monthly batch after the death: not March's (the death came
	// after its cut-off), April's, with the family's HAPUS MENINGGAL.
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2026-03"}, nil); code != 409 {
		t.Fatalf("March's batch after a death on %s: %d, want 409 (nothing to propose)", death, code)
	}
	batch, file := buildBatch(t, dinsos, cycle.ID, "2026-04", 1)
	if len(file) != 2 || file[1][1] != fams[0].KK || file[1][5] != "HAPUS" || file[1][6] != "MENINGGAL" {
		t.Fatalf("the batch's file: %v", file)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/proposals", cycle.ID), map[string]string{"month": "2026-05"}, nil); code != 409 {
		t.Errorf("a second batch proposes the HAPUS again: %d, want 409", code)
	}
	// The month's change report: Jaten recorded both, one exit proposed.
	month := time.Now().UTC().Format("2006-01")
	var rep struct {
		Desa []struct {
			DesaCode                            string
			Recorded                            map[string]int
			Confirmed, Refused, Exits, Proposed int
		}
	}
	if code := tksk.call("GET", fmt.Sprintf("/api/v1/cycles/%d/changes?month=%s", cycle.ID, month), nil, &rep); code != 200 ||
		len(rep.Desa) != 1 || rep.Desa[0].DesaCode != desaJaten || rep.Desa[0].Recorded["head_died"] != 1 || rep.Desa[0].Recorded["moved_desa"] != 1 ||
		rep.Desa[0].Confirmed != 2 || rep.Desa[0].Exits != 1 || rep.Desa[0].Proposed != 1 {
		t.Errorf("the month's change report: %d %+v", code, rep)
	}
	if rows := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/changes?month=%s&format=xlsx", cycle.ID, month)), ""); len(rows) != 2 || rows[1][3] != desaJaten {
		t.Errorf("the change report's spreadsheet: %v", rows)
	}
	if st := stageOf(dinsos, stays); st != string(domain.StageEnrolled) {
		t.Errorf("the third family: %s, want enrolled", st)
	}

	// The year ends: 2027 opens from 2026 only once 2026 is closed.
	var unfinished int64
	salam.call("GET", "/api/v1/tasks?perPage=200", nil, &tl)
	for _, task := range tl.Tasks {
		if task.Name == fams[3].Name {
			unfinished = task.ID
		}
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/next", cycle.ID), nil, nil); code != 409 {
		t.Fatalf("2027 from an open 2026: %d, want 409", code)
	}
	// The batch of the dead head's family waits for Kemensos: Dinsos sends
	// it and records that no answer came, so it does not hold the close.
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/submit", batch), nil, nil); code != 202 {
		t.Fatalf("submit the batch: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/proposals/%d/unanswered", batch), map[string]string{"reason": "belum dijawab"}, nil); code != 200 {
		t.Fatalf("record no answer: %d", code)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), map[string]string{"reason": "tutup buku 2026"}, nil); code != 202 {
		t.Fatalf("close 2026: %d", code)
	}
	if err := s.temporal.GetWorkflow(t.Context(), workflows.CycleCloseWorkflowID(cycle.ID), "").Get(t.Context(), nil); err != nil {
		t.Fatalf("the close's fan-out: %v", err)
	}
	for _, id := range []int64{moved, stays} {
		desc, err := s.temporal.DescribeWorkflowExecution(t.Context(), workflows.HouseholdWorkflowID(cycle.ID, id), "")
		if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			t.Errorf("the open year of household %d after the close: %v", id, err)
		}
	}
	waitStage(unfinished, domain.StageClosed)
	var next struct {
		Cycle struct {
			ID   int64
			Year int
		}
		IntakeID int64
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/next", cycle.ID), nil, &next); code != 201 || next.Cycle.Year != 2027 {
		t.Fatalf("open 2027 from 2026: %d %+v", code, next)
	}
	if code := dinsos.call("POST", fmt.Sprintf("/api/v1/cycles/%d/next", cycle.ID), nil, nil); code != 409 {
		t.Errorf("2027 opened twice: %d, want 409", code)
	}
	var carry struct {
		Status                                             string
		HouseholdsStored, WorkflowsStarted, AlreadyPresent int
	}
	eventually(t, time.Minute, "the carry-over", func() bool {
		dinsos.call("GET", fmt.Sprintf("/api/v1/intakes/%d", next.IntakeID), nil, &carry)
		return carry.Status == "done" || carry.Status == "failed"
	})
	// The enrolled two (one now in Salam) and the unfinished one; not the
	// family that ended.
	if carry.Status != "done" || carry.HouseholdsStored != 3 || carry.WorkflowsStarted != 3 {
		t.Fatalf("the carry-over: %+v", carry)
	}
	// The new file: the third family again (a duplicate across the two
	// years, by its No KK) and a new one.
	in2 := intake(t, dinsos, next.Cycle.ID, p3keCSV([]family{fams[2], testFamily(5, desaJaten, false)}))
	if in2.HouseholdsStored != 1 || in2.AlreadyPresent != 1 {
		t.Errorf("2027's file: %+v, want 1 new and 1 already present", in2)
	}
	// 2027 starts with 2026's enrolled families awaiting re-verification,
	// each with last year's result and household, plus the new file's.
	want := map[string]struct {
		desa string
		prev int64
		was  domain.Stage
	}{
		fams[1].Name: {desaSalam, moved, domain.StageEnrolled}, fams[2].Name: {desaJaten, stays, domain.StageEnrolled},
		fams[3].Name: {desaSalam, unfinished, domain.StageClosed}, testFamily(5, desaJaten, false).Name: {desaJaten, 0, ""},
	}
	got := 0
	for _, u := range []*user{jaten, salam} {
		u.call("GET", fmt.Sprintf("/api/v1/tasks?perPage=200&cycle=%d", next.Cycle.ID), nil, &tl)
		for _, task := range tl.Tasks {
			var h struct {
				CycleID         int64
				Stage, DesaCode string
				PrevHouseholdID int64
				PrevStage       string
			}
			u.call("GET", fmt.Sprintf("/api/v1/households/%d", task.ID), nil, &h)
			w, ok := want[task.Name]
			if h.CycleID != next.Cycle.ID {
				continue
			}
			got++
			if !ok || h.Stage != string(domain.StageAwaitingVerification) || h.DesaCode != w.desa || h.PrevHouseholdID != w.prev || h.PrevStage != string(w.was) {
				t.Errorf("2027 household %s: %+v, want %+v", task.Name, h, w)
			}
		}
	}
	if got != len(want) {
		t.Errorf("2027 starts with %d households, want %d", got, len(want))
	}
	// The year-on-year report of 2027 against 2026: PKH had the three
	// families in 2026 and lost one, its head dead; none yet in 2027.
	var yoy struct {
		Year, PreviousYear int
		Total              []struct {
			Year      int
			Programme string
			In, Out   int
			Reasons   map[string]int
		}
	}
	if code := tksk.call("GET", fmt.Sprintf("/api/v1/cycles/%d/year-on-year", next.Cycle.ID), nil, &yoy); code != 200 || yoy.Year != 2027 || yoy.PreviousYear != 2026 {
		t.Fatalf("year-on-year: %d %+v", code, yoy)
	}
	seen := map[int]bool{}
	for _, r := range yoy.Total {
		if r.Programme != "PKH" {
			continue
		}
		seen[r.Year] = true
		switch {
		case r.Year == 2026 && (r.In != 3 || r.Out != 1 || r.Reasons["change head_died"] != 1):
			t.Errorf("PKH in 2026: %+v, want 3 in, 1 out (the head died)", r)
		case r.Year == 2027 && (r.In != 0 || r.Out != 0):
			t.Errorf("PKH in 2027: %+v, want none yet", r)
		}
	}
	if !seen[2026] || !seen[2027] {
		t.Errorf("year-on-year totals without PKH of both years: %+v", yoy.Total)
	}
	if rows := xlsxRows(t, download(t, dinsos, fmt.Sprintf("/api/v1/cycles/%d/year-on-year?format=xlsx", next.Cycle.ID)), "Alasan keluar"); len(rows) < 2 {
		t.Errorf("the year-on-year spreadsheet's reasons: %v", rows)
	}
	// 2026's records stay readable.
	if st := stageOf(dinsos, stays); st != string(domain.StageEnrolled) {
		t.Errorf("2026's household after 2027 opened: %s", st)
	}
}
