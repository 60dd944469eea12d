package web

import (
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/store"
)

// The dashboard draws the year-on-year chart for those who read reports
// (an inline SVG, a bar per programme, year and direction), and links the
// year-on-year and monthly change reports; a village officer gets neither.
// The year-on-year page lists an exit under its reason in Indonesian.
func TestDashboardYearChart(t *testing.T) {
	e := newEnv(t)
	var h store.Household
	if err := e.st.DB.First(&h).Error; err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	for _, en := range []store.Enrolment{
		{CycleID: h.CycleID, HouseholdID: h.ID, Programme: "PKH", Status: store.EnrolmentExited, EnrolledAt: &at, ExitedAt: &at, ExitReason: "change head_died: 2026-03-15"},
		{CycleID: h.CycleID, HouseholdID: h.ID, Programme: "BPNT", Status: store.EnrolmentActive, EnrolledAt: &at},
	} {
		if err := e.st.DB.Create(&en).Error; err != nil {
			t.Fatal(err)
		}
	}
	page := e.login("dinsos").get("/dasbor").Body.String()
	if !strings.Contains(page, `<svg class="chart"`) || !strings.Contains(page, "<title>PKH ") || !strings.Contains(page, `href="/laporan-tahunan?siklus=`) || !strings.Contains(page, `href="/laporan-perubahan?siklus=`) {
		t.Errorf("the dashboard has no year-on-year chart or report links")
	}
	if page := e.login("desa1").get("/dasbor").Body.String(); strings.Contains(page, `<svg class="chart"`) || strings.Contains(page, "/laporan-tahunan") {
		t.Errorf("a village officer's dashboard shows the year-on-year report")
	}
	if page := e.login("dinsos").get("/laporan-tahunan").Body.String(); !strings.Contains(page, "Perubahan: Kepala keluarga meninggal: 1") {
		t.Errorf("the year-on-year page does not name the exit's reason")
	}
}
