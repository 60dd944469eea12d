package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/office"
)

// recordChange records a change to an enrolled household during the year
// (village officer, PSM, PKH companion, Dinsos); it waits for the TKSK or
// Dinsos to confirm it.
func (s *Server) recordChange(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req office.YearChange
	if !s.bind(c, &req, `must be JSON: {"kind":"head_died|moved_desa|moved_out|graduated|withdrew|members_changed","date":"YYYY-MM-DD","note":"..."}`) {
		return
	}
	resp, err := s.deps.Office.RecordChange(c.Request.Context(), caller(c), id, c.GetHeader("Idempotency-Key"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": id, "changeId": resp.ChangeID, "stage": resp.Stage})
}

// decideChange confirms or refuses the change waiting (TKSK, Dinsos).
func (s *Server) decideChange(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req office.ChangeDecision
	if !s.bind(c, &req, `must be JSON: {"confirm":true|false,"note":"..."}`) {
		return
	}
	resp, err := s.deps.Office.DecideChange(c.Request.Context(), caller(c), id, c.GetHeader("Idempotency-Key"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "changeId": resp.ChangeID, "stage": resp.Stage})
}

// changeReport is the month's changes per desa (?month=YYYY-MM, and
// ?format=xlsx for the spreadsheet).
func (s *Server) changeReport(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	rep, err := s.deps.Office.ChangeReport(c.Request.Context(), caller(c), cy.ID, c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") != "xlsx" {
		c.JSON(http.StatusOK, rep)
		return
	}
	s.sendXLSX(c, fmt.Sprintf("perubahan-%d-%s.xlsx", cy.Year, rep.Month), []sheet{web.ChangeReportSheet(rep)})
}

// yearOnYear is the cycle's programmes against the year before's, per desa
// and programme (?format=xlsx for the spreadsheet).
func (s *Server) yearOnYear(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	rep, err := s.deps.Office.YearOnYear(c.Request.Context(), caller(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") != "xlsx" {
		c.JSON(http.StatusOK, rep)
		return
	}
	s.sendXLSX(c, fmt.Sprintf("tahunan-%d.xlsx", cy.Year), web.YearOnYearSheets(rep))
}
