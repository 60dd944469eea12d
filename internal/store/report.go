package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/wilayah"
)

// FunnelRow is one line of the cycle report: a desa, or (DesaCode empty)
// the total of a kecamatan.
type FunnelRow struct {
	KecamatanCode string `json:"kecamatanCode"`
	KecamatanName string `json:"kecamatanName"`
	DesaCode      string `json:"desaCode,omitempty"`
	DesaName      string `json:"desaName,omitempty"`
	TakenIn       int64  `json:"takenIn"`
	// Verified counts households per visit outcome.
	Verified map[string]int64 `json:"verified"`
	Decreed  int64            `json:"decreed"`
	// Proposed and Accepted count households, not proposal rows: a
	// household proposed again after a fixable rejection counts once.
	Proposed int64 `json:"proposed"`
	Accepted int64 `json:"accepted"`
	// Enrolled counts households with an active enrolment per programme.
	Enrolled map[string]int64 `json:"enrolled"`
	// Final counts households per stage (the final ones once the year ends).
	Final map[string]int64 `json:"final"`
	// TakenInPeople counts the people (jiwa) of the households taken in:
	// their members present, or jumlah_anggota for a household without
	// member rows.
	TakenInPeople int64 `json:"takenInPeople"`
	// EnrolledPeople counts, per programme, the people (jiwa) its active
	// enrolments cover: for a per-person programme the present members its
	// rule covers, for a family programme all the family's people
	// (CountPeople).
	EnrolledPeople map[string]int64 `json:"enrolledPeople"`
	// Usul counts the households proposed from outside the file, per
	// channel (desa, psm, walk_in, letter, cek_bansos); UsulDecided those
	// of them past verification (their list decided at the meeting).
	Usul        map[string]int64 `json:"usul"`
	UsulDecided int64            `json:"usulDecided"`
	// UsulDays is how many days the decided usul took from being proposed
	// to leaving verification (median and worst).
	UsulDays DecisionDays `json:"usulDays"`
	// usulDays are the decided usul's days, for UsulDays.
	usulDays []int
	// Sanggah counts the objections to the desa's households per kind
	// (inclusion, exclusion), SanggahChannel per channel, SanggahOutcome
	// per status (upheld, rejected, or still open: registered,
	// reverification, awaiting_decision); SanggahDays is how many days the
	// decided ones took from registration to decision.
	Sanggah        map[string]int64 `json:"sanggah"`
	SanggahChannel map[string]int64 `json:"sanggahChannel"`
	SanggahOutcome map[string]int64 `json:"sanggahOutcome"`
	SanggahDays    DecisionDays     `json:"sanggahDays"`
	// sanggahDays are the decided objections' days, for SanggahDays.
	sanggahDays []int
}

// CycleReport is the cycle funnel per kecamatan and per desa.
type CycleReport struct {
	Kecamatan []*FunnelRow `json:"kecamatan"`
	Desa      []*FunnelRow `json:"desa"`
	// UsulDays is how many days the decided usul took from being proposed
	// to leaving verification: the median and the worst (0 when none).
	UsulDays DecisionDays `json:"usulDays"`
	// SanggahDays is the same for the decided objections: from
	// registration to Dinsos' decision.
	SanggahDays DecisionDays `json:"sanggahDays"`
}

// DecisionDays is a median and a worst duration, in whole days.
type DecisionDays struct {
	Median int `json:"median"`
	Worst  int `json:"worst"`
}

type countRow struct {
	DesaCode string
	Key      string
	N        int64
}

func newFunnelRow(kec, desa string) *FunnelRow {
	w := wilayah.Default()
	r := &FunnelRow{KecamatanCode: kec, DesaCode: desa, Verified: map[string]int64{}, Enrolled: map[string]int64{}, Final: map[string]int64{},
		EnrolledPeople: map[string]int64{}, Usul: map[string]int64{},
		Sanggah: map[string]int64{}, SanggahChannel: map[string]int64{}, SanggahOutcome: map[string]int64{}}
	r.KecamatanName, _ = w.Name(kec)
	if desa != "" {
		r.DesaName, _ = w.Name(desa)
	}
	return r
}

