package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/wilayah"
)

// ErrBadCredentials: the username, password or session token is wrong,
// expired, revoked, or belongs to a disabled user. One error for all of
// these so a caller cannot tell which usernames exist.
var ErrBadCredentials = errors.New("wrong username or password")

// Password rules. The minimum follows NIST SP 800-63B (length over
// composition rules); the maximum only bounds the hashing work one request
// can cause.
const (
	MinPasswordLen = 10  // characters
	MaxPasswordLen = 256 // bytes
)

// usernameRE: lower-case letter first, then letters, digits, '.', '_' or
// '-', 3 to 64 characters in all. Usernames are compared lower-cased, so an
// officer whose phone capitalises the first letter still gets in.
var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,63}$`)

// NewUser is the input of CreateUser.
type NewUser struct {
	Username string
	Password string
	Name     string
	Role     auth.Role
	// Region is the dotted code the role is scoped to: a desa for a village
	// officer, PSM or PKH companion, a kecamatan for a TKSK, a regency for
	// Dinsos and the bupati's office, empty for an administrator.
	Region string
	// Regions, when given, are every region the account holds, all of the
	// role's level and in one regency (Region is then ignored): several
	// desa for a PKH companion. At most MaxRegions.
	Regions []string
	// Phone is the person's phone number; optional.
	Phone string
	// OneTime: the password is handed out to the person and must be
	// changed at their first login.
	OneTime bool
}

// NormalizeUsername is the form usernames are stored and looked up in.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// validate checks u and returns it normalised.
func (u NewUser) validate() (NewUser, error) { return u.check(true) }

// CheckAccount checks a new account's username, name, phone, role and
// regions as CreateUser does (not its password) and returns it normalised.
func CheckAccount(u NewUser) (NewUser, error) { return u.check(false) }

// check checks u's username, its password when password is set, then its
// profile, and returns u normalised.
func (u NewUser) check(password bool) (NewUser, error) {
	u.Username = NormalizeUsername(u.Username)
	u.Name = strings.TrimSpace(u.Name)
	if !usernameRE.MatchString(u.Username) {
		return u, invalid("username", domain.CodeUsername)
	}
	if password {
		switch {
		case utf8.RuneCountInString(u.Password) < MinPasswordLen:
			return u, invalid("password", domain.CodePasswordShort, MinPasswordLen)
		case len(u.Password) > MaxPasswordLen:
			return u, invalid("password", domain.CodePasswordLong, MaxPasswordLen)
		case strings.EqualFold(strings.TrimSpace(u.Password), u.Username):
			return u, invalid("password", domain.CodePasswordUsername)
		case auth.CommonPassword(u.Password):
			return u, invalid("password", domain.CodePasswordCommon)
		}
	}
	return u.validateProfile()
}

// phoneRE: an Indonesian phone number as people write it, once spaces
// and dashes are gone: 08..., 628... or +628..., 9 to 15 digits.
var phoneRE = regexp.MustCompile(`^(\+?62|0)8[0-9]{7,12}$`)

// NormalizePhone is the form phone numbers are stored in: spaces, dashes
// and dots removed.
func NormalizePhone(p string) string {
	return strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(p))
}

// MaxRegions bounds the regions one account holds: a PKH companion covers
// a handful of villages, a TKSK one or two kecamatan.
const MaxRegions = 50

// validateProfile checks u's name, role and regions (u normalised), and
// returns u with Regions sorted and unique and Region their first.
func (u NewUser) validateProfile() (NewUser, error) {
	if e := domain.CheckChars("name", u.Name, false); e != nil {
		return u, e
	}
	switch {
	case u.Name == "" || utf8.RuneCountInString(u.Name) > 200:
		return u, invalid("name", domain.CodeUserName)
	case !u.Role.Valid():
		return u, invalid("role", domain.CodeUserRole)
	}
	if u.Phone = NormalizePhone(u.Phone); u.Phone != "" && !phoneRE.MatchString(u.Phone) {
		return u, invalid("phone", domain.CodePhone)
	}
	regions := u.Regions
	if len(regions) == 0 && strings.TrimSpace(u.Region) != "" {
		regions = []string{u.Region}
	}
	u.Regions = nil
	for _, r := range regions {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(u.Regions, r) {
			u.Regions = append(u.Regions, r)
		}
	}
	slices.Sort(u.Regions)
	u.Region = ""
	if len(u.Regions) > 0 {
		u.Region = u.Regions[0]
	}
	want := u.Role.RegionLen()
	if want == 0 {
		if len(u.Regions) > 0 {
			return u, invalid("region", domain.CodeAdminRegion)
		}
		return u, nil
	}
	switch {
	case len(u.Regions) == 0:
		return u, invalid("region", domain.CodeRegionFormat, u.Role, want)
	case len(u.Regions) > 1 && !u.Role.SeveralRegions():
		return u, invalid("region", domain.CodeRegionOne, u.Role)
	case len(u.Regions) > MaxRegions:
		return u, invalid("region", domain.CodeRegionMany, MaxRegions)
	}
	for _, r := range u.Regions {
		if len(r) != want || wilayah.LevelOf(r) == wilayah.LevelNone {
			return u, invalid("region", domain.CodeRegionFormat, u.Role, want)
		}
		if _, ok := wilayah.Default().Name(r); !ok {
			return u, invalid("region", domain.CodeRegionUnknown)
		}
		if r[:5] != u.Region[:5] {
			return u, invalid("region", domain.CodeRegionRegency)
		}
	}
	return u, nil
}

// CreateUser validates u, hashes its password and stores it. A taken
// username is domain.CodeUsernameTaken; a broken rule is a domain.KindInvalid error naming its field.
func (s *Store) CreateUser(ctx context.Context, u NewUser) (*User, error) {
	u, err := u.validate()
	if err != nil {
		return nil, err
	}
	hash, err := hashPassword(u.Password)
	if err != nil {
		return nil, err
	}
	user := &User{
		Username:     u.Username,
		PasswordHash: hash,
		Name:         u.Name,
		Phone:        u.Phone,
		Role:         string(u.Role),
		RegionCode:   u.Region,
		Regions:      strings.Join(u.Regions, ";"),
		CreatedAt:    s.now(),

		MustChangePassword: u.OneTime,
	}
	if err := s.DB.WithContext(ctx).Create(user).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, conflict(domain.CodeUsernameTaken)
		}
		return nil, WrapUnavailable(fmt.Errorf("create user: %w", err))
	}
	return user, nil
}

// Login checks a username and password and opens a session of length ttl.
// It returns the session token (32 random bytes, base64url), which is
// stored only as its SHA-256. Every failure is ErrBadCredentials, and a
// password hash is computed whether or not the user exists, so neither the
// answer nor its timing tells which usernames exist.
func (s *Store) Login(ctx context.Context, username, password string, ttl time.Duration) (token string, p auth.Principal, expires time.Time, err error) {
	if ttl <= 0 {
		return "", auth.Principal{}, time.Time{}, fmt.Errorf("login: session TTL must be positive, got %s", ttl)
	}
	if len(password) > MaxPasswordLen {
		// Longer than any password CreateUser accepts: no hash needed to
		// know it is wrong, and refusing early bounds the work.
		return "", auth.Principal{}, time.Time{}, ErrBadCredentials
	}
	var u User
	err = s.DB.WithContext(ctx).Where("username = ?", NormalizeUsername(username)).Take(&u).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		burnPasswordHash(password)
		return "", auth.Principal{}, time.Time{}, ErrBadCredentials
	case err != nil:
		return "", auth.Principal{}, time.Time{}, WrapUnavailable(fmt.Errorf("login: find user: %w", err))
	}
	ok, stale := verifyPassword(u.PasswordHash, password)
	if !ok || u.Disabled {
		return "", auth.Principal{}, time.Time{}, ErrBadCredentials
	}
	if stale {
		// The hash was made with weaker parameters than today's: replace it
		// now that the clear password is at hand.
		if h, err := hashPassword(password); err == nil {
			if err := s.DB.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).Update("password_hash", h).Error; err != nil {
				return "", auth.Principal{}, time.Time{}, WrapUnavailable(fmt.Errorf("login: rehash password: %w", err))
			}
		}
	}

	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", auth.Principal{}, time.Time{}, fmt.Errorf("login: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	expires = now.Add(ttl)
	sess := Session{TokenHash: tokenHash(token), UserID: u.ID, ExpiresAt: expires, CreatedAt: now}
	if err := s.DB.WithContext(ctx).Create(&sess).Error; err != nil {
		return "", auth.Principal{}, time.Time{}, WrapUnavailable(fmt.Errorf("login: create session: %w", err))
	}
	return token, principalOf(u), expires, nil
}

// Authenticate returns the principal of a session token. A token that is
// malformed, unknown, expired or revoked, or whose user is disabled, is
// ErrBadCredentials; a database that cannot be reached is ErrUnavailable.
func (s *Store) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	if !wellFormedToken(token) {
		return auth.Principal{}, ErrBadCredentials
	}
	var row struct {
		ExpiresAt  time.Time
		RevokedAt  *time.Time
		UserID     int64
		Username   string
		Name       string
		Role       string
		RegionCode string
		Regions    string
		Disabled   bool
		// MustChangePassword: signed in with a one-time password.
		MustChangePassword bool
	}
	res := s.DB.WithContext(ctx).Table("sessions").
		Select("sessions.expires_at, sessions.revoked_at, users.id AS user_id, users.username, users.name, users.role, users.region_code, users.regions, users.disabled, users.must_change_password").
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.token_hash = ?", tokenHash(token)).
		Limit(1).Scan(&row)
	if res.Error != nil {
		return auth.Principal{}, WrapUnavailable(fmt.Errorf("authenticate: %w", res.Error))
	}
	// Expiry is compared here rather than in SQL: SQLite keeps times as
	// text, and a Go comparison is exact on both databases.
	if res.RowsAffected == 0 || row.RevokedAt != nil || !s.now().Before(row.ExpiresAt) || row.Disabled {
		return auth.Principal{}, ErrBadCredentials
	}
	return principalOf(User{ID: row.UserID, Username: row.Username, Name: row.Name, Role: row.Role, RegionCode: row.RegionCode,
		Regions: row.Regions, MustChangePassword: row.MustChangePassword}), nil
}

// Logout revokes the session of token. Revoking an unknown or already
// revoked token is not an error: the outcome the caller wants holds.
func (s *Store) Logout(ctx context.Context, token string) error {
	if !wellFormedToken(token) {
		return nil
	}
	err := s.DB.WithContext(ctx).Model(&Session{}).
		Where("token_hash = ? AND revoked_at IS NULL", tokenHash(token)).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return WrapUnavailable(fmt.Errorf("logout: %w", err))
	}
	return nil
}

// RevokeUserSessions revokes every open session of a user, e.g. after a
// password change or when the user is disabled.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64) error {
	err := s.DB.WithContext(ctx).Model(&Session{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return WrapUnavailable(fmt.Errorf("revoke sessions: %w", err))
	}
	return nil
}

// PurgeSessions deletes sessions that expired or were revoked before
// cutoff, so the table does not grow without bound; it returns how many.
func (s *Store) PurgeSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.DB.WithContext(ctx).
		Where("expires_at < ? OR revoked_at < ?", cutoff, cutoff).
		Delete(&Session{})
	if res.Error != nil {
		return 0, WrapUnavailable(fmt.Errorf("purge sessions: %w", res.Error))
	}
	return res.RowsAffected, nil
}

func principalOf(u User) auth.Principal {
	return auth.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Role: auth.Role(u.Role), Region: u.RegionCode,
		Regions: u.RegionList(), MustChangePassword: u.MustChangePassword}
}

// tokenHash is the stored form of a session token: hex SHA-256. A fast hash
// is right here, unlike for passwords: tokens are 256 random bits, so there
// is nothing to guess.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken reports whether token could have come from Login, so
// garbage is refused without a database round trip.
func wellFormedToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// Password hashing: argon2id (RFC 9106), the winner of the Password Hashing
// Competition and OWASP's first choice. Chosen over bcrypt because it is
// memory-hard (a GPU or ASIC farm gains far less against it) and because
// bcrypt silently ignores everything after a password's 72nd byte.
//
// Parameters are OWASP's baseline for argon2id: 19 MiB of memory, 2 passes,
// 1 lane, a 16-byte salt and a 32-byte key; about 30-50 ms on one core. They
// are recorded in every hash in the PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>   (unpadded standard base64)
//
// so they can be raised later: old hashes still verify with the parameters
// they name, and Login rewrites a hash made with weaker ones.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// burnSalt is the salt burnPasswordHash uses; its value does not matter.
const burnSalt = "verval-no-such-user"

func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// burnPasswordHash does the work of one verification and throws it away, so
// an unknown username takes as long to refuse as a wrong password.
func burnPasswordHash(password string) {
	_ = argon2.IDKey([]byte(password), []byte(burnSalt), argonTime, argonMemory, argonThreads, argonKeyLen)
}

// verifyPassword reports whether password matches encoded, and whether
// encoded was made with weaker parameters than today's (stale). A hash that
// cannot be parsed never matches.
func verifyPassword(encoded, password string) (ok, stale bool) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		burnPasswordHash(password)
		return false, false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		burnPasswordHash(password)
		return false, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory < 8 || memory > 1<<20 || passes < 1 || passes > 16 || threads < 1 {
		// Bounds stop a corrupted row from making one login take minutes
		// or gigabytes.
		burnPasswordHash(password)
		return false, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		burnPasswordHash(password)
		return false, false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	stale = memory < argonMemory || passes < argonTime || threads < argonThreads || len(key) < argonKeyLen || len(salt) < argonSaltLen
	return ok, stale
}

// DevUser is a development login that `verval dev` creates and prints.
type DevUser struct {
	Username string
	Password string
	Name     string
	Role     string
	Region   string
	// Regions, when set, are all the regions the user holds (a PKH
	// companion's villages); Region is their first.
	Regions    []string
	RegionName string
}

// Development region: Kab. Blitar (35.05), kecamatan Wonodadi (35.05.01),
// and its first two desa, Jaten (35.05.01.2001) and Salam (35.05.01.2002),
// as named in data/wilayah.csv (Kepmendagri 2025).
const (
	devRegency   = "35.05"         // Kabupaten Blitar
	devKecamatan = "35.05.01"      // Wonodadi
	devDesa1     = "35.05.01.2001" // Jaten
	devDesa2     = "35.05.01.2002" // Salam
)

// DevUsers lists the development users, one per role, scoped to Kab.
// Blitar. Their passwords are public: never create them in production.
func DevUsers() []DevUser {
	return []DevUser{
		{Username: "desa1", Password: "desa-satu-2026", Name: "Operator Desa Jaten", Role: string(auth.RoleVillage), Region: devDesa1, RegionName: "Desa Jaten, Kec. Wonodadi"},
		{Username: "desa2", Password: "desa-dua-2026", Name: "Operator Desa Salam", Role: string(auth.RoleVillage), Region: devDesa2, RegionName: "Desa Salam, Kec. Wonodadi"},
		{Username: "tksk", Password: "tksk-wonodadi-2026", Name: "TKSK Kecamatan Wonodadi", Role: string(auth.RoleTKSK), Region: devKecamatan, RegionName: "Kecamatan Wonodadi"},
		{Username: "dinsos", Password: "dinsos-blitar-2026", Name: "Operator Dinas Sosial Kabupaten Blitar", Role: string(auth.RoleDinsos), Region: devRegency, RegionName: "Kabupaten Blitar"},
		{Username: "bupati", Password: "bupati-blitar-2026", Name: "Kantor Bupati Blitar", Role: string(auth.RoleBupati), Region: devRegency, RegionName: "Kabupaten Blitar"},
		{Username: "admin", Password: "admin-verval-2026", Name: "Administrator", Role: string(auth.RoleAdmin), Region: "", RegionName: ""},
		{Username: "psm1", Password: "psm-jaten-2026", Name: "PSM Desa Jaten", Role: string(auth.RolePSM), Region: devDesa1, RegionName: "Desa Jaten, Kec. Wonodadi"},
		{Username: "pendamping", Password: "pendamping-pkh-2026", Name: "Pendamping PKH Wonodadi", Role: string(auth.RolePendamping), Region: devDesa1,
			Regions: []string{devDesa1, devDesa2}, RegionName: "Desa Jaten dan Desa Salam, Kec. Wonodadi"},
	}
}

// EnsureDevUsers creates the development users that do not exist yet and
// returns the full list. Users that exist are left as they are (their
// password is not reset), so running it at every `verval dev` start is
// safe. For development only.
func (s *Store) EnsureDevUsers(ctx context.Context) ([]DevUser, error) {
	users := DevUsers()
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Username
	}
	var existing []string
	if err := s.DB.WithContext(ctx).Model(&User{}).Where("username IN ?", names).Pluck("username", &existing).Error; err != nil {
		return nil, WrapUnavailable(fmt.Errorf("dev users: %w", err))
	}
	have := make(map[string]bool, len(existing))
	for _, n := range existing {
		have[n] = true
	}
	for _, u := range users {
		if have[u.Username] {
			continue
		}
		_, err := s.CreateUser(ctx, NewUser{Username: u.Username, Password: u.Password, Name: u.Name, Role: auth.Role(u.Role), Region: u.Region, Regions: u.Regions})
		// Taken: another process created it meanwhile, which is fine.
		if err != nil && !errors.Is(err, domain.Err(domain.CodeUsernameTaken)) {
			return nil, fmt.Errorf("dev user %s: %w", u.Username, err)
		}
	}
	return users, nil
}

// Officer is an active village officer, as a supervisor picks one.
type Officer struct {
	ID       int64
	Name     string
	Username string
}

// VillageOfficers lists the active people who visit the households of a
// desa (its village officers, PSM and PKH companions) by name, for
// reassigning its tasks.
func (s *Store) VillageOfficers(ctx context.Context, desa string) ([]Officer, error) {
	var out []Officer
	err := visitorsOf(s.DB.WithContext(ctx).Model(&User{}), desa).
		Order("name").Select("id, name, username").Scan(&out).Error
	return out, err
}

// visitorsOf restricts a users query to the active accounts that visit
// the households of desa. Region codes are fixed-width, so a desa code
// inside the ";"-joined list matches only itself.
func visitorsOf(q *gorm.DB, desa string) *gorm.DB {
	var roles []string
	for _, r := range auth.Roles() {
		if r.Visits() {
			roles = append(roles, string(r))
		}
	}
	return q.Where("role IN ? AND (region_code = ? OR regions LIKE ?) AND disabled = ?", roles, desa, "%"+likePrefix(desa), false)
}

// ChangePassword replaces user id's password after checking the current
// one, and clears a one-time password's flag. The new password follows
// CreateUser's rules and must differ from the current one; a wrong current
// password is domain.CodePasswordWrong on field currentPassword.
func (s *Store) ChangePassword(ctx context.Context, id int64, current, next string) error {
	var u User
	if err := s.DB.WithContext(ctx).Take(&u, "id = ?", id).Error; err != nil {
		return WrapUnavailable(wrapNotFound(err))
	}
	if ok, _ := verifyPassword(u.PasswordHash, current); !ok || u.Disabled {
		return invalid("currentPassword", domain.CodePasswordWrong)
	}
	check := NewUser{Username: u.Username, Password: next, Name: u.Name, Role: auth.Role(u.Role), Regions: u.RegionList()}
	if _, err := check.validate(); err != nil {
		if e, ok := domain.As(err); ok && e.Field == "password" {
			e.Field = "newPassword"
		}
		return err
	}
	if next == current {
		return invalid("newPassword", domain.CodePasswordSame)
	}
	hash, err := hashPassword(next)
	if err != nil {
		return err
	}
	err = s.DB.WithContext(ctx).Model(&User{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "must_change_password": false}).Error
	return WrapUnavailable(err)
}

// HasAdmin reports whether an administrator exists, enabled or not.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&User{}).Where("role = ?", string(auth.RoleAdmin)).Count(&n).Error
	return n > 0, WrapUnavailable(err)
}

// UserFilter selects users: inside a region (a prefix of their region
// code; "" for all), by name or username (Query), one page at a time.
type UserFilter struct {
	Region  string
	Query   string
	Page    int
	PerPage int
}

// ListUsers lists users by username, with the total the filter matches.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	q := s.DB.WithContext(ctx).Model(&User{})
	if f.Region != "" {
		q = q.Where("region_code = ? OR region_code LIKE ?", f.Region, likePrefix(f.Region+"."))
	}
	if f.Query != "" {
		like := "%" + strings.ToLower(f.Query) + "%"
		q = q.Where("LOWER(username) LIKE ? OR LOWER(name) LIKE ?", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, WrapUnavailable(err)
	}
	f.PerPage = min(max(f.PerPage, 1), 200)
	var out []User
	err := q.Order("username").Limit(f.PerPage).Offset((max(f.Page, 1) - 1) * f.PerPage).Find(&out).Error
	return out, total, WrapUnavailable(err)
}

// GetUser is user id.
func (s *Store) GetUser(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.DB.WithContext(ctx).Take(&u, "id = ?", id).Error; err != nil {
		return nil, WrapUnavailable(wrapNotFound(err))
	}
	return &u, nil
}

// SetUserDisabled disables or enables user id; a disabled user's sessions
// end at once.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	if err := s.DB.WithContext(ctx).Model(&User{}).Where("id = ?", id).Update("disabled", disabled).Error; err != nil {
		return WrapUnavailable(err)
	}
	if disabled {
		return s.RevokeUserSessions(ctx, id)
	}
	return nil
}

// ResetPassword gives user id a new one-time password, to be changed at
// the next login, and ends its sessions.
func (s *Store) ResetPassword(ctx context.Context, id int64, oneTime string) error {
	hash, err := hashPassword(oneTime)
	if err != nil {
		return err
	}
	err = s.DB.WithContext(ctx).Model(&User{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "must_change_password": true}).Error
	if err != nil {
		return WrapUnavailable(err)
	}
	return s.RevokeUserSessions(ctx, id)
}

// ChangeRole gives user id another role and regions, checked as at
// creation, and ends its sessions (what it may see has changed).
func (s *Store) ChangeRole(ctx context.Context, id int64, role auth.Role, regions []string) (*User, error) {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	check, err := NewUser{Username: u.Username, Name: u.Name, Role: role, Regions: regions}.validateProfile()
	if err != nil {
		return nil, err
	}
	joined := strings.Join(check.Regions, ";")
	err = s.DB.WithContext(ctx).Model(&User{}).Where("id = ?", id).
		Updates(map[string]any{"role": string(check.Role), "region_code": check.Region, "regions": joined}).Error
	if err != nil {
		return nil, WrapUnavailable(err)
	}
	if err := s.RevokeUserSessions(ctx, id); err != nil {
		return nil, err
	}
	u.Role, u.RegionCode, u.Regions = string(check.Role), check.Region, joined
	return u, nil
}
