package office

import (
	"context"
	"time"

	"github.com/verval/verval/internal/auth"
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
