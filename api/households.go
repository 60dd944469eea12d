package api

import (
	"encoding/csv"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// householdView is a household as the API shows it: NIK and No KK always
// masked; name and address in clear only to the roles that work with the
// family in their own region (an administrator fixing a stuck case does not
// need them). InDTKS is the file's terdaftar_dtks as the file said;
// InDTKSNow whether the household is in the registry now, InDTKSBy and
// InDTKSDate why (office.Registry).
type householdView struct {
	ID        int64  `json:"id"`
	CycleID   int64  `json:"cycleId"`
	Name      string `json:"name"`
	Address   string `json:"address"`
	NIKMasked string `json:"nikMasked"`
	KKMasked  string `json:"kkMasked"`
	Members   int    `json:"members"`
	// People are the household's members (DTSEN), NIK masked and names
	// masked as the head's; empty for a P3KE household.
	People         []store.HouseholdMember `json:"people"`
	DesaCode       string                  `json:"desaCode"`
	DesaName       string                  `json:"desaName"`
	KecamatanCode  string                  `json:"kecamatanCode"`
	KecamatanName  string                  `json:"kecamatanName"`
	Desil          int                     `json:"desil"`
	InDTKS         bool                    `json:"inDtks"`
	InDTKSNow      bool                    `json:"inDtksNow"`
	InDTKSBy       string                  `json:"inDtksBy"`
	InDTKSDate     string                  `json:"inDtksDate,omitempty"`
	Stage          string                  `json:"stage"`
	StageEnteredAt time.Time               `json:"stageEnteredAt"`
	Outcome        string                  `json:"outcome,omitempty"`
	Reason         string                  `json:"reason,omitempty"`
	Indicators     domain.Indicators       `json:"indicators"`
	History        []store.StageEvent      `json:"history"`
	Audit          []store.AuditEntry      `json:"audit"`
	// Programmes are the household's enrolments in aid programmes and the
	// exits from them, by programme.
	Programmes []store.Enrolment `json:"programmes"`
	// PrevHouseholdID, PrevStage and PrevReason: the same family's
	// household in last year's cycle and its result there (a carried one).
	PrevHouseholdID *int64 `json:"prevHouseholdId,omitempty"`
	PrevStage       string `json:"prevStage,omitempty"`
	PrevReason      string `json:"prevReason,omitempty"`
	// Changes are the year's changes to the household (docs/process.md,
	// "During the year"), oldest first.
	Changes     []store.HouseholdChange `json:"changes"`
	TemporalURL string                  `json:"temporalUrl"`
}

func (s *Server) getHousehold(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	h, err := s.deps.Office.HouseholdRecord(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if h.Programmes == nil {
		h.Programmes = []store.Enrolment{}
	}
	if h.People == nil {
		h.People = []store.HouseholdMember{}
	}
	if h.Changes == nil {
		h.Changes = []store.HouseholdChange{}
	}
	w := wilayah.Default()
	desa, _ := w.Name(h.DesaCode)
	kec, _ := w.Name(h.KecamatanCode)
	c.JSON(http.StatusOK, householdView{
		ID: h.ID, CycleID: h.CycleID, Name: h.Name, Address: h.Address, NIKMasked: h.NIKMasked, KKMasked: h.KKMasked,
		Members: h.Members, People: h.People, DesaCode: h.DesaCode, DesaName: desa, KecamatanCode: h.KecamatanCode, KecamatanName: kec,
		Desil: h.Desil, InDTKS: h.InDTKS, InDTKSNow: h.Registry.In, InDTKSBy: h.Registry.By, InDTKSDate: h.Registry.Date, Stage: h.Stage, StageEnteredAt: h.StageEnteredAt, Outcome: h.Outcome,
		Reason: h.Reason, Indicators: h.Indicators, History: h.History, Audit: h.Audit, Programmes: h.Programmes,
		Changes: h.Changes, PrevHouseholdID: h.PrevHouseholdID, PrevStage: h.PrevStage, PrevReason: h.PrevReason, TemporalURL: s.workflowURL(h.CycleID, h.ID),
	})
}

// correctIdentityRequest carries a household's corrected numbers; an
// empty field is left as it is.
type correctIdentityRequest struct {
	NIK  string `json:"nik"`
	NoKK string `json:"noKk"`
}

// correctIdentity lets Dinsos correct a household's NIK and/or No KK,
// typically after Kemensos answered NIK_TIDAK_PADAN (not matched at
// Dukcapil): a household so rejected goes into the next batch only once
// corrected. The numbers are sealed and hashed as intake stores them; the
// answer and the audit trail show them masked or not at all.
func (s *Server) correctIdentity(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req correctIdentityRequest
	if !s.bind(c, &req, `must be JSON: {"nik":"<16 digits>","noKk":"<16 digits>"}`) {
		return
	}
	h, err := s.deps.Office.CorrectIdentity(c.Request.Context(), caller(c), id, store.IdentityCorrection{NIK: req.NIK, NoKK: req.NoKK})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": h.ID, "nikMasked": h.NIKMasked, "kkMasked": h.KKMasked})
}

func (s *Server) listNotifications(c *gin.Context) {
	ns, err := s.deps.Office.Notifications(c.Request.Context(), caller(c), 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ns == nil {
		ns = []store.Notification{}
	}
	c.JSON(http.StatusOK, gin.H{"notifications": ns})
}

func csvWriter(w io.Writer) *csv.Writer { return csv.NewWriter(w) }

// changeMember records a birth, death, move or new occupation in the
// task's household (the village officer, at the visit).
func (s *Server) changeMember(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	var req office.MemberEdit
	if !s.bind(c, &req, `must be JSON: {"change":"died","memberId":12,"date":"2026-03-01"}`) {
		return
	}
	m, err := s.deps.Office.ChangeMember(c.Request.Context(), caller(c), id, req.MemberChange())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
