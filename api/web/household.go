package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

type householdData struct {
	H *store.Household
	// Registry is whether the household is in the registry now.
	Registry office.Registry
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
	// SanggahURL opens the form to object to the household's decision,
	// for the roles that record objections.
	SanggahURL string
	// Changes are the year's changes; Pending the one waiting, if any.
	Changes []store.HouseholdChange
	Pending *store.HouseholdChange
	// MayRecord and MayDecide show the change forms: the household is
	// enrolled and the caller may take the step.
	MayRecord, MayDecide bool
	Kinds                []domain.ChangeKind
	// Form is the change form as posted, with its refusals by field.
	Form   office.YearChange
	Errors map[string]string
	Key    string
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
	v := &view{}
	switch {
	case c.Query("perubahan") == "1":
		v.Flash = "Perubahan dicatat; menunggu konfirmasi TKSK atau Dinas Sosial."
	case c.Query("keputusan") == "1":
		v.Flash = "Keputusan atas perubahan dicatat."
	}
	h.showHousehold(c, id, http.StatusOK, v, office.YearChange{}, nil)
}

// InDTKS says whether the household is in the registry now, with the
// file's terdaftar_dtks beside it where they differ: "Ya (ditetapkan
// Kemensos 4 Mei 2026; berkas: Tidak)".
func (d householdData) InDTKS() string {
	yes := func(b bool) string {
		if b {
			return "Ya"
		}
		return "Tidak"
	}
	r := d.Registry
	if r.In == d.H.InDTKS {
		return yes(r.In)
	}
	why := map[string]string{
		office.RegistryAdded:    "ditetapkan Kemensos",
		office.RegistryRemoved:  "dihapus Kemensos",
		office.RegistryEnrolled: "keluarga penerima bantuan",
	}[r.By]
	if r.Date != "" {
		why += " " + isoDateID(r.Date)
	}
	return fmt.Sprintf("%s (%s; berkas: %s)", yes(r.In), why, yes(d.H.InDTKS))
}

// Edit is the change form's member edit as posted, if any.
func (d householdData) Edit() office.MemberEdit {
	if len(d.Form.Members) > 0 {
		return d.Form.Members[0]
	}
	return office.MemberEdit{}
}

// MemberChanges are the kinds of member edit, in Indonesian.
func (householdData) MemberChanges() []option { return memberForm{}.Changes() }

// showHousehold renders household id's page with v's messages and the
// change form as posted.
func (h *pages) showHousehold(c *gin.Context, id int64, status int, v *view, form office.YearChange, errs map[string]string) {
	p := principal(c)
	r, err := h.d.Office.HouseholdRecord(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	hh := r.Household
	d := householdData{H: hh, Registry: r.Registry, Programmes: r.Programmes, People: r.People, Name: hh.Name, Address: hh.Address, DesaName: regionName(hh.DesaCode),
		KecName: regionName(hh.KecamatanCode), History: r.History, Audit: r.Audit}
	if !p.Role.Visits() && h.d.WorkflowURL != nil {
		d.TemporalURL = h.d.WorkflowURL(hh.CycleID, hh.ID)
	}
	if office.Allowed(office.StepReadTasks, p.Role) {
		d.TaskURL = "/tugas/" + c.Param("id")
	}
	d.Changes, d.Form, d.Errors, d.Kinds, d.Key = r.Changes, form, errs, domain.ChangeKinds(), newKey()
	for i := range r.Changes {
		if r.Changes[i].Status == domain.ChangePending {
			d.Pending = &r.Changes[i]
		}
	}
	enrolled := hh.Stage == string(domain.StageEnrolled)
	d.MayRecord = enrolled && d.Pending == nil && office.Allowed(office.StepRecordChange, p.Role)
	d.MayDecide = enrolled && d.Pending != nil && office.Allowed(office.StepDecideChange, p.Role)
	if office.Allowed(office.StepSanggah, p.Role) {
		d.SanggahURL = fmt.Sprintf("/sanggah?siklus=%d&rumah-tangga=%d#f-householdId", hh.CycleID, hh.ID)
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
	if c.Query("foto") == "1" {
		v.Flash = "Foto tersimpan."
	}
	v.Title, v.Data = "Rumah tangga "+d.Name, d
	h.render(c, status, "household", v)
}

// recordChange records a change to an enrolled household (the same office
// step as POST /api/v1/households/{id}/changes).
func (h *pages) recordChange(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	head, _ := strconv.ParseInt(c.PostForm("newHeadMemberId"), 10, 64)
	f := office.YearChange{Kind: domain.ChangeKind(c.PostForm("kind")), Date: c.PostForm("date"), Note: c.PostForm("note"),
		NewDesaCode: strings.TrimSpace(c.PostForm("newDesaCode")), NewHeadMemberID: head}
	// A change of members: the form takes one edit, dated the change's
	// date (the API takes several).
	if e := c.PostForm("memberChange"); e != "" {
		member, _ := strconv.ParseInt(c.PostForm("memberId"), 10, 64)
		f.Members = []office.MemberEdit{{Change: e, MemberID: member, Name: c.PostForm("memberName"), NIK: c.PostForm("memberNik"),
			Sex: c.PostForm("memberSex"), Relation: c.PostForm("memberRelation"), Occupation: c.PostForm("memberOccupation")}}
	}
	_, err := h.d.Office.RecordChange(c.Request.Context(), caller(c), id, formKey(c), f)
	if h.changeRefused(c, id, err, f) {
		return
	}
	redirect(c, fmt.Sprintf("/rumah-tangga/%d?perubahan=1", id))
}

// decideChange confirms or refuses the change waiting (the same office step
// as POST /api/v1/households/{id}/changes/decision).
func (h *pages) decideChange(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	d := office.ChangeDecision{Confirm: c.PostForm("confirm") == "1", Note: c.PostForm("note")}
	_, err := h.d.Office.DecideChange(c.Request.Context(), caller(c), id, formKey(c), d)
	if h.changeRefused(c, id, err, office.YearChange{}) {
		return
	}
	redirect(c, fmt.Sprintf("/rumah-tangga/%d?keputusan=1", id))
}

// changeRefused shows the household page again with a refusal next to its
// field (or above the page); it reports whether err was an error at all.
func (h *pages) changeRefused(c *gin.Context, id int64, err error, f office.YearChange) bool {
	errs := map[string]string{}
	return h.formRefused(c, err, errs, &view{}, func(status int, v *view) { h.showHousehold(c, id, status, v, f, errs) })
}

// formKey is the form's idempotency key, a new one when it has none.
func formKey(c *gin.Context) string {
	if k := c.PostForm("kunci"); validKey(k) {
		return k
	}
	return newKey()
}
