package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/xlsxwrite"
)

// regionsRequest is an account's region: one code (region) or several
// (regions, for the roles that may hold several); regions wins when both
// are given.
type regionsRequest struct {
	Region  string   `json:"region"`
	Regions []string `json:"regions"`
}

func (r regionsRequest) list() []string {
	if len(r.Regions) > 0 || r.Region == "" {
		return r.Regions
	}
	return []string{r.Region}
}

type createUserRequest struct {
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone"`
	Role     auth.Role `json:"role"`
	regionsRequest
}

// createUser creates an account with a one-time password, answered once.
func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	if !s.bind(c, &req, `must be JSON: {"username":"...","name":"...","role":"village","region":"35.05.01.2001"}`) {
		return
	}
	u, oneTime, err := s.deps.Office.CreateAccount(c.Request.Context(), caller(c),
		office.NewAccount{Username: req.Username, Name: req.Name, Phone: req.Phone, Role: req.Role, Regions: req.list()})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"user": u, "oneTimePassword": oneTime})
}

// listUsers lists the accounts the caller manages; q searches username
// and name, paginated with page and perPage (at most 200).
func (s *Server) listUsers(c *gin.Context) {
	f := store.UserFilter{Query: c.Query("q"), PerPage: 50}
	for name, dst := range map[string]*int{"page": &f.Page, "perPage": &f.PerPage} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				s.fail(c, badRequest(name, "must be a positive whole number"))
				return
			}
			*dst = n
		}
	}
	users, total, err := s.deps.Office.Accounts(c.Request.Context(), caller(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if users == nil {
		users = []store.User{}
	}
	c.JSON(http.StatusOK, gin.H{"users": users, "total": total, "page": max(f.Page, 1)})
}

// setUserDisabled disables (ending its sessions) or enables an account.
func (s *Server) setUserDisabled(disabled bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.pathID(c)
		if !ok {
			return
		}
		u, err := s.deps.Office.SetAccountDisabled(c.Request.Context(), caller(c), id, disabled)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, u)
	}
}

// resetUserPassword gives an account a new one-time password, answered
// once; its sessions end.
func (s *Server) resetUserPassword(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	oneTime, err := s.deps.Office.ResetAccountPassword(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"id": id, "oneTimePassword": oneTime})
}

type userRoleRequest struct {
	Role auth.Role `json:"role"`
	regionsRequest
}

// changeUserRole gives an account another role and region; its sessions
// end.
func (s *Server) changeUserRole(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req userRoleRequest
	if !s.bind(c, &req, `must be JSON: {"role":"tksk","region":"35.05.01"}`) {
		return
	}
	u, err := s.deps.Office.ChangeAccountRole(c.Request.Context(), caller(c), id, req.Role, req.list())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// endUserSessions ends every session of an account at once.
func (s *Server) endUserSessions(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	if err := s.deps.Office.EndAccountSessions(c.Request.Context(), caller(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// importUsers reads a CSV or XLSX file of accounts (multipart field
// "file"): with dryRun (the default) it only reports what it found; with
// dryRun=false it creates them all, with their one-time passwords answered
// once, or none when any row is wrong (422 with the rows' issues).
func (s *Server) importUsers(c *gin.Context) {
	dryRun := c.DefaultQuery("dryRun", "true")
	if dryRun != "true" && dryRun != "false" {
		s.fail(c, badRequest("dryRun", "must be true or false"))
		return
	}
	fh, err := s.formFile(c, "the accounts file")
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	res, err := s.deps.Office.ImportAccounts(c.Request.Context(), caller(c), fh.Filename, f, dryRun == "true")
	c.Header("Cache-Control", "no-store")
	switch {
	case err != nil && res != nil:
		e, _ := domain.As(err)
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": e.Message(), "code": e.Code, "requestId": c.GetString(requestIDKey), "result": res})
	case err != nil:
		s.fail(c, err)
	case res.DryRun:
		c.JSON(http.StatusOK, res)
	default:
		c.JSON(http.StatusCreated, res)
	}
}

// userImportPasswords sends an import's one-time passwords as XLSX, once,
// to the user who imported.
func (s *Server) userImportPasswords(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := s.deps.Office.AccountSheet(c.Request.Context(), caller(c), id, &buf); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="sandi-akun-impor-%d.xlsx"`, id))
	c.Data(http.StatusOK, xlsxwrite.ContentType, buf.Bytes())
}
