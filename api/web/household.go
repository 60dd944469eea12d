package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

type householdData struct {
	H *store.Household
	// Name and Address are in clear only for the roles that work with the
	// family in their own region, as in the API.
	Name, Address string
	DesaName      string
	KecName       string
	History       []store.StageEvent
	Audit         []store.AuditEntry
	// Programmes are the aid programmes the household was enrolled in or
	// exited from.
	Programmes []store.Enrolment
	// People are the household's members, names masked as the head's.
	People []store.HouseholdMember
	// TemporalURL links the case in the Temporal Web UI, for those who
	// watch cases (not village officers).
	TemporalURL string
	// TaskURL links the verification task, for the roles that have tasks.
	TaskURL string
	// UsulPhotos are the photos of the usul that brought the household
	// in; UsulForm attaches another (nil unless the caller may).
	UsulPhotos []store.Photo
	UsulForm   *photoFormData
}

// householdPage shows one family: stage, its aid programmes, the timeline
// of its stages and the audit trail, with NIK and No KK masked. Another region's household is the
// 404 page, as in the API.
func (h *pages) householdPage(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	p := principal(c)
	r, err := h.d.Office.HouseholdRecord(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	hh := r.Household
	d := householdData{H: hh, Programmes: r.Programmes, People: r.People, Name: hh.Name, Address: hh.Address, DesaName: regionName(hh.DesaCode),
		KecName: regionName(hh.KecamatanCode), History: r.History, Audit: r.Audit}
	if !p.Role.Visits() && h.d.WorkflowURL != nil {
		d.TemporalURL = h.d.WorkflowURL(hh.CycleID, hh.ID)
	}
	if office.Allowed(office.StepReadTasks, p.Role) {
		d.TaskURL = "/tugas/" + c.Param("id")
	}
	if office.Allowed(office.StepReadPhotos, p.Role) {
		if d.UsulPhotos, err = h.d.Office.UsulPhotos(c.Request.Context(), caller(c), hh.ID); err != nil {
			h.fail(c, err)
			return
		}
	}
	if hh.Source == store.SourceUsul && office.Allowed(office.StepUsul, p.Role) {
		d.UsulForm = h.newPhotoForm(c, fmt.Sprintf("/rumah-tangga/%d/foto-usul", hh.ID), domain.PhotoKinds())
	}
	v := &view{Title: "Rumah tangga " + d.Name, Data: d}
	if c.Query("foto") == "1" {
		v.Flash = "Foto tersimpan."
	}
	h.render(c, http.StatusOK, "household", v)
}
