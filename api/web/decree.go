package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// The decree (SK Bupati / SK Wali Kota) pages: Dinsos drafts a decree from
// every household the village meetings confirmed eligible and submits it;
// the bupati's office reviews it, returns it with a reason or signs it with
// its number and date. Every step goes through the decree workflow's Update
// and its validator (internal/office, as for the JSON API), and a refusal is
// shown next to the field it names.

type decreeListData struct {
	Cycles  []store.Cycle
	Cycle   *store.Cycle
	Decrees []store.Decree
	// CanDraft: the caller drafts decrees (Dinsos).
	CanDraft bool
	// Waiting counts the households confirmed eligible that no open or
	// signed decree lists yet.
	Waiting int64
	// ReportURL downloads the cycle report (XLSX).
	ReportURL string
}

// decreeList lists a cycle's decrees, newest first, with Dinsos' button to
// draft the next one.
func (h *pages) decreeList(c *gin.Context) {
	v := &view{Title: "Surat Keputusan", Active: "sk"}
	h.showDecrees(c, http.StatusOK, v)
}

func (h *pages) showDecrees(c *gin.Context, status int, v *view) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := decreeListData{Cycles: cycles, Cycle: cy, CanDraft: p.Role == auth.RoleDinsos}
	if cy != nil {
		ctx := c.Request.Context()
		if d.Decrees, err = h.d.Office.Decrees(ctx, caller(c), cy); err != nil {
			h.fail(c, err)
			return
		}
		if d.CanDraft {
			if d.Waiting, err = h.d.Office.DecreeWaiting(ctx, caller(c), cy, d.Decrees); err != nil {
				h.fail(c, err)
				return
			}
		}
		d.ReportURL = reportURL(cy.ID)
	}
	v.Data = d
	h.render(c, status, "decrees", v)
}

// reportURL is the cycle report download, the API's route (the session
// cookie opens it).
func reportURL(cycleID int64) string {
	return fmt.Sprintf("/api/v1/cycles/%d/report?format=xlsx", cycleID)
}

// draftDecree drafts a decree of every household waiting for one, through
// the office, and opens it.
func (h *pages) draftDecree(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	d, err := h.d.Office.DraftDecree(ctx, caller(c), cy, office.NewDecree{})
	if _, msg, status, ok := refusal(err); ok {
		h.showDecrees(c, status, &view{Title: "Surat Keputusan", Active: "sk", Error: msg})
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/sk/%d?disusun=1", d.ID))
}

// decreeArea counts a decree's households in one kecamatan or desa.
type decreeArea struct {
	Code, Name string
	Households int64
	Desa       []decreeArea
}

// signForm and returnForm are the bupati's office's forms, with what was
// typed and the messages next to the fields.
type signForm struct {
	Key, Number, Date string
	Errors            map[string]string
}

type returnForm struct {
	Key, Reason string
	Errors      map[string]string
}

type decreeData struct {
	D     *store.Decree
	Cycle *store.Cycle
	// Kecamatan counts the households per kecamatan and desa.
	Kecamatan []decreeArea
	// AttachmentURL downloads the attachment listing every household (the
	// API's XLSX, which the session cookie opens).
	AttachmentURL string
	// Dinsos' steps: submit a draft, revise a returned decree, withdraw
	// either (Withdraw is its form, with the reason).
	CanSubmit, CanRevise bool
	Withdraw             *returnForm
	// StepKey is the idempotency key of Dinsos' step forms.
	StepKey string
	// Review: the bupati's office may return or sign it now.
	Review bool
	Sign   *signForm
	Return *returnForm
	Today  string
}

// loadDecree loads the :id decree if its cycle is the caller's; another
// regency's decree is the 404 page, as a missing one.
func (h *pages) loadDecree(c *gin.Context) (*store.Decree, *store.Cycle, bool) {
	id, ok := h.pathID(c)
	if !ok {
		return nil, nil, false
	}
	d, cy, err := h.d.Office.Decree(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return nil, nil, false
	}
	return d, cy, true
}

// decreeFlashes are the messages after each step's redirect.
var decreeFlashes = []struct{ query, msg string }{
	{"disusun", "Rancangan SK tersusun. Periksa lampirannya, lalu ajukan ke Kantor Bupati."},
	{"diajukan", "SK diajukan ke Kantor Bupati untuk diperiksa dan ditandatangani."},
	{"direvisi", "SK kembali menjadi rancangan dengan daftar keluarga terbaru. Periksa, lalu ajukan lagi."},
	{"dikembalikan", "SK dikembalikan ke Dinas Sosial beserta alasannya."},
	{"ditandatangani", "SK ditandatangani. Semua keluarga yang tercantum diteruskan ke tahap berikutnya."},
	{"dibatalkan", "SK dibatalkan. Keluarga yang tercantum dapat dimasukkan ke rancangan SK berikutnya."},
}

// decreePage is one decree: its households counted per kecamatan and desa,
// the attachment, and the steps the caller may take now.
func (h *pages) decreePage(c *gin.Context) {
	d, cy, ok := h.loadDecree(c)
	if !ok {
		return
	}
	v := &view{Active: "sk"}
	for _, f := range decreeFlashes {
		if c.Query(f.query) == "1" {
			v.Flash = f.msg
		}
	}
	h.showDecree(c, http.StatusOK, v, d, cy, nil, nil, nil)
}

// decreeTitle names a decree for a person.
func decreeTitle(d *store.Decree) string {
	if d.Number != nil && *d.Number != "" {
		return "SK " + *d.Number
	}
	return fmt.Sprintf("Rancangan SK #%d", d.ID)
}

func (h *pages) showDecree(c *gin.Context, status int, v *view, d *store.Decree, cy *store.Cycle, sign *signForm, ret, withdraw *returnForm) {
	p := principal(c)
	kecs, err := h.decreeAreas(c, d)
	if err != nil {
		h.fail(c, err)
		return
	}
	data := decreeData{D: d, Cycle: cy, Kecamatan: kecs, AttachmentURL: fmt.Sprintf("/api/v1/decrees/%d/attachment", d.ID),
		Today: h.d.Office.Now().In(wilayah.ZoneOf(p.Region)).Format("2006-01-02")}
	if p.Role == auth.RoleDinsos {
		data.CanSubmit = d.Status == domain.DecreeDraft
		data.CanRevise = d.Status == domain.DecreeReturned
		data.StepKey = newKey()
		if data.CanSubmit || data.CanRevise {
			if withdraw == nil {
				withdraw = &returnForm{}
			}
			withdraw.Key = newKey()
			data.Withdraw = withdraw
		}
	}
	if p.Role == auth.RoleBupati && d.Status == domain.DecreeSubmitted {
		data.Review = true
		if sign == nil {
			sign = &signForm{Date: data.Today}
		}
		if ret == nil {
			ret = &returnForm{}
		}
		sign.Key, ret.Key = newKey(), newKey()
		data.Sign, data.Return = sign, ret
	}
	v.Title = decreeTitle(d)
	v.Active = "sk"
	v.Data = data
	h.render(c, status, "decree", v)
}

// decreeAreas counts a decree's households per kecamatan and desa.
func (h *pages) decreeAreas(c *gin.Context, d *store.Decree) ([]decreeArea, error) {
	rows, err := h.d.Office.DecreeCounts(c.Request.Context(), caller(c), d)
	if err != nil {
		return nil, err
	}
	var out []decreeArea
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Code != r.KecamatanCode {
			out = append(out, decreeArea{Code: r.KecamatanCode, Name: regionName(r.KecamatanCode)})
		}
		k := &out[len(out)-1]
		k.Households += r.N
		k.Desa = append(k.Desa, decreeArea{Code: r.DesaCode, Name: regionName(r.DesaCode), Households: r.N})
	}
	return out, nil
}

