package api

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/verval/verval/internal/store"
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
// administrators working in the Web UI.
func StuckQuery(regency string, year int, before time.Time) string {
	return fmt.Sprintf(`%s = %q AND %s = %d AND StageEnteredAt < %q AND ExecutionStatus = "Running"`,
		workflows.SARegency.GetName(), regency, workflows.SACycleYear.GetName(), year, before.UTC().Format(time.RFC3339))
}

func (s *Server) stuckQueryURL(cy *store.Cycle, before time.Time) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows?query=%s", strings.TrimRight(s.deps.TemporalUIURL, "/"),
		url.PathEscape(s.deps.TemporalNamespace), url.QueryEscape(StuckQuery(cy.RegencyCode, cy.Year, before)))
}
