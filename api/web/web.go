// Package web serves verval's pages for people: village officers, the
// kecamatan's TKSK, Dinsos and the bupati's office. The pages are rendered
// on the server (html/template) in Bahasa Indonesia, mobile first, with one
// stylesheet and one small script embedded in the binary: no front-end
// build and nothing fetched from elsewhere, so a page loads on a village's
// slow phone connection.
//
// The pages go through the same code as the JSON API: the store queries
// that only see the caller's region (another village's household is a 404
// page), the household and decree workflows' Updates with their validators,
// and the API's own meeting recorder, decree and proposal steps and login
// throttle, handed over by package api when it calls Register. Sessions are the API's: the verval_session cookie
// holds the same token a bearer client sends.
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
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages need; package api builds them from its own.
type Deps struct {
	Store *store.Store
	// Cases sends the officers' results to the household workflows.
	Cases workflows.Cases
	Log   *slog.Logger
	// SessionTTL is how long a login lasts (the cookie's Max-Age too).
	SessionTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// WorkflowURL links a household's case in the Temporal Web UI.
	WorkflowURL func(cycleID, householdID int64) string
	// StuckQueryURL links the Web UI's list of a cycle's running cases in
	// p's region that entered their stage before a time.
	StuckQueryURL func(p auth.Principal, cy *store.Cycle, before time.Time) string
	// StuckStages are the stages a case can be stuck in (not final).
	StuckStages []string
	// RecordMeeting checks and records a village meeting and starts the
	// workflow that closes the village's list: the API's own logic. Broken
	// rules are *store.InvalidError.
	RecordMeeting func(ctx context.Context, p auth.Principal, a store.AuditActor, cy *store.Cycle, m *store.Meeting) error
	// Throttle is the API's login throttle, so the login page is no way
	// around it.
	Throttle Throttle
	// Office is the API's own decree and proposal logic, for the pages of
	// Dinsos and the bupati's office.
	Office Office
}

// Office is what the decree and proposal pages do, each step the very code
// behind the JSON API's route (api/decrees.go, api/proposals.go). Broken
// rules are *store.InvalidError naming the field; a step against the wrong
// state is store.ErrConflict.
type Office struct {
	// DraftDecree drafts a decree of every household of cy waiting for one
	// and starts its review workflow (POST /api/v1/cycles/{id}/decrees).
	DraftDecree func(ctx context.Context, a store.AuditActor, cy *store.Cycle) (*store.Decree, error)
	// DecreeStep sends a review step to the decree workflow's Update named
	// update (workflows.UpdateDecreeSubmit, ...), with its Update ID. The
	// validator's refusals are workflows.ValidationError application
	// errors; a decree number already used is a *store.InvalidError.
	DecreeStep func(ctx context.Context, a store.AuditActor, d *store.Decree, update, updateID string, r workflows.DecreeRequest) (workflows.DecreeState, error)
	// ProposalMonth is the batch month (YYYY-MM) of a proposal made now,
	// after the regency's monthly cut-off.
	ProposalMonth func() string
	// BuildProposal builds cy's Kemensos batch for month ("" for
	// ProposalMonth's).
	BuildProposal func(ctx context.Context, a store.AuditActor, cy *store.Cycle, month string) (*store.Proposal, error)
	// SubmitProposal marks batch p as sent to Kemensos and starts its
	// workflow.
	SubmitProposal func(ctx context.Context, a store.AuditActor, cy *store.Cycle, p *store.Proposal) error
	// ApplyAnswers applies Kemensos' answer file to batch p, all or
	// nothing; a refused file is an *activities.AnswerFileError.
	ApplyAnswers func(ctx context.Context, a store.AuditActor, p *store.Proposal, file []byte) (int, error)
	// MarkUnanswered records that Kemensos did not answer the rest of
	// batch p, with Dinsos' reason, and tells its workflow (POST
	// /api/v1/proposals/{id}/unanswered); it returns how many households
	// were marked. A missing reason is a *store.InvalidError; marked
	// households whose workflow could not be told an
	// *activities.AnswersNotGivenError.
	MarkUnanswered func(ctx context.Context, a store.AuditActor, p *store.Proposal, reason string) (int, error)
	// StartIntake checks an uploaded P3KE file, stores it as an intake of
	// cy and starts the intake (POST /api/v1/cycles/{id}/intake); a file
	// that cannot be read as P3KE is a *p3ke.FormatError.
	StartIntake func(ctx context.Context, a store.AuditActor, cy *store.Cycle, fh *multipart.FileHeader) (*store.Intake, error)
	// MaxIntakeFile is the largest P3KE file StartIntake takes, in bytes.
	MaxIntakeFile int64
	// CloseCycle closes cy (tutup buku) with reason and starts the
	// fan-out that ends its waiting households (POST
	// /api/v1/cycles/{id}/close); a missing reason is a
	// *store.InvalidError, a cycle already closed store.ErrConflict.
	CloseCycle func(ctx context.Context, a store.AuditActor, cy *store.Cycle, reason string) (*store.Cycle, error)
	// ResumeCycleClose starts a closed cycle's fan-out again if it failed
	// or was stopped; while it runs, or once it has finished, it is a no-op.
	ResumeCycleClose func(ctx context.Context, cy *store.Cycle) error
}

