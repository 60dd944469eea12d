package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
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
		Overdue: c.Query("terlambat") == "1", ShowDesa: p.Role != auth.RoleVillage}
	switch d.Status {
	case "", store.TaskOpen, store.TaskSubmitted, store.TaskClosed:
	default:
		d.Status = ""
	}
	d.Page, _ = strconv.Atoi(c.Query("halaman"))
	d.Page = max(d.Page, 1)
	if cy != nil {
		tasks, total, err := h.d.Store.ListTasks(c.Request.Context(), p, store.TaskFilter{
			CycleID: cy.ID, Status: d.Status, Overdue: d.Overdue, Query: d.Q, Page: d.Page, PerPage: tasksPerPage})
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, t := range tasks {
			maskTask(p, &t)
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
	Ind         store.Indicators
	Errors      map[string]string
}

// reopenForm and assignForm are the supervisors' forms on a task.
type reopenForm struct {
	Key    string
	Reason string
	Errors map[string]string
}

type officer struct {
	ID       int64
	Name     string
	Username string
}

type option struct{ Value, Label string }

type taskPageData struct {
	Task      *store.TaskView
	DesaName  string
	Household *store.Household
	// Visit is the village officer's form; nil for other roles or a task
	// the meeting has closed.
	Visit      *visitForm
	Outcomes   []option
	Indicators []indicatorField
	Today      string
	// Supervisor forms (TKSK, Dinsos, admin).
	Supervisor bool
	Reopen     *reopenForm
	Officers   []officer
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
	t, err := h.d.Store.GetTask(c.Request.Context(), principal(c), id)
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
	}
	h.showTask(c, http.StatusOK, v, t, nil, nil)
}

// showTask renders a task page; visit and reopen, when given, are forms
// sent back with their messages.
func (h *pages) showTask(c *gin.Context, status int, v *view, t *store.TaskView, visit *visitForm, reopen *reopenForm) {
	p := principal(c)
	ctx := c.Request.Context()
	hh, err := h.d.Store.GetHousehold(ctx, p, t.HouseholdID)
	if err != nil {
		h.fail(c, err)
		return
	}
	masked := *t
	maskTask(p, &masked)
	t = &masked
	v.Title = t.Name
	d := taskPageData{Task: t, DesaName: regionName(t.DesaCode), Household: hh,
		Today: h.d.Now().In(wilayah.ZoneOf(p.Region)).Format("2006-01-02")}
	if p.Role == auth.RoleVillage && t.Status != store.TaskClosed {
		if visit == nil {
			visit = &visitForm{Version: t.Version, VisitDate: d.Today}
			if r := t.Result; r != nil {
				visit.Outcome, visit.VisitDate, visit.Note, visit.Ind = r.Outcome, r.VisitDate, r.Note, r.Indicators
				if r.DuplicateOf != 0 {
					visit.DuplicateOf = strconv.FormatInt(r.DuplicateOf, 10)
				}
			}
		}
		visit.Key = newKey()
		d.Visit = visit
		d.Indicators = indicatorFields(visit.Ind, hh.Indicators)
		for _, o := range workflows.Outcomes() {
			d.Outcomes = append(d.Outcomes, option{string(o), outcomeName(string(o))})
		}
	}
	if p.Is(auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin) {
		d.Supervisor = true
		if reopen == nil {
			reopen = &reopenForm{}
		}
		reopen.Key = newKey()
		d.Reopen = reopen
		if d.Officers, err = h.officers(c, t.DesaCode); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Data = d
	h.render(c, status, "task", v)
}

// maskTask hides the family's name and address from the roles that do not
// work with it, as the API does: an administrator fixing a stuck case does
// not need them.
func maskTask(p auth.Principal, t *store.TaskView) {
	if !p.Is(auth.RoleVillage, auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati) {
		t.Name, t.Address = maskName(t.Name), "(disembunyikan)"
	}
}

// officers lists the active village officers of a desa, for reassignment.
// TODO(lead): move into internal/store (Store.VillageOfficers) when the
// store is next open for edits; it is here to keep this change in api/web.
func (h *pages) officers(c *gin.Context, desa string) ([]officer, error) {
	var out []officer
	err := h.d.Store.DB.WithContext(c.Request.Context()).Model(&store.User{}).
		Where("role = ? AND region_code = ? AND disabled = ?", string(auth.RoleVillage), desa, false).
		Order("name").Select("id, name, username").Scan(&out).Error
	return out, err
}

// submitVisit sends the verification form through the household workflow's
// Update, as POST /api/v1/tasks/{id}/result does: the validator decides, and
// its message is shown next to the field it names.
func (h *pages) submitVisit(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	p := principal(c)
	f := &visitForm{
		Outcome: c.PostForm("outcome"), VisitDate: strings.TrimSpace(c.PostForm("visitDate")),
		DuplicateOf: strings.TrimSpace(c.PostForm("duplicateOf")), Note: strings.TrimSpace(c.PostForm("note")),
		Ind: store.Indicators{
			KepemilikanRumah: strings.TrimSpace(c.PostForm("kepemilikanRumah")), JenisLantai: strings.TrimSpace(c.PostForm("jenisLantai")),
			JenisDinding: strings.TrimSpace(c.PostForm("jenisDinding")), JenisAtap: strings.TrimSpace(c.PostForm("jenisAtap")),
			SumberAirMinum: strings.TrimSpace(c.PostForm("sumberAirMinum")), SumberPenerangan: strings.TrimSpace(c.PostForm("sumberPenerangan")),
			BahanBakarMemasak: strings.TrimSpace(c.PostForm("bahanBakarMemasak")), FasilitasBAB: strings.TrimSpace(c.PostForm("fasilitasBab")),
		},
		Errors: map[string]string{},
	}
	f.Version, _ = strconv.Atoi(c.PostForm("version"))
	key := c.PostForm("kunci")
	if !validKey(key) {
		key = newKey()
	}
	v := &view{Title: t.Name, Active: "tugas"}
	var dup int64
	if f.DuplicateOf != "" {
		var err error
		if dup, err = strconv.ParseInt(f.DuplicateOf, 10, 64); err != nil || dup <= 0 {
			f.Errors["duplicateOf"] = "Isi nomor rumah tangga (angka)."
			h.showTask(c, http.StatusUnprocessableEntity, v, t, f, nil)
			return
		}
	}
	ctx := c.Request.Context()
	if dup != 0 && dup != t.HouseholdID {
		// As the API: the duplicate must be a household of the same cycle
		// that the officer can see.
		d, err := h.d.Store.GetHousehold(ctx, p, dup)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.CycleID != t.CycleID) {
			f.Errors["duplicateOf"] = "Nomor ini bukan rumah tangga siklus ini di desa Anda."
			h.showTask(c, http.StatusUnprocessableEntity, v, t, f, nil)
			return
		} else if err != nil {
			h.fail(c, err)
			return
		}
	}
	updateID := fmt.Sprintf("visit-%d-u%d-%s", t.HouseholdID, p.UserID, key)
	_, err := h.cases().SubmitVerification(ctx, t.CycleID, t.HouseholdID, updateID, workflows.VerificationRequest{
		Actor: workflows.Actor(actor(c)), ExpectedVersion: f.Version, Outcome: workflows.Outcome(f.Outcome),
		VisitDate: f.VisitDate, DuplicateOf: dup, Indicators: f.Ind, Note: f.Note,
	})
	if err != nil {
		ve, ok := refusal(err)
		if !ok {
			h.fail(c, err)
			return
		}
		if ve.Field != "" {
			f.Errors[ve.Field] = translate(ve.Message)
			v.Error = "Periksa isian yang ditandai."
		} else {
			v.Error = translate(ve.Message)
		}
		h.showTask(c, ve.HTTPStatus(), v, t, f, nil)
		return
	}
	redirect(c, fmt.Sprintf("/tugas/%d?tersimpan=1", t.HouseholdID))
}

