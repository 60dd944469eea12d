package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// maxMeetingDocument bounds the scanned berita acara, as the API does.
const maxMeetingDocument = 10 << 20

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
	d := meetingData{Cycles: cycles, Cycle: cy, Today: h.d.Now().In(wilayah.ZoneOf(p.Region)).Format("2006-01-02")}
	if f == nil {
		f = &meetingForm{Date: d.Today}
	}
	d.Form = *f
	if cy != nil {
		ctx := c.Request.Context()
		for _, s := range []struct {
			status string
			n      *int64
		}{{store.TaskOpen, &d.Open}, {store.TaskSubmitted, &d.Submitted}} {
			if _, *s.n, err = h.d.Store.ListTasks(ctx, p, store.TaskFilter{CycleID: cy.ID, Status: s.status, PerPage: 1}); err != nil {
				h.fail(c, err)
				return
			}
		}
	}
	v.Data = d
	h.render(c, status, "meeting", v)
}

// recordMeeting records the meeting through the API's own checks
// (Deps.RecordMeeting), with the optional scanned berita acara.
func (h *pages) recordMeeting(c *gin.Context) {
	ctx := c.Request.Context()
	p := principal(c)
	f := &meetingForm{Date: strings.TrimSpace(c.PostForm("date")), BeritaAcaraNo: strings.TrimSpace(c.PostForm("beritaAcaraNo")),
		Attendees: strings.TrimSpace(c.PostForm("attendees")), Errors: map[string]string{}}
	v := &view{Title: "Musyawarah desa", Active: "musyawarah"}
	cycleID, _ := strconv.ParseInt(c.PostForm("siklus"), 10, 64)
	cy, err := h.d.Store.GetCycle(ctx, p, cycleID)
	if err != nil {
		h.fail(c, err)
		return
	}
	attendees, err := strconv.Atoi(f.Attendees)
	if err != nil {
		f.Errors["attendees"] = "Isi jumlah orang yang hadir (angka)."
		h.showMeeting(c, http.StatusUnprocessableEntity, v, f)
		return
	}
	m := store.Meeting{Date: f.Date, BeritaAcaraNo: f.BeritaAcaraNo, Attendees: attendees}
	if fh, err := c.FormFile("document"); err == nil && fh.Size > 0 {
		if fh.Size > maxMeetingDocument {
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
	err = h.d.RecordMeeting(ctx, p, actor(c), cy, &m)
	var ie *store.InvalidError
	switch {
	case errors.As(err, &ie):
		f.Errors[ie.Field] = translate(ie.Msg)
		if _, shown := map[string]bool{"date": true, "beritaAcaraNo": true, "attendees": true}[ie.Field]; !shown {
			v.Error = translate(ie.Msg)
		}
		h.showMeeting(c, http.StatusUnprocessableEntity, v, f)
		return
	case errors.Is(err, store.ErrConflict):
		v.Error = translate(err.Error())
		h.showMeeting(c, http.StatusConflict, v, f)
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	redirect(c, "/musyawarah?tersimpan=1&siklus="+strconv.FormatInt(cy.ID, 10))
}
