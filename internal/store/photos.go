package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/verval/verval/internal/auth"
)

// Photo is one photo's record: what it shows and whose evidence it is,
// where its sealed bytes are in the object store, and the fields kept from
// its metadata (the time it was taken and the phone's location). The
// photo itself is never here, nor in a Temporal payload: only this row's
// id travels.
type Photo struct {
	ID int64 `gorm:"primaryKey" json:"id"`
	// OwnerKind and OwnerID say what the photo is evidence for:
	// domain.OwnerVisit (the household's visit, OwnerID the household),
	// domain.OwnerUsul (the usul's id) or domain.OwnerSanggah.
	OwnerKind   string `gorm:"size:16;not null;index:idx_photos_owner" json:"ownerKind"`
	OwnerID     int64  `gorm:"not null;index:idx_photos_owner" json:"ownerId"`
	CycleID     int64  `gorm:"not null;index:idx_photos_cycle_id" json:"cycleId"`
	HouseholdID int64  `gorm:"not null;index:idx_photos_household_id" json:"householdId"`
	// DesaCode is the household's desa: who may see the photo.
	DesaCode string `gorm:"size:13;not null;index:idx_photos_desa_code" json:"desaCode"`
	Kind     string `gorm:"size:16;not null" json:"kind"`
	// ObjectKey is where the sealed bytes are (internal/objstore).
	ObjectKey string `gorm:"size:200;not null;uniqueIndex:idx_photos_object_key" json:"-"`
	// IdemKey makes a resent upload (the phone's queue, a retry) store the
	// photo once: the uploader's Idempotency-Key, or a random one.
	IdemKey string `gorm:"size:200;not null;uniqueIndex:idx_photos_idem_key" json:"-"`
	// SHA256 is the stored JPEG's (after its metadata was stripped).
	SHA256   string     `gorm:"size:64;not null" json:"sha256"`
	Bytes    int        `gorm:"not null" json:"bytes"`
	Width    int        `gorm:"not null" json:"width"`
	Height   int        `gorm:"not null" json:"height"`
	TakenAt  *time.Time `json:"takenAt,omitempty"`
	Lat      *float64   `json:"lat,omitempty"`
	Lon      *float64   `json:"lon,omitempty"`
	Accuracy *float64   `json:"accuracy,omitempty"`
	// UploadedBy is the officer's user id.
	UploadedBy int64     `gorm:"not null" json:"uploadedBy"`
	CreatedAt  time.Time `gorm:"not null" json:"createdAt"`
}

// CreatePhoto records a photo whose sealed bytes are already stored. A
// photo with the same IdemKey recorded before is returned instead, with
// created false: the caller deletes its own object.
func (s *Store) CreatePhoto(ctx context.Context, p *Photo) (created bool, err error) {
	p.CreatedAt = s.now()
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idem_key"}}, DoNothing: true}).Create(p)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var prior Photo
	if err := s.DB.WithContext(ctx).Where("idem_key = ?", p.IdemKey).First(&prior).Error; err != nil {
		return false, err
	}
	*p = prior
	return false, nil
}

// PhotoByIdemKey is the photo recorded under key, or ErrNotFound.
func (s *Store) PhotoByIdemKey(ctx context.Context, key string) (*Photo, error) {
	var p Photo
	if err := s.DB.WithContext(ctx).Where("idem_key = ?", key).First(&p).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &p, nil
}

// GetPhoto is photo id if it lies in p's region; another region's is
// ErrNotFound, as a missing one is.
func (s *Store) GetPhoto(ctx context.Context, p auth.Principal, id int64) (*Photo, error) {
	var ph Photo
	if err := scope(s.DB.WithContext(ctx), p, "desa_code").First(&ph, "id = ?", id).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &ph, nil
}

// Photos lists an owner's photos, oldest first.
func (s *Store) Photos(ctx context.Context, ownerKind string, ownerID int64) ([]Photo, error) {
	var out []Photo
	err := s.DB.WithContext(ctx).Where("owner_kind = ? AND owner_id = ?", ownerKind, ownerID).Order("id").Find(&out).Error
	return out, err
}

// PhotoKinds lists the kinds an owner has photos of.
func (s *Store) PhotoKinds(ctx context.Context, ownerKind string, ownerID int64) ([]string, error) {
	var out []string
	err := s.DB.WithContext(ctx).Model(&Photo{}).Where("owner_kind = ? AND owner_id = ?", ownerKind, ownerID).
		Distinct("kind").Pluck("kind", &out).Error
	return out, err
}

// UsulOf is the usul that brought household id into its cycle, or
// ErrNotFound for a household from the file.
func (s *Store) UsulOf(ctx context.Context, householdID int64) (*Usul, error) {
	var u Usul
	if err := s.DB.WithContext(ctx).Where("household_id = ?", householdID).First(&u).Error; err != nil {
		return nil, wrapNotFound(err)
	}
	return &u, nil
}

