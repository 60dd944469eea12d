package office

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/internal/xlsxwrite"
)

// Where visits happened: each accepted result records the phone's
// location (or none) as a store.VisitPoint. A visit far from the other
// visits of its desa, or without a location, is flagged for the TKSK to
// look at; it is never refused (signal and GPS fail in the field). The
// evidence report counts, per officer and desa, the visits with evidence
// (a photo of the visit and a location) and those without: the basis of
// the per-record fee. The visit points go out as GeoJSON for QGIS.

// DefaultVisitFarKm: a visit more than 5 km from the median point of its
// desa's visits is flagged (a desa in Java is a few km across).
const DefaultVisitFarKm = 5

// minPointsForDistance: with fewer located visits in a desa their median
// says nothing about where the desa is.
const minPointsForDistance = 3

// recordVisitPoint keeps where an accepted result was recorded. A
// failure is logged: the result stands, and the visit shows as without a
// location.
func (s *Service) recordVisitPoint(ctx context.Context, c Caller, t *store.TaskView, version int, l *Location) {
	v := store.VisitPoint{HouseholdID: t.HouseholdID, Version: version, CycleID: t.CycleID, DesaCode: t.DesaCode, OfficerID: c.UserID}
	if l != nil {
		lat, lon, acc := l.Lat, l.Lon, l.Accuracy
		v.Lat, v.Lon, v.Accuracy = &lat, &lon, &acc
	}
	if err := s.store.RecordVisitPoint(context.WithoutCancel(ctx), v); err != nil {
		s.log.Error("visit point not recorded", "householdId", t.HouseholdID, "version", version, "err", err)
	}
}

// Why a visit is flagged.
const (
	FlagNoLocation = "no_location"
	FlagFar        = "far"
)

// VisitFlag is a visit the TKSK should look at.
type VisitFlag struct {
	store.VisitEvidence
	// Reason is FlagNoLocation or FlagFar.
	Reason string `json:"reason"`
	// DistanceKm is how far the visit is from its desa's median point
	// (FlagFar).
	DistanceKm float64 `json:"distanceKm,omitempty"`
}

// VisitFlags lists the current visit results of cycleID in the caller's
// region that have no location, or lie more than the configured distance
// from the median point of their desa's visits, by desa.
func (s *Service) VisitFlags(ctx context.Context, c Caller, cycleID int64) ([]VisitFlag, error) {
	if err := c.may(StepVisitFlags); err != nil {
		return nil, err
	}
	if _, err := s.store.GetCycle(ctx, c.Principal, cycleID); err != nil {
		return nil, err
	}
	visits, err := s.store.VisitEvidence(ctx, c.Principal, cycleID, "")
	if err != nil {
		return nil, err
	}
	return flagVisits(visits, s.visitFarKm), nil
}

