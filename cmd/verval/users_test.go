package main

import (
	"os"

	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/verval/verval/api"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// The first day of a real deployment: an empty database gets its first
// administrator from the command line with a one-time password; a
// second one is refused. The administrator signs in, can do nothing but
// change the password (not to a common one), and then works.
func TestBootstrapAdmin(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"VERVAL_DATA_DIR": dir, "LOG_LEVEL": "error"}[k] }
	cmd := func(stdin string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, out := cmd("", "users", "bootstrap-admin", "--username", "Admin", "--name", "Admin Dinsos")
	m := regexp.MustCompile(`one-time password: (\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "administrator admin created") {
		t.Fatalf("bootstrap: exit %d, %q", code, out)
	}
	oneTime := m[1]
	if code, out := cmd("kata-sandi-kedua-2026\n", "users", "bootstrap-admin", "--username", "admin2", "--password-stdin"); code != 1 || !strings.Contains(out, "an administrator already exists") {
		t.Fatalf("a second administrator: exit %d, %q", code, out)
	}
	if code, _ := cmd("", "users", "bootstrap-admin"); code != 2 {
		t.Errorf("no username: exit %d, want 2", code)
	}

	db, err := store.Open(context.Background(), "", filepath.Join(dir, "verval.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Deps{Office: office.New(office.Deps{Store: &store.Store{DB: db}}), SessionTTL: time.Hour})
	call := func(method, path, token string, body any) *httptest.ResponseRecorder {
		b, _ := json.Marshal(body)
		r := httptest.NewRequest(method, path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		return w
	}
	w := call("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": oneTime})
	var login struct {
		Token string
		User  struct{ MustChangePassword bool }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &login); w.Code != http.StatusOK || err != nil || !login.User.MustChangePassword {
		t.Fatalf("login with the one-time password: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/api/v1/cycles", login.Token, nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"code":"auth.password_change"`) {
		t.Fatalf("a step before the change: %d %s", w.Code, w.Body)
	}
	for _, c := range []struct {
		current, next, code string
	}{
		{"salah-sekali-2026", "kopi-tubruk-jaten", "user.password_wrong"},
		{oneTime, "Bismillah123", "user.password_common"},
		{oneTime, "admin", "user.password_short"},
		{oneTime, oneTime, "user.password_same"},
	} {
		w := call("POST", "/api/v1/me/password", login.Token, map[string]string{"currentPassword": c.current, "newPassword": c.next})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"code":"`+c.code+`"`) {
			t.Errorf("change to %q: %d %s, want 422 %s", c.next, w.Code, w.Body, c.code)
		}
	}
	if w := call("POST", "/api/v1/me/password", login.Token, map[string]string{"currentPassword": oneTime, "newPassword": "kopi-tubruk-jaten"}); w.Code != http.StatusNoContent {
		t.Fatalf("change: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/api/v1/cycles", login.Token, nil); w.Code != http.StatusOK {
		t.Fatalf("a step after the change: %d %s", w.Code, w.Body)
	}
	if w := call("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": oneTime}); w.Code != http.StatusUnauthorized {
		t.Errorf("the one-time password still signs in: %d", w.Code)
	}

	// Then the officers, from a file: a faulty row refuses it, the dry
	// run of the fixed file creates nothing, --apply creates them and
	// writes their one-time passwords to a new file only the operator reads.
	file := filepath.Join(dir, "petugas.csv")
	rows := "username,nama,no_hp,peran,kode_wilayah\n" +
		"desa.jaten,Operator Jaten,081234567890,operator desa,35.05.01.2001\n" +
		"pendamping.1,Pendamping PKH Satu,,pendamping pkh,35.05.01.2002;35.05.02.2001\n"
	write := func(content string) {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(rows + "tksk.x,TKSK,,tksk,35.05.99\n")
	if code, out := cmd("", "users", "import", "--as", "admin", file); code != 1 || !strings.Contains(out, "row 4, column kode_wilayah: not an official region code") {
		t.Fatalf("a faulty file: exit %d, %q", code, out)
	}
	write(rows)
	if code, out := cmd("", "users", "import", "--as", "admin", file); code != 0 || !strings.Contains(out, "2 accounts, no faults") {
		t.Fatalf("dry run: exit %d, %q", code, out)
	}
	if w := call("POST", "/api/v1/login", "", map[string]string{"username": "desa.jaten", "password": "x"}); w.Code != http.StatusUnauthorized {
		t.Fatalf("the dry run created an account: %d", w.Code)
	}
	if code, _ := cmd("", "users", "import", "--as", "admin", "--apply", file); code != 2 {
		t.Errorf("--apply without --passwords: exit %d, want 2", code)
	}
	sheet := filepath.Join(dir, "sandi.xlsx")
	if code, out := cmd("", "users", "import", "--as", "admin", "--apply", "--passwords", sheet, file); code != 0 || !strings.Contains(out, "2 accounts created") {
		t.Fatalf("import: exit %d, %q", code, out)
	}
	if fi, err := os.Stat(sheet); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("passwords file: %v %v", fi, err)
	}
	f, err := excelize.OpenFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetRows("Akun baru")
	if len(got) != 3 || got[2][1] != "pendamping.1" || got[2][5] != "35.05.01.2002;35.05.02.2001" {
		t.Fatalf("passwords file rows %q", got)
	}
	w = call("POST", "/api/v1/login", "", map[string]string{"username": "pendamping.1", "password": got[2][6]})
	var officer struct {
		User struct {
			Role               string
			Regions            []string
			MustChangePassword bool
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &officer); w.Code != http.StatusOK || err != nil || !officer.User.MustChangePassword ||
		officer.User.Role != "pendamping" || len(officer.User.Regions) != 2 {
		t.Fatalf("the companion's first login: %d %s", w.Code, w.Body)
	}
	if code, _ := cmd("", "users", "import", "--as", "admin", "--apply", "--passwords", sheet, file); code != 2 {
		t.Errorf("an existing passwords file is overwritten (exit %d, want 2)", code)
	}
}
