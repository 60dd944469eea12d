package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/xlsxwrite"
)

// photoKindNames are the photo kinds in Indonesian.
var photoKindNames = map[string]string{
	domain.PhotoFront:      "Rumah tampak depan",
	domain.PhotoInside:     "Bagian dalam rumah",
	domain.PhotoFamilyCard: "Kartu Keluarga",
	domain.PhotoDocument:   "Dokumen pendukung",
}

// photoKindList names a comma-separated list of kinds in Indonesian.
func photoKindList(s string) string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		out = append(out, lookup(photoKindNames, strings.TrimSpace(k)))
	}
	return strings.Join(out, ", ")
}

// visitFlagNames say in Indonesian why a visit is flagged.
var visitFlagNames = map[string]string{
	office.FlagNoLocation: "Tanpa lokasi",
	office.FlagFar:        "Jauh dari kunjungan lain di desanya",
}

// photoLimit bounds a photo form's post: the photo and a little for the
// fields.
func (h *pages) photoLimit() int64 { return h.d.Office.MaxPhoto() + 64<<10 }

// photoForm reads a photo form (the same fields as the API's upload).
func (h *pages) photoForm(c *gin.Context) (office.PhotoUpload, func(), error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return office.PhotoUpload{}, func() {}, domain.FieldErr("file", domain.CodeRequired)
	}
	f, err := fh.Open()
	if err != nil {
		return office.PhotoUpload{}, func() {}, domain.FieldErr("file", domain.CodeFileUnreadable)
	}
	loc, err := office.ParseLocation(c.PostForm("lat"), c.PostForm("lon"), c.PostForm("accuracy"), domain.CodePhotoLocation)
	if err != nil {
		f.Close()
		return office.PhotoUpload{}, func() {}, err
	}
	return office.PhotoUpload{Kind: c.PostForm("kind"), File: f, TakenAt: c.PostForm("takenAt"), Location: loc}, func() { f.Close() }, nil
}

// formLocation reads the phone's location from a form's lat, lon and
// accuracy fields.
func formLocation(c *gin.Context) (*office.Location, error) {
	return office.ParseLocation(c.PostForm("lat"), c.PostForm("lon"), c.PostForm("accuracy"), domain.CodeVisitLocation)
}

// uploadVisitPhoto takes a photo of the visit from the task page (POST
// /tugas/:id/foto), as POST /api/v1/tasks/{id}/photos does; the form's
// key makes a resent photo (the phone's queue) stored once.
func (h *pages) uploadVisitPhoto(c *gin.Context) {
	t, ok := h.loadTask(c)
	if !ok {
		return
	}
	h.attachPhoto(c, fmt.Sprintf("/tugas/%d?foto=1#foto", t.HouseholdID),
		func(ctx context.Context, cl office.Caller, key string, in office.PhotoUpload) error {
			_, err := h.d.Office.UploadVisitPhoto(ctx, cl, t, key, in)
			return err
		}, func(status int, v *view) { h.showTask(c, status, v, t, nil, nil, nil) })
}

// uploadUsulPhoto attaches a photo to an usul from its household's page
// (POST /rumah-tangga/:id/foto-usul), as POST
// /api/v1/households/{id}/usul/photos does.
func (h *pages) uploadUsulPhoto() gin.HandlerFunc {
	return h.uploadPhotoTo("/rumah-tangga/%d?foto=1", h.d.Office.UploadUsulPhoto,
		func(c *gin.Context, status int, v *view) { h.errorPage(c, status, v.Error) })
}

// uploadSanggahPhoto attaches a photo to an objection from its page (POST
// /sanggah/:id/foto), as POST /api/v1/sanggah/{id}/photos does; a refusal
// (a decided objection, not a photo) is shown at the top of the page.
func (h *pages) uploadSanggahPhoto() gin.HandlerFunc {
	return h.uploadPhotoTo("/sanggah/%d?foto=1#foto", h.d.Office.UploadSanggahPhoto,
		func(c *gin.Context, status int, v *view) {
			v.Active = "sanggah"
			h.showSanggah(c, status, v, &sanggahData{Errors: map[string]string{}})
		})
}

// uploadPhotoTo attaches a photo to record :id with the office's step
// upload and goes to next (a format of the id); a refused photo is shown
// by show.
func (h *pages) uploadPhotoTo(next string, upload func(context.Context, office.Caller, int64, string, office.PhotoUpload) (*store.Photo, error),
	show func(c *gin.Context, status int, v *view)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := h.pathID(c)
		if !ok {
			return
		}
		h.attachPhoto(c, fmt.Sprintf(next, id),
			func(ctx context.Context, cl office.Caller, key string, in office.PhotoUpload) error {
				_, err := upload(ctx, cl, id, key, in)
				return err
			}, func(status int, v *view) { show(c, status, v) })
	}
}

