package office

import (
	"context"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// The accounts of a regency's people. An administrator manages every
// account; Dinsos the accounts inside its own regency, never an
// administrator's. Every action is an audit entry naming the target user,
// never a password.

// NewAccount is an account to create; its password is a one-time one the
// office makes and returns once.
type NewAccount struct {
	Username string
	Name     string
	// Phone is the person's phone number, for handing over the password
	// and reaching them; optional.
	Phone string
	Role  auth.Role
	// Regions are the regions the account holds: one, or several desa of
	// one regency for a PKH companion (auth.Role.SeveralRegions).
	Regions []string
}

// manages reports whether the caller may manage an account of role
// holding regions.
func (c Caller) manages(role auth.Role, regions []string) bool {
	if c.Role == auth.RoleAdmin {
		return true
	}
	if role == auth.RoleAdmin || len(regions) == 0 {
		return false
	}
	for _, r := range regions {
		if !c.Covers(r) {
			return false
		}
	}
	return true
}

// mayGive refuses to give an account a role and regions the caller does
// not manage: an administrator's role (403 on role), or a region outside
// the caller's (422 on region).
func (c Caller) mayGive(role auth.Role, regions []string) error {
	switch {
	case c.manages(role, regions):
		return nil
	case role == auth.RoleAdmin:
		return domain.FieldErr("role", domain.CodeForbidden)
	case len(regions) == 0 && role.Valid():
		// No region given: say what the role needs, not that it is
		// outside the caller's.
		return domain.FieldErr("region", domain.CodeRegionFormat, role, role.RegionLen())
	}
	return domain.FieldErr("region", domain.CodeOutsideRegion)
}

// CreateAccount creates an account with a one-time password, which it
// returns to be handed over once; the person changes it at the first
// login.
func (s *Service) CreateAccount(ctx context.Context, c Caller, a NewAccount) (*store.User, string, error) {
	if err := c.may(StepAccounts); err != nil {
		return nil, "", err
	}
	if err := c.mayGive(a.Role, a.Regions); err != nil {
		return nil, "", err
	}
	oneTime := OneTimePassword()
	u, err := s.store.CreateUser(ctx, store.NewUser{Username: a.Username, Password: oneTime, Name: a.Name, Phone: a.Phone,
		Role: a.Role, Regions: a.Regions, OneTime: true})
	if err != nil {
		return nil, "", err
	}
	s.audit(ctx, c, 0, nil, "user.create", map[string]any{"userId": u.ID, "role": u.Role, "regions": u.RegionList()})
	return u, oneTime, nil
}

// Accounts lists the accounts the caller manages, by username.
func (s *Service) Accounts(ctx context.Context, c Caller, f store.UserFilter) ([]store.User, int64, error) {
	if err := c.may(StepAccounts); err != nil {
		return nil, 0, err
	}
	if c.Role != auth.RoleAdmin {
		f.Region = c.Region
	}
	return s.store.ListUsers(ctx, f)
}

// account is user id if the caller manages it; another regency's account
// (or an administrator's, for Dinsos) is not found.
func (s *Service) account(ctx context.Context, c Caller, id int64) (*store.User, error) {
	if err := c.may(StepAccounts); err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.manages(auth.Role(u.Role), u.RegionList()) {
		return nil, store.ErrNotFound
	}
	return u, nil
}

// SetAccountDisabled disables or enables account id; disabling ends its
// sessions at once. Nobody disables their own account.
func (s *Service) SetAccountDisabled(ctx context.Context, c Caller, id int64, disabled bool) (*store.User, error) {
	u, err := s.account(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if u.ID == c.UserID && disabled {
		return nil, domain.Err(domain.CodeAccountSelf)
	}
	if err := s.store.SetUserDisabled(ctx, id, disabled); err != nil {
		return nil, err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	s.audit(ctx, c, 0, nil, action, map[string]any{"userId": id})
	u.Disabled = disabled
	return u, nil
}

// ResetAccountPassword gives account id a new one-time password, returned
// once, and ends its sessions.
func (s *Service) ResetAccountPassword(ctx context.Context, c Caller, id int64) (string, error) {
	if _, err := s.account(ctx, c, id); err != nil {
		return "", err
	}
	oneTime := OneTimePassword()
	if err := s.store.ResetPassword(ctx, id, oneTime); err != nil {
		return "", err
	}
	s.audit(ctx, c, 0, nil, "user.reset", map[string]any{"userId": id})
	return oneTime, nil
}

// ChangeAccountRole gives account id another role and regions, which the
// caller must manage; its sessions end, since what it may see has changed.
func (s *Service) ChangeAccountRole(ctx context.Context, c Caller, id int64, role auth.Role, regions []string) (*store.User, error) {
	if _, err := s.account(ctx, c, id); err != nil {
		return nil, err
	}
	if err := c.mayGive(role, regions); err != nil {
		return nil, err
	}
	if id == c.UserID {
		return nil, domain.Err(domain.CodeAccountSelf)
	}
	u, err := s.store.ChangeRole(ctx, id, role, regions)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, c, 0, nil, "user.role", map[string]any{"userId": id, "role": u.Role, "regions": u.RegionList()})
	return u, nil
}

// EndAccountSessions ends every session of account id at once.
func (s *Service) EndAccountSessions(ctx context.Context, c Caller, id int64) error {
	if _, err := s.account(ctx, c, id); err != nil {
		return err
	}
	if err := s.store.RevokeUserSessions(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, c, 0, nil, "user.sessions", map[string]any{"userId": id})
	return nil
}
