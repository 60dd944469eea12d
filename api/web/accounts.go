package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

// The account pages: Dinsos manages the accounts of its own regency, the
// administrator every account. Each page calls the office method the JSON
// API's /api/v1/users routes call (internal/office), which checks who
// manages whom (another regency's account is the 404 page) and writes the
// audit entry. A one-time password is shown once, on the answer to the
// post that made it, and never again.

// accountsPerPage is how many accounts one page of the list shows.
const accountsPerPage = 50

// accountRow is one account in the list.
type accountRow struct {
	store.User
	RegionNames string
}

type accountListData struct {
	Accounts         []accountRow
	Q                string
	Total            int64
	Page, Pages      int
	PrevURL, NextURL string
}

// accountList lists the accounts the caller manages by username, searched
// by username and name (?q=), a page at a time (?halaman=).
func (h *pages) accountList(c *gin.Context) {
	d := accountListData{Q: strings.TrimSpace(c.Query("q")), Page: 1}
	if n, err := strconv.Atoi(c.Query("halaman")); err == nil && n >= 1 && n <= 1_000_000 {
		d.Page = n
	}
	users, total, err := h.d.Office.Accounts(c.Request.Context(), caller(c), store.UserFilter{Query: d.Q, Page: d.Page, PerPage: accountsPerPage})
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, u := range users {
		d.Accounts = append(d.Accounts, accountRow{User: u, RegionNames: regionsName(u.RegionList())})
	}
	d.Total = total
	d.Pages = int((total + accountsPerPage - 1) / accountsPerPage)
	page := func(n int) string {
		q := url.Values{}
		if d.Q != "" {
			q.Set("q", d.Q)
		}
		if n > 1 {
			q.Set("halaman", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/akun"
		}
		return "/akun?" + q.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = page(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = page(d.Page + 1)
	}
	h.render(c, http.StatusOK, "accounts", &view{Title: "Akun", Active: "akun", Data: d})
}

// regionShown is a region code typed into a form, with its name ("" for a
// code the region list does not know), so the person sees what they chose.
type regionShown struct{ Code, Name string }

func regionsShown(codes []string) []regionShown {
	out := make([]regionShown, 0, len(codes))
	for _, code := range codes {
		r := regionShown{Code: code}
		if name := regionName(code); name != code {
			r.Name = name
		}
		out = append(out, r)
	}
	return out
}

// splitRegions reads the region field: one or several codes separated by
// ";", commas, spaces or new lines.
func splitRegions(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// accountForm is the create form's, and the role form's, values and the
// messages next to its fields.
type accountForm struct {
	Username, Name, Phone, Role, Region string
	// Regions are the typed codes with their names.
	Regions []regionShown
	// Roles are the roles the caller may give.
	Roles  []auth.Role
	Errors map[string]string
}

// readRoleForm reads the role and region fields of a posted form.
func readRoleForm(c *gin.Context, f *accountForm) (auth.Role, []string) {
	f.Role, f.Region = c.PostForm("role"), strings.TrimSpace(c.PostForm("region"))
	codes := splitRegions(f.Region)
	f.Regions = regionsShown(codes)
	return auth.Role(f.Role), codes
}

// placeRefusal puts a refused step's message next to its field, or over
// the whole form when it names none of the form's fields.
func placeRefusal(f *accountForm, v *view, e *domain.Error, msg string) {
	field := e.Field
	if e.Code == domain.CodeUsernameTaken {
		field = "username"
	}
	switch field {
	case "username", "name", "phone", "role", "region":
		f.Errors[field] = msg
	default:
		v.Error = msg
	}
}

// newAccountPage is the form to create an account.
func (h *pages) newAccountPage(c *gin.Context) {
	f := &accountForm{Roles: caller(c).GivableRoles(), Role: string(auth.RoleVillage)}
	h.render(c, http.StatusOK, "account_new", &view{Title: "Akun baru", Active: "akun", Data: f})
}

// oneTimeData is the page that shows a one-time password, once.
type oneTimeData struct {
	U        *store.User
	Password string
	// New: the account was just created (else its password was reset).
	New bool
}

// showOneTime answers the post that made a one-time password with it. The
// page is never cached (render), and nothing shows the password again.
func (h *pages) showOneTime(c *gin.Context, u *store.User, password string, created bool) {
	h.render(c, http.StatusOK, "account_password", &view{Title: "Kata sandi sekali pakai", Active: "akun",
		Data: oneTimeData{U: u, Password: password, New: created}})
}

// createAccount creates the account through the office and shows its
// one-time password once; a refusal comes back next to its field, with
// the typed region codes named.
func (h *pages) createAccount(c *gin.Context) {
	cl := caller(c)
	f := &accountForm{Roles: cl.GivableRoles(), Errors: map[string]string{},
		Username: strings.TrimSpace(c.PostForm("username")), Name: strings.TrimSpace(c.PostForm("name")), Phone: strings.TrimSpace(c.PostForm("phone"))}
	role, regions := readRoleForm(c, f)
	u, oneTime, err := h.d.Office.CreateAccount(c.Request.Context(), cl,
		office.NewAccount{Username: f.Username, Name: f.Name, Phone: f.Phone, Role: role, Regions: regions})
	if e, msg, status, ok := refusal(err); ok {
		v := &view{Title: "Akun baru", Active: "akun", Data: f}
		placeRefusal(f, v, e, msg)
		h.render(c, status, "account_new", v)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	h.showOneTime(c, u, oneTime, true)
}

type accountData struct {
	U       *store.User
	Regions []regionShown
	// Self: the caller's own account, which they neither disable nor
	// give another role.
	Self bool
	// RoleForm changes the account's role and regions.
	RoleForm *accountForm
}

// accountFlashes are the messages after each step's redirect.
var accountFlashes = []struct{ query, msg string }{
	{"dinonaktifkan", "Akun dinonaktifkan. Semua sesinya sudah berakhir; pemiliknya tidak dapat masuk sampai akun diaktifkan kembali."},
	{"diaktifkan", "Akun diaktifkan kembali. Pemiliknya dapat masuk dengan kata sandinya."},
	{"peran", "Peran dan wilayah akun diubah. Semua sesinya sudah berakhir; pemiliknya masuk lagi untuk memakai peran barunya."},
	{"sesi", "Semua sesi akun diakhiri. Pemiliknya harus masuk lagi di setiap perangkat."},
}

// loadAccount loads the :id account if the caller manages it; any other
// is the 404 page, as a missing one.
func (h *pages) loadAccount(c *gin.Context) (*store.User, bool) {
	id, ok := h.pathID(c)
	if !ok {
		return nil, false
	}
	u, err := h.d.Office.Account(c.Request.Context(), caller(c), id)
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return u, true
}

// accountPage is one account, with the steps on it.
func (h *pages) accountPage(c *gin.Context) {
	u, ok := h.loadAccount(c)
	if !ok {
		return
	}
	v := &view{}
	for _, f := range accountFlashes {
		if c.Query(f.query) == "1" {
			v.Flash = f.msg
		}
	}
	h.showAccount(c, http.StatusOK, v, u, nil)
}

func (h *pages) showAccount(c *gin.Context, status int, v *view, u *store.User, form *accountForm) {
	cl := caller(c)
	if form == nil {
		form = &accountForm{Role: u.Role, Region: strings.Join(u.RegionList(), "\n"), Regions: regionsShown(u.RegionList())}
	}
	form.Roles = cl.GivableRoles()
	v.Title, v.Active = "Akun "+u.Username, "akun"
	v.Data = accountData{U: u, Regions: regionsShown(u.RegionList()), Self: u.ID == cl.UserID, RoleForm: form}
	h.render(c, status, "account", v)
}

// accountStep takes one step on the :id account through the office, then
// sends the person back to the account's page with the step's message; a
// refusal is shown on the account's page.
func (h *pages) accountStep(flash string, step func(c *gin.Context, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, ok := h.loadAccount(c)
		if !ok {
			return
		}
		err := step(c, u.ID)
		if _, msg, status, ok := refusal(err); ok {
			h.showAccount(c, status, &view{Error: msg}, u, nil)
			return
		} else if err != nil {
			h.fail(c, err)
			return
		}
		redirect(c, fmt.Sprintf("/akun/%d?%s=1", u.ID, flash))
	}
}

// setAccountDisabled disables (its sessions end at once) or enables the
// account.
func (h *pages) setAccountDisabled(disabled bool) gin.HandlerFunc {
	flash := "diaktifkan"
	if disabled {
		flash = "dinonaktifkan"
	}
	return h.accountStep(flash, func(c *gin.Context, id int64) error {
		_, err := h.d.Office.SetAccountDisabled(c.Request.Context(), caller(c), id, disabled)
		return err
	})
}

// endAccountSessions ends every session of the account (a lost phone).
func (h *pages) endAccountSessions(c *gin.Context) {
	h.accountStep("sesi", func(c *gin.Context, id int64) error {
		return h.d.Office.EndAccountSessions(c.Request.Context(), caller(c), id)
	})(c)
}

// resetAccountPassword gives the account a new one-time password, shown
// once; its sessions end.
func (h *pages) resetAccountPassword(c *gin.Context) {
	u, ok := h.loadAccount(c)
	if !ok {
		return
	}
	oneTime, err := h.d.Office.ResetAccountPassword(c.Request.Context(), caller(c), u.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.showOneTime(c, u, oneTime, false)
}

// changeAccountRole gives the account another role and regions; a refusal
// comes back next to its field with the typed codes named.
func (h *pages) changeAccountRole(c *gin.Context) {
	u, ok := h.loadAccount(c)
	if !ok {
		return
	}
	f := &accountForm{Errors: map[string]string{}}
	role, regions := readRoleForm(c, f)
	_, err := h.d.Office.ChangeAccountRole(c.Request.Context(), caller(c), u.ID, role, regions)
	if e, msg, status, ok := refusal(err); ok {
		v := &view{}
		placeRefusal(f, v, e, msg)
		h.showAccount(c, status, v, u, f)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/akun/%d?peran=1", u.ID))
}