// decreeSteps are the page paths' words for each Update: the flash after
// the redirect.
var decreeSteps = map[string]string{
	workflows.UpdateDecreeSubmit:   "diajukan",
	workflows.UpdateDecreeRevise:   "direvisi",
	workflows.UpdateDecreeReturn:   "dikembalikan",
	workflows.UpdateDecreeSign:     "ditandatangani",
	workflows.UpdateDecreeWithdraw: "dibatalkan",
}

// decreeStep sends one review step through the decree workflow's Update, as
// POST /api/v1/decrees/{id}/{step} does; a refusal is shown next to the
// field it names (number, date, reason), or above the forms.
func (h *pages) decreeStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		d, cy, ok := h.loadDecree(c)
		if !ok {
			return
		}
		key := c.PostForm("kunci")
		if !validKey(key) {
			key = newKey()
		}
		r := workflows.DecreeRequest{Number: strings.TrimSpace(c.PostForm("number")), Date: strings.TrimSpace(c.PostForm("date")),
			Reason: strings.TrimSpace(c.PostForm("reason"))}
		_, err := h.d.Office.DecreeStep(c.Request.Context(), caller(c), d, update, key, r)
		if err == nil {
			redirect(c, fmt.Sprintf("/sk/%d?%s=1", d.ID, decreeSteps[update]))
			return
		}
		e, msg, status, ok := refusal(err)
		if !ok {
			h.fail(c, err)
			return
		}
		field := e.Field
		v := &view{}
		var sign *signForm
		var ret, withdraw *returnForm
		switch update {
		case workflows.UpdateDecreeSign:
			sign = &signForm{Number: r.Number, Date: r.Date, Errors: map[string]string{}}
			if field == "number" || field == "date" {
				sign.Errors[field] = msg
				v.Error = "SK belum ditandatangani. Periksa isian yang ditandai."
			}
		case workflows.UpdateDecreeReturn:
			ret = &returnForm{Reason: r.Reason, Errors: map[string]string{}}
			if field == "reason" {
				ret.Errors[field] = msg
				v.Error = "SK belum dikembalikan. Periksa isian yang ditandai."
			}
		case workflows.UpdateDecreeWithdraw:
			withdraw = &returnForm{Reason: r.Reason, Errors: map[string]string{}}
			if field == "reason" {
				withdraw.Errors[field] = msg
				v.Error = "SK belum dibatalkan. Periksa isian yang ditandai."
			}
		}
		if v.Error == "" {
			v.Error = msg
		}
		// The page shows the decree as it is now (a step refused for an
		// outdated state must not show the old buttons again).
		if now, _, err := h.d.Office.Decree(c.Request.Context(), caller(c), d.ID); err == nil {
			d = now
		}
		h.showDecree(c, status, v, d, cy, sign, ret, withdraw)
	}
}