// add adds o's counts to r.
func (r *FunnelRow) add(o *FunnelRow) {
	r.TakenIn += o.TakenIn
	r.Decreed += o.Decreed
	r.Proposed += o.Proposed
	r.Accepted += o.Accepted
	r.TakenInPeople += o.TakenInPeople
	r.UsulDecided += o.UsulDecided
	r.sanggahDays = append(r.sanggahDays, o.sanggahDays...)
	r.usulDays = append(r.usulDays, o.usulDays...)
	for _, m := range [][2]map[string]int64{{r.Verified, o.Verified}, {r.Enrolled, o.Enrolled}, {r.Final, o.Final}, {r.EnrolledPeople, o.EnrolledPeople},
		{r.Usul, o.Usul}, {r.Sanggah, o.Sanggah}, {r.SanggahChannel, o.SanggahChannel}, {r.SanggahOutcome, o.SanggahOutcome}} {
		for k, n := range m[1] {
			m[0][k] += n
		}
	}
}

// Report builds the cycle funnel per desa inside the principal's region,
// and its totals per kecamatan: taken in, verified by outcome, decreed,
// proposed, accepted by Kemensos, enrolled by programme, and stages, with
// the people (jiwa) taken in and enrolled by rules' programmes. Rows
// are ordered by code and carry the official region names.
func (s *Store) Report(ctx context.Context, p auth.Principal, cycleID int64, rules []enrol.Rule) (*CycleReport, error) {
	db := s.DB.WithContext(ctx)
	rows := map[string]*FunnelRow{}
	get := func(desa string) *FunnelRow {
		r := rows[desa]
		if r == nil {
			r = newFunnelRow(desa[:min(8, len(desa))], desa)
			rows[desa] = r
		}
		return r
	}
	hh := scope(db.Table("households"), p, "households.desa_code").Where("households.cycle_id = ?", cycleID)
	distinct := "households.desa_code, '' AS key, COUNT(DISTINCT households.id) AS n"
	sg := scope(db.Table("sanggah"), p, "desa_code").Where("cycle_id = ?", cycleID)
	queries := []struct {
		q   func(*gorm.DB) *gorm.DB
		add func(r *FunnelRow, c countRow)
		// on is the table counted: the households (nil), or the objections.
		on *gorm.DB
	}{
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("desa_code, outcome AS key, COUNT(*) AS n").Group("desa_code, outcome")
		}, func(r *FunnelRow, c countRow) {
			r.TakenIn += c.N
			if c.Key != "" {
				r.Verified[c.Key] += c.N
			}
		}, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select(distinct).
				Joins("JOIN decree_items ON decree_items.household_id = households.id AND decree_items.action = 'add'").
				Joins("JOIN decrees ON decrees.id = decree_items.decree_id AND decrees.status = 'signed'").
				Group("households.desa_code")
		}, func(r *FunnelRow, c countRow) { r.Decreed += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select(distinct).
				Joins("JOIN proposal_items ON proposal_items.household_id = households.id").
				Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id AND proposals.status <> 'draft'").
				Group("households.desa_code")
		}, func(r *FunnelRow, c countRow) { r.Proposed += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select(distinct).
				Joins("JOIN proposal_items ON proposal_items.household_id = households.id AND proposal_items.answer = 'DITETAPKAN'").
				Joins("JOIN proposals ON proposals.id = proposal_items.proposal_id AND proposals.status <> 'draft'").
				Group("households.desa_code")
		}, func(r *FunnelRow, c countRow) { r.Accepted += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("households.desa_code, enrolments.programme AS key, COUNT(*) AS n").
				Joins("JOIN enrolments ON enrolments.household_id = households.id AND enrolments.status = 'active'").
				Group("households.desa_code, enrolments.programme")
		}, func(r *FunnelRow, c countRow) { r.Enrolled[c.Key] += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("desa_code, stage AS key, COUNT(*) AS n").Group("desa_code, stage")
		}, func(r *FunnelRow, c countRow) { r.Final[c.Key] += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("households.desa_code, usuls.channel AS key, COUNT(*) AS n").
				Joins("JOIN usuls ON usuls.household_id = households.id").Group("households.desa_code, usuls.channel")
		}, func(r *FunnelRow, c countRow) { r.Usul[c.Key] += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select(distinct).Joins("JOIN usuls ON usuls.household_id = households.id").
				Where("households.stage NOT IN ?", undecidedStages).Group("households.desa_code")
		}, func(r *FunnelRow, c countRow) { r.UsulDecided += c.N }, nil},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("desa_code, kind AS key, COUNT(*) AS n").Group("desa_code, kind")
		},
			func(r *FunnelRow, c countRow) { r.Sanggah[c.Key] += c.N }, sg},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("desa_code, channel AS key, COUNT(*) AS n").Group("desa_code, channel")
		},
			func(r *FunnelRow, c countRow) { r.SanggahChannel[c.Key] += c.N }, sg},
		{func(q *gorm.DB) *gorm.DB {
			return q.Select("desa_code, status AS key, COUNT(*) AS n").Group("desa_code, status")
		},
			func(r *FunnelRow, c countRow) { r.SanggahOutcome[c.Key] += c.N }, sg},
	}
	for _, q := range queries {
		on := hh
		if q.on != nil {
			on = q.on
		}
		var cs []countRow
		if err := q.q(on.Session(&gorm.Session{})).Scan(&cs).Error; err != nil {
			return nil, err
		}
		for _, c := range cs {
			q.add(get(c.DesaCode), c)
		}
	}
	if err := s.countPeople(ctx, p, cycleID, rules, get); err != nil {
		return nil, err
	}
	rep := &CycleReport{Kecamatan: []*FunnelRow{}, Desa: make([]*FunnelRow, 0, len(rows))}
	var err error
	if rep.UsulDays, err = s.usulDays(hh.Session(&gorm.Session{}), get); err != nil {
		return nil, err
	}
	var decided []struct {
		DesaCode             string
		CreatedAt, DecidedAt time.Time
	}
	if err := sg.Session(&gorm.Session{}).Select("desa_code, created_at, decided_at").Where("decided_at IS NOT NULL").Scan(&decided).Error; err != nil {
		return nil, err
	}
	var all []int
	for _, d := range decided {
		n := int(d.DecidedAt.Sub(d.CreatedAt).Hours() / 24)
		r := get(d.DesaCode)
		r.sanggahDays = append(r.sanggahDays, n)
		all = append(all, n)
	}
	rep.SanggahDays = decisionDays(all)
	for _, r := range rows {
		rep.Desa = append(rep.Desa, r)
	}
	slices.SortFunc(rep.Desa, func(a, b *FunnelRow) int { return strings.Compare(a.DesaCode, b.DesaCode) })
	for _, r := range rep.Desa {
		if n := len(rep.Kecamatan); n == 0 || rep.Kecamatan[n-1].KecamatanCode != r.KecamatanCode {
			rep.Kecamatan = append(rep.Kecamatan, newFunnelRow(r.KecamatanCode, ""))
		}
		rep.Kecamatan[len(rep.Kecamatan)-1].add(r)
	}
	for _, rs := range [][]*FunnelRow{rep.Desa, rep.Kecamatan} {
		for _, r := range rs {
			r.SanggahDays = decisionDays(r.sanggahDays)
			r.UsulDays = decisionDays(r.usulDays)
		}
	}
	return rep, nil
}

