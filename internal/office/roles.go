package office

import (
	"slices"

	"github.com/verval/verval/internal/auth"
)

// Step names what a person does or reads, for the one table of who may.
type Step string

// The steps. The JSON routes and the pages gate on the same table
// (Roles), and every office method checks it again.
const (
	StepReadCycles      Step = "cycles.read"
	StepCreateCycle     Step = "cycle.create"
	StepCloseCycle      Step = "cycle.close"
	StepStuck           Step = "cycle.stuck"
	StepReport          Step = "cycle.report"
	StepIntake          Step = "intake"
	StepReadTasks       Step = "tasks.read"
	StepSubmitResult    Step = "task.result"
	StepReopen          Step = "task.reopen"
	StepAssign          Step = "task.assign"
	StepRecordMeeting   Step = "meeting.record"
	StepReadDecrees     Step = "decrees.read"
	StepDraftDecree     Step = "decree.draft"
	StepDecreeOffice    Step = "decree.office"  // submit, revise, withdraw
	StepDecreeBupati    Step = "decree.bupati"  // return, sign
	StepReadProposals   Step = "proposals.read" // and the enrolment lists
	StepProposals       Step = "proposal.write" // build, file, submit, answers
	StepReadHouseholds  Step = "households.read"
	StepRevealIdentity  Step = "household.reveal"
	StepCorrectIdentity Step = "household.correct"
	StepAccounts        Step = "accounts" // the regency's people's accounts
	StepUsul            Step = "household.usul"
	StepSanggah         Step = "sanggah.file"
	StepReadSanggah     Step = "sanggah.read"
	StepSanggahFinding  Step = "sanggah.finding"
	StepSanggahDecide   Step = "sanggah.decide"
	StepSanggahPhoto    Step = "sanggah.photo"
	StepRecordChange    Step = "household.change"
	StepDecideChange    Step = "household.change_decide"
	StepNextCycle       Step = "cycle.next"
	StepReadPhotos      Step = "photos.read"
	StepVisitFlags      Step = "visits.flags"
)

var (
	everyone = auth.Roles()
	// visitors verify households by visiting them: the village officer,
	// the PSM and the PKH companion.
	visitors    = []auth.Role{auth.RoleVillage, auth.RolePSM, auth.RolePendamping}
	field       = append(slices.Clip(visitors), auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin)
	supervisors = []auth.Role{auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin}
	watchers    = []auth.Role{auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin}
	offices     = []auth.Role{auth.RoleDinsos, auth.RoleAdmin}
	reviewers   = []auth.Role{auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin}
	dinsos      = []auth.Role{auth.RoleDinsos}
)

// allowed is who may take each step. Region is checked apart: every query
// only sees rows inside the caller's region.
var allowed = map[Step][]auth.Role{
	StepReadCycles:      everyone,
	StepCreateCycle:     offices,
	StepCloseCycle:      dinsos,
	StepStuck:           everyone, // each in its region: a village officer its desa
	StepReport:          watchers,
	StepIntake:          offices,
	StepReadTasks:       field,
	StepSubmitResult:    visitors,
	StepReopen:          supervisors,
	StepAssign:          supervisors,
	StepRecordMeeting:   {auth.RoleVillage}, // not the PSM nor the PKH companion
	StepReadDecrees:     reviewers,
	StepDraftDecree:     dinsos,
	StepDecreeOffice:    dinsos,
	StepDecreeBupati:    {auth.RoleBupati},
	StepReadProposals:   offices,
	StepProposals:       dinsos,
	StepReadHouseholds:  everyone,
	StepRevealIdentity:  append([]auth.Role{auth.RoleDinsos}, visitors...),
	StepCorrectIdentity: dinsos,
	StepAccounts:        offices,
	// The desa's officer and PSM propose for their desa; TKSK and Dinsos
	// record a citizen's usul for their region.
	StepUsul: {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	// A sanggah is recorded as an usul is; its finding is the village's
	// (officer or PSM) or the TKSK's; Dinsos decides.
	StepSanggah:        {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	StepReadSanggah:    field,
	StepSanggahFinding: {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK},
	StepSanggahDecide:  dinsos,
	// Evidence for an objection before its decision: what the objector
	// brought (a letter, the house), by who recorded it, and the house as
	// the re-verification found it. Not the PKH companion, who does
	// neither, nor an administrator, who has no region.
	StepSanggahPhoto: {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	// A change to an enrolled household during the year: those who
	// follow the family record it; the TKSK or Dinsos confirms it.
	StepRecordChange: append(slices.Clip(visitors), auth.RoleDinsos),
	StepDecideChange: {auth.RoleTKSK, auth.RoleDinsos},
	// Next year's cycle, opened from this one by its regency's Dinsos.
	StepNextCycle: dinsos,
	// Photos show a family's house and its family card: the roles that
	// work with the family in its region, not the bupati's office nor an
	// administrator, who has no region.
	StepReadPhotos: append(slices.Clip(visitors), auth.RoleTKSK, auth.RoleDinsos),
	// Visits far from their desa's others, or without a location, are
	// for the TKSK to look at (and Dinsos).
	StepVisitFlags: supervisors,
}

// Roles lists who may take step st.
func Roles(st Step) []auth.Role { return allowed[st] }

// Allowed reports whether role r may take step st; an unknown step is
// allowed to no one.
func Allowed(st Step, r auth.Role) bool { return slices.Contains(allowed[st], r) }

// Steps lists every step, for the tests.
func Steps() []Step {
	out := make([]Step, 0, len(allowed))
	for st := range allowed {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}
