package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/store"
)

type usulRequest struct {
	NIK      string `json:"nik"`
	NoKK     string `json:"noKk"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	DesaCode string `json:"desaCode"`
	Members  int    `json:"members"`
	Reason   string `json:"reason"`
	Channel  string `json:"channel"`
}

// proposeHousehold records an usul: a family proposed into the cycle from
// outside its file, which starts at awaiting_verification.
func (s *Server) proposeHousehold(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req usulRequest
	if !s.bind(c, &req, `must be JSON: {"nik":"...","noKk":"...","name":"...","address":"...","desaCode":"35.05.01.2001","members":4,"reason":"...","channel":"walk_in"}`) {
		return
	}
	h, err := s.deps.Office.ProposeHousehold(c.Request.Context(), caller(c), store.NewUsul{CycleID: cy.ID, NIK: req.NIK, NoKK: req.NoKK,
		Name: req.Name, Address: req.Address, DesaCode: req.DesaCode, Members: req.Members, Reason: req.Reason, Channel: req.Channel})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"householdId": h.ID, "cycleId": h.CycleID, "desaCode": h.DesaCode, "stage": h.Stage,
		"source": h.Source, "nikMasked": h.NIKMasked, "kkMasked": h.KKMasked})
}
