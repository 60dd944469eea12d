package apiclient

// Intake is an intake as POST /api/v1/cycles/{id}/intake and
// GET /api/v1/intakes/{id} answer it: its status and counters.
type Intake struct {
	ID               int64  `json:"id"`
	Status           string `json:"status"`
	RowsParsed       int    `json:"rowsParsed"`
	Accepted         int    `json:"accepted"`
	Skipped          int    `json:"skipped"`
	Rejected         int    `json:"rejected"`
	Warnings         int    `json:"warnings"`
	AlreadyPresent   int    `json:"alreadyPresent"`
	HouseholdsStored int    `json:"householdsStored"`
	WorkflowsStarted int    `json:"workflowsStarted"`
	Error            string `json:"error"`
}

// Ended reports whether the intake is done or failed.
func (in Intake) Ended() bool { return in.Status == "done" || in.Status == "failed" }