// Throttle is the login throttle the login page shares with POST
// /api/v1/login: failures counted per username and per client.
type Throttle struct {
	// Blocked says how long user or client ip must still wait, or 0.
	Blocked func(now time.Time, user, ip string) time.Duration
	// Failed counts a failed login.
	Failed func(now time.Time, user, ip string)
	// Succeeded forgets the username's failures.
	Succeeded func(user string)
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
	r.GET("/", h.home)
	r.GET("/masuk", h.loginPage)
	r.POST("/masuk", h.login)

	all := h.signedIn(auth.Roles()...)
	field := h.signedIn(auth.RoleVillage, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin)
	village := h.signedIn(auth.RoleVillage)
	supervisors := h.signedIn(auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin)
	watchers := h.signedIn(auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin)
	office := h.signedIn(auth.RoleDinsos, auth.RoleAdmin)

	r.POST("/keluar", all, h.logout)
	r.GET("/tugas", field, h.taskList)
	r.GET("/tugas/:id", field, h.taskPage)
	r.POST("/tugas/:id", village, h.submitVisit)
	r.POST("/tugas/:id/buka-ulang", supervisors, h.reopen)
	r.POST("/tugas/:id/tugaskan", supervisors, h.assign)
	r.GET("/musyawarah", village, h.meetingPage)
	r.POST("/musyawarah", village, h.recordMeeting)
	r.GET("/rumah-tangga/:id", all, h.householdPage)
	r.GET("/dasbor", all, h.dashboard)
	r.GET("/macet", watchers, h.stuckPage)
	r.GET("/unggah", office, h.uploadPage)
	// The P3KE file is far larger than any other form.
	r.POST("/unggah", h.signedInWith(h.uploadLimit(), auth.RoleDinsos, auth.RoleAdmin), h.upload)
	r.GET("/unggah/:id", office, h.intakePage)

	// Decrees and Kemensos proposals, with the roles of their API routes.
	dinsos := h.signedIn(auth.RoleDinsos)
	r.POST("/dasbor/tutup", dinsos, h.closeCycle)
	r.POST("/dasbor/tutup/lanjutkan", dinsos, h.resumeClose)
	bupati := h.signedIn(auth.RoleBupati)
	reviewers := h.signedIn(auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin)
	r.GET("/sk", reviewers, h.decreeList)
	r.POST("/sk", dinsos, h.draftDecree)
	r.GET("/sk/:id", reviewers, h.decreePage)
	r.POST("/sk/:id/ajukan", dinsos, h.decreeStep(workflows.UpdateDecreeSubmit))
	r.POST("/sk/:id/revisi", dinsos, h.decreeStep(workflows.UpdateDecreeRevise))
	r.POST("/sk/:id/batalkan", dinsos, h.decreeStep(workflows.UpdateDecreeWithdraw))
	r.POST("/sk/:id/kembalikan", bupati, h.decreeStep(workflows.UpdateDecreeReturn))
	r.POST("/sk/:id/tandatangani", bupati, h.decreeStep(workflows.UpdateDecreeSign))
	r.GET("/usulan", office, h.proposalList)
	r.POST("/usulan", dinsos, h.buildProposal)
	r.GET("/usulan/:id", office, h.proposalPage)
	r.POST("/usulan/:id/kirim", dinsos, h.submitProposal)
	r.POST("/usulan/:id/jawaban", dinsos, h.uploadAnswers)
	r.POST("/usulan/:id/tidak-dijawab", dinsos, h.markUnanswered)
}

func newPages(d Deps) *pages {
	if d.Now == nil {
		d.Now = time.Now
	}
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
	switch {
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

// actor is the caller as the audit trail records them.
func actor(c *gin.Context) store.AuditActor {
	p := principal(c)
	return store.AuditActor{UserID: p.UserID, Role: string(p.Role), RequestID: requestID(c)}
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

func (h *pages) cases() workflows.Cases { return h.d.Cases }

// redirect answers a form post with 303 See Other, so reloading the next
// page does not send the form again.
func redirect(c *gin.Context, to string) {
	c.Redirect(http.StatusSeeOther, to)
	c.Abort()
}

// cycles lists the caller's cycles and picks the one named by ?siklus=,
// else the newest. ok is false when the caller sees no cycle at all.
func (h *pages) cycles(c *gin.Context) (list []store.Cycle, cur *store.Cycle, err error) {
	list, err = h.d.Store.ListCycles(c.Request.Context(), principal(c))
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
