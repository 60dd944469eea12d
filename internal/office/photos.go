package office

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/photo"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// Photos: the evidence of a visit (the house's front and inside, the
// family card), of an usul or of a sanggah. A photo is checked by its
// content, written again without its metadata (internal/photo), sealed
// with the PII keyring and put in the object store; its record (what it
// shows, whose evidence it is, when and where it was taken) is a row of
// the photos table. Only its id ever reaches anything else: no photo goes
// into a Temporal payload. Each view is an audit entry, and a photo is
// served only inside its household's region.

// DefaultMaxPhoto bounds an uploaded photo: the browser sends about
// 300 KB after scaling it down, an API client's original camera file
// rarely more than 8 MB.
const DefaultMaxPhoto = 8 << 20

// MaxPhoto is the largest photo upload, in bytes.
func (s *Service) MaxPhoto() int64 { return s.maxPhoto }

// PhotoUpload is one photo as a door takes it.
type PhotoUpload struct {
	// Kind is domain.PhotoFront, PhotoInside, PhotoFamilyCard or
	// PhotoDocument.
	Kind string
	// File is the upload, read up to MaxPhoto; a body that passes its
	// own limit (http.MaxBytesError) is the same refusal.
	File io.Reader
	// TakenAt is when the phone took it (RFC 3339), if it says; else
	// the photo's EXIF DateTimeOriginal, if it has one.
	TakenAt string
	// Location is the phone's position when it was taken, if it gave
	// one; else the photo's EXIF GPS position, if it has one.
	Location *Location
}

// Location is a phone's position: latitude and longitude in degrees, the
// accuracy radius in metres (0 when unknown).
type Location struct {
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Accuracy float64 `json:"accuracy"`
}

// ParseLocation reads a location from a form's lat, lon and accuracy
// fields (both doors' forms): none when lat and lon are empty; a number
// that does not parse is refused with code, on field "location".
func ParseLocation(lat, lon, accuracy string, code domain.Code) (*Location, error) {
	lat, lon, accuracy = strings.TrimSpace(lat), strings.TrimSpace(lon), strings.TrimSpace(accuracy)
	if lat == "" && lon == "" {
		return nil, nil
	}
	var l Location
	var e1, e2, e3 error
	l.Lat, e1 = strconv.ParseFloat(lat, 64)
	l.Lon, e2 = strconv.ParseFloat(lon, 64)
	if accuracy != "" {
		l.Accuracy, e3 = strconv.ParseFloat(accuracy, 64)
	}
	if e1 != nil || e2 != nil || e3 != nil {
		return nil, domain.FieldErr("location", code)
	}
	return &l, nil
}

// valid checks a location's ranges.
func (l *Location) valid() bool {
	return l == nil || (l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180 &&
		l.Accuracy >= 0 && l.Accuracy <= 100000 && !math.IsNaN(l.Lat+l.Lon+l.Accuracy))
}

// photoOwner is what a photo is attached to, resolved and region-checked
// by the step that attaches it.
type photoOwner struct {
	kind        string
	id          int64
	cycleID     int64
	householdID int64
	desa        string
	// late, when set, refuses a new photo; a resend of one stored before
	// still answers its record.
	late error
}

// UploadVisitPhoto attaches a photo to task t's visit (the village
// officer, before or after the result). key (the client's Idempotency-Key)
// makes a resent upload store the photo once and answer the first
// record.
func (s *Service) UploadVisitPhoto(ctx context.Context, c Caller, t *store.TaskView, key string, in PhotoUpload) (*store.Photo, error) {
	if err := c.may(StepSubmitResult); err != nil {
		return nil, err
	}
	if t.Status == domain.TaskClosed {
		return nil, domain.Err(domain.CodeListClosed)
	}
	return s.attachPhoto(ctx, c, photoOwner{kind: domain.OwnerVisit, id: t.HouseholdID, cycleID: t.CycleID, householdID: t.HouseholdID, desa: t.DesaCode}, key, in)
}

