package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// identityView is a household's NIK and No KK in clear.
type identityView struct {
	HouseholdID int64  `json:"householdId"`
	NIK         string `json:"nik"`
	NoKK        string `json:"noKk"`
}

// revealIdentity answers a household's full NIK and No KK to the roles
// that need them for their work in their own region: Dinsos (its regency,
// for the decree and Kemensos) and the village officer (its desa, to
// check the family card at the door). Every other answer masks them. Each
// reveal is an audit entry (store.RevealIdentity); the answer is never
// cached.
func (s *Server) revealIdentity(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	ident, err := s.deps.Office.RevealIdentity(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, identityView{HouseholdID: ident.HouseholdID, NIK: ident.NIK, NoKK: ident.NoKK})
}
