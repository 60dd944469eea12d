package office

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

// Login checks a username and password and opens a session of ttl; a
// wrong pair is store.ErrBadCredentials, whether the username exists or
// not. Throttling repeated failures is the doors' (they share one
// throttle).
func (s *Service) Login(ctx context.Context, username, password string, ttl time.Duration) (token string, p auth.Principal, expires time.Time, err error) {
	return s.store.Login(ctx, username, password, ttl)
}

// Authenticate is the principal of a session token.
func (s *Service) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	return s.store.Authenticate(ctx, token)
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.Logout(ctx, token)
}

// ChangePassword replaces the caller's password (a one-time one included:
// the one step open to a caller who must change it), after checking the
// current one.
func (s *Service) ChangePassword(ctx context.Context, c Caller, current, next string) error {
	if err := s.store.ChangePassword(ctx, c.UserID, current, next); err != nil {
		return err
	}
	s.audit(ctx, c, 0, nil, "user.password", map[string]any{"userId": c.UserID})
	return nil
}

// BootstrapAdmin creates the first administrator of an empty deployment,
// from the command line (no caller: nobody can sign in yet). An empty
// password makes a one-time one, returned to be handed over and changed at
// the first login. Once an administrator exists it is
// domain.CodeAdminExists.
func (s *Service) BootstrapAdmin(ctx context.Context, username, name, password string) (oneTime string, err error) {
	has, err := s.store.HasAdmin(ctx)
	if err != nil {
		return "", err
	}
	if has {
		return "", domain.Err(domain.CodeAdminExists)
	}
	u := store.NewUser{Username: username, Password: password, Name: name, Role: auth.RoleAdmin}
	if password == "" {
		oneTime = OneTimePassword()
		u.Password, u.OneTime = oneTime, true
	}
	created, err := s.store.CreateUser(ctx, u)
	if err != nil {
		return "", err
	}
	system := Caller{Principal: auth.Principal{UserID: created.ID, Role: auth.RoleAdmin}, RequestID: "bootstrap-admin"}
	s.audit(ctx, system, 0, nil, "user.bootstrap", map[string]any{"userId": created.ID, "oneTime": oneTime != ""})
	return oneTime, nil
}

// OneTimePassword is a random password to hand to a person, who changes it
// at the first login: four groups of four letters and digits (about 80
// bits), without the look-alikes 0, O, 1, l and I.
func OneTimePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var b [16]byte
	_, _ = rand.Read(b[:])
	var out strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(alphabet[int(v)%len(alphabet)])
	}
	return out.String()
}
