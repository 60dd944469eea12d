package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
)

// A person given a one-time password lands on the change page at login,
// every other page sends them back there, a refused new password is shown
// beside its field, and once changed the pages open.
func TestOneTimePasswordMustBeChanged(t *testing.T) {
	e := newEnv(t)
	const oneTime = "abcd-efgh-jkmn-pqrs"
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "desa3", Password: oneTime, Name: "Operator Baru",
		Role: auth.RoleVillage, Region: jaten, OneTime: true}); err != nil {
		t.Fatal(err)
	}
	w := e.do(nil, "POST", "/masuk", url.Values{"username": {"desa3"}, "password": {oneTime}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sandi" {
		t.Fatalf("login with a one-time password: %d %q", w.Code, w.Header().Get("Location"))
	}
	var b *browser
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			b = &browser{e: e, cookie: c.Value}
		}
	}
	if w := b.get("/tugas"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sandi" {
		t.Fatalf("the task list before the change: %d %q", w.Code, w.Header().Get("Location"))
	}
	if page := b.get("/sandi").Body.String(); !strings.Contains(page, "kata sandi sekali pakai") {
		t.Fatalf("the change page does not say why:\n%s", page)
	}
	w = b.post("/sandi", url.Values{"currentPassword": {oneTime}, "newPassword": {"Bismillah123"}, "repeatPassword": {"Bismillah123"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "newPassword"), "umum dipakai") {
		t.Fatalf("a common password: %d", w.Code)
	}
	w = b.post("/sandi", url.Values{"currentPassword": {oneTime}, "newPassword": {"kopi-tubruk-jaten"}, "repeatPassword": {"kopi-tubruk-jatem"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "repeatPassword"), "tidak sama") {
		t.Fatalf("a mistyped repeat: %d", w.Code)
	}
	w = b.post("/sandi", url.Values{"currentPassword": {oneTime}, "newPassword": {"kopi-tubruk-jaten"}, "repeatPassword": {"kopi-tubruk-jaten"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/tugas" {
		t.Fatalf("change: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if w := b.get("/tugas"); w.Code != http.StatusOK {
		t.Fatalf("the task list after the change: %d", w.Code)
	}
}