// countPeople adds the people (jiwa) to the report's desa rows: those taken
// in, and those each programme's active enrolments cover by its rule
// (rules; a programme without one counts the family's people).
func (s *Store) countPeople(ctx context.Context, p auth.Principal, cycleID int64, rules []enrol.Rule, get func(string) *FunnelRow) error {
	db := s.DB.WithContext(ctx)
	type hhRow struct {
		ID       int64
		DesaCode string
		Members  int64
	}
	var hs []hhRow
	if err := scope(db.Table("households"), p, "desa_code").Select("id, desa_code, members").Where("cycle_id = ?", cycleID).Scan(&hs).Error; err != nil {
		return err
	}
	byID := make(map[int64]hhRow, len(hs))
	for _, h := range hs {
		byID[h.ID] = h
		get(h.DesaCode).TakenInPeople += h.Members
	}
	type enRow struct {
		HouseholdID int64
		Programme   string
		EnrolledAt  *time.Time
	}
	var ens []enRow
	if err := scope(db.Table("enrolments"), p, "households.desa_code").Select("enrolments.household_id, enrolments.programme, enrolments.enrolled_at").
		Joins("JOIN households ON households.id = enrolments.household_id").
		Where("enrolments.cycle_id = ? AND enrolments.status = ?", cycleID, EnrolmentActive).Scan(&ens).Error; err != nil {
		return err
	}
	perPerson := map[string]*enrol.PersonRule{}
	for _, r := range rules {
		if r.Persons != nil {
			perPerson[r.Programme] = r.Persons
		}
	}
	var need []int64
	for _, e := range ens {
		if perPerson[e.Programme] != nil {
			need = append(need, e.HouseholdID)
		}
	}
	people, err := s.membersOf(ctx, need)
	if err != nil {
		return err
	}
	for _, e := range ens {
		h := byID[e.HouseholdID]
		row := get(h.DesaCode)
		rule, ms := perPerson[e.Programme], people[e.HouseholdID]
		if rule == nil || len(ms) == 0 {
			row.EnrolledPeople[e.Programme] += h.Members
			continue
		}
		at := s.now()
		if e.EnrolledAt != nil {
			at = *e.EnrolledAt
		}
		for _, m := range ms {
			if m.Status == MemberPresent && rule.Covers(PersonOf(m, at)) {
				row.EnrolledPeople[e.Programme]++
			}
		}
	}
	return nil
}

