package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// The sanggah pages (docs/process.md, "Sanggah"), through the office's
// steps as for /api/v1/.../sanggah: the list and the form to record one
// (/sanggah), one objection with the re-verification's finding and Dinsos'
// decision (/sanggah/:id), and the login-free status by receipt code
// (/status). No page shows who objected.

var sanggahStatusNames = map[string]string{
	string(domain.SanggahRegistered):       "Terdaftar",
	string(domain.SanggahReverification):   "Verifikasi ulang",
	string(domain.SanggahAwaitingDecision): "Menunggu keputusan Dinas Sosial",
	string(domain.SanggahUpheld):           "Diterima",
	string(domain.SanggahRejected):         "Ditolak",
	string(domain.SanggahClosed):           "Ditutup tanpa keputusan (tutup buku)",
	string(domain.SanggahEnacted):          "Diterima dan sudah ditetapkan dengan SK",
}

var sanggahKindNames = map[string]string{
	string(domain.SanggahInclusion): "Salah sasaran: terdaftar padahal mampu",
	string(domain.SanggahExclusion): "Terlewat: miskin tetapi tidak terdaftar",
}

var objectorNames = map[string]string{
	domain.ObjectorCitizen:   "Warga",
	domain.ObjectorHousehold: "Keluarga itu sendiri",
	domain.ObjectorOfficer:   "Petugas",
}

var reverifierNames = map[string]string{
	domain.ReverifyVillage: "Desa",
	domain.ReverifyTKSK:    "TKSK (di luar desa)",
}

// SanggahKindName is an objection kind's name in Indonesian.
func SanggahKindName(k domain.SanggahKind) string { return lookup(sanggahKindNames, string(k)) }

// SanggahStatusName is an objection status's name in Indonesian.
func SanggahStatusName(s domain.SanggahStatus) string { return lookup(sanggahStatusNames, string(s)) }

type sanggahForm struct {
	HouseholdID, Kind, Channel, ObjectorKind, ObjectorName, ObjectorPhone, Reason, Reverifier string
	Errors                                                                                    map[string]string
}

type sanggahListData struct {
	Cycles []store.Cycle
	Cycle  *store.Cycle
	List   []store.Sanggah
	Form   sanggahForm
	// MayFile: the caller records objections; Citizen: it records a
	// citizen's and names the channel.
	MayFile, Citizen bool
}

// Channels lists a citizen's channels for the form.
func (sanggahListData) Channels() []struct{ Code, Name string } { return usulData{}.Channels() }

func (h *pages) sanggahList(c *gin.Context) {
	v := &view{Title: "Sanggah", Active: "sanggah"}
	if code := c.Query("tersimpan"); code != "" {
		v.Flash = "Sanggah tercatat. Nomor tanda terima untuk penyanggah: " + code + "."
	}
	h.showSanggahList(c, http.StatusOK, v, &sanggahForm{HouseholdID: c.Query("rumah-tangga"), Kind: string(domain.SanggahInclusion)})
}

func (h *pages) showSanggahList(c *gin.Context, status int, v *view, f *sanggahForm) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := sanggahListData{Cycles: cycles, Cycle: cy, Form: *f, MayFile: office.Allowed(office.StepSanggah, p.Role), Citizen: !p.Role.Visits()}
	if cy != nil {
		if d.List, err = h.d.Office.ListSanggah(c.Request.Context(), caller(c), cy, c.Query("status")); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Data = d
	h.render(c, status, "sanggah", v)
}

