package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// tasksPerPage keeps the list short enough for a phone on a slow link.
const tasksPerPage = 25

type taskRow struct {
	store.TaskView
	DesaName string
}

type taskListData struct {
	Cycles   []store.Cycle
	Cycle    *store.Cycle
	Tasks    []taskRow
	Total    int64
	Page     int
	Pages    int
	Q        string
	Status   string
	Overdue  bool
	PrevURL  string
	NextURL  string
	ShowDesa bool
}

// taskList is the desa's (or the kecamatan's, the regency's) verification
// tasks, most urgent first, searchable by name and address.
func (h *pages) taskList(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := taskListData{Cycles: cycles, Cycle: cy, Q: strings.TrimSpace(c.Query("q")), Status: c.Query("status"),
		Overdue: c.Query("terlambat") == "1", ShowDesa: !p.Role.Visits() || len(p.AllRegions()) > 1}
	switch domain.TaskStatus(d.Status) {
	case "", domain.TaskOpen, domain.TaskSubmitted, domain.TaskClosed:
	default:
		d.Status = ""
	}
	d.Page, _ = strconv.Atoi(c.Query("halaman"))
	d.Page = max(d.Page, 1)
	if cy != nil {
		tasks, total, err := h.d.Office.Tasks(c.Request.Context(), caller(c), store.TaskFilter{
			CycleID: cy.ID, Status: domain.TaskStatus(d.Status), Overdue: d.Overdue, Query: d.Q, Page: d.Page, PerPage: tasksPerPage})
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, t := range tasks {
			d.Tasks = append(d.Tasks, taskRow{TaskView: t, DesaName: regionName(t.DesaCode)})
		}
		d.Total = total
		d.Pages = int((total + tasksPerPage - 1) / tasksPerPage)
		q := url.Values{"siklus": {strconv.FormatInt(cy.ID, 10)}}
		for k, v := range map[string]string{"q": d.Q, "status": d.Status} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if d.Overdue {
			q.Set("terlambat", "1")
		}
		if d.Page > 1 {
			q.Set("halaman", strconv.Itoa(d.Page-1))
			d.PrevURL = "/tugas?" + q.Encode()
		}
		if d.Page < d.Pages {
			q.Set("halaman", strconv.Itoa(d.Page+1))
			d.NextURL = "/tugas?" + q.Encode()
		}
	}
	h.render(c, http.StatusOK, "tasks", &view{Title: "Tugas verifikasi", Active: "tugas", Data: d})
}

// visitForm is the verification form's values and the messages next to
// its fields.
type visitForm struct {
	// Key is this render's idempotency key: a double-click or a resent
	// form carries the same key, so the Update applies once.
	Key         string
	Version     int
	Outcome     string
	VisitDate   string
	DuplicateOf string
	Note        string
	Ind         domain.Indicators
	Errors      map[string]string
}

// reopenForm and assignForm are the supervisors' forms on a task.
type reopenForm struct {
	Key    string
	Reason string
	Errors map[string]string
}

type option struct{ Value, Label string }

type taskPageData struct {
	Task      *store.TaskView
	DesaName  string
	Household *store.Household
	// Visit is the village officer's form; nil for other roles or a task
	// the meeting has closed.
	Visit    *visitForm
	Outcomes []option
	// Duplicates are the desa's other households, by name, to pick the
	// one a "Data ganda" household duplicates.
	Duplicates []option
	Indicators []indicatorField
	Today      string
	// Supervisor forms (TKSK, Dinsos, admin).
	Supervisor bool
	Reopen     *reopenForm
	Officers   []store.Officer
	// People are the household's members; Member is the village
	// officer's form to correct them (nil when the list is closed).
	People []store.HouseholdMember
	Member *memberForm
	// Photos are the visit's photos (for the roles that see them);
	// PhotoForm is the officer's upload form (nil when the list is
	// closed), PhotoKinds its choices, PhotoRules the hint of what each
	// outcome needs.
	Photos     []store.Photo
	PhotoForm  *photoFormData
	PhotoRules []string
}

