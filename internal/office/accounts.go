package office

import (
	"context"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
)

// Account is account id if the caller manages it, for the account's page;
// another regency's account (or an administrator's, for Dinsos) is not
// found, as for every other account step.
func (s *Service) Account(ctx context.Context, c Caller, id int64) (*store.User, error) {
	return s.account(ctx, c, id)
}

// GivableRoles lists the roles the caller may give an account, by the same
// who-manages-whom rule CreateAccount and ChangeAccountRole check: every
// role for an administrator, every role but the administrator's for
// Dinsos; none for a role that manages no accounts.
func (c Caller) GivableRoles() []auth.Role {
	if c.may(StepAccounts) != nil {
		return nil
	}
	var out []auth.Role
	for _, r := range auth.Roles() {
		if c.manages(r, c.AllRegions()) {
			out = append(out, r)
		}
	}
	return out
}
