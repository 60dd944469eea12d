package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// photoUpload reads a photo upload: multipart field "file", with "kind",
// and optionally "takenAt" (RFC 3339), "lat", "lon" and "accuracy". The
// body is bounded by the largest photo (and a little for the form): a
// larger one is 413 photo.too_large, nothing stored.
func (s *Server) photoUpload(c *gin.Context) (office.PhotoUpload, func(), error) {
	limit := s.deps.Office.MaxPhoto()
	tooLarge := domain.FieldErr("file", domain.CodePhotoTooLarge, byteSize(limit))
	if c.Request.ContentLength > limit+64<<10 {
		c.Header("Connection", "close")
		return office.PhotoUpload{}, nil, tooLarge
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10)
	fh, err := c.FormFile("file")
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return office.PhotoUpload{}, nil, tooLarge
	}
	if err != nil {
		return office.PhotoUpload{}, nil, badRequest("file", fmt.Sprintf("send the photo as multipart form field \"file\" (at most %s), with \"kind\"", byteSize(limit)))
	}
	f, err := fh.Open()
	if err != nil {
		return office.PhotoUpload{}, nil, err
	}
	loc, err := office.ParseLocation(c.PostForm("lat"), c.PostForm("lon"), c.PostForm("accuracy"), domain.CodePhotoLocation)
	if err != nil {
		f.Close()
		return office.PhotoUpload{}, nil, err
	}
	return office.PhotoUpload{Kind: c.PostForm("kind"), File: f, TakenAt: c.PostForm("takenAt"), Location: loc}, func() { f.Close() }, nil
}

// uploadVisitPhoto attaches a photo to a task's visit (village officer);
// an Idempotency-Key header makes a resent photo stored once.
func (s *Server) uploadVisitPhoto(c *gin.Context) {
	t, ok := s.task(c)
	if !ok {
		return
	}
	s.attachPhoto(c, func(ctx context.Context, cl office.Caller, key string, in office.PhotoUpload) (*store.Photo, error) {
		return s.deps.Office.UploadVisitPhoto(ctx, cl, t, key, in)
	})
}

// uploadPhotoTo attaches a photo to record :id with the office's step
// upload: the usul of household :id (UploadUsulPhoto), objection :id
// before its decision (UploadSanggahPhoto).
func (s *Server) uploadPhotoTo(upload func(context.Context, office.Caller, int64, string, office.PhotoUpload) (*store.Photo, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.pathID(c)
		if !ok {
			return
		}
		s.attachPhoto(c, func(ctx context.Context, cl office.Caller, key string, in office.PhotoUpload) (*store.Photo, error) {
			return upload(ctx, cl, id, key, in)
		})
	}
}

// attachPhoto reads the upload and hands it to the office's step attach.
func (s *Server) attachPhoto(c *gin.Context, attach func(context.Context, office.Caller, string, office.PhotoUpload) (*store.Photo, error)) {
	in, done, err := s.photoUpload(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer done()
	p, err := attach(c.Request.Context(), caller(c), c.GetHeader("Idempotency-Key"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

// visitPhotos lists a task's visit photos (records only; each image is
// GET /photos/{id}).
func (s *Server) visitPhotos(c *gin.Context) { s.listPhotos(c, s.deps.Office.VisitPhotos) }

// sanggahPhotos lists objection :id's photos (records only).
func (s *Server) sanggahPhotos(c *gin.Context) { s.listPhotos(c, s.deps.Office.SanggahPhotos) }

// listPhotos answers the photos list of the record :id.
func (s *Server) listPhotos(c *gin.Context, list func(context.Context, office.Caller, int64) ([]store.Photo, error)) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	photos, err := list(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if photos == nil {
		photos = []store.Photo{}
	}
	c.JSON(http.StatusOK, gin.H{"photos": photos})
}

// photo sends one photo's JPEG, without metadata; each view is audited.
func (s *Server) photo(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	_, b, err := s.deps.Office.PhotoImage(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "image/jpeg", b)
}

// visitFlags lists the visits the TKSK should look at: without a
// location, or far from their desa's others.
func (s *Server) visitFlags(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	flags, err := s.deps.Office.VisitFlags(c.Request.Context(), caller(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cycleId": cy.ID, "flags": flags})
}

// evidence is the evidence report per desa and officer (JSON, or
// format=xlsx), or the visits' points as GeoJSON (format=geojson,
// optionally one desa).
func (s *Server) evidence(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	ctx, cl := c.Request.Context(), caller(c)
	switch c.Query("format") {
	case "geojson":
		b, err := s.deps.Office.VisitPointsGeoJSON(ctx, cl, cy.ID, c.Query("desa"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kunjungan-%d.geojson"`, cy.ID))
		c.Data(http.StatusOK, "application/geo+json", b)
	case "", "json", "xlsx":
		rows, err := s.deps.Office.EvidenceReport(ctx, cl, cy.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		if c.Query("format") == "xlsx" {
			s.sendXLSX(c, fmt.Sprintf("bukti-kunjungan-%d.xlsx", cy.ID), []sheet{office.EvidenceSheet(rows)})
			return
		}
		c.JSON(http.StatusOK, gin.H{"cycleId": cy.ID, "rows": rows})
	default:
		s.fail(c, badRequest("format", "must be json, xlsx or geojson"))
	}
}
