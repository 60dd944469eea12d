package web

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/store"
)

// Dinsos imports officers on the page: a faulty file is refused with each
// fault in Indonesian at its row and nothing created; the check of the
// fixed file creates nothing; the import shows each one-time password once,
// and the XLSX of them downloads once.
func TestAccountImportPage(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	users := func() int64 {
		var n int64
		e.st.DB.Model(&store.User{}).Count(&n)
		return n
	}
	before := users()
	good := "username,nama,no_hp,peran,kode_wilayah\n" +
		"psm.salam,PSM Salam,0812-1111-2222,psm,35.05.01.2002\n" +
		"pendamping.dua,Pendamping Dua,,Pendamping PKH,35.05.01.2001;35.05.01.2002\n"
	bad := good + "desa.luar,Operator Luar,,operator desa,16.73.01.1001\n" + "psm.salam,Kembar,,psm,35.05.01.2002\n"

	w := dinsos.uploadForm("/akun/impor", map[string]string{"aksi": "impor"}, "akun.csv", []byte(bad))
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "belum ada akun yang dibuat") ||
		!regexp.MustCompile(`<td>4</td><td><code>kode_wilayah</code></td><td>[^<]*wilayah`).MatchString(body) ||
		!strings.Contains(body, "<td>5</td><td><code>username</code></td><td>Nama pengguna ini juga ada di baris 2.</td>") {
		t.Fatalf("a faulty file: %d\n%s", w.Code, body)
	}
	if users() != before {
		t.Fatal("a refused file created accounts")
	}
	w = dinsos.uploadForm("/akun/impor", map[string]string{"aksi": "periksa"}, "akun.csv", []byte(good))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Berkas bersih: 2 akun siap diimpor") || users() != before {
		t.Fatalf("check: %d, %d users\n%s", w.Code, users(), w.Body)
	}
	w = dinsos.uploadForm("/akun/impor", map[string]string{"aksi": "impor"}, "akun.csv", []byte(good))
	m := regexp.MustCompile(`href="/akun/impor/(\d+)/sandi.xlsx"`).FindStringSubmatch(w.Body.String())
	passwords := regexp.MustCompile(`<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>`).FindAllStringSubmatch(w.Body.String(), -1)
	if w.Code != http.StatusOK || m == nil || len(passwords) != 2 || users() != before+2 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("import: %d, %d users, %d passwords\n%s", w.Code, users(), len(passwords), w.Body)
	}
	if _, _, _, err := e.st.Login(t.Context(), "pendamping.dua", passwords[1][1], time.Hour); err != nil {
		t.Errorf("the shown password does not sign in: %v", err)
	}
	sheet := fmt.Sprintf("/akun/impor/%s/sandi.xlsx", m[1])
	if w := dinsos.get(sheet); w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("download: %d %s", w.Code, w.Header())
	}
	if w := dinsos.get(sheet); w.Code != http.StatusConflict || !strings.Contains(html.UnescapeString(w.Body.String()), "sudah diunduh") {
		t.Fatalf("a second download: %d", w.Code)
	}
	if w := e.login("desa1").get("/akun/impor"); w.Code != http.StatusForbidden {
		t.Errorf("a village officer opens the import: %d", w.Code)
	}
}
