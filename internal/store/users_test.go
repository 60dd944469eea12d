package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/wilayah"
)

var usersT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const usersPassword = "rahasia-desa-2026"

func newTestUser(username string, role auth.Role, region string) store.NewUser {
	return store.NewUser{Username: username, Password: usersPassword, Name: "Petugas " + username, Role: role, Region: region}
}

func TestCreateUserValidation(t *testing.T) {
	long := strings.Repeat("x", store.MaxPasswordLen+1)
	tests := []struct {
		name  string
		mod   func(*store.NewUser)
		field string // "" means accepted
	}{
		{"village ok", func(u *store.NewUser) {}, ""},
		{"tksk ok", func(u *store.NewUser) { u.Role, u.Region = auth.RoleTKSK, "35.05.01" }, ""},
		{"dinsos ok", func(u *store.NewUser) { u.Role, u.Region = auth.RoleDinsos, "35.05" }, ""},
		{"bupati ok", func(u *store.NewUser) { u.Role, u.Region = auth.RoleBupati, "16.73" }, ""},
		{"admin ok", func(u *store.NewUser) { u.Role, u.Region = auth.RoleAdmin, "" }, ""},
		{"username upper-cased is normalised", func(u *store.NewUser) { u.Username = "  Desa.Jaten " }, ""},
		{"username too short", func(u *store.NewUser) { u.Username = "ab" }, "username"},
		{"username starts with digit", func(u *store.NewUser) { u.Username = "1desa" }, "username"},
		{"username with space", func(u *store.NewUser) { u.Username = "desa jaten" }, "username"},
		{"username with @", func(u *store.NewUser) { u.Username = "desa@jaten" }, "username"},
		{"username too long", func(u *store.NewUser) { u.Username = "a" + strings.Repeat("b", 64) }, "username"},
		{"password 9 chars", func(u *store.NewUser) { u.Password = "123456789" }, "password"},
		{"password 10 runes", func(u *store.NewUser) { u.Password = "ééééééééé1" }, ""},
		{"password too long", func(u *store.NewUser) { u.Password = long }, "password"},
		{"name empty", func(u *store.NewUser) { u.Name = "  " }, "name"},
		{"unknown role", func(u *store.NewUser) { u.Role = "lurah" }, "role"},
		{"village with kecamatan code", func(u *store.NewUser) { u.Region = "35.05.01" }, "region"},
		{"village with no region", func(u *store.NewUser) { u.Region = "" }, "region"},
		{"village with plain digits", func(u *store.NewUser) { u.Region = "3505012001" }, "region"},
		{"village not in the official list", func(u *store.NewUser) { u.Region = "35.05.01.2999" }, "region"},
		{"tksk with village code", func(u *store.NewUser) { u.Role = auth.RoleTKSK }, "region"},
		{"dinsos with kecamatan code", func(u *store.NewUser) { u.Role, u.Region = auth.RoleDinsos, "35.05.01" }, "region"},
		{"bupati with province code", func(u *store.NewUser) { u.Role, u.Region = auth.RoleBupati, "35" }, "region"},
		{"admin with region", func(u *store.NewUser) { u.Role, u.Region = auth.RoleAdmin, "35.05" }, "region"},
	}
	// Validation happens before the database is touched, so one database is
	// enough for the table; the database paths are covered below.
	st := storetest.NewStore(storetest.SQLite(t), nil)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newTestUser("user"+string(rune('a'+i%26))+strings.Repeat("x", i/26), auth.RoleVillage, "35.05.01.2001")
			if tc.name == "username upper-cased is normalised" {
				u.Username = ""
			}
			tc.mod(&u)
			got, err := st.CreateUser(t.Context(), u)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("CreateUser: %v", err)
				}
				if got.ID == 0 || got.Username != store.NormalizeUsername(u.Username) || got.Role != string(u.Role) || got.RegionCode != u.Region {
					t.Fatalf("stored %+v from %+v", got, u)
				}
				if strings.Contains(got.PasswordHash, u.Password) || !strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
					t.Fatalf("password hash %q is not an argon2id PHC string", got.PasswordHash)
				}
				return
			}
			if ie, ok := domain.As(err); !ok || ie.Field != tc.field || ie.Kind() != domain.KindInvalid {
				t.Fatalf("got %v, want an invalid %s", err, tc.field)
			}
		})
	}
}