// fileSanggah posts the form to the office's step.
func (h *pages) fileSanggah(c *gin.Context) {
	f := &sanggahForm{HouseholdID: strings.TrimSpace(c.PostForm("householdId")), Kind: c.PostForm("kind"), Channel: c.PostForm("channel"),
		ObjectorKind: c.PostForm("objectorKind"), ObjectorName: c.PostForm("objectorName"), ObjectorPhone: c.PostForm("objectorPhone"),
		Reason: c.PostForm("reason"), Reverifier: c.PostForm("reverifier"), Errors: map[string]string{}}
	v := &view{Title: "Sanggah", Active: "sanggah"}
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	hid, err := strconv.ParseInt(f.HouseholdID, 10, 64)
	if err != nil || hid <= 0 {
		f.Errors["householdId"] = "Isi nomor rumah tangga (angka, lihat halaman rumah tangganya)."
		h.showSanggahList(c, http.StatusUnprocessableEntity, v, f)
		return
	}
	sg, err := h.d.Office.FileSanggah(c.Request.Context(), caller(c), office.NewSanggah{
		CycleID: cy.ID, HouseholdID: hid, Kind: domain.SanggahKind(f.Kind), Channel: f.Channel, ObjectorKind: f.ObjectorKind,
		Objector: store.SanggahObjector{Name: f.ObjectorName, Phone: f.ObjectorPhone}, Reason: f.Reason, Reverifier: f.Reverifier,
	})
	if e, msg, status, ok := refusal(err); ok {
		if shownSanggahFields[e.Field] {
			f.Errors[e.Field] = msg
		} else {
			v.Error = msg
		}
		h.showSanggahList(c, status, v, f)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/sanggah?siklus=%d&tersimpan=%s", cy.ID, sg.Receipt))
}

var shownSanggahFields = map[string]bool{"householdId": true, "kind": true, "channel": true, "objectorKind": true,
	"objectorName": true, "objectorPhone": true, "reason": true, "reverifier": true}

type sanggahData struct {
	S           *store.Sanggah
	DesaName    string
	TemporalURL string
	// MayFind: the caller records the finding now; MayDecide: it decides now.
	MayFind, MayDecide bool
	Errors             map[string]string
	Outcome, Note      string
	// Photos are the objection's evidence (for the roles that see
	// photos); PhotoForm attaches another (nil once it is decided, or
	// when the caller may not).
	Photos    []store.Photo
	PhotoForm *photoFormData
}

// Outcomes lists the visit outcomes for the finding's form.
func (sanggahData) Outcomes() []struct{ Code, Name string } {
	var out []struct{ Code, Name string }
	for _, o := range domain.Outcomes() {
		out = append(out, struct{ Code, Name string }{string(o), lookup(outcomeNames, o)})
	}
	return out
}

func (h *pages) sanggahPage(c *gin.Context) {
	v := &view{Title: "Sanggah", Active: "sanggah"}
	switch {
	case c.Query("temuan") != "":
		v.Flash = "Hasil verifikasi ulang tercatat; sanggah menunggu keputusan Dinas Sosial."
	case c.Query("diputuskan") != "":
		v.Flash = "Keputusan tercatat; penyanggah diberi tahu."
	case c.Query("foto") != "":
		v.Flash = "Foto tersimpan."
	}
	h.showSanggah(c, http.StatusOK, v, &sanggahData{Errors: map[string]string{}})
}

func (h *pages) showSanggah(c *gin.Context, status int, v *view, d *sanggahData) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	sg, err := h.d.Office.GetSanggah(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d.S, d.DesaName = sg, regionName(sg.DesaCode)
	d.MayFind = sg.Status == domain.SanggahReverification && office.Allowed(office.StepSanggahFinding, p.Role) &&
		(sg.Reverifier != domain.ReverifyTKSK || p.Role == auth.RoleTKSK)
	d.MayDecide = sg.Status == domain.SanggahAwaitingDecision && office.Allowed(office.StepSanggahDecide, p.Role)
	if office.Allowed(office.StepReadPhotos, p.Role) {
		if d.Photos, err = h.d.Office.SanggahPhotos(c.Request.Context(), caller(c), sg.ID); err != nil {
			h.fail(c, err)
			return
		}
	}
	if sg.Status.Open() && office.Allowed(office.StepSanggahPhoto, p.Role) {
		d.PhotoForm = h.newPhotoForm(c, fmt.Sprintf("/sanggah/%d/foto", sg.ID), domain.PhotoKinds())
	}
	if !p.Role.Visits() && h.d.SanggahURL != nil {
		d.TemporalURL = h.d.SanggahURL(sg.ID)
	}
	v.Title, v.Data = "Sanggah "+sg.Receipt, d
	h.render(c, status, "sanggah_case", v)
}

// sanggahStep posts the finding or the decision.
func (h *pages) sanggahStep(decide bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := h.pathID(c)
		if !ok {
			return
		}
		d := &sanggahData{Errors: map[string]string{}, Outcome: c.PostForm("outcome"), Note: c.PostForm("note")}
		var err error
		if decide {
			_, err = h.d.Office.DecideSanggah(c.Request.Context(), caller(c), id, c.PostForm("kunci"), c.PostForm("decision"), d.Note)
		} else {
			_, err = h.d.Office.SanggahFinding(c.Request.Context(), caller(c), id, c.PostForm("kunci"), domain.Outcome(d.Outcome), d.Note)
		}
		v := &view{Title: "Sanggah", Active: "sanggah"}
		if e, msg, status, ok := refusal(err); ok {
			if e.Field == "note" || e.Field == "outcome" || e.Field == "decision" {
				d.Errors[e.Field] = msg
			} else {
				v.Error = msg
			}
			h.showSanggah(c, status, v, d)
			return
		} else if err != nil {
			h.fail(c, err)
			return
		}
		flag := "temuan=1"
		if decide {
			flag = "diputuskan=1"
		}
		redirect(c, fmt.Sprintf("/sanggah/%d?%s", id, flag))
	}
}

type statusData struct {
	Code   string
	Status *store.SanggahPublic
	// KecName is the kecamatan's name, the only place the page names.
	KecName  string
	NotFound bool
}

// Steps are the case's dates, in order, for the page's timeline.
func (d statusData) Steps() []struct {
	Name string
	At   *time.Time
} {
	s := d.Status
	reg := s.RegisteredAt
	return []struct {
		Name string
		At   *time.Time
	}{
		{"Terdaftar", &reg}, {"Verifikasi ulang selesai", s.FindingAt}, {"Diputuskan Dinas Sosial", s.DecidedAt},
		{"Ditetapkan dengan SK", s.EnactedAt}, {"Penyanggah terakhir diberi tahu", s.InformedAt},
	}
}

// statusPage is the login-free status of an objection by its receipt
// code: its status and dates and the kecamatan, nothing else. A look-up
// counts against the client address's limit, as the API's does.
func (h *pages) statusPage(c *gin.Context) {
	d := statusData{Code: strings.TrimSpace(c.Query("kode"))}
	v := &view{Title: "Status sanggah", Data: &d}
	if d.Code != "" {
		if h.d.StatusTake != nil {
			if wait := h.d.StatusTake(h.d.Office.Now(), h.d.Throttle.ClientKey(c.ClientIP())); wait > 0 {
				secs := int((wait + time.Second - 1) / time.Second)
				c.Header("Retry-After", strconv.Itoa(secs))
				h.errorPage(c, http.StatusTooManyRequests, fmt.Sprintf("Terlalu banyak pencarian dari alamat ini. Coba lagi dalam %d detik.", secs))
				return
			}
		}
		st, err := h.d.Office.SanggahStatus(c.Request.Context(), d.Code)
		switch {
		case err == store.ErrNotFound:
			d.NotFound = true
			h.render(c, http.StatusNotFound, "status", v)
			return
		case err != nil:
			h.fail(c, err)
			return
		}
		d.Status, d.KecName = st, regionName(st.KecamatanCode)
	}
	h.render(c, http.StatusOK, "status", v)
}
