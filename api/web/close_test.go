package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// Dinsos closes the cycle from the dashboard: a missing reason and a
// running intake are refused in Indonesian, next to the field or at the
// top; once closed the dashboard shows the reason and the households the
// close has still to reach, and no longer offers the form.
func TestDinsosClosesTheCycle(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	page := dinsos.get("/dasbor").Body.String()
	if !strings.Contains(page, `action="/dasbor/tutup"`) || !strings.Contains(page, "3 keluarga</strong> belum mencapai tahap akhir") {
		t.Fatalf("the dashboard offers no close form or miscounts the households waiting:\n%s", page)
	}
	if page := e.login("tksk").get("/dasbor").Body.String(); strings.Contains(page, `action="/dasbor/tutup"`) {
		t.Error("the TKSK's dashboard offers the close form")
	}
	form := func(reason string) url.Values {
		return url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "alasan": {reason}}
	}
	w := dinsos.post("/dasbor/tutup", form(" "))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Tuliskan alasan siklus ditutup") {
		t.Fatalf("close without a reason: %d\n%s", w.Code, w.Body.String())
	}
	// The test's intake is still queued.
	w = dinsos.post("/dasbor/tutup", form("akhir tahun"))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Masih ada unggahan P3KE yang berjalan") ||
		!strings.Contains(w.Body.String(), ">akhir tahun</textarea>") {
		t.Fatalf("close with an intake running: %d\n%s", w.Code, w.Body.String())
	}
	if err := e.st.DB.Model(&store.Intake{}).Where("cycle_id = ?", e.cycle.ID).Update("status", store.IntakeDone).Error; err != nil {
		t.Fatal(err)
	}
	w = dinsos.post("/dasbor/tutup", form("akhir tahun"))
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || loc != fmt.Sprintf("/dasbor?siklus=%d&ditutup=1", e.cycle.ID) {
		t.Fatalf("close: %d %q", w.Code, loc)
	}
	page = dinsos.get(loc).Body.String()
	for _, want := range []string{"Siklus ditutup (tutup buku).", "Alasan: akhir tahun", "0 keluarga sudah diproses penutupan", "3 keluarga</strong> masih menunggu ditutup", `http-equiv="refresh"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the closed cycle's dashboard lacks %q", want)
		}
	}
	if strings.Contains(page, `action="/dasbor/tutup"`) {
		t.Error("the closed cycle's dashboard still offers the close form")
	}
	w = dinsos.post("/dasbor/tutup", form("lagi"))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Siklus ini sudah ditutup") {
		t.Errorf("second close: %d", w.Code)
	}
}

// A close whose fan-out stopped can be started again from the dashboard:
// Dinsos sees the button while households still wait, pressing it starts
// the fan-out again; on an open cycle there is nothing to resume, and
// only Dinsos may press it.
func TestDinsosResumesAStoppedClose(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	form := url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}}
	if page := dinsos.get("/dasbor").Body.String(); strings.Contains(page, `action="/dasbor/tutup/lanjutkan"`) {
		t.Error("an open cycle's dashboard offers to resume its close")
	}
	w := dinsos.post("/dasbor/tutup/lanjutkan", form)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Siklus ini belum ditutup") || len(e.office.started) != 0 {
		t.Fatalf("resume on an open cycle: %d, started %v\n%s", w.Code, e.office.started, w.Body.String())
	}
	if err := e.st.DB.Model(&store.Intake{}).Where("cycle_id = ?", e.cycle.ID).Update("status", store.IntakeDone).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CloseCycle(t.Context(), e.cycle.ID, "akhir tahun", domain.Actor{UserID: 1, Role: "dinsos", RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	page := dinsos.get(fmt.Sprintf("/dasbor?siklus=%d", e.cycle.ID)).Body.String()
	if !strings.Contains(page, `action="/dasbor/tutup/lanjutkan"`) || !strings.Contains(page, "Lanjutkan penutupan") {
		t.Fatalf("the closed cycle's dashboard, with 3 households waiting, offers no resume:\n%s", page)
	}
	if page := e.login("tksk").get(fmt.Sprintf("/dasbor?siklus=%d", e.cycle.ID)).Body.String(); strings.Contains(page, `action="/dasbor/tutup/lanjutkan"`) {
		t.Error("the TKSK's dashboard offers to resume the close")
	}
	if w := e.login("tksk").post("/dasbor/tutup/lanjutkan", form); w.Code != http.StatusForbidden {
		t.Errorf("TKSK resumes the close: %d", w.Code)
	}
	w = dinsos.post("/dasbor/tutup/lanjutkan", form)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || loc != fmt.Sprintf("/dasbor?siklus=%d&dilanjutkan=1", e.cycle.ID) ||
		!slices.Equal(e.office.started, []string{workflows.CycleCloseWorkflowID(e.cycle.ID)}) {
		t.Fatalf("resume: %d %q, started %v", w.Code, loc, e.office.started)
	}
	if page := dinsos.get(loc).Body.String(); !strings.Contains(page, "Penutupan dilanjutkan.") {
		t.Error("the dashboard after resuming does not say so")
	}
	// Every case ended: nothing left to resume.
	if err := e.st.DB.Model(&store.Household{}).Where("cycle_id = ?", e.cycle.ID).Update("stage", "closed").Error; err != nil {
		t.Fatal(err)
	}
	if page := dinsos.get(fmt.Sprintf("/dasbor?siklus=%d", e.cycle.ID)).Body.String(); strings.Contains(page, `action="/dasbor/tutup/lanjutkan"`) {
		t.Error("the dashboard offers to resume a close that has ended every case")
	}
}
