// Package web serves verval's pages for people: village officers, the
// kecamatan's TKSK, Dinsos and the bupati's office. The pages are rendered
// on the server (html/template) in Bahasa Indonesia, mobile first, with one
// stylesheet and one small script embedded in the binary: no front-end
// build and nothing fetched from elsewhere, so a page loads on a village's
// slow phone connection.
//
// The pages are a door onto the same office as the JSON API
// (internal/office): every step and every list is one of its methods,
// which checks role and region (another village's household is a 404
// page) and calls the store and the workflows' Updates with their
// validators. A refusal comes back as a *domain.Error and is shown in
// Indonesian by its code (i18n_errors.go). The login throttle is the
// API's, handed over when package api calls Register. Sessions are the
// API's: the verval_session cookie holds the same token a bearer client
// sends.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages need; package api builds them from its own.
type Deps struct {
	// Office takes every step and answers every read, as it does for the
	// JSON API: a page parses a form, calls one method and renders.
	Office *office.Service
	Log    *slog.Logger
	// SessionTTL is how long a login lasts (the cookie's Max-Age too).
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure (PUBLIC_URL is https;
	// TLS ends in front of verval, so the request's own TLS is not enough).
	SecureCookies bool
	// WorkflowURL links a household's case in the Temporal Web UI.
	WorkflowURL func(cycleID, householdID int64) string
	// StuckQueryURL links the Web UI's list of a cycle's running cases in
	// p's region that entered their stage before a time.
	StuckQueryURL func(p auth.Principal, cy *store.Cycle, before time.Time) string
	// SanggahURL links an objection's case in the Temporal Web UI.
	SanggahURL func(id int64) string
	// StatusTake counts a login-free status look-up by a client key (the
	// API's limiter, shared) or says how long the client must wait.
	StatusTake func(now time.Time, key string) time.Duration
	// Throttle is the API's login throttle, so the login page is no way
	// around it.
	Throttle Throttle
}

// Throttle is the login throttle the login page shares with POST
// /api/v1/login: failures counted per account, per address and per
// account and address together (api/auth.go).
type Throttle struct {
	// Blocked says how long user or client ip must still wait, or 0.
	Blocked func(now time.Time, user, ip string) time.Duration
	// Failed counts a failed login.
	Failed func(now time.Time, user, ip string)
	// Succeeded forgets the account's failures (and its pair's with ip).
	Succeeded func(user, ip string)
	// Acquire waits for a password-hashing slot.
	Acquire func(ctx context.Context) (release func(), err error)
	// ClientKey is the throttling key of a client address.
	ClientKey func(ip string) string
}

// pages holds the parsed templates and the dependencies.
type pages struct {
	d      Deps
	tmpl   map[string]*template.Template
	csrf   *http.CrossOriginProtection
	static map[string]staticFile
	// version is a hash of every static file, appended to their URLs so a
	// new release is fetched at once despite the year-long cache.
	version string
}

type staticFile struct {
	body  []byte
	ctype string
}

// Register adds the pages and /static/ to r. Page paths are Indonesian
// (/masuk, /tugas, ...); nothing under /api/ is touched.
func Register(r gin.IRouter, d Deps) {
	h := newPages(d)
	r.GET("/static/*file", h.serveStatic)
	// The service worker's scope is its path's directory: at the root it
	// may keep the task pages (/tugas/...) for offline use.
	r.GET("/sw.js", h.serviceWorker)
	r.GET("/", h.home)
	r.GET("/masuk", h.loginPage)
	r.POST("/masuk", h.login)

	may := func(st office.Step) gin.HandlerFunc { return h.signedIn(office.Roles(st)...) }
	r.POST("/keluar", h.signedIn(auth.Roles()...), h.logout)
	r.GET(passwordPath, h.signedIn(auth.Roles()...), h.passwordPage)
	r.POST(passwordPath, h.signedIn(auth.Roles()...), h.changePassword)
	r.GET("/tugas", may(office.StepReadTasks), h.taskList)
	r.GET("/tugas/:id", may(office.StepReadTasks), h.taskPage)
	r.POST("/tugas/:id", may(office.StepSubmitResult), h.submitVisit)
	r.POST("/tugas/:id/buka-ulang", may(office.StepReopen), h.reopen)
	r.POST("/tugas/:id/tugaskan", may(office.StepAssign), h.assign)
	r.POST("/tugas/:id/anggota", may(office.StepSubmitResult), h.changeMember)
	r.POST("/tugas/:id/foto", h.signedInWith(h.photoLimit(), office.Roles(office.StepSubmitResult)...), h.uploadVisitPhoto)
	r.GET("/foto/:id", may(office.StepReadPhotos), h.photo)
	r.POST("/rumah-tangga/:id/foto-usul", h.signedInWith(h.photoLimit(), office.Roles(office.StepUsul)...), h.uploadUsulPhoto())
	r.GET("/lokasi", may(office.StepVisitFlags), h.visitFlagsPage)
	r.GET("/bukti", may(office.StepReport), h.evidencePage)
	r.GET("/musyawarah", may(office.StepRecordMeeting), h.meetingPage)
	r.POST("/musyawarah", h.signedInWith(maxFileForm, office.Roles(office.StepRecordMeeting)...), h.recordMeeting)
	r.GET("/rumah-tangga/:id", may(office.StepReadHouseholds), h.householdPage)
	r.POST("/rumah-tangga/:id/perubahan", may(office.StepRecordChange), h.recordChange)
	r.POST("/rumah-tangga/:id/perubahan/keputusan", may(office.StepDecideChange), h.decideChange)
	r.GET("/dasbor", may(office.StepReadCycles), h.dashboard)
	r.GET("/laporan-perubahan", may(office.StepReport), h.changeReportPage)
	r.GET("/laporan-tahunan", may(office.StepReport), h.yearOnYearPage)
	r.POST("/dasbor/siklus-berikut", may(office.StepNextCycle), h.openNextCycle)
	r.GET("/macet", may(office.StepStuck), h.stuckPage)
	r.GET("/usul", may(office.StepUsul), h.usulPage)
	r.POST("/usul", may(office.StepUsul), h.proposeHousehold)
	r.GET("/sanggah", may(office.StepReadSanggah), h.sanggahList)
	r.POST("/sanggah", may(office.StepSanggah), h.fileSanggah)
	r.GET("/sanggah/:id", may(office.StepReadSanggah), h.sanggahPage)
	r.POST("/sanggah/:id/temuan", may(office.StepSanggahFinding), h.sanggahStep(false))
	r.POST("/sanggah/:id/keputusan", may(office.StepSanggahDecide), h.sanggahStep(true))
	r.POST("/sanggah/:id/foto", h.signedInWith(h.photoLimit(), office.Roles(office.StepSanggahPhoto)...), h.uploadSanggahPhoto())
	// Login-free: an objector's status by receipt code.
	r.GET("/status", h.statusPage)
	r.GET("/akun/impor", may(office.StepAccounts), h.accountImportPage)
	r.POST("/akun/impor", h.signedInWith(maxFileForm, office.Roles(office.StepAccounts)...), h.importAccounts)
	r.GET("/akun/impor/:id/sandi.xlsx", may(office.StepAccounts), h.accountSheet)
	r.GET("/unggah", may(office.StepIntake), h.uploadPage)
	// The P3KE file is far larger than any other form.
	r.POST("/unggah", h.signedInWith(h.uploadLimit(), office.Roles(office.StepIntake)...), h.upload)
	r.GET("/unggah/contoh.csv", may(office.StepIntake), h.sampleFile)
	r.POST("/unggah/cakupan", may(office.StepIntake), h.setScope)
	r.GET("/unggah/:id", may(office.StepIntake), h.intakePage)
	r.POST("/unggah/:id/lanjutkan", may(office.StepIntake), h.resumeIntake)

	// Decrees and Kemensos proposals.
	r.POST("/dasbor/tutup", may(office.StepCloseCycle), h.closeCycle)
	r.POST("/dasbor/tutup/lanjutkan", may(office.StepCloseCycle), h.resumeClose)
	r.GET("/sk", may(office.StepReadDecrees), h.decreeList)
	r.POST("/sk", may(office.StepDraftDecree), h.draftDecree)
	r.GET("/sk/:id", may(office.StepReadDecrees), h.decreePage)
	for path, update := range map[string]string{
		"ajukan": workflows.UpdateDecreeSubmit, "revisi": workflows.UpdateDecreeRevise, "batalkan": workflows.UpdateDecreeWithdraw,
		"kembalikan": workflows.UpdateDecreeReturn, "tandatangani": workflows.UpdateDecreeSign,
	} {
		r.POST("/sk/:id/"+path, may(office.DecreeStepOf(update)), h.decreeStep(update))
	}
	r.GET("/usulan", may(office.StepReadProposals), h.proposalList)
	r.POST("/usulan", may(office.StepProposals), h.buildProposal)
	r.GET("/usulan/:id", may(office.StepReadProposals), h.proposalPage)
	r.POST("/usulan/:id/kirim", may(office.StepProposals), h.submitProposal)
	r.POST("/usulan/:id/jawaban", h.signedInWith(maxFileForm, office.Roles(office.StepProposals)...), h.uploadAnswers)
	r.POST("/usulan/:id/tidak-dijawab", may(office.StepProposals), h.markUnanswered)

	// Accounts: Dinsos its regency's, the administrator every one.
	r.GET("/akun", may(office.StepAccounts), h.accountList)
	r.GET("/akun/baru", may(office.StepAccounts), h.newAccountPage)
	r.POST("/akun/baru", may(office.StepAccounts), h.createAccount)
	r.GET("/akun/:id", may(office.StepAccounts), h.accountPage)
	r.POST("/akun/:id/nonaktifkan", may(office.StepAccounts), h.setAccountDisabled(true))
	r.POST("/akun/:id/aktifkan", may(office.StepAccounts), h.setAccountDisabled(false))
	r.POST("/akun/:id/sandi", may(office.StepAccounts), h.resetAccountPassword)
	r.POST("/akun/:id/peran", may(office.StepAccounts), h.changeAccountRole)
	r.POST("/akun/:id/sesi", may(office.StepAccounts), h.endAccountSessions)
}

func newPages(d Deps) *pages {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	h := &pages{d: d, csrf: http.NewCrossOriginProtection(), static: map[string]staticFile{}}
	sum := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		h.static[name] = staticFile{body: b, ctype: mime.TypeByExtension(path.Ext(name))}
		sum.Write([]byte(name))
		sum.Write(b)
		return nil
	})
	if err != nil {
		panic("web: embedded static files: " + err.Error())
	}
	h.version = hex.EncodeToString(sum.Sum(nil))[:12]
	h.tmpl = parseTemplates(h.funcs())
	return h
}

