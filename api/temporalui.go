package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

// workflowURL links a household's case in the Temporal Web UI. The workflow
// ID is made of internal ids only, so the link reveals nobody.
func (s *Server) workflowURL(cycleID, householdID int64) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", strings.TrimRight(s.deps.TemporalUIURL, "/"),
		url.PathEscape(s.deps.TemporalNamespace), url.PathEscape(workflows.HouseholdWorkflowID(cycleID, householdID)))
}

// StuckQuery is the Temporal visibility query for a cycle's running cases
// that entered their stage before a time: the same list as /stuck, for
// administrators and supervisors working in the Web UI. areas are the
// caller's regions: kecamatan (a TKSK's) or desa narrow the query to them,
// as the list is narrowed; a regency or none (an administrator) adds
// nothing.
func StuckQuery(regency string, year int, areas []string, before time.Time) string {
	q := fmt.Sprintf(`%s = %q AND %s = %d`, workflows.SARegency.GetName(), regency, workflows.SACycleYear.GetName(), year)
	if len(areas) > 0 {
		var attr string
		switch wilayah.LevelOf(areas[0]) {
		case wilayah.LevelKecamatan:
			attr = workflows.SAKecamatan.GetName()
		case wilayah.LevelVillage:
			attr = workflows.SADesa.GetName()
		}
		if attr != "" && len(areas) == 1 {
			q += fmt.Sprintf(` AND %s = %q`, attr, areas[0])
		} else if attr != "" {
			quoted := make([]string, len(areas))
			for i, a := range areas {
				quoted[i] = strconv.Quote(a)
			}
			q += fmt.Sprintf(` AND %s IN (%s)`, attr, strings.Join(quoted, ", "))
		}
	}
	return q + fmt.Sprintf(` AND StageEnteredAt < %q AND ExecutionStatus = "Running"`, before.UTC().Format(time.RFC3339))
}

// stuckQueryURL links StuckQuery in the Web UI for caller p.
func (s *Server) stuckQueryURL(p auth.Principal, cy *store.Cycle, before time.Time) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows?query=%s", strings.TrimRight(s.deps.TemporalUIURL, "/"),
		url.PathEscape(s.deps.TemporalNamespace), url.QueryEscape(StuckQuery(cy.RegencyCode, cy.Year, p.AllRegions(), before)))
}