// attachPhoto reads a photo form, hands it to the office's step attach
// and goes to next; a refusal is shown by show.
func (h *pages) attachPhoto(c *gin.Context, next string, attach func(context.Context, office.Caller, string, office.PhotoUpload) error, show func(status int, v *view)) {
	in, done, err := h.photoForm(c)
	if err == nil {
		defer done()
		key := c.PostForm("kunci")
		if !validKey(key) {
			key = ""
		}
		err = attach(c.Request.Context(), caller(c), key, in)
	}
	if h.photoRefused(c, err, show) {
		return
	}
	redirect(c, next)
}

// photoRefused shows a refused photo (not an image, too large, no kind)
// with its Indonesian message at the top of the page show renders; any
// other error is the error page. It reports whether err was an error.
func (h *pages) photoRefused(c *gin.Context, err error, show func(status int, v *view)) bool {
	if err == nil {
		return false
	}
	e, ok := domain.As(err)
	if !ok || (e.Kind() != domain.KindInvalid && e.Kind() != domain.KindBadRequest && e.Kind() != domain.KindTooLarge && e.Kind() != domain.KindConflict) {
		h.fail(c, err)
		return true
	}
	status := http.StatusUnprocessableEntity
	switch e.Kind() {
	case domain.KindTooLarge:
		status = http.StatusRequestEntityTooLarge
	case domain.KindConflict:
		status = http.StatusConflict
	}
	show(status, &view{Title: "Foto", Active: "tugas", Error: "Foto tidak disimpan: " + errorText(e)})
	return true
}

// photo serves one photo (GET /foto/:id) to the roles of its household's
// region, as GET /api/v1/photos/{id} does: each view is audited.
func (h *pages) photo(c *gin.Context) {
	id, ok := h.pathID(c)
	if !ok {
		return
	}
	_, b, err := h.d.Office.PhotoImage(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "image/jpeg", b)
}

type flagsData struct {
	Cycles []cycleOption
	Cycle  int64
	Flags  []flagRow
	FarKm  float64
}

type cycleOption struct {
	ID    int64
	Label string
}

type flagRow struct {
	office.VisitFlag
	DesaName, Why string
}

// visitFlagsPage lists the visits the TKSK should look at (GET /lokasi):
// no location, or far from the other visits of their desa.
func (h *pages) visitFlagsPage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d := flagsData{}
	for _, x := range cycles {
		d.Cycles = append(d.Cycles, cycleOption{x.ID, fmt.Sprintf("%d · %s", x.Year, regionName(x.RegencyCode))})
	}
	if cy != nil {
		d.Cycle = cy.ID
		flags, err := h.d.Office.VisitFlags(c.Request.Context(), caller(c), cy.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, f := range flags {
			why := lookup(visitFlagNames, f.Reason)
			if f.Reason == office.FlagFar {
				why = fmt.Sprintf("%s (%.1f km)", why, f.DistanceKm)
			}
			d.Flags = append(d.Flags, flagRow{VisitFlag: f, DesaName: regionName(f.DesaCode), Why: why})
		}
	}
	h.render(c, http.StatusOK, "lokasi", &view{Title: "Lokasi kunjungan", Active: "lokasi", Data: d})
}

type evidenceData struct {
	Cycles []cycleOption
	Cycle  int64
	Rows   []evidenceRow
}

type evidenceRow struct {
	office.EvidenceRow
	DesaName string
}

// evidencePage is the evidence report per desa and officer (GET /bukti),
// as GET /api/v1/cycles/{id}/evidence is: format=xlsx downloads it,
// format=geojson downloads the visits' points (desa= narrows to one).
func (h *pages) evidencePage(c *gin.Context) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cl := c.Request.Context(), caller(c)
	if cy != nil && c.Query("format") == "geojson" {
		b, err := h.d.Office.VisitPointsGeoJSON(ctx, cl, cy.ID, c.Query("desa"))
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kunjungan-%d.geojson"`, cy.ID))
		c.Data(http.StatusOK, "application/geo+json", b)
		return
	}
	d := evidenceData{}
	for _, x := range cycles {
		d.Cycles = append(d.Cycles, cycleOption{x.ID, fmt.Sprintf("%d · %s", x.Year, regionName(x.RegencyCode))})
	}
	if cy != nil {
		d.Cycle = cy.ID
		rows, err := h.d.Office.EvidenceReport(ctx, cl, cy.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		if c.Query("format") == "xlsx" {
			var buf bytes.Buffer
			if err := xlsxwrite.Write(&buf, []xlsxwrite.Sheet{office.EvidenceSheet(rows)}); err != nil {
				h.fail(c, err)
				return
			}
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="bukti-kunjungan-%d.xlsx"`, cy.ID))
			c.Data(http.StatusOK, xlsxwrite.ContentType, buf.Bytes())
			return
		}
		for _, r := range rows {
			d.Rows = append(d.Rows, evidenceRow{EvidenceRow: r, DesaName: regionName(r.DesaCode)})
		}
	}
	h.render(c, http.StatusOK, "bukti", &view{Title: "Bukti kunjungan", Active: "bukti", Data: d})
}