// refusal recognises a human step the household workflow refused: its
// validator's answer, or a case that has ended.
func refusal(err error) (*workflows.ValidationError, bool) {
	var ve *workflows.ValidationError
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &ve):
		return ve, true
	case errors.As(err, &app) && workflows.IsValidationType(app.Type()):
		return workflows.ValidationFromApplicationError(app), true
	case errors.As(err, &nf) || strings.Contains(err.Error(), "workflow execution already completed"):
		return &workflows.ValidationError{Kind: workflows.KindClosed, Message: "this household's case has ended"}, true
	}
	return nil, false
}

// reopen sends a household back to village verification (TKSK, Dinsos).
func (h *pages) reopen(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	p := principal(c)
	f := &reopenForm{Reason: strings.TrimSpace(c.PostForm("reason")), Errors: map[string]string{}}
	key := c.PostForm("kunci")
	if !validKey(key) {
		key = newKey()
	}
	_, err := h.cases().Reopen(c.Request.Context(), t.CycleID, t.HouseholdID, fmt.Sprintf("reopen-%d-u%d-%s", t.HouseholdID, p.UserID, key),
		workflows.ReopenRequest{Actor: workflows.Actor(actor(c)), Reason: f.Reason})
	if err != nil {
		ve, ok := refusal(err)
		if !ok {
			h.fail(c, err)
			return
		}
		v := &view{Title: t.Name, Active: "tugas"}
		if ve.Field != "" {
			f.Errors[ve.Field] = translate(ve.Message)
		} else {
			v.Error = translate(ve.Message)
		}
		h.showTask(c, ve.HTTPStatus(), v, t, nil, f)
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
		h.showTask(c, http.StatusUnprocessableEntity, &view{Title: t.Name, Active: "tugas", Error: "Pilih petugas."}, t, nil, nil)
		return
	}
	err = h.d.Store.AssignTask(c.Request.Context(), t.HouseholdID, t.DesaCode, id, actor(c))
	if errors.Is(err, store.ErrConflict) {
		h.showTask(c, http.StatusConflict, &view{Title: t.Name, Active: "tugas", Error: translate(err.Error())}, t, nil, nil)
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

func indicatorFields(v, p3ke store.Indicators) []indicatorField {
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