// photoFormData is a photo form (template "photoform"): where it posts,
// its CSRF and idempotency keys, the kinds to choose from, and the
// largest photo, for the script that scales photos down.
type photoFormData struct {
	Action, CSRF, Key string
	Kinds             []option
	MaxBytes          int64
}

// newPhotoForm is a photo form posting to action with kinds.
func (h *pages) newPhotoForm(c *gin.Context, action string, kinds []string) *photoFormData {
	f := &photoFormData{Action: action, CSRF: csrfToken(c.GetString(tokenKey)), Key: newKey(), MaxBytes: h.d.Office.MaxPhoto()}
	for _, k := range kinds {
		f.Kinds = append(f.Kinds, option{k, photoKindNames[k]})
	}
	return f
}

// memberForm is the village officer's correction of a member, with its
// messages by field.
type memberForm struct {
	Change, MemberID, Date, Name, NIK, Sex, Relation, Occupation string
	Errors                                                       map[string]string
}

// Changes are the kinds of correction, in Indonesian.
func (memberForm) Changes() []option {
	var out []option
	for _, k := range domain.MemberChanges() {
		out = append(out, option{k, memberChangeNames[k]})
	}
	return out
}

// memberChangeNames are the member changes in Indonesian.
var memberChangeNames = map[string]string{
	domain.MemberBorn: "Lahir (anggota baru)", domain.MemberDied: "Meninggal",
	domain.MemberMovedOut: "Pindah keluar", domain.MemberOccupation: "Pekerjaan baru",
}

// newKey is a fresh idempotency key for one form render.
func newKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validKey: the key goes into a Temporal Update ID, so only what newKey makes.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil
}

