package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/pii"
)

// ErrUnavailable: the database cannot be reached right now (503).
var ErrUnavailable = errors.New("database unavailable")

// Store holds the database and the keys that seal personal data; the API
// and the activities share its queries.
type Store struct {
	DB   *gorm.DB
	Keys *pii.Keyring
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
