package office_test

import (
	"testing"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/workflows"
)

// Every step names who may take it, and the rules the domain sets hold:
// only a village officer records a visit or a meeting, only the bupati's
// office signs, only Dinsos touches full numbers' files and closes a
// cycle, and an unknown step is allowed to no one.
func TestRoles(t *testing.T) {
	for _, st := range office.Steps() {
		if len(office.Roles(st)) == 0 {
			t.Errorf("%s: no role may take it", st)
		}
	}
	only := func(st office.Step, roles ...auth.Role) {
		t.Helper()
		for _, r := range auth.Roles() {
			want := false
			for _, w := range roles {
				want = want || r == w
			}
			if got := office.Allowed(st, r); got != want {
				t.Errorf("%s by %s: allowed %v, want %v", st, r, got, want)
			}
		}
	}
	only(office.StepSubmitResult, auth.RoleVillage, auth.RolePSM, auth.RolePendamping)
	only(office.StepRecordMeeting, auth.RoleVillage)
	only(office.StepDecreeBupati, auth.RoleBupati)
	only(office.StepProposals, auth.RoleDinsos)
	only(office.StepCloseCycle, auth.RoleDinsos)
	only(office.StepRevealIdentity, auth.RoleDinsos, auth.RoleVillage, auth.RolePSM, auth.RolePendamping)
	only(office.StepSanggahPhoto, auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos)
	only("no.such_step")
	for update, want := range map[string]office.Step{
		workflows.UpdateDecreeSubmit: office.StepDecreeOffice, workflows.UpdateDecreeRevise: office.StepDecreeOffice,
		workflows.UpdateDecreeWithdraw: office.StepDecreeOffice, workflows.UpdateDecreeReturn: office.StepDecreeBupati,
		workflows.UpdateDecreeSign: office.StepDecreeBupati,
	} {
		if got := office.DecreeStepOf(update); got != want {
			t.Errorf("decree step %s is gated by %q, want %q", update, got, want)
		}
	}
}