func TestUsersAndSessions(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		clock := storetest.NewClock(usersT0)
		st := storetest.NewStore(db, clock.Now)

		u, err := st.CreateUser(ctx, newTestUser("desa.jaten", auth.RoleVillage, "35.05.01.2001"))
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}

		t.Run("duplicate username", func(t *testing.T) {
			_, err := st.CreateUser(ctx, newTestUser("DESA.JATEN", auth.RoleTKSK, "35.05.01"))
			if !domain.IsKind(err, domain.KindConflict) {
				t.Fatalf("got %v, want ErrConflict", err)
			}
		})

		t.Run("bad credentials", func(t *testing.T) {
			for _, c := range []struct{ user, pass string }{
				{"desa.jaten", "wrong-password"},
				{"desa.jaten", ""},
				{"nobody", usersPassword},
				{"", ""},
				{"desa.jaten", strings.Repeat("y", 10000)},
			} {
				if _, _, _, err := st.Login(ctx, c.user, c.pass, time.Hour); !errors.Is(err, store.ErrBadCredentials) {
					t.Errorf("Login(%q): got %v, want ErrBadCredentials", c.user, err)
				}
			}
		})

		token, p, exp, err := st.Login(ctx, " Desa.Jaten", usersPassword, time.Hour)
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		want := auth.Principal{UserID: u.ID, Username: "desa.jaten", Name: "Petugas desa.jaten", Role: auth.RoleVillage, Region: "35.05.01.2001",
			Regions: []string{"35.05.01.2001"}}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("principal %+v, want %+v", p, want)
		}
		if !exp.Equal(usersT0.Add(time.Hour)) {
			t.Fatalf("expires %v, want %v", exp, usersT0.Add(time.Hour))
		}
		if len(token) != 43 {
			t.Fatalf("token length %d, want 43 (32 bytes base64url)", len(token))
		}
		var sess store.Session
		if err := db.Take(&sess).Error; err != nil {
			t.Fatal(err)
		}
		if sess.TokenHash == token || len(sess.TokenHash) != 64 || sess.UserID != u.ID {
			t.Fatalf("session row %+v does not hold the token's hash", sess)
		}

		got, err := st.Authenticate(ctx, token)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Authenticate: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "garbage", strings.Repeat("A", 43), token + "x", token[:42] + "!"} {
			if _, err := st.Authenticate(ctx, bad); !errors.Is(err, store.ErrBadCredentials) {
				t.Errorf("Authenticate(%q): got %v", bad, err)
			}
		}

		t.Run("expiry", func(t *testing.T) {
			clock.Advance(59 * time.Minute)
			if _, err := st.Authenticate(ctx, token); err != nil {
				t.Fatalf("a minute before expiry: %v", err)
			}
			clock.Advance(time.Minute)
			if _, err := st.Authenticate(ctx, token); !errors.Is(err, store.ErrBadCredentials) {
				t.Fatalf("at expiry: got %v", err)
			}
		})

		t.Run("logout", func(t *testing.T) {
			tok, _, _, err := st.Login(ctx, "desa.jaten", usersPassword, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			other, _, _, err := st.Login(ctx, "desa.jaten", usersPassword, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Logout(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Authenticate(ctx, tok); !errors.Is(err, store.ErrBadCredentials) {
				t.Fatalf("after logout: got %v", err)
			}
			if _, err := st.Authenticate(ctx, other); err != nil {
				t.Fatalf("other session after logout: %v", err)
			}
			if err := st.Logout(ctx, tok); err != nil {
				t.Fatalf("second logout: %v", err)
			}
			if err := st.Logout(ctx, "garbage"); err != nil {
				t.Fatalf("logout of garbage: %v", err)
			}
		})

		t.Run("revoke user sessions", func(t *testing.T) {
			a, _, _, _ := st.Login(ctx, "desa.jaten", usersPassword, time.Hour)
			b, _, _, _ := st.Login(ctx, "desa.jaten", usersPassword, time.Hour)
			if err := st.RevokeUserSessions(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{a, b} {
				if _, err := st.Authenticate(ctx, tok); !errors.Is(err, store.ErrBadCredentials) {
					t.Fatalf("after revoke: got %v", err)
				}
			}
			if _, _, _, err := st.Login(ctx, "desa.jaten", usersPassword, time.Hour); err != nil {
				t.Fatalf("login after revoke: %v", err)
			}
		})

		t.Run("disabled", func(t *testing.T) {
			tok, _, _, err := st.Login(ctx, "desa.jaten", usersPassword, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Model(&store.User{}).Where("id = ?", u.ID).Update("disabled", true).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := st.Authenticate(ctx, tok); !errors.Is(err, store.ErrBadCredentials) {
				t.Fatalf("open session of disabled user: got %v", err)
			}
			if _, _, _, err := st.Login(ctx, "desa.jaten", usersPassword, time.Hour); !errors.Is(err, store.ErrBadCredentials) {
				t.Fatalf("login of disabled user: got %v", err)
			}
			if err := db.Model(&store.User{}).Where("id = ?", u.ID).Update("disabled", false).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := st.Authenticate(ctx, tok); err != nil {
				t.Fatalf("re-enabled: %v", err)
			}
		})

		t.Run("purge", func(t *testing.T) {
			n, err := st.PurgeSessions(ctx, clock.Now().Add(2*time.Hour))
			if err != nil || n == 0 {
				t.Fatalf("PurgeSessions: %d, %v", n, err)
			}
			var left int64
			db.Model(&store.Session{}).Count(&left)
			if left != 0 {
				t.Fatalf("%d sessions left", left)
			}
		})

		t.Run("stale hash is upgraded", func(t *testing.T) {
			// A hash made with weaker parameters (m=8 MiB, t=1), as an
			// older release might have written.
			if _, err := st.CreateUser(ctx, newTestUser("lama", auth.RoleAdmin, "")); err != nil {
				t.Fatal(err)
			}
			h := weakArgonHash(usersPassword)
			db.Model(&store.User{}).Where("username = ?", "lama").Update("password_hash", h)
			if _, _, _, err := st.Login(ctx, "lama", usersPassword, time.Hour); err != nil {
				t.Fatalf("login with old hash: %v", err)
			}
			var after store.User
			db.Where("username = ?", "lama").Take(&after)
			if !strings.HasPrefix(after.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
				t.Fatalf("hash not upgraded: %q", after.PasswordHash)
			}
			if _, _, _, err := st.Login(ctx, "lama", usersPassword, time.Hour); err != nil {
				t.Fatalf("login with new hash: %v", err)
			}
		})
	})
}

// weakHash encodes password with argon2id at m=8 MiB, t=1.
func weakArgonHash(password string) string {
	salt := []byte("some-salt-16byte")
	key := argon2.IDKey([]byte(password), salt, 1, 8192, 1, 32)
	b64 := base64.RawStdEncoding
	return "$argon2id$v=19$m=8192,t=1,p=1$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
}

func TestEnsureDevUsers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := storetest.NewStore(db, nil)
		for range 2 {
			got, err := st.EnsureDevUsers(ctx)
			if err != nil {
				t.Fatalf("EnsureDevUsers: %v", err)
			}
			if len(got) != len(store.DevUsers()) {
				t.Fatalf("returned %d users", len(got))
			}
		}
		var n int64
		db.Model(&store.User{}).Count(&n)
		if n != int64(len(store.DevUsers())) {
			t.Fatalf("%d users after two runs, want %d", n, len(store.DevUsers()))
		}
		roles := map[string]bool{}
		for _, du := range store.DevUsers() {
			roles[du.Role] = true
			if len(du.Password) < store.MinPasswordLen {
				t.Errorf("%s: password too short", du.Username)
			}
			if du.Region != "" {
				name, ok := wilayah.Default().Name(du.Region)
				if !ok || !strings.Contains(du.RegionName, name) || !strings.HasPrefix(du.Region, "35.05") {
					t.Errorf("%s: region %s %q, official name %q", du.Username, du.Region, du.RegionName, name)
				}
			}
			_, p, _, err := st.Login(ctx, du.Username, du.Password, time.Hour)
			if err != nil {
				t.Fatalf("login %s: %v", du.Username, err)
			}
			if string(p.Role) != du.Role || p.Region != du.Region {
				t.Errorf("%s: principal %+v", du.Username, p)
			}
		}
		if len(roles) != len(auth.Roles()) {
			t.Errorf("dev users cover %d roles, want all %d", len(roles), len(auth.Roles()))
		}
		// The two village officers are in the TKSK's kecamatan, and neither
		// sees the other's village.
		du := store.DevUsers()
		tksk := auth.Principal{Role: auth.RoleTKSK, Region: du[2].Region}
		desa1 := auth.Principal{Role: auth.RoleVillage, Region: du[0].Region}
		if !tksk.Covers(du[0].Region) || !tksk.Covers(du[1].Region) || desa1.Covers(du[1].Region) {
			t.Errorf("dev regions do not nest as intended")
		}
		// The PKH companion holds both villages.
		_, pendamping, _, err := st.Login(ctx, "pendamping", "pendamping-pkh-2026", time.Hour)
		if err != nil || !pendamping.Covers(du[0].Region) || !pendamping.Covers(du[1].Region) || pendamping.Covers("35.05.02.2001") {
			t.Errorf("the dev PKH companion's villages: %+v, %v", pendamping, err)
		}
	})
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	// Nothing listens on port 1; DisableAutomaticPing lets Open succeed so
	// the first query meets the refused connection.
	db, err := gorm.Open(postgres.Open("postgres://postgres@127.0.0.1:1/verval?sslmode=disable&connect_timeout=2"),
		&gorm.Config{DisableAutomaticPing: true, TranslateError: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.NewStore(db, nil)
	if _, err := st.Authenticate(t.Context(), strings.Repeat("A", 43)); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Authenticate: got %v, want ErrUnavailable", err)
	}
	if _, _, _, err := st.Login(t.Context(), "desa1", usersPassword, time.Hour); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Login: got %v, want ErrUnavailable", err)
	}
	if err := store.WrapUnavailable(store.ErrBadCredentials); !errors.Is(err, store.ErrBadCredentials) || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("WrapUnavailable changed an unrelated error: %v", err)
	}
	if store.WrapUnavailable(nil) != nil {
		t.Error("WrapUnavailable(nil) != nil")
	}
}
