package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
)

// account is the stored account of username.
func (e *env) account(username string) store.User {
	e.t.Helper()
	var u store.User
	if err := e.st.DB.Where("username = ?", username).First(&u).Error; err != nil {
		e.t.Fatalf("account %s: %v", username, err)
	}
	return u
}

var oneTimeRE = regexp.MustCompile(`<strong class="onetime">([^<]+)</strong>`)

// oneTimeOf is the one-time password a page shows, or "".
func oneTimeOf(page string) string {
	if m := oneTimeRE.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// Dinsos creates an account on the page: the answer shows the one-time
// password once (never cached), which signs the new officer in to change
// it; neither the account's page nor the list shows it again. A refused
// form comes back with the message next to its field and the typed region
// codes named.
func TestDinsosCreatesAnAccount(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	if w := dinsos.get("/akun/baru"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<option value="pendamping"`) ||
		strings.Contains(w.Body.String(), `<option value="admin"`) {
		t.Fatalf("the create form: %d\n%s", w.Code, w.Body)
	}

	// A desa of the regency and a kelurahan of another, for a PKH companion.
	w := dinsos.post("/akun/baru", url.Values{"username": {"pkh.wonodadi"}, "name": {"Sri Rahayu"}, "phone": {"0812-3456-7890"},
		"role": {"pendamping"}, "region": {"35.05.01.2001;\n16.73.01.1001"}})
	page := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, page, "region"), "Di luar wilayah Anda") {
		t.Fatalf("a region of another regency: %d\n%s", w.Code, page)
	}
	if r := field(t, page, "region"); !strings.Contains(r, "35.05.01.2001: Desa Jaten") || !strings.Contains(r, "16.73.01.1001: Kelurahan") ||
		!strings.Contains(page, `value="pkh.wonodadi"`) || !strings.Contains(page, `value="0812-3456-7890"`) {
		t.Errorf("the refused form does not keep what was typed or name the regions:\n%s", r)
	}
	w = dinsos.post("/akun/baru", url.Values{"username": {"desa1"}, "name": {"Sri Rahayu"}, "role": {"village"}, "region": {jaten}})
	if w.Code != http.StatusConflict || !strings.Contains(field(t, w.Body.String(), "username"), "sudah dipakai") {
		t.Fatalf("a taken username: %d\n%s", w.Code, w.Body)
	}

	w = dinsos.post("/akun/baru", url.Values{"username": {"pkh.wonodadi"}, "name": {"Sri Rahayu"}, "phone": {"0812-3456-7890"},
		"role": {"pendamping"}, "region": {"35.05.01.2001; 35.05.01.2002"}})
	page = w.Body.String()
	oneTime := oneTimeOf(page)
	if w.Code != http.StatusOK || len(oneTime) < 10 {
		t.Fatalf("create: %d\n%s", w.Code, page)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the one-time password's page is cacheable: %q", cc)
	}
	if !strings.Contains(page, "hanya ditampilkan sekali") || !strings.Contains(page, "serahkan") {
		t.Errorf("the page does not say to hand the password over, nor that it is shown once:\n%s", page)
	}
	u := e.account("pkh.wonodadi")
	if u.Role != string(auth.RolePendamping) || u.Regions != "35.05.01.2001;35.05.01.2002" || u.Phone != "081234567890" || !u.MustChangePassword {
		t.Errorf("stored account %+v", u)
	}
	for _, p := range []string{fmt.Sprintf("/akun/%d", u.ID), "/akun?q=pkh", "/akun"} {
		w := dinsos.get(p)
		if w.Code != http.StatusOK || strings.Contains(w.Body.String(), oneTime) {
			t.Errorf("%s: %d, shows the one-time password again: %v", p, w.Code, strings.Contains(w.Body.String(), oneTime))
		}
	}
	list := dinsos.get("/akun?q=pkh").Body.String()
	for _, want := range []string{fmt.Sprintf(`href="/akun/%d"`, u.ID), "Sri Rahayu", "Pendamping PKH", "Desa Jaten, Desa Salam", "081234567890", "Harus ganti sandi"} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if strings.Contains(list, "desa1") {
		t.Error("the search shows an account that does not match")
	}

	// The new officer signs in with it and must change it first.
	w = e.do(nil, "POST", "/masuk", url.Values{"username": {"pkh.wonodadi"}, "password": {oneTime}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != passwordPath {
		t.Fatalf("login with the one-time password: %d %q", w.Code, w.Header().Get("Location"))
	}
	var audit int64
	e.st.DB.Model(&store.AuditEntry{}).Where("action = ?", "user.create").Count(&audit)
	if audit != 1 {
		t.Errorf("%d user.create audit entries, want 1", audit)
	}
}

// Dinsos manages its own regency's accounts only: another regency's
// account is the 404 page, on every step, and is left as it was.
func TestAnotherRegencysAccountIsNotFound(t *testing.T) {
	e := newEnv(t)
	other, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "kel.airkuti", Password: password, Name: "Operator Air Kuti",
		Role: auth.RoleVillage, Region: "16.73.01.1001"})
	if err != nil {
		t.Fatal(err)
	}
	dinsos := e.login("dinsos")
	base := fmt.Sprintf("/akun/%d", other.ID)
	if w := dinsos.get(base); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Air Kuti") {
		t.Fatalf("another regency's account: %d\n%s", w.Code, w.Body)
	}
	for _, step := range []string{"nonaktifkan", "sandi", "peran", "sesi"} {
		w := dinsos.post(base+"/"+step, url.Values{"role": {"village"}, "region": {jaten}})
		if w.Code != http.StatusNotFound || oneTimeOf(w.Body.String()) != "" {
			t.Errorf("%s on another regency's account: %d", step, w.Code)
		}
	}
	if u := e.account("kel.airkuti"); u.Disabled || u.MustChangePassword || u.RegionCode != "16.73.01.1001" {
		t.Errorf("another regency's account changed: %+v", u)
	}
	if strings.Contains(dinsos.get("/akun?q=kel").Body.String(), "kel.airkuti") {
		t.Error("the list shows another regency's account")
	}
}

// Disabling an account ends its sessions at once and keeps it out until
// it is enabled; ending its sessions signs it out of every device; a reset
// password is shown once and the old one stops working; a role change
// takes the new regions. A post without the form's token changes nothing.
func TestAccountSteps(t *testing.T) {
	e := newEnv(t)
	dinsos, desa1 := e.login("dinsos"), e.login("desa1")
	id := e.account("desa1").ID
	base := fmt.Sprintf("/akun/%d", id)
	if w := desa1.get("/tugas"); w.Code != http.StatusOK {
		t.Fatalf("desa1 before: %d", w.Code)
	}

	if w := dinsos.post(base+"/nonaktifkan", url.Values{csrfField: {"salah"}}); w.Code != http.StatusForbidden || e.account("desa1").Disabled {
		t.Fatalf("a post with a wrong token: %d", w.Code)
	}
	w := dinsos.post(base+"/nonaktifkan", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != base+"?dinonaktifkan=1" {
		t.Fatalf("disable: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := desa1.get("/tugas"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/masuk") {
		t.Errorf("the disabled officer's session still opens pages: %d", w.Code)
	}
	if w := e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {password}}); w.Code != http.StatusUnauthorized {
		t.Errorf("a disabled account signs in: %d", w.Code)
	}
	if page := dinsos.get(base + "?dinonaktifkan=1").Body.String(); !strings.Contains(page, "Nonaktif") || !strings.Contains(page, base+"/aktifkan") {
		t.Errorf("the account's page after disabling:\n%s", page)
	}
	if w := dinsos.post(base+"/aktifkan", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", w.Code)
	}
	desa1 = e.login("desa1")

	if w := dinsos.post(base+"/sesi", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != base+"?sesi=1" {
		t.Fatalf("end sessions: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := desa1.get("/tugas"); w.Code != http.StatusSeeOther {
		t.Errorf("a session survives ending them all: %d", w.Code)
	}

	w = dinsos.post(base+"/sandi", nil)
	oneTime := oneTimeOf(w.Body.String())
	if w.Code != http.StatusOK || len(oneTime) < 10 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("reset: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if w := e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {password}}); w.Code != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", w.Code)
	}
	if w := e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {oneTime}}); w.Header().Get("Location") != passwordPath {
		t.Errorf("the reset password: %d %q", w.Code, w.Header().Get("Location"))
	}

	// An unknown code: refused next to the field, with both codes named.
	w = dinsos.post(base+"/peran", url.Values{"role": {"village"}, "region": {jaten + "\n35.05.01.2999"}})
	if r := field(t, w.Body.String(), "region"); w.Code != http.StatusUnprocessableEntity || !strings.Contains(r, "35.05.01.2001: Desa Jaten") ||
		!strings.Contains(r, "35.05.01.2999: <em>kode tidak dikenal</em>") {
		t.Fatalf("two desa for a village officer: %d\n%s", w.Code, w.Body)
	}
	if w := dinsos.post(base+"/peran", url.Values{"role": {"pendamping"}, "region": {jaten + "\n" + salam}}); w.Code != http.StatusSeeOther {
		t.Fatalf("role change: %d\n%s", w.Code, w.Body)
	}
	if u := e.account("desa1"); u.Role != string(auth.RolePendamping) || u.Regions != jaten+";"+salam {
		t.Errorf("after the role change: %+v", u)
	}
	// Dinsos's own account has no disable or role form, and the office
	// refuses them anyway.
	self := fmt.Sprintf("/akun/%d", e.account("dinsos").ID)
	if page := dinsos.get(self).Body.String(); strings.Contains(page, self+"/nonaktifkan") || strings.Contains(page, self+"/peran") {
		t.Error("one's own account offers to disable it or change its role")
	}
	if w := dinsos.post(self+"/nonaktifkan", nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `role="alert"`) {
		t.Errorf("disabling oneself: %d", w.Code)
	}
}

// Only Dinsos and the administrator have the account pages.
func TestAccountPagesAreTheOfficesOnly(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"desa1", "tksk", "bupati", "pendamping"} {
		b := e.login(name)
		if w := b.get("/akun"); w.Code != http.StatusForbidden {
			t.Errorf("%s: /akun %d, want 403", name, w.Code)
		}
		if w := b.post("/akun/baru", url.Values{"username": {"x.baru"}, "name": {"X"}, "role": {"village"}, "region": {jaten}}); w.Code != http.StatusForbidden {
			t.Errorf("%s: create %d, want 403", name, w.Code)
		}
	}
	for r, want := range map[auth.Role]bool{auth.RoleVillage: false, auth.RoleTKSK: false, auth.RoleBupati: false, auth.RoleDinsos: true, auth.RoleAdmin: true} {
		has := false
		for _, n := range navFor(r) {
			has = has || n.Href == "/akun"
		}
		if has != want {
			t.Errorf("%s: Akun in the navigation %v, want %v", r, has, want)
		}
	}
}