// flagVisits flags visits without a location and, in each desa with
// enough located visits, those farther than farKm from their median.
func flagVisits(visits []store.VisitEvidence, farKm float64) []VisitFlag {
	byDesa := map[string][]store.VisitEvidence{}
	var desas []string
	for _, v := range visits {
		if _, ok := byDesa[v.DesaCode]; !ok {
			desas = append(desas, v.DesaCode)
		}
		byDesa[v.DesaCode] = append(byDesa[v.DesaCode], v)
	}
	slices.Sort(desas)
	out := []VisitFlag{}
	for _, d := range desas {
		var lats, lons []float64
		for _, v := range byDesa[d] {
			if v.Lat != nil && v.Lon != nil {
				lats, lons = append(lats, *v.Lat), append(lons, *v.Lon)
			}
		}
		clat, clon := median(lats), median(lons)
		for _, v := range byDesa[d] {
			switch {
			case v.Lat == nil || v.Lon == nil:
				out = append(out, VisitFlag{VisitEvidence: v, Reason: FlagNoLocation})
			case len(lats) >= minPointsForDistance:
				if km := distanceKm(*v.Lat, *v.Lon, clat, clon); km > farKm {
					out = append(out, VisitFlag{VisitEvidence: v, Reason: FlagFar, DistanceKm: math.Round(km*10) / 10})
				}
			}
		}
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// distanceKm is the great-circle distance between two points (haversine).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// EvidenceRow counts one officer's visits in one desa: those with
// evidence (at least one photo of the visit and a location) and those
// without.
type EvidenceRow struct {
	KecamatanCode string `json:"kecamatanCode"`
	DesaCode      string `json:"desaCode"`
	OfficerID     int64  `json:"officerId"`
	Officer       string `json:"officer"`
	OfficerName   string `json:"officerName"`
	Visits        int    `json:"visits"`
	WithEvidence  int    `json:"withEvidence"`
	Without       int    `json:"withoutEvidence"`
	// NoPhoto and NoLocation say why those without have none (a visit may
	// lack both).
	NoPhoto    int `json:"noPhoto"`
	NoLocation int `json:"noLocation"`
}

// HasEvidence reports whether a visit has the evidence a fee is paid on.
func HasEvidence(v store.VisitEvidence) bool {
	return v.Photos > 0 && v.Lat != nil && v.Lon != nil
}

// EvidenceReport counts cycleID's current visit results in the caller's
// region per desa and officer, with and without evidence.
func (s *Service) EvidenceReport(ctx context.Context, c Caller, cycleID int64) ([]EvidenceRow, error) {
	visits, err := s.evidence(ctx, c, cycleID, "")
	if err != nil {
		return nil, err
	}
	type k struct {
		desa    string
		officer int64
	}
	rows := map[k]*EvidenceRow{}
	for _, v := range visits {
		r := rows[k{v.DesaCode, v.OfficerID}]
		if r == nil {
			r = &EvidenceRow{KecamatanCode: v.KecamatanCode, DesaCode: v.DesaCode, OfficerID: v.OfficerID, Officer: v.Officer, OfficerName: v.OfficerName}
			rows[k{v.DesaCode, v.OfficerID}] = r
		}
		r.Visits++
		if HasEvidence(v) {
			r.WithEvidence++
			continue
		}
		r.Without++
		if v.Photos == 0 {
			r.NoPhoto++
		}
		if v.Lat == nil || v.Lon == nil {
			r.NoLocation++
		}
	}
	out := make([]EvidenceRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DesaCode != out[j].DesaCode {
			return out[i].DesaCode < out[j].DesaCode
		}
		return out[i].Officer < out[j].Officer
	})
	return out, nil
}

// evidence reads the visits behind the evidence report and the GeoJSON.
func (s *Service) evidence(ctx context.Context, c Caller, cycleID int64, desa string) ([]store.VisitEvidence, error) {
	if err := c.may(StepReport); err != nil {
		return nil, err
	}
	if _, err := s.store.GetCycle(ctx, c.Principal, cycleID); err != nil {
		return nil, err
	}
	if desa != "" && !c.Covers(desa) {
		return nil, store.ErrNotFound
	}
	return s.store.VisitEvidence(ctx, c.Principal, cycleID, desa)
}

// EvidenceSheet is the evidence report as a worksheet (Bahasa Indonesia
// headers, codes kept), for both doors' XLSX download.
func EvidenceSheet(rows []EvidenceRow) xlsxwrite.Sheet {
	regionName := func(code string) string {
		n, _ := wilayah.Default().Name(code)
		return n
	}
	sh := xlsxwrite.Sheet{Name: "Bukti kunjungan", Header: []string{"kode_kecamatan", "kecamatan", "kode_desa", "desa", "username_petugas",
		"nama_petugas", "kunjungan", "dengan_bukti", "tanpa_bukti", "tanpa_foto", "tanpa_lokasi"}}
	for _, r := range rows {
		sh.Rows = append(sh.Rows, []any{r.KecamatanCode, regionName(r.KecamatanCode), r.DesaCode, regionName(r.DesaCode), r.Officer,
			r.OfficerName, r.Visits, r.WithEvidence, r.Without, r.NoPhoto, r.NoLocation})
	}
	return sh
}

// VisitPointsGeoJSON is cycleID's located visits in the caller's region
// (one desa when desa is set) as a GeoJSON FeatureCollection of points,
// for QGIS: each point carries the household's id, its desa, the visit's
// date, version and accuracy, and whether it has photos; no name, number
// or address.
func (s *Service) VisitPointsGeoJSON(ctx context.Context, c Caller, cycleID int64, desa string) ([]byte, error) {
	visits, err := s.evidence(ctx, c, cycleID, desa)
	if err != nil {
		return nil, err
	}
	type geometry struct {
		Type        string     `json:"type"`
		Coordinates [2]float64 `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   geometry       `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, v := range visits {
		if v.Lat == nil || v.Lon == nil {
			continue
		}
		props := map[string]any{"householdId": v.HouseholdID, "desaCode": v.DesaCode, "version": v.Version,
			"visitDate": v.VisitDate, "photos": v.Photos}
		if v.Accuracy != nil {
			props["accuracyM"] = *v.Accuracy
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometry{Type: "Point", Coordinates: [2]float64{*v.Lon, *v.Lat}}, Properties: props})
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("geojson: %w", err)
	}
	return b, nil
}

// PhotoRequirements are the configured photo rules, for the form's hint.
func (s *Service) PhotoRequirements() domain.PhotoRules { return s.photoRules }
