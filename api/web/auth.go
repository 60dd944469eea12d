package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
)

// SessionCookie holds the session token for the pages. It is the cookie the
// API's authenticate reads too (api/auth.go), so a signed-in page can fetch
// /api/v1/intakes/{id} and download the row-error CSV.
const SessionCookie = "verval_session"

// csrfField is the form field carrying the per-session CSRF token.
const csrfField = "csrf"

// maxFormBody bounds a page's form post: the longest text fields are a few
// thousand characters. A larger post is answered 413 before anything
// reads it past the limit.
const maxFormBody = 1 << 20

// maxFileForm bounds the forms that carry a file besides the P3KE upload:
// the meeting's scanned berita acara (10 MB) and Kemensos' answer file,
// with their fields.
const maxFileForm = 11 << 20

// Gin context keys.
const (
	principalKey = "web.principal"
	tokenKey     = "web.token"
)

// principal returns the caller signedIn admitted.
func principal(c *gin.Context) auth.Principal {
	p, ok := c.Get(principalKey)
	if !ok {
		panic("web: principal called on a page without signedIn()")
	}
	return p.(auth.Principal)
}

// csrfToken is the CSRF token of a session: an HMAC keyed by the session
// token, which only the signed-in browser holds (the cookie is HttpOnly).
// Another site can neither read nor compute it, every replica computes the
// same one without shared state, and it dies with the session.
func csrfToken(session string) string {
	if session == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("verval web form v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signedIn admits a request with a live session whose role is one of roles.
// No session: the login page (which sends the person back afterwards). A
// post must also be same-origin (Go's cross-origin protection, which reads
// Sec-Fetch-Site and Origin) and carry the session's CSRF token: two
// independent defences, so neither an old browser nor a token leak alone
// opens a hole.
func (h *pages) signedIn(roles ...auth.Role) gin.HandlerFunc {
	return h.signedInWith(maxFormBody, roles...)
}

// signedInWith is signedIn for a form whose post may be up to limit bytes.
func (h *pages) signedInWith(limit int64, roles ...auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, _ := c.Cookie(SessionCookie)
		if token == "" {
			h.toLogin(c)
			return
		}
		post := c.Request.Method == http.MethodPost
		if post {
			if err := h.csrf.Check(c.Request); err != nil {
				h.errorPage(c, http.StatusForbidden, "Permintaan dari situs lain ditolak.")
				return
			}
		}
		p, err := h.d.Office.Authenticate(c.Request.Context(), token)
		switch {
		case errors.Is(err, store.ErrBadCredentials):
			h.clearCookie(c)
			h.toLogin(c)
			return
		case err != nil:
			h.fail(c, store.WrapUnavailable(err))
			return
		}
		if !p.Is(roles...) {
			h.errorPage(c, http.StatusForbidden, "Halaman ini bukan untuk peran Anda ("+roleName(p.Role)+").")
			return
		}
		if p.MustChangePassword && c.FullPath() != passwordPath && c.FullPath() != "/keluar" {
			// The office refuses every other step until the one-time
			// password is changed: go there first.
			redirect(c, passwordPath)
			return
		}
		if post {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
			got, err := formValue(c, csrfField)
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				h.errorPage(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("Kiriman terlalu besar: paling besar %d MB; tidak ada yang disimpan.", limit>>20))
				return
			}
			if !hmac.Equal([]byte(got), []byte(csrfToken(token))) {
				h.errorPage(c, http.StatusForbidden, "Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.")
				return
			}
		}
		c.Set(principalKey, p)
		c.Set(tokenKey, token)
		c.Next()
	}
}

// formValue reads a form field of a urlencoded or multipart post.
func formValue(c *gin.Context, name string) (string, error) {
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
			return "", err
		}
	} else if err := c.Request.ParseForm(); err != nil {
		// A form over the limit is reported, not read as empty.
		return "", err
	}
	return c.PostForm(name), nil
}

