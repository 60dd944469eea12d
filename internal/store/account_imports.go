package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// AccountImport is one import of many accounts from a file. The one-time
// passwords it handed out are kept sealed (PasswordsSealed) until they are
// downloaded once, then erased; they expire unread after
// AccountSheetTTL. Only counts are kept after that.
type AccountImport struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	CreatedBy int64     `gorm:"not null" json:"createdBy"`
	CreatedAt time.Time `gorm:"not null" json:"createdAt"`
	FileName  string    `gorm:"size:255;not null" json:"fileName"`
	Users     int       `gorm:"not null" json:"users"`
	// PasswordsSealed is the sealed list of the new accounts' one-time
	// passwords, nil once downloaded or expired.
	PasswordsSealed []byte     `json:"-"`
	DownloadedAt    *time.Time `json:"downloadedAt,omitempty"`
}

// AccountSheetTTL is how long an import's one-time passwords can be
// downloaded.
const AccountSheetTTL = 24 * time.Hour

// adAccountSheet is the sealing context of an import's password list.
const adAccountSheet = "account_imports.passwords"

// PrincipalOf is the principal of the enabled account username, for a
// command run on the server on that person's authority; ErrNotFound when
// there is none.
func (s *Store) PrincipalOf(ctx context.Context, username string) (auth.Principal, error) {
	var u User
	err := s.DB.WithContext(ctx).Take(&u, "username = ? AND disabled = ?", NormalizeUsername(username), false).Error
	if err != nil {
		return auth.Principal{}, WrapUnavailable(wrapNotFound(err))
	}
	p := principalOf(u)
	p.MustChangePassword = false // the command is run on the server, not signed in
	return p, nil
}

// TakenUsernames reports which of names (normalised) are taken.
func (s *Store) TakenUsernames(ctx context.Context, names []string) (map[string]bool, error) {
	taken := map[string]bool{}
	for start := 0; start < len(names); start += 500 {
		var found []string
		chunk := names[start:min(start+500, len(names))]
		if err := s.DB.WithContext(ctx).Model(&User{}).Where("username IN ?", chunk).Pluck("username", &found).Error; err != nil {
			return nil, WrapUnavailable(err)
		}
		for _, n := range found {
			taken[n] = true
		}
	}
	return taken, nil
}

// ImportUsers creates users (each with a one-time password, checked by
// CheckAccount beforehand) and the import's record, all in one
// transaction: every account or none. sheet is the password list to keep
// sealed until its one download. A username taken meanwhile fails the whole
// import with domain.CodeUsernameTaken naming it.
func (s *Store) ImportUsers(ctx context.Context, users []NewUser, imp *AccountImport, sheet []byte) ([]User, error) {
	hashes, err := hashAll(users)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Keys.SealBytes(sheet, []byte(adAccountSheet))
	if err != nil {
		return nil, err
	}
	out := make([]User, len(users))
	now := s.now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, u := range users {
			out[i] = User{Username: u.Username, PasswordHash: hashes[i], Name: u.Name, Phone: u.Phone, Role: string(u.Role),
				RegionCode: u.Region, Regions: strings.Join(u.Regions, ";"), CreatedAt: now, MustChangePassword: true}
			if err := tx.Create(&out[i]).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return conflict(domain.CodeUsernameTaken, u.Username)
				}
				return err
			}
		}
		imp.CreatedAt, imp.Users, imp.PasswordsSealed = now, len(users), sealed
		return tx.Create(imp).Error
	})
	if err != nil {
		if _, ok := domain.As(err); ok {
			return nil, err
		}
		return nil, WrapUnavailable(fmt.Errorf("import users: %w", err))
	}
	return out, nil
}

// hashAll hashes the users' passwords on every core: argon2id takes tens
// of milliseconds each, and a regency's first import has hundreds.
func hashAll(users []NewUser) ([]string, error) {
	hashes := make([]string, len(users))
	errs := make([]error, len(users))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				hashes[i], errs[i] = hashPassword(users[i].Password)
			}
		}()
	}
	for i := range users {
		next <- i
	}
	close(next)
	wg.Wait()
	return hashes, errors.Join(errs...)
}

// TakeAccountSheet returns import id's sealed password list, opened, and
// erases it: it can be taken once, by the user who imported, within
// AccountSheetTTL. Anyone else's import is ErrNotFound; one already taken
// or expired is domain.CodeImportSheetGone. Of two takers at once, the
// conditional erase lets one win.
func (s *Store) TakeAccountSheet(ctx context.Context, id, userID int64) (*AccountImport, []byte, error) {
	var imp AccountImport
	if err := s.DB.WithContext(ctx).Take(&imp, "id = ? AND created_by = ?", id, userID).Error; err != nil {
		return nil, nil, WrapUnavailable(wrapNotFound(err))
	}
	now := s.now()
	if imp.PasswordsSealed == nil || !now.Before(imp.CreatedAt.Add(AccountSheetTTL)) {
		return nil, nil, conflict(domain.CodeImportSheetGone)
	}
	res := s.DB.WithContext(ctx).Model(&AccountImport{}).Where("id = ? AND passwords_sealed IS NOT NULL", id).
		Updates(map[string]any{"passwords_sealed": nil, "downloaded_at": now})
	if res.Error != nil {
		return nil, nil, WrapUnavailable(fmt.Errorf("account sheet %d: %w", id, res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, nil, conflict(domain.CodeImportSheetGone)
	}
	sheet, err := s.Keys.OpenBytes(imp.PasswordsSealed, []byte(adAccountSheet))
	if err != nil {
		return nil, nil, err
	}
	imp.PasswordsSealed, imp.DownloadedAt = nil, &now
	return &imp, sheet, nil
}
