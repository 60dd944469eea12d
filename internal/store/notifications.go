package store

import (
	"context"

	"github.com/verval/verval/internal/auth"
)

// ListNotifications lists the notifications addressed to the principal's
// region or any region inside it, newest first.
func (s *Store) ListNotifications(ctx context.Context, p auth.Principal, limit int) ([]Notification, error) {
	var out []Notification
	err := scope(s.DB.WithContext(ctx), p, "region_code").Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}
