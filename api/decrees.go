package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

type draftDecreeRequest struct {
	// Kind is empty (initial or amendment, decided by the store) or revocation.
	Kind         domain.DecreeKind `json:"kind"`
	HouseholdIDs []int64           `json:"householdIds"`
	Reason       string            `json:"reason"`
}

// draftDecree drafts a decree from every household verified eligible and
// not yet decreed (or, for kind revocation, revokes the named households),
// and starts its review workflow.
func (s *Server) draftDecree(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req draftDecreeRequest
	if !s.bindOptional(c, &req, "must be JSON: {} or {\"kind\":\"revocation\",\"householdIds\":[...],\"reason\":\"...\"}") {
		return
	}
	d, err := s.deps.Office.DraftDecree(c.Request.Context(), caller(c), cy, office.NewDecree(req))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/decrees/"+strconv.FormatInt(d.ID, 10))
	c.JSON(http.StatusCreated, d)
}

func (s *Server) listDecrees(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	ds, err := s.deps.Office.Decrees(c.Request.Context(), caller(c), cy)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ds == nil {
		ds = []store.Decree{}
	}
	c.JSON(http.StatusOK, gin.H{"decrees": ds})
}

// decree loads the :id decree if its cycle is visible to the caller.
func (s *Server) decree(c *gin.Context) (*store.Decree, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, false
	}
	d, _, err := s.deps.Office.Decree(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return d, true
}

type kecamatanCount struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Households int    `json:"households"`
}

// getDecree shows a decree with its households counted per kecamatan.
func (s *Server) getDecree(c *gin.Context) {
	d, ok := s.decree(c)
	if !ok {
		return
	}
	areas, err := s.deps.Office.DecreeCounts(c.Request.Context(), caller(c), d)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []kecamatanCount{}
	for _, a := range areas {
		if len(out) == 0 || out[len(out)-1].Code != a.KecamatanCode {
			name, _ := wilayah.Default().Name(a.KecamatanCode)
			out = append(out, kecamatanCount{Code: a.KecamatanCode, Name: name})
		}
		out[len(out)-1].Households += int(a.N)
	}
	c.JSON(http.StatusOK, gin.H{"decree": d, "kecamatan": out})
}

// decreeAttachment downloads the decree's attachment: every household by
// kecamatan and desa (name, address, masked NIK, household id), and a sheet
// of counts per kecamatan.
func (s *Server) decreeAttachment(c *gin.Context) {
	d, ok := s.decree(c)
	if !ok {
		return
	}
	lines, err := s.deps.Office.DecreeLines(c.Request.Context(), caller(c), d)
	if err != nil {
		s.fail(c, err)
		return
	}
	w := wilayah.Default()
	list := sheet{Name: "Lampiran", Header: []string{"No", "Kecamatan", "Desa/Kelurahan", "Nama Kepala Keluarga", "Alamat", "NIK (tersamar)", "ID Rumah Tangga", "Tindakan"}}
	counts := map[string]int{}
	var kecs []string
	for i, l := range lines {
		kec, _ := w.Name(l.KecamatanCode)
		desa, _ := w.Name(l.DesaCode)
		action := "Ditetapkan"
		if l.Action == "revoke" {
			action = "Dicabut"
		}
		list.Rows = append(list.Rows, []any{i + 1, kec, desa, l.Name, l.Address, l.NIKMasked, strconv.FormatInt(l.HouseholdID, 10), action})
		if counts[l.KecamatanCode] == 0 {
			kecs = append(kecs, l.KecamatanCode)
		}
		counts[l.KecamatanCode]++
	}
	sum := sheet{Name: "Rekap", Header: []string{"Kode Kecamatan", "Kecamatan", "Jumlah KK"}}
	for _, k := range kecs {
		name, _ := w.Name(k)
		sum.Rows = append(sum.Rows, []any{k, name, counts[k]})
	}
	sum.Rows = append(sum.Rows, []any{"", "Jumlah", len(lines)})
	s.sendXLSX(c, fmt.Sprintf("lampiran-sk-%d.xlsx", d.ID), []sheet{list, sum})
}

type decreeStepRequest struct {
	Number string `json:"number"`
	Date   string `json:"date"`
	Reason string `json:"reason"`
}

// decreeStep applies one review step (submit, revise, withdraw, return,
// sign) through
// the decree workflow's Update.
func (s *Server) decreeStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		d, ok := s.decree(c)
		if !ok {
			return
		}
		var req decreeStepRequest
		if !s.bindOptional(c, &req, "must be JSON") {
			return
		}
		st, err := s.deps.Office.DecreeStep(c.Request.Context(), caller(c), d, update, c.GetHeader("Idempotency-Key"),
			workflows.DecreeRequest{Number: req.Number, Date: req.Date, Reason: req.Reason})
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": d.ID, "status": st.Status, "number": st.Number, "date": st.Date, "returnReason": st.ReturnReason, "withdrawReason": st.WithdrawReason})
	}
}