// toLogin sends the person to the login page, remembering where they were
// going (for a page view; a form post is not replayed).
func (h *pages) toLogin(c *gin.Context) {
	to := "/masuk"
	if c.Request.Method == http.MethodGet {
		to += "?ke=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	redirect(c, to)
}

// localPath reports whether to is a path on this site, so ?ke= cannot send
// a person elsewhere after login (an open redirect).
func localPath(to string) bool {
	return strings.HasPrefix(to, "/") && !strings.HasPrefix(to, "//") && !strings.HasPrefix(to, "/\\") &&
		!strings.ContainsAny(to, "\r\n") && !strings.HasPrefix(to, "/api/")
}

// homeOf is where a role lands after login: the village its tasks, the
// bupati's office its decrees, the others the dashboard.
func homeOf(r auth.Role) string {
	switch {
	case r.Visits():
		return "/tugas"
	case r == auth.RoleBupati:
		return "/sk"
	}
	return "/dasbor"
}

// home sends a signed-in person to their first page, anyone else to login.
func (h *pages) home(c *gin.Context) {
	if token, _ := c.Cookie(SessionCookie); token != "" {
		if p, err := h.d.Office.Authenticate(c.Request.Context(), token); err == nil {
			redirect(c, homeOf(p.Role))
			return
		}
	}
	redirect(c, "/masuk")
}

type loginData struct {
	Username string
	Next     string
}

func (h *pages) loginPage(c *gin.Context) {
	next := c.Query("ke")
	if !localPath(next) {
		next = ""
	}
	if token, _ := c.Cookie(SessionCookie); token != "" {
		if p, err := h.d.Office.Authenticate(c.Request.Context(), token); err == nil {
			if next == "" {
				next = homeOf(p.Role)
			}
			redirect(c, next)
			return
		}
	}
	h.render(c, http.StatusOK, "login", &view{Title: "Masuk", Data: loginData{Next: next}})
}

// login checks the password through the API's throttle and store.Login, and
// sets the session cookie: HttpOnly (no script reads it), SameSite=Lax (no
// other site's form posts carry it) and Secure when PUBLIC_URL is https. A new token per
// login, so a session cannot be planted beforehand.
func (h *pages) login(c *gin.Context) {
	if err := h.csrf.Check(c.Request); err != nil {
		h.errorPage(c, http.StatusForbidden, "Permintaan dari situs lain ditolak.")
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 8<<10)
	username, password := strings.TrimSpace(c.PostForm("username")), c.PostForm("password")
	next := c.PostForm("ke")
	if !localPath(next) {
		next = ""
	}
	data := loginData{Username: username, Next: next}
	if username == "" || password == "" {
		h.render(c, http.StatusBadRequest, "login", &view{Title: "Masuk", Error: "Isi nama pengguna dan kata sandi.", Data: data})
		return
	}
	t := h.d.Throttle
	user := store.NormalizeUsername(username)
	ip := t.ClientKey(c.ClientIP())
	if wait := t.Blocked(h.d.Office.Now(), user, ip); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Header("Retry-After", fmt.Sprint(secs))
		again := fmt.Sprintf("%d detik", secs)
		if secs > 90 {
			again = fmt.Sprintf("%d menit", (secs+59)/60)
		}
		h.render(c, http.StatusTooManyRequests, "login", &view{Title: "Masuk", Data: data,
			Error: "Terlalu banyak percobaan yang gagal. Coba lagi dalam " + again + "."})
		return
	}
	ctx := c.Request.Context()
	release, err := t.Acquire(ctx)
	if err != nil {
		h.fail(c, store.ErrUnavailable)
		return
	}
	token, p, _, err := h.d.Office.Login(ctx, user, password, h.d.SessionTTL)
	release()
	switch {
	case errors.Is(err, store.ErrBadCredentials):
		t.Failed(h.d.Office.Now(), user, ip)
		h.render(c, http.StatusUnauthorized, "login", &view{Title: "Masuk", Error: "Nama pengguna atau kata sandi salah.", Data: data})
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	t.Succeeded(user, ip)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: int(h.d.SessionTTL.Seconds()),
		HttpOnly: true, Secure: h.secure(c), SameSite: http.SameSiteLaxMode,
	})
	if next == "" || p.MustChangePassword {
		next = homeOf(p.Role)
	}
	if p.MustChangePassword {
		next = passwordPath
	}
	redirect(c, next)
}

// passwordPath is the page where a person changes their password.
const passwordPath = "/sandi"

type passwordForm struct {
	// OneTime: the person signed in with a one-time password.
	OneTime bool
	Errors  map[string]string
}

// passwordPage is the form to change one's password; after a one-time
// password, the only page open.
func (h *pages) passwordPage(c *gin.Context) {
	p := principal(c)
	h.render(c, http.StatusOK, "password", &view{Title: "Ganti kata sandi", Data: passwordForm{OneTime: p.MustChangePassword}})
}

// changePassword changes the password through the office, which checks
// the current one and the new one's rules; a refusal is shown beside its
// field.
func (h *pages) changePassword(c *gin.Context) {
	p := principal(c)
	f := passwordForm{OneTime: p.MustChangePassword, Errors: map[string]string{}}
	next := c.PostForm("newPassword")
	if next != c.PostForm("repeatPassword") {
		f.Errors["repeatPassword"] = "Kedua isian kata sandi baru tidak sama."
		h.render(c, http.StatusUnprocessableEntity, "password", &view{Title: "Ganti kata sandi", Data: f})
		return
	}
	err := h.d.Office.ChangePassword(c.Request.Context(), caller(c), c.PostForm("currentPassword"), next)
	if e, msg, status, ok := refusal(err); ok {
		field := e.Field
		if field == "" || field == "password" {
			field = "newPassword"
		}
		f.Errors[field] = msg
		h.render(c, status, "password", &view{Title: "Ganti kata sandi", Data: f})
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, homeOf(p.Role))
}

// logout revokes the session and removes the cookie.
func (h *pages) logout(c *gin.Context) {
	if err := h.d.Office.Logout(c.Request.Context(), c.GetString(tokenKey)); err != nil {
		h.fail(c, err)
		return
	}
	h.clearCookie(c)
	redirect(c, "/masuk")
}

func (h *pages) clearCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure(c), SameSite: http.SameSiteLaxMode})
}

// secure: the session cookie is Secure when the public address is https
// (Deps.SecureCookies), or the request itself came over TLS.
func (h *pages) secure(c *gin.Context) bool {
	return h.d.SecureCookies || c.Request.TLS != nil
}
