package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
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