// UploadUsulPhoto attaches a photo (a document, the house) to the usul
// that brought household id into its cycle; key as for UploadVisitPhoto.
// A household outside the caller's region, or not from an usul, is not
// found.
func (s *Service) UploadUsulPhoto(ctx context.Context, c Caller, householdID int64, key string, in PhotoUpload) (*store.Photo, error) {
	if err := c.may(StepUsul); err != nil {
		return nil, err
	}
	h, err := s.store.GetHousehold(ctx, c.Principal, householdID)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UsulOf(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	return s.attachPhoto(ctx, c, photoOwner{kind: domain.OwnerUsul, id: u.ID, cycleID: h.CycleID, householdID: h.ID, desa: h.DesaCode}, key, in)
}

// UploadSanggahPhoto attaches a photo (the objector's document, the
// house as the re-verification found it) to objection sanggahID, before
// its decision; key as for UploadVisitPhoto. An objection outside the
// caller's region is not found; a decided or closed one refuses a new
// photo (CodeSanggahPhotoLate: evidence comes before the decision), while
// a resend of one stored before answers its record. The photo's record names its uploader (an
// officer), never the objector.
func (s *Service) UploadSanggahPhoto(ctx context.Context, c Caller, sanggahID int64, key string, in PhotoUpload) (*store.Photo, error) {
	if err := c.may(StepSanggahPhoto); err != nil {
		return nil, err
	}
	sg, err := s.store.GetSanggah(ctx, c.Principal, sanggahID)
	if err != nil {
		return nil, err
	}
	owner := photoOwner{kind: domain.OwnerSanggah, id: sg.ID, cycleID: sg.CycleID, householdID: sg.HouseholdID, desa: sg.DesaCode}
	if !sg.Status.Open() {
		owner.late = domain.Err(domain.CodeSanggahPhotoLate, string(sg.Status))
	}
	return s.attachPhoto(ctx, c, owner, key, in)
}

// attachPhoto checks, strips, seals and stores one photo for owner, the
// caller's step and region already checked. A refused photo stores
// nothing.
func (s *Service) attachPhoto(ctx context.Context, c Caller, owner photoOwner, key string, in PhotoUpload) (*store.Photo, error) {
	if s.objects == nil {
		return nil, domain.Err(domain.CodeUnavailable)
	}
	idem, err := photoIdemKey(c, key)
	if err != nil {
		return nil, err
	}
	if key != "" {
		// A resend of a photo already stored (the phone's queue after a
		// lost answer): its record, nothing stored again.
		if p, err := s.store.PhotoByIdemKey(ctx, idem); err == nil {
			if p.OwnerKind != owner.kind || p.OwnerID != owner.id {
				return nil, domain.FieldErr("Idempotency-Key", domain.CodeIdempotencyKeyReused)
			}
			return p, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if owner.late != nil {
		return nil, owner.late
	}
	if !isPhotoKind(in.Kind) {
		return nil, domain.FieldErr("kind", domain.CodePhotoKind)
	}
	if !in.Location.valid() {
		return nil, domain.FieldErr("location", domain.CodePhotoLocation)
	}
	// A time outside these bounds is a phone's wrong clock.
	plausible := func(t time.Time) bool { return !t.After(s.now().Add(24*time.Hour)) && t.Year() >= 2000 }
	var takenAt *time.Time
	if v := strings.TrimSpace(in.TakenAt); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil || !plausible(t) {
			return nil, domain.FieldErr("takenAt", domain.CodePhotoTakenAt)
		}
		t = t.UTC()
		takenAt = &t
	}
	if in.File == nil {
		return nil, domain.FieldErr("file", domain.CodeRequired)
	}
	raw, err := io.ReadAll(io.LimitReader(in.File, s.maxPhoto+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || int64(len(raw)) > s.maxPhoto {
		return nil, domain.FieldErr("file", domain.CodePhotoTooLarge, byteSize(s.maxPhoto))
	} else if err != nil {
		return nil, domain.FieldErr("file", domain.CodeFileUnreadable)
	}
	clean, err := photo.Strip(raw)
	switch {
	case errors.Is(err, photo.ErrTooManyPixels):
		// In millions, as people read a camera's size: "40".
		return nil, domain.FieldErr("file", domain.CodePhotoPixels, strconv.FormatFloat(float64(photo.MaxPixels)/1e6, 'f', -1, 64))
	case err != nil:
		return nil, domain.FieldErr("file", domain.CodePhotoNotImage)
	}
	// Without the form's time, the camera's (its EXIF, read in the
	// desa's zone unless it records its offset); an implausible one is
	// left out, not refused.
	if t := clean.TakenAt(wilayah.ZoneOf(owner.desa)); takenAt == nil && t != nil && plausible(*t) {
		u := t.UTC()
		takenAt = &u
	}
	objectKey := fmt.Sprintf("photos/%d/%d/%s.jpg.sealed", owner.cycleID, owner.householdID, randomHex(16))
	sealed, err := s.store.Keys.SealBytes(clean.JPEG, []byte(objectKey))
	if err != nil {
		return nil, err
	}
	if err := s.objects.Put(ctx, objectKey, sealed); err != nil {
		s.log.Error("object store put failed", "store", s.objects.Name(), "err", err)
		return nil, domain.Err(domain.CodeUnavailable)
	}
	sum := sha256.Sum256(clean.JPEG)
	p := &store.Photo{
		OwnerKind: owner.kind, OwnerID: owner.id, CycleID: owner.cycleID, HouseholdID: owner.householdID, DesaCode: owner.desa,
		Kind: in.Kind, ObjectKey: objectKey, IdemKey: idem, SHA256: hex.EncodeToString(sum[:]), Bytes: len(clean.JPEG),
		Width: clean.Width, Height: clean.Height, TakenAt: takenAt, UploadedBy: c.UserID,
	}
	if l := in.Location; l != nil {
		lat, lon, acc := l.Lat, l.Lon, l.Accuracy
		p.Lat, p.Lon, p.Accuracy = &lat, &lon, &acc
	} else {
		// Without the phone's location, the camera's GPS position (its
		// accuracy unknown).
		p.Lat, p.Lon = clean.Lat, clean.Lon
	}
	created, err := s.store.CreatePhoto(ctx, p)
	if err != nil || !created {
		// Not recorded, or a concurrent resend recorded it first: this
		// request's object is nobody's.
		if derr := s.objects.Delete(context.WithoutCancel(ctx), objectKey); derr != nil {
			s.log.Error("object store delete failed", "store", s.objects.Name(), "err", derr)
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	s.audit(ctx, c, owner.cycleID, &owner.householdID, "photo.upload", map[string]any{"photoId": p.ID, "owner": owner.kind, "kind": p.Kind})
	return p, nil
}

// VisitPhotos lists the photos of household id's visit, if the caller may
// see photos of it.
func (s *Service) VisitPhotos(ctx context.Context, c Caller, householdID int64) ([]store.Photo, error) {
	if err := c.may(StepReadPhotos); err != nil {
		return nil, err
	}
	if _, err := s.store.GetHousehold(ctx, c.Principal, householdID); err != nil {
		return nil, err
	}
	return s.store.Photos(ctx, domain.OwnerVisit, householdID)
}

// UsulPhotos lists the photos of the usul of household id, if any.
func (s *Service) UsulPhotos(ctx context.Context, c Caller, householdID int64) ([]store.Photo, error) {
	if err := c.may(StepReadPhotos); err != nil {
		return nil, err
	}
	if _, err := s.store.GetHousehold(ctx, c.Principal, householdID); err != nil {
		return nil, err
	}
	u, err := s.store.UsulOf(ctx, householdID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.store.Photos(ctx, domain.OwnerUsul, u.ID)
}

// SanggahPhotos lists the photos of objection sanggahID, for the roles
// that read objections and see photos, in its household's region.
func (s *Service) SanggahPhotos(ctx context.Context, c Caller, sanggahID int64) ([]store.Photo, error) {
	if err := c.may(StepReadPhotos); err != nil {
		return nil, err
	}
	if err := c.may(StepReadSanggah); err != nil {
		return nil, err
	}
	if _, err := s.store.GetSanggah(ctx, c.Principal, sanggahID); err != nil {
		return nil, err
	}
	return s.store.Photos(ctx, domain.OwnerSanggah, sanggahID)
}

// PhotoImage is photo id's JPEG, opened from the object store, for a
// caller of its household's region (the desa its record carries, whether
// a visit's, an usul's or a sanggah's); another region's photo is not
// found.
// The view is audited first: no entry, no photo.
func (s *Service) PhotoImage(ctx context.Context, c Caller, id int64) (*store.Photo, []byte, error) {
	if err := c.may(StepReadPhotos); err != nil {
		return nil, nil, err
	}
	if s.objects == nil {
		return nil, nil, domain.Err(domain.CodeUnavailable)
	}
	p, err := s.store.GetPhoto(ctx, c.Principal, id)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := s.objects.Get(ctx, p.ObjectKey)
	if err != nil {
		s.log.Error("object store get failed", "store", s.objects.Name(), "photoId", p.ID, "err", err)
		return nil, nil, domain.Err(domain.CodeUnavailable)
	}
	b, err := s.store.Keys.OpenBytes(sealed, []byte(p.ObjectKey))
	if err != nil {
		return nil, nil, err
	}
	if err := s.auditFirst(ctx, c, p.CycleID, &p.HouseholdID, "photo.view", map[string]any{"photoId": p.ID, "owner": p.OwnerKind, "kind": p.Kind}); err != nil {
		return nil, nil, err
	}
	return p, b, nil
}

// photoIdemKey scopes an Idempotency-Key to the caller; without one each
// upload is new.
func photoIdemKey(c Caller, key string) (string, error) {
	if key == "" {
		return "new-" + randomHex(16), nil
	}
	if len(key) > maxKey {
		return "", domain.FieldErr("Idempotency-Key", domain.CodeBadRequest, fmt.Sprintf("must be at most %d characters", maxKey))
	}
	return fmt.Sprintf("u%d-%s", c.UserID, key), nil
}

func isPhotoKind(k string) bool {
	for _, x := range domain.PhotoKinds() {
		if k == x {
			return true
		}
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// byteSize writes n bytes as "8 MiB" or "512 KiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkPhotos refuses a visit result whose outcome needs photos the
// visit does not have yet (the configured rules).
func (s *Service) checkPhotos(ctx context.Context, householdID int64, outcome domain.Outcome) error {
	if len(s.photoRules[outcome]) == 0 {
		return nil
	}
	have, err := s.store.PhotoKinds(ctx, domain.OwnerVisit, householdID)
	if err != nil {
		return err
	}
	if missing := s.photoRules.Missing(outcome, have); len(missing) > 0 {
		return domain.FieldErr("photos", domain.CodeVisitPhotos, string(outcome), strings.Join(missing, ", "))
	}
	return nil
}
