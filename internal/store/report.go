package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
)

// FunnelRow is one desa's line of the cycle report.
type FunnelRow struct {
	KecamatanCode string           `json:"kecamatanCode"`
	DesaCode      string           `json:"desaCode"`
	TakenIn       int64            `json:"takenIn"`
	Verified      map[string]int64 `json:"verified"`
	Decreed       int64            `json:"decreed"`
	Proposed      int64            `json:"proposed"`
	Accepted      int64            `json:"accepted"`
	Enrolled      map[string]int64 `json:"enrolled"`
	Final         map[string]int64 `json:"final"`
}

type countRow struct {
	DesaCode string
	Key      string
	N        int64
}

// Report builds the cycle funnel per desa inside the principal's region:
// taken in, verified by outcome, decreed, proposed, accepted by Kemensos,
// enrolled by programme, and final stages.
func (s *Store) Report(ctx context.Context, p auth.Principal, cycleID int64) ([]*FunnelRow, error) {
	db := s.DB.WithContext(ctx)
	rows := map[string]*FunnelRow{}
	var order []*FunnelRow
	get := func(desa string) *FunnelRow {
		r := rows[desa]
		if r == nil {
			r = &FunnelRow{DesaCode: desa, KecamatanCode: desa[:min(8, len(desa))], Verified: map[string]int64{}, Enrolled: map[string]int64{}, Final: map[string]int64{}}
			rows[desa] = r
			order = append(order, r)
		}
		return r
	}
	hh := scope(db.Table("households"), p, "households.desa_code").Where("households.cycle_id = ?", cycleID)
	var cs []countRow
	if err := hh.Session(&gorm.Session{}).Select("desa_code, outcome AS key, COUNT(*) AS n").Group("desa_code, outcome").Order("desa_code").Scan(&cs).Error; err != nil {
		return nil, err
	}
	for _, c := range cs {
		r := get(c.DesaCode)
		r.TakenIn += c.N
		if c.Key != "" {
			r.Verified[c.Key] += c.N
		}
	}
	queries := []struct {
		q   func() ([]countRow, error)
		add func(r *FunnelRow, c countRow)
	}{
		{func() ([]countRow, error) {
			var out []countRow
			err := hh.Session(&gorm.Session{}).Select("households.desa_code, '' AS key, COUNT(DISTINCT households.id) AS n").
				Joins("JOIN decree_items ON decree_items.household_id = households.id AND decree_items.action = 'add'").
				Joins("JOIN decrees ON decrees.id = decree_items.decree_id AND decrees.status = 'signed'").
				Group("households.desa_code").Scan(&out).Error
			return out, err
		}, func(r *FunnelRow, c countRow) { r.Decreed += c.N }},
		{func() ([]countRow, error) {
			var out []countRow
			err := hh.Session(&gorm.Session{}).Select("households.desa_code, proposal_items.answer AS key, COUNT(DISTINCT households.id) AS n").
				Joins("JOIN proposal_items ON proposal_items.household_id = households.id").
				Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id AND proposals.status <> 'draft'").
				Group("households.desa_code, proposal_items.answer").Scan(&out).Error
			return out, err
		}, func(r *FunnelRow, c countRow) {
			r.Proposed += c.N
			if c.Key == "DITETAPKAN" {
				r.Accepted += c.N
			}
		}},
		{func() ([]countRow, error) {
			var out []countRow
			err := hh.Session(&gorm.Session{}).Select("households.desa_code, enrolments.programme AS key, COUNT(*) AS n").
				Joins("JOIN enrolments ON enrolments.household_id = households.id AND enrolments.status = 'active'").
				Group("households.desa_code, enrolments.programme").Scan(&out).Error
			return out, err
		}, func(r *FunnelRow, c countRow) { r.Enrolled[c.Key] += c.N }},
		{func() ([]countRow, error) {
			var out []countRow
			err := hh.Session(&gorm.Session{}).Select("desa_code, stage AS key, COUNT(*) AS n").Group("desa_code, stage").Scan(&out).Error
			return out, err
		}, func(r *FunnelRow, c countRow) { r.Final[c.Key] += c.N }},
	}
	for _, q := range queries {
		cs, err := q.q()
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			q.add(get(c.DesaCode), c)
		}
	}
	return order, nil
}