// membersOf loads the members of households ids (every status), by
// household, in chunks the databases take in an IN list.
func (s *Store) membersOf(ctx context.Context, ids []int64) (map[int64][]HouseholdMember, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64][]HouseholdMember, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		var ms []HouseholdMember
		if err := s.DB.WithContext(ctx).Omit("nik_sealed").Where("household_id IN ?", chunk).Order("id").Find(&ms).Error; err != nil {
			return nil, err
		}
		for _, m := range ms {
			out[m.HouseholdID] = append(out[m.HouseholdID], m)
		}
	}
	return out, nil
}

// usulDays measures the decided usul among hh (a households query): from
// the usul to the household's first stage past verification.
func (s *Store) usulDays(hh *gorm.DB, get func(string) *FunnelRow) (DecisionDays, error) {
	// Every stage past verification, not their MIN: SQLite keeps times as
	// text, and an aggregate of them does not scan back into a time.
	var rows []struct {
		ID       int64
		DesaCode string
		Proposed time.Time
		At       time.Time
	}
	err := hh.Select("households.id, households.desa_code, usuls.created_at AS proposed, stage_events.at").
		Joins("JOIN usuls ON usuls.household_id = households.id").
		Joins("JOIN stage_events ON stage_events.household_id = households.id AND stage_events.stage NOT IN ?", undecidedStages).
		Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return DecisionDays{}, err
	}
	first := map[int64]time.Duration{}
	desa := map[int64]string{}
	for _, r := range rows {
		if d, ok := first[r.ID]; !ok || r.At.Sub(r.Proposed) < d {
			first[r.ID] = r.At.Sub(r.Proposed)
		}
		desa[r.ID] = r.DesaCode
	}
	days := make([]int, 0, len(first))
	for id, d := range first {
		n := int(d.Hours() / 24)
		days = append(days, n)
		row := get(desa[id])
		row.usulDays = append(row.usulDays, n)
	}
	return decisionDays(days), nil
}

// decisionDays is the median and the worst of days (zero when empty).
func decisionDays(days []int) DecisionDays {
	if len(days) == 0 {
		return DecisionDays{}
	}
	days = slices.Sorted(slices.Values(days))
	return DecisionDays{Median: days[len(days)/2], Worst: days[len(days)-1]}
}