// loadTask loads the :id task if the caller may see it; otherwise the 404
// page, for another village's household just as for a missing one.
func (h *pages) loadTask(c *gin.Context) (*store.TaskView, bool) {
	id, ok := h.pathID(c)
	if !ok {
		return nil, false
	}
	t, err := h.d.Office.Task(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return t, true
}

func (h *pages) taskPage(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	v := &view{Title: t.Name, Active: "tugas"}
	switch {
	case c.Query("tersimpan") == "1":
		v.Flash = "Hasil kunjungan tersimpan."
	case c.Query("dibuka") == "1":
		v.Flash = "Verifikasi dibuka ulang; tugas kembali ke desa."
	case c.Query("ditugaskan") == "1":
		v.Flash = "Penugasan tersimpan."
	case c.Query("anggota") == "1":
		v.Flash = "Koreksi anggota keluarga tersimpan."
	case c.Query("foto") == "1":
		v.Flash = "Foto tersimpan."
	}
	h.showTask(c, http.StatusOK, v, t, nil, nil, nil)
}

// showTask renders a task page; visit, reopen and member, when given, are
// forms sent back with their messages.
func (h *pages) showTask(c *gin.Context, status int, v *view, t *store.TaskView, visit *visitForm, reopen *reopenForm, member *memberForm) {
	p := principal(c)
	ctx := c.Request.Context()
	hh, err := h.d.Office.Household(ctx, caller(c), t.HouseholdID)
	if err != nil {
		h.fail(c, err)
		return
	}
	v.Title = t.Name
	d := taskPageData{Task: t, DesaName: regionName(t.DesaCode), Household: hh,
		Today: h.d.Office.Now().In(wilayah.ZoneOf(p.Region)).Format("2006-01-02")}
	if office.Allowed(office.StepSubmitResult, p.Role) && t.Status != domain.TaskClosed {
		if visit == nil {
			visit = &visitForm{Version: t.Version, VisitDate: d.Today}
			if r := t.Result; r != nil {
				visit.Outcome, visit.VisitDate, visit.Note, visit.Ind = string(r.Outcome), r.VisitDate, r.Note, r.Indicators
				if r.DuplicateOf != 0 {
					visit.DuplicateOf = strconv.FormatInt(r.DuplicateOf, 10)
				}
			}
		}
		visit.Key = newKey()
		d.Visit = visit
		d.Indicators = indicatorFields(visit.Ind, hh.Indicators)
		for _, o := range domain.Outcomes() {
			d.Outcomes = append(d.Outcomes, option{string(o), lookup(outcomeNames, o)})
		}
		others, err := h.d.Office.DesaHouseholds(ctx, caller(c), t.CycleID, t.DesaCode)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, o := range others {
			if o.ID != t.HouseholdID {
				d.Duplicates = append(d.Duplicates, option{strconv.FormatInt(o.ID, 10), o.Name + " — " + address(o.Address)})
			}
		}
	}
	if d.People, err = h.d.Office.HouseholdMembers(ctx, caller(c), t.HouseholdID); err != nil {
		h.fail(c, err)
		return
	}
	if d.Visit != nil {
		if member == nil {
			member = &memberForm{Date: d.Today}
		}
		d.Member = member
		d.PhotoForm = h.newPhotoForm(c, fmt.Sprintf("/tugas/%d/foto", t.HouseholdID), domain.PhotoKinds()[:3])
		rules := h.d.Office.PhotoRequirements()
		for _, o := range domain.Outcomes() {
			if ks := rules[o]; len(ks) > 0 {
				d.PhotoRules = append(d.PhotoRules, fmt.Sprintf("“%s”: %s", outcomeNames[o], photoKindList(strings.Join(ks, ","))))
			}
		}
	}
	if office.Allowed(office.StepReadPhotos, p.Role) {
		if d.Photos, err = h.d.Office.VisitPhotos(ctx, caller(c), t.HouseholdID); err != nil {
			h.fail(c, err)
			return
		}
	}
	if p.Is(auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin) {
		d.Supervisor = true
		if reopen == nil {
			reopen = &reopenForm{}
		}
		reopen.Key = newKey()
		d.Reopen = reopen
		if d.Officers, err = h.d.Office.VillageOfficers(ctx, caller(c), t.DesaCode); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Data = d
	h.render(c, status, "task", v)
}

// submitVisit sends the verification form through the household workflow's
// Update, as POST /api/v1/tasks/{id}/result does: the validator decides, and
// its message is shown next to the field it names.
func (h *pages) submitVisit(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	f := &visitForm{
		Outcome: c.PostForm("outcome"), VisitDate: strings.TrimSpace(c.PostForm("visitDate")),
		DuplicateOf: strings.TrimSpace(c.PostForm("duplicateOf")), Note: strings.TrimSpace(c.PostForm("note")),
		Ind: domain.Indicators{
			KepemilikanRumah: strings.TrimSpace(c.PostForm("kepemilikanRumah")), JenisLantai: strings.TrimSpace(c.PostForm("jenisLantai")),
			JenisDinding: strings.TrimSpace(c.PostForm("jenisDinding")), JenisAtap: strings.TrimSpace(c.PostForm("jenisAtap")),
			SumberAirMinum: strings.TrimSpace(c.PostForm("sumberAirMinum")), SumberPenerangan: strings.TrimSpace(c.PostForm("sumberPenerangan")),
			BahanBakarMemasak: strings.TrimSpace(c.PostForm("bahanBakarMemasak")), FasilitasBAB: strings.TrimSpace(c.PostForm("fasilitasBab")),
		},
		Errors: map[string]string{},
	}
	f.Version, _ = strconv.Atoi(c.PostForm("version"))
	loc, locErr := formLocation(c)
	key := c.PostForm("kunci")
	if !validKey(key) {
		key = newKey()
	}
	v := &view{Title: t.Name, Active: "tugas"}
	var dup int64
	if f.DuplicateOf != "" {
		var err error
		if dup, err = strconv.ParseInt(f.DuplicateOf, 10, 64); err != nil || dup <= 0 {
			f.Errors["duplicateOf"] = "Pilih rumah tangga yang sama dari daftar."
			h.showTask(c, http.StatusUnprocessableEntity, v, t, f, nil, nil)
			return
		}
	}
	err := locErr
	if err == nil {
		_, err = h.d.Office.SubmitResult(c.Request.Context(), caller(c), t, key, office.VisitResult{
			Version: f.Version, Outcome: domain.Outcome(f.Outcome), VisitDate: f.VisitDate, DuplicateOf: dup,
			Indicators: f.Ind, Note: f.Note, Location: loc,
		})
	}
	if e, msg, status, ok := refusal(err); ok {
		if name, ok := strings.CutPrefix(e.Field, "indicators."); ok {
			// One indicator is at fault: named in the fieldset's message.
			for _, in := range indicatorFields(domain.Indicators{}, domain.Indicators{}) {
				if in.Name == name {
					msg = in.Label + ": " + msg
				}
			}
			f.Errors["indicators"] = msg
			v.Error = "Periksa isian yang ditandai."
		} else if e.Field != "" {
			f.Errors[e.Field] = msg
			v.Error = "Periksa isian yang ditandai."
		} else {
			v.Error = msg
		}
		h.showTask(c, status, v, t, f, nil, nil)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/tugas/%d?tersimpan=1", t.HouseholdID))
}

// reopen sends a household back to village verification (TKSK, Dinsos).
func (h *pages) reopen(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	f := &reopenForm{Reason: strings.TrimSpace(c.PostForm("reason")), Errors: map[string]string{}}
	key := c.PostForm("kunci")
	if !validKey(key) {
		key = newKey()
	}
	_, err := h.d.Office.Reopen(c.Request.Context(), caller(c), t, key, f.Reason)
	if h.taskRefused(c, t, err, f.Errors, func(status int, v *view) { h.showTask(c, status, v, t, nil, f, nil) }) {
		return
	}
	redirect(c, fmt.Sprintf("/tugas/%d?dibuka=1", t.HouseholdID))
}

// assign gives the task to one officer of its desa, or back to all of them.
func (h *pages) assign(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.PostForm("assigneeId"), 10, 64)
	if err != nil || id < 0 {
		h.showTask(c, http.StatusUnprocessableEntity, &view{Title: t.Name, Active: "tugas", Error: "Pilih petugas."}, t, nil, nil, nil)
		return
	}
	err = h.d.Office.Assign(c.Request.Context(), caller(c), t, id)
	if _, msg, status, ok := refusal(err); ok {
		h.showTask(c, status, &view{Title: t.Name, Active: "tugas", Error: msg}, t, nil, nil, nil)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/tugas/%d?ditugaskan=1", t.HouseholdID))
}

// dueIn says how a due date stands, for the task list.
func dueIn(due, now time.Time) string {
	days := int(due.Sub(now).Hours() / 24)
	switch {
	case due.Before(now):
		return fmt.Sprintf("terlambat %d hari", int(now.Sub(due).Hours()/24)+1)
	case days == 0:
		return "jatuh tempo hari ini"
	}
	return fmt.Sprintf("%d hari lagi", days)
}

// indicatorField is one housing indicator input: the officer's value, the
// P3KE file's value as a hint, and the usual categories to pick from.
type indicatorField struct {
	Name, Label, Value, P3KE string
	// Required: needed for the outcomes eligible and not_poor.
	Required bool
	Choices  []string
}

func indicatorFields(v, p3ke domain.Indicators) []indicatorField {
	return []indicatorField{
		{"jenisLantai", "Jenis lantai terluas", v.JenisLantai, p3ke.JenisLantai, true,
			[]string{"Tanah", "Bambu", "Kayu/papan kualitas rendah", "Semen/bata merah", "Kayu/papan kualitas tinggi", "Ubin/tegel/teraso", "Keramik", "Marmer/granit"}},
		{"jenisDinding", "Jenis dinding terluas", v.JenisDinding, p3ke.JenisDinding, true,
			[]string{"Bambu", "Anyaman bambu", "Kayu", "Plesteran anyaman bambu/kawat", "Tembok tanpa plester", "Tembok"}},
		{"jenisAtap", "Jenis atap terluas", v.JenisAtap, p3ke.JenisAtap, true,
			[]string{"Jerami/ijuk/rumbia", "Bambu", "Kayu/sirap", "Seng", "Asbes", "Genteng", "Beton"}},
		{"kepemilikanRumah", "Kepemilikan rumah", v.KepemilikanRumah, p3ke.KepemilikanRumah, false,
			[]string{"Milik sendiri", "Kontrak/sewa", "Bebas sewa", "Dinas", "Lainnya"}},
		{"sumberAirMinum", "Sumber air minum", v.SumberAirMinum, p3ke.SumberAirMinum, false,
			[]string{"Air kemasan/isi ulang", "Leding", "Sumur bor/pompa", "Sumur terlindung", "Sumur tak terlindung", "Mata air", "Sungai/danau", "Air hujan"}},
		{"sumberPenerangan", "Sumber penerangan", v.SumberPenerangan, p3ke.SumberPenerangan, false,
			[]string{"Listrik PLN dengan meteran", "Listrik PLN tanpa meteran", "Listrik non-PLN", "Bukan listrik"}},
		{"bahanBakarMemasak", "Bahan bakar memasak", v.BahanBakarMemasak, p3ke.BahanBakarMemasak, false,
			[]string{"Listrik", "Gas elpiji", "Minyak tanah", "Kayu bakar", "Arang", "Tidak memasak"}},
		{"fasilitasBab", "Fasilitas buang air besar", v.FasilitasBAB, p3ke.FasilitasBAB, false,
			[]string{"Sendiri", "Bersama", "Umum", "Tidak ada"}},
	}
}

// changeMember records the village officer's correction of a member of the
// task's household (POST /tugas/:id/anggota), as POST
// /api/v1/tasks/{id}/members does; a refusal comes back on the form, next
// to the field it names.
func (h *pages) changeMember(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	f := &memberForm{
		Change: c.PostForm("change"), MemberID: c.PostForm("memberId"), Date: strings.TrimSpace(c.PostForm("date")),
		Name: c.PostForm("name"), NIK: c.PostForm("nik"), Sex: c.PostForm("sex"), Relation: c.PostForm("relation"),
		Occupation: c.PostForm("occupation"), Errors: map[string]string{},
	}
	memberID, _ := strconv.ParseInt(f.MemberID, 10, 64)
	_, err := h.d.Office.ChangeMember(c.Request.Context(), caller(c), t.HouseholdID, store.MemberChange{
		Kind: f.Change, MemberID: memberID, Date: f.Date, NIK: f.NIK, Occupation: f.Occupation,
		Member: store.HouseholdMember{Name: f.Name, Sex: f.Sex, Relation: f.Relation},
	})
	if h.taskRefused(c, t, err, f.Errors, func(status int, v *view) { h.showTask(c, status, v, t, nil, nil, f) }) {
		return
	}
	redirect(c, fmt.Sprintf("/tugas/%d?anggota=1", t.HouseholdID))
}

// taskRefused handles a task form's step that failed: the office's refusal
// is shown by show next to the field it names (in errs) or at the top of
// the page; any other error is the error page. It reports whether err was
// an error at all.
func (h *pages) taskRefused(c *gin.Context, t *store.TaskView, err error, errs map[string]string, show func(status int, v *view)) bool {
	return h.formRefused(c, err, errs, &view{Title: t.Name, Active: "tugas"}, show)
}

// formRefused handles a form's step that failed: the office's refusal is
// shown by show (on v) next to the field it names (in errs) or at the top
// of the page; any other error is the error page. It reports whether err
// was an error at all.
func (h *pages) formRefused(c *gin.Context, err error, errs map[string]string, v *view, show func(status int, v *view)) bool {
	if err == nil {
		return false
	}
	e, msg, status, ok := refusal(err)
	if !ok {
		h.fail(c, err)
		return true
	}
	if e.Field != "" {
		errs[e.Field] = msg
	} else {
		v.Error = msg
	}
	show(status, v)
	return true
}