// VisitPoint is where a visit result was recorded: one per result
// version, written once the household's workflow accepted the result.
// Lat, Lon and Accuracy are nil when the phone gave no location. It stays
// out of the workflow: the case needs none of it.
type VisitPoint struct {
	HouseholdID int64     `gorm:"primaryKey;autoIncrement:false" json:"householdId"`
	Version     int       `gorm:"primaryKey;autoIncrement:false" json:"version"`
	CycleID     int64     `gorm:"not null;index:idx_visit_points_cycle_desa" json:"cycleId"`
	DesaCode    string    `gorm:"size:13;not null;index:idx_visit_points_cycle_desa" json:"desaCode"`
	OfficerID   int64     `gorm:"not null" json:"officerId"`
	Lat         *float64  `json:"lat,omitempty"`
	Lon         *float64  `json:"lon,omitempty"`
	Accuracy    *float64  `json:"accuracy,omitempty"`
	RecordedAt  time.Time `gorm:"not null" json:"recordedAt"`
}

// RecordVisitPoint writes a result version's point; a retried result
// writes the same row again.
func (s *Store) RecordVisitPoint(ctx context.Context, v VisitPoint) error {
	v.RecordedAt = s.now()
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "household_id"}, {Name: "version"}},
		DoUpdates: clause.AssignmentColumns([]string{"lat", "lon", "accuracy", "officer_id", "recorded_at"}),
	}).Create(&v).Error
}

// VisitEvidence is one household's current visit result as the evidence
// reports read it: who recorded it, where, and how many photos the visit
// has.
type VisitEvidence struct {
	HouseholdID   int64    `json:"householdId"`
	KecamatanCode string   `json:"kecamatanCode"`
	DesaCode      string   `json:"desaCode"`
	Version       int      `json:"version"`
	OfficerID     int64    `json:"officerId"`
	Officer       string   `json:"officer"`
	OfficerName   string   `json:"officerName"`
	Outcome       string   `json:"outcome"`
	VisitDate     string   `json:"visitDate"`
	Lat           *float64 `json:"lat,omitempty"`
	Lon           *float64 `json:"lon,omitempty"`
	Accuracy      *float64 `json:"accuracy,omitempty"`
	Photos        int      `json:"photos"`
}

// VisitEvidence lists the current results of cycleID's households in p's
// region (narrowed to desa when set), by desa and household: each with its
// officer, its point (nil coordinates when none was recorded) and its
// visit's photo count.
func (s *Store) VisitEvidence(ctx context.Context, p auth.Principal, cycleID int64, desa string) ([]VisitEvidence, error) {
	type row struct {
		HouseholdID   int64
		KecamatanCode string
		DesaCode      string
		Version       int
		OfficerID     int64
		Officer       string
		OfficerName   string
		Result        string
		Lat, Lon, Acc *float64
		Photos        int
	}
	q := s.DB.WithContext(ctx).Table("tasks").
		Select(`tasks.household_id, tasks.kecamatan_code, tasks.desa_code, tasks.version, COALESCE(tasks.submitted_by, 0) AS officer_id,
			COALESCE(users.username, '') AS officer, COALESCE(users.name, '') AS officer_name, tasks.result,
			visit_points.lat, visit_points.lon, visit_points.accuracy AS acc,
			(SELECT COUNT(*) FROM photos WHERE photos.owner_kind = 'visit' AND photos.owner_id = tasks.household_id) AS photos`).
		Joins("LEFT JOIN users ON users.id = tasks.submitted_by").
		Joins("LEFT JOIN visit_points ON visit_points.household_id = tasks.household_id AND visit_points.version = tasks.version").
		Where("tasks.cycle_id = ? AND tasks.version > 0 AND tasks.result IS NOT NULL", cycleID)
	q = scope(q, p, "tasks.desa_code")
	if desa != "" {
		q = q.Where("tasks.desa_code = ?", desa)
	}
	var rows []row
	if err := q.Order("tasks.desa_code, tasks.household_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]VisitEvidence, 0, len(rows))
	for _, r := range rows {
		var res struct{ Outcome, VisitDate string }
		_ = json.Unmarshal([]byte(r.Result), &res)
		out = append(out, VisitEvidence{Outcome: res.Outcome, VisitDate: res.VisitDate, HouseholdID: r.HouseholdID, KecamatanCode: r.KecamatanCode, DesaCode: r.DesaCode, Version: r.Version,
			OfficerID: r.OfficerID, Officer: r.Officer, OfficerName: r.OfficerName,
			Lat: r.Lat, Lon: r.Lon, Accuracy: r.Acc, Photos: r.Photos})
	}
	return out, nil
}
