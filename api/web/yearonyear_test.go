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

// A family that moved from Jaten to Salam while in BPNT is, on the
// year-on-year page, out of Jaten (moved, with its reason) and in Salam;
// the regency's total counts it once, in.
func TestYearOnYearPageShowsAMove(t *testing.T) {
	e := newEnv(t)
	id := e.hh["BUDI SANTOSO"]
	at := time.Now()
	if err := e.st.DB.Create(&store.Enrolment{CycleID: e.cycle.ID, HouseholdID: id, Programme: "BPNT", Status: store.EnrolmentActive, EnrolledAt: &at}).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Create(&store.HouseholdChange{CycleID: e.cycle.ID, HouseholdID: id, Kind: "moved_desa", Date: "2026-05-01", Note: "pindah",
		DesaCode: jaten, NewDesaCode: salam, NewKecamatanCode: "35.05.01", Status: "confirmed", RecordedBy: 1, RecordedRole: "village", RecordedAt: at}).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", id).Update("desa_code", salam).Error; err != nil {
		t.Fatal(err)
	}
	page := e.login("dinsos").get("/laporan-tahunan").Body.String()
	for _, want := range []string{
		"<td>2026</td><td>BPNT / Sembako</td><td>1</td><td>0</td>",
		"<td>Desa Jaten</td><td>BPNT / Sembako</td><td>1</td><td>1 (1 pindah keluar)</td>\n        <td>Perubahan: Pindah ke desa lain (dalam kabupaten): 1<br></td>",
		"<td>Desa Salam</td><td>BPNT / Sembako</td><td>1 (1 pindah masuk)</td><td>0</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the year-on-year page lacks %q:\n%s", want, page)
		}
	}
}
