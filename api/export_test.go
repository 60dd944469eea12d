package api

import "time"

// SetReportLimits sets the row-error report's page size and time budget
// for a test; the returned function restores them.
func SetReportLimits(page int, budget time.Duration) (restore func()) {
	p, b := reportPage, reportBudget
	reportPage, reportBudget = page, budget
	return func() { reportPage, reportBudget = p, b }
}
