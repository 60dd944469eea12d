package domain

// Stage is where a household is in its cycle year. The values are stored in
// the VervalStage search attribute and the application database, so they
// are part of the public contract: add new ones, never rename.
type Stage string

// The stages of a household, in order. Terminal stages end the workflow.
const (
	// StageAwaitingVerification: the village has an open verification task.
	StageAwaitingVerification Stage = "awaiting_verification"
	// StageVerified: a visit result is recorded; it can be corrected until the
	// village meeting closes the list.
	StageVerified Stage = "verified"
	// StageAwaitingDecree: verified eligible, waiting for a signed SK Bupati.
	StageAwaitingDecree Stage = "awaiting_decree"
	// StageAwaitingProposal: to be proposed to Kemensos (addition or removal)
	// in the next monthly batch.
	StageAwaitingProposal Stage = "awaiting_proposal"
	// StageAwaitingKemensos: proposed; waiting for Kemensos' determination.
	StageAwaitingKemensos Stage = "awaiting_kemensos"

	// StageEnrolled (terminal): eligible and enrolled in its programmes.
	StageEnrolled Stage = "enrolled"
	// StageNotEligible (terminal): verified not eligible and not in the
	// national registry, so there is nothing to remove.
	StageNotEligible Stage = "not_eligible"
	// StageRemoved (terminal): Kemensos accepted the removal.
	StageRemoved Stage = "removed"
	// StageRejected (terminal): Kemensos rejected the proposal for good.
	StageRejected Stage = "rejected"
	// StageRevoked (terminal): a later decree revoked the household.
	StageRevoked Stage = "revoked"
	// StageClosed (terminal): Dinsos closed the cycle (tutup buku) while the
	// household was still waiting (for a visit, a meeting, a decree, a
	// proposal or Kemensos' answer); its reason names the stage it stood in.
	StageClosed Stage = "closed"
	// StageExited (terminal): an enrolled household left its programmes
	// during the year after a confirmed change (the head died and the
	// family ended, it moved out of the regency, graduated or withdrew);
	// it is proposed HAPUS in the next monthly batch.
	StageExited Stage = "exited"
)

// Stages lists every stage in path order, for reports and dashboards.
func Stages() []Stage {
	return []Stage{
		StageAwaitingVerification, StageVerified, StageAwaitingDecree,
		StageAwaitingProposal, StageAwaitingKemensos,
		StageEnrolled, StageNotEligible, StageRemoved, StageRejected, StageRevoked, StageClosed, StageExited,
	}
}

// Terminal reports whether a household's workflow ends in this stage.
func (s Stage) Terminal() bool {
	switch s {
	case StageEnrolled, StageNotEligible, StageRemoved, StageRejected, StageRevoked, StageClosed, StageExited:
		return true
	}
	return false
}

// Outcome is a village officer's finding after visiting a household.
type Outcome string

// The visit outcomes (docs/process.md, village verification).
const (
	OutcomeEligible  Outcome = "eligible"
	OutcomeNotPoor   Outcome = "not_poor"
	OutcomeNotFound  Outcome = "not_found"
	OutcomeDeceased  Outcome = "deceased"
	OutcomeMoved     Outcome = "moved"
	OutcomeDuplicate Outcome = "duplicate"
)

// Outcomes lists every visit outcome.
func Outcomes() []Outcome {
	return []Outcome{OutcomeEligible, OutcomeNotPoor, OutcomeNotFound, OutcomeDeceased, OutcomeMoved, OutcomeDuplicate}
}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	for _, k := range Outcomes() {
		if o == k {
			return true
		}
	}
	return false
}
