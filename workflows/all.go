package workflows

// All lists every workflow function, for registration on a worker.
func All() []any {
	return []any{HouseholdWorkflow, MeetingWorkflow, IntakeWorkflow, DecreeWorkflow, ProposalWorkflow, CloseCycleWorkflow, PurgeSessionsWorkflow, CarryOverWorkflow, SanggahWorkflow}
}