// parseTemplates parses every page with the layout. A broken template is
// a programming error, caught by any test that builds the pages.
func parseTemplates(funcs template.FuncMap) map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t := template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
		out[strings.TrimSuffix(base, ".html")] = t
	}
	return out
}

// serveStatic serves the embedded CSS and script with a year-long cache:
// their URLs carry the release's hash, so a change gets a new URL.
func (h *pages) serveStatic(c *gin.Context) {
	f, ok := h.static[strings.TrimPrefix(c.Param("file"), "/")]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, f.ctype, f.body)
}

// serviceWorker serves static/sw.js at /sw.js, revalidated on every
// load so a new release's worker replaces the old one.
func (h *pages) serviceWorker(c *gin.Context) {
	f := h.static["sw.js"]
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", f.body)
}

// view is what every page template gets.
type view struct {
	Title string
	// User is the signed-in caller; nil on the login page.
	User *auth.Principal
	CSRF string
	// Active is the navigation entry to highlight.
	Active string
	// Flash is a success message shown at the top.
	Flash string
	// Error is a message about the whole form or page.
	Error string
	// Refresh, when set, makes the page reload itself every few seconds
	// without JavaScript.
	Refresh bool
	Data    any
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page. Pages hold personal data: never cached.
func (h *pages) render(c *gin.Context, status int, name string, v *view) {
	if p, ok := c.Get(principalKey); ok {
		pp := p.(auth.Principal)
		v.User = &pp
		v.CSRF = csrfToken(c.GetString(tokenKey))
	}
	var buf bytes.Buffer
	if err := h.tmpl[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.d.Log.Error("page render failed", "page", name, "requestId", requestID(c), "err", err)
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Terjadi kesalahan di server."))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage answers with a short page explaining what went wrong.
func (h *pages) errorPage(c *gin.Context, status int, msg string) {
	titles := map[int]string{
		http.StatusForbidden: "Akses ditolak", http.StatusNotFound: "Tidak ditemukan",
		http.StatusTooManyRequests: "Terlalu banyak percobaan", http.StatusServiceUnavailable: "Layanan sedang sibuk",
	}
	title, ok := titles[status]
	if !ok {
		title = "Terjadi kesalahan"
	}
	h.render(c, status, "error", &view{Title: title, Error: msg})
	c.Abort()
}

// fail is the pages' one error mapper, matching the API's: not found is a
// 404 page (also for another region's data, whose existence it does not
// reveal), an unreachable database or Temporal a 503, the rest a logged
// 500 with no internals shown.
func (h *pages) fail(c *gin.Context, err error) {
	var unavailable *serviceerror.Unavailable
	forbidden, _ := domain.As(err)
	switch {
	case forbidden != nil && forbidden.Kind() == domain.KindForbidden:
		h.errorPage(c, http.StatusForbidden, errorText(forbidden))
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(c, http.StatusNotFound, "Data tidak ditemukan, atau bukan bagian dari wilayah Anda.")
	case errors.As(err, &unavailable), errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		h.d.Log.Warn("dependency unavailable", "route", c.FullPath(), "requestId", requestID(c), "err", err)
		h.errorPage(c, http.StatusServiceUnavailable, "Layanan sedang tidak dapat dihubungi. Coba lagi sebentar lagi.")
	default:
		h.d.Log.Error("page failed", "route", c.FullPath(), "requestId", requestID(c), "err", err)
		h.errorPage(c, http.StatusInternalServerError, "Terjadi kesalahan di server. Coba lagi; jika masih gagal, hubungi administrator dengan kode "+requestID(c)+".")
	}
}

// requestID is the id the API's middleware gave the request (its
// X-Request-ID response header), for logs and the audit trail.
func requestID(c *gin.Context) string { return c.Writer.Header().Get("X-Request-ID") }

// caller is who takes the page's step, for the office.
func caller(c *gin.Context) office.Caller {
	return office.Caller{Principal: principal(c), RequestID: requestID(c)}
}

// refusal is a step the office refused for a reason the person can act on
// (a broken rule, a conflict with the current state): its Indonesian text
// and the status the page answers with. ok is false for any other error,
// which h.fail handles.
func refusal(err error) (e *domain.Error, msg string, status int, ok bool) {
	e, ok = domain.As(err)
	if !ok {
		return nil, "", 0, false
	}
	switch e.Kind() {
	case domain.KindInvalid, domain.KindBadRequest:
		return e, errorText(e), http.StatusUnprocessableEntity, true
	case domain.KindConflict:
		return e, errorText(e), http.StatusConflict, true
	}
	return nil, "", 0, false
}

// pathID parses the :id parameter; a malformed id is simply not found.
func (h *pages) pathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(c, store.ErrNotFound)
		return 0, false
	}
	return id, true
}

// redirect answers a form post with 303 See Other, so reloading the next
// page does not send the form again.
func redirect(c *gin.Context, to string) {
	c.Redirect(http.StatusSeeOther, to)
	c.Abort()
}

// cycles lists the caller's cycles and picks the one named by ?siklus=,
// else the newest. ok is false when the caller sees no cycle at all.
func (h *pages) cycles(c *gin.Context) (list []store.Cycle, cur *store.Cycle, err error) {
	list, err = h.d.Office.Cycles(c.Request.Context(), caller(c))
	if err != nil || len(list) == 0 {
		return list, nil, err
	}
	cur = &list[0]
	v := c.Query("siklus")
	if v == "" && c.Request.Method == http.MethodPost {
		v = c.PostForm("siklus")
	}
	if v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		for i := range list {
			if list[i].ID == id {
				cur = &list[i]
			}
		}
	}
	return list, cur, nil
}
