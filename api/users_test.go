package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
)

// Dinsos runs its regency's accounts: a new officer gets a one-time
// password and must change it; disabling ends the officer's sessions at
// once, enabling lets them sign in again; a reset hands out a new one-time
// password and ends the sessions, and so do a role change and an explicit
// end. Dinsos never makes an administrator nor disables itself, and
// another regency's account is not found.
func TestDinsosManagesAccounts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAPI(t, db, mxT0)
		for _, u := range []store.NewUser{
			{Username: "dinsos.blitar", Password: mxPassword, Name: "Dinsos Blitar", Role: auth.RoleDinsos, Region: "35.05"},
			{Username: "desa.llg", Password: mxPassword, Name: "Desa Lubuklinggau", Role: auth.RoleVillage, Region: "16.73.01.1001"},
		} {
			if _, err := a.st.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
		}
		dinsos := a.login("dinsos.blitar", mxPassword)
		post := func(path, token string, body any) *apiResponse {
			return a.do(apiRequest{method: "POST", route: routeOf(path), path: path, token: token, json: body})
		}
		r := post("/api/v1/users", dinsos, map[string]any{"username": "desa.jaten.2", "name": "Operator Kedua", "role": "village", "region": "35.05.01.2001"})
		var created struct {
			User            struct{ ID int64 }
			OneTimePassword string
		}
		if r.want(t, "create", http.StatusCreated) {
			r.decode(t, &created)
		}
		officer := a.login("desa.jaten.2", created.OneTimePassword)
		me := func(token string) *apiResponse {
			return a.do(apiRequest{method: "GET", route: "/api/v1/tasks", path: "/api/v1/tasks", token: token})
		}
		me(officer).want(t, "a step before changing the one-time password", http.StatusForbidden)
		post("/api/v1/me/password", officer, map[string]string{"currentPassword": created.OneTimePassword, "newPassword": "kopi-tubruk-jaten"}).
			want(t, "change", http.StatusNoContent)
		me(officer).want(t, "a step after the change", http.StatusOK)

		id := created.User.ID
		post(fmt.Sprintf("/api/v1/users/%d/disable", id), dinsos, nil).want(t, "disable", http.StatusOK)
		me(officer).want(t, "the session of a disabled account", http.StatusUnauthorized)
		if _, _, _, err := a.st.Login(t.Context(), "desa.jaten.2", "kopi-tubruk-jaten", time.Hour); err == nil {
			t.Error("a disabled account signs in")
		}
		post(fmt.Sprintf("/api/v1/users/%d/enable", id), dinsos, nil).want(t, "enable", http.StatusOK)
		officer = a.login("desa.jaten.2", "kopi-tubruk-jaten")
		r = post(fmt.Sprintf("/api/v1/users/%d/reset-password", id), dinsos, nil)
		var reset struct{ OneTimePassword string }
		if r.want(t, "reset", http.StatusOK) {
			r.decode(t, &reset)
		}
		me(officer).want(t, "the session after a reset", http.StatusUnauthorized)
		if reset.OneTimePassword == created.OneTimePassword || reset.OneTimePassword == "" {
			t.Errorf("reset gave %q", reset.OneTimePassword)
		}
		me(a.login("desa.jaten.2", reset.OneTimePassword)).want(t, "a step with the reset one-time password", http.StatusForbidden)

		// A role change (here: the officer becomes the kecamatan's TKSK)
		// ends the sessions, and the new session sees the new region.
		officer = a.login("desa.jaten.2", reset.OneTimePassword)
		post("/api/v1/me/password", officer, map[string]string{"currentPassword": reset.OneTimePassword, "newPassword": "kopi-tubruk-jaten"}).
			want(t, "change after the reset", http.StatusNoContent)
		post(fmt.Sprintf("/api/v1/users/%d/role", id), dinsos, map[string]string{"role": "tksk", "region": "35.05.01"}).want(t, "to TKSK", http.StatusOK)
		me(officer).want(t, "the session after a role change", http.StatusUnauthorized)
		if p, err := a.st.Authenticate(t.Context(), a.login("desa.jaten.2", "kopi-tubruk-jaten")); err != nil || p.Role != auth.RoleTKSK || p.Region != "35.05.01" {
			t.Errorf("after the role change: %+v, %v", p, err)
		}
		post(fmt.Sprintf("/api/v1/users/%d/role", id), dinsos, map[string]string{"role": "tksk", "region": "16.73.01"}).want(t, "a role in another regency", http.StatusUnprocessableEntity)
		post(fmt.Sprintf("/api/v1/users/%d/role", id), dinsos, map[string]string{"role": "admin"}).want(t, "Dinsos makes an administrator by a role change", http.StatusForbidden)
		post(fmt.Sprintf("/api/v1/users/%d/role", id), dinsos, map[string]string{"role": "tksk", "region": "35.05.01.2001"}).want(t, "a region of the wrong level", http.StatusUnprocessableEntity)
		if r := post("/api/v1/users", dinsos, map[string]any{"username": "tanpa.wilayah", "name": "Tanpa Wilayah", "role": "psm"}); r.want(t, "no region", http.StatusUnprocessableEntity) &&
			!strings.Contains(string(r.body), `"code":"user.region_format"`) {
			t.Errorf("an account without a region: %s, want user.region_format", r.body)
		}
		// Ending the sessions (a lost phone).
		tksk := a.login("desa.jaten.2", "kopi-tubruk-jaten")
		post(fmt.Sprintf("/api/v1/users/%d/end-sessions", id), dinsos, nil).want(t, "end sessions", http.StatusNoContent)
		me(tksk).want(t, "a session after they were ended", http.StatusUnauthorized)

		post("/api/v1/users", dinsos, map[string]any{"username": "admin2", "name": "Admin", "role": "admin"}).want(t, "Dinsos makes an administrator", http.StatusForbidden)
		var self store.User
		db.Where("username = ?", "dinsos.blitar").Take(&self)
		post(fmt.Sprintf("/api/v1/users/%d/disable", self.ID), dinsos, nil).want(t, "Dinsos disables itself", http.StatusConflict)
		var other store.User
		db.Where("username = ?", "desa.llg").Take(&other)
		post(fmt.Sprintf("/api/v1/users/%d/disable", other.ID), dinsos, nil).want(t, "another regency's account", http.StatusNotFound)
	})
}

// routeOf is the route pattern of an /api/v1/users path, for the OpenAPI
// check of apiRequest.
func routeOf(path string) string {
	var id int64
	var action string
	if n, _ := fmt.Sscanf(path, "/api/v1/users/%d/%s", &id, &action); n == 2 {
		return "/api/v1/users/:id/" + action
	}
	return path
}
