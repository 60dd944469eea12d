package web

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

type meetingForm struct {
	Date          string
	BeritaAcaraNo string
	Attendees     string
	Errors        map[string]string
}

type meetingData struct {
	Cycles []store.Cycle
	Cycle  *store.Cycle
	// Open and Submitted count the desa's tasks without and with a result.
	Open, Submitted int64
	Today           string
	Form            meetingForm
	// Desa is the desa the meeting is of; Desas the officer's villages
	// when it holds several (a choice is shown), else empty.
	Desa  string
	Desas []string
}

// meetingPage is the village meeting (musyawarah desa) form.
func (h *pages) meetingPage(c *gin.Context) {
	v := &view{Title: "Musyawarah desa", Active: "musyawarah"}
	if c.Query("tersimpan") == "1" {
		v.Flash = "Musyawarah desa tercatat. Daftar desa ditutup dan diteruskan ke tahap berikutnya."
	}
	h.showMeeting(c, http.StatusOK, v, nil)
}

func (h *pages) showMeeting(c *gin.Context, status int, v *view, f *meetingForm) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := meetingData{Cycles: cycles, Cycle: cy, Today: h.d.Office.Now().In(wilayah.ZoneOf(p.Region)).Format("2006-01-02"),
		Desa: p.Region}
	if regions := p.AllRegions(); len(regions) > 1 {
		d.Desas = regions
		if want := c.Request.FormValue("desaCode"); slices.Contains(regions, want) {
			d.Desa = want
		}
	}
	if f == nil {
		f = &meetingForm{Date: d.Today}
	}
	d.Form = *f
	if cy != nil {
		ctx := c.Request.Context()
		if d.Open, d.Submitted, err = h.d.Office.VillageTaskCounts(ctx, caller(c), cy.ID, d.Desa); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Data = d
	h.render(c, status, "meeting", v)
}

// recordMeeting records the meeting through the office's step (its own checks), with the optional scanned berita acara.
func (h *pages) recordMeeting(c *gin.Context) {
	ctx := c.Request.Context()
	f := &meetingForm{Date: strings.TrimSpace(c.PostForm("date")), BeritaAcaraNo: strings.TrimSpace(c.PostForm("beritaAcaraNo")),
		Attendees: strings.TrimSpace(c.PostForm("attendees")), Errors: map[string]string{}}
	v := &view{Title: "Musyawarah desa", Active: "musyawarah"}
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	attendees, err := strconv.Atoi(f.Attendees)
	if err != nil {
		f.Errors["attendees"] = "Isi jumlah orang yang hadir (angka)."
		h.showMeeting(c, http.StatusUnprocessableEntity, v, f)
		return
	}
	m := store.Meeting{Date: f.Date, BeritaAcaraNo: f.BeritaAcaraNo, Attendees: attendees, DesaCode: c.PostForm("desaCode")}
	if fh, err := c.FormFile("document"); err == nil && fh.Size > 0 {
		if fh.Size > office.MaxMeetingDocument {
			f.Errors["document"] = "Berkas lebih dari 10 MB."
			h.showMeeting(c, http.StatusUnprocessableEntity, v, f)
			return
		}
		file, err := fh.Open()
		if err == nil {
			m.Document, err = io.ReadAll(file)
			file.Close()
		}
		if err != nil {
			f.Errors["document"] = "Berkas tidak terbaca; unggah lagi."
			h.showMeeting(c, http.StatusUnprocessableEntity, v, f)
			return
		}
		m.DocumentName = fh.Filename
	}
	err = h.d.Office.RecordMeeting(ctx, caller(c), cy, &m)
	if e, msg, status, ok := refusal(err); ok {
		if _, shown := map[string]bool{"date": true, "beritaAcaraNo": true, "attendees": true}[e.Field]; shown {
			f.Errors[e.Field] = msg
		} else {
			v.Error = msg
		}
		h.showMeeting(c, status, v, f)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, "/musyawarah?tersimpan=1&siklus="+strconv.FormatInt(cy.ID, 10))
}
