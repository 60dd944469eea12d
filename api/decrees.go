package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

type draftDecreeRequest struct {
	// Kind is empty (initial or amendment, decided by the store) or revocation.
	Kind         string  `json:"kind"`
	HouseholdIDs []int64 `json:"householdIds"`
	Reason       string  `json:"reason"`
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
	if c.Request.ContentLength > 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			s.fail(c, badRequest("body", "must be JSON: {} or {\"kind\":\"revocation\",\"householdIds\":[...],\"reason\":\"...\"}"))
			return
		}
	}
	d, err := s.draftDecreeAs(c.Request.Context(), actor(c), cy, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/decrees/"+strconv.FormatInt(d.ID, 10))
	c.JSON(http.StatusCreated, d)
}

// draftDecreeAs drafts a decree of cy and starts its review workflow; the
// JSON API and the web pages (api/web) both draft through it. A broken
// rule is a *store.InvalidError naming the field (422); nothing to decree
// is store.ErrConflict.
func (s *Server) draftDecreeAs(ctx context.Context, a store.AuditActor, cy *store.Cycle, req draftDecreeRequest) (*store.Decree, error) {
	if req.Kind != "" && req.Kind != store.DecreeRevocation {
		return nil, &store.InvalidError{Field: "kind", Msg: "leave it empty for a list of eligible households, or revocation"}
	}
	if req.Kind == store.DecreeRevocation && req.Reason == "" {
		return nil, &store.InvalidError{Field: "reason", Msg: "say why the households are revoked"}
	}
	d := store.Decree{CycleID: cy.ID, RegencyCode: cy.RegencyCode, Kind: req.Kind, Reason: req.Reason}
	if err := s.deps.Store.DraftDecree(ctx, &d, req.HouseholdIDs, a); err != nil {
		return nil, err
	}
	if _, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.DecreeWorkflowID(d.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: d.ID, Kind: d.Kind, Reason: d.Reason}); err != nil {
		return nil, err
	}
	return &d, nil
}

func (s *Server) listDecrees(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	ds, err := s.deps.Store.ListDecrees(c.Request.Context(), cy.ID)
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
	d, _, err := s.deps.Store.DecreeFor(c.Request.Context(), principal(c), id)
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
	lines, err := s.deps.Store.DecreeLines(c.Request.Context(), d.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	counts := map[string]int{}
	for _, l := range lines {
		counts[l.KecamatanCode]++
	}
	out := make([]kecamatanCount, 0, len(counts))
	for code, n := range counts {
		name, _ := wilayah.Default().Name(code)
		out = append(out, kecamatanCount{Code: code, Name: name, Households: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
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
	lines, err := s.deps.Store.DecreeLines(c.Request.Context(), d.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	w := wilayah.Default()
	list := sheet{name: "Lampiran", header: []string{"No", "Kecamatan", "Desa/Kelurahan", "Nama Kepala Keluarga", "Alamat", "NIK (tersamar)", "ID Rumah Tangga", "Tindakan"}}
	counts := map[string]int{}
	var kecs []string
	for i, l := range lines {
		kec, _ := w.Name(l.KecamatanCode)
		desa, _ := w.Name(l.DesaCode)
		action := "Ditetapkan"
		if l.Action == "revoke" {
			action = "Dicabut"
		}
		list.rows = append(list.rows, []any{i + 1, kec, desa, l.Name, l.Address, l.NIKMasked, strconv.FormatInt(l.HouseholdID, 10), action})
		if counts[l.KecamatanCode] == 0 {
			kecs = append(kecs, l.KecamatanCode)
		}
		counts[l.KecamatanCode]++
	}
	sum := sheet{name: "Rekap", header: []string{"Kode Kecamatan", "Kecamatan", "Jumlah KK"}}
	for _, k := range kecs {
		name, _ := w.Name(k)
		sum.rows = append(sum.rows, []any{k, name, counts[k]})
	}
	sum.rows = append(sum.rows, []any{"", "Jumlah", len(lines)})
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
		if c.Request.ContentLength > 0 {
			if err := c.ShouldBindJSON(&req); err != nil {
				s.fail(c, badRequest("body", "must be JSON"))
				return
			}
		}
		updateID, err := s.updateID(c, update, d.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		st, err := s.decreeStepAs(c.Request.Context(), actor(c), d, update, updateID,
			workflows.DecreeRequest{Number: req.Number, Date: req.Date, Reason: req.Reason})
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": d.ID, "status": st.Status, "number": st.Number, "date": st.Date, "returnReason": st.ReturnReason, "withdrawReason": st.WithdrawReason})
	}
}

// decreeStepAs applies one review step to decree d through the decree
// workflow's Update named update (its ID updateID, so a resent request
// applies once); the JSON API and the web pages (api/web) both review
// decrees through it. r.Actor is set from a. A decree number already used
// in the regency is a *store.InvalidError on field number (422); the
// validator's refusals are workflows.ValidationError application errors.
func (s *Server) decreeStepAs(ctx context.Context, a store.AuditActor, d *store.Decree, update, updateID string, r workflows.DecreeRequest) (workflows.DecreeState, error) {
	var st workflows.DecreeState
	if d.Status == store.DecreeWithdrawn {
		// Its workflow has ended; say why rather than "case has ended".
		return st, &workflows.ValidationError{Kind: workflows.KindClosed, Message: "the decree was withdrawn"}
	}
	if update == workflows.UpdateDecreeSign && r.Number != "" {
		taken, err := s.deps.Store.DecreeNumberTaken(ctx, d.RegencyCode, r.Number)
		if err != nil {
			return st, err
		}
		if taken {
			return st, &store.InvalidError{Field: "number", Msg: "this decree number is already used in the regency"}
		}
	}
	r.Actor = workflows.Actor(a)
	h, err := s.deps.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.DecreeWorkflowID(d.ID), UpdateID: updateID, UpdateName: update,
		Args:         []any{r},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	if err != nil {
		return st, caseError(err)
	}
	return st, nil
}

// webOffice hands the decree, proposal and P3KE intake steps to the web
// pages (api/web), so a page does exactly what the API route does.
func (s *Server) webOffice() web.Office {
	return web.Office{
		DraftDecree: func(ctx context.Context, a store.AuditActor, cy *store.Cycle) (*store.Decree, error) {
			return s.draftDecreeAs(ctx, a, cy, draftDecreeRequest{})
		},
		DecreeStep:     s.decreeStepAs,
		ProposalMonth:  s.currentProposalMonth,
		BuildProposal:  s.buildProposalAs,
		SubmitProposal: s.submitProposalAs,
		ApplyAnswers:   s.applyAnswersAs,
		MarkUnanswered: s.markUnansweredAs,
		StartIntake:    s.startIntakeAs,
		MaxIntakeFile:  maxIntakeFile,
		CloseCycle:     s.closeCycleAs,

		ResumeCycleClose: s.startCycleClose,
	}
}
