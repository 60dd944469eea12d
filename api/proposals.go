package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

type buildProposalRequest struct {
	// Month is YYYY-MM; empty means the month the regency's calendar puts
	// a proposal made today in.
	Month string `json:"month"`
}

// proposalMonth is the batch month for a proposal made at now: after the
// regency's data cut-off day a household waits for the next month.
func proposalMonth(now time.Time, cutoffDay int) string {
	if now.Day() > cutoffDay {
		now = time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
	}
	return now.Format("2006-01")
}

// buildProposal builds the month's Kemensos batch from every household
// waiting to be proposed.
func (s *Server) buildProposal(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req buildProposalRequest
	if c.Request.ContentLength > 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			s.fail(c, badRequest("body", "must be JSON: {\"month\":\"2026-07\"}"))
			return
		}
	}
	p, err := s.buildProposalAs(c.Request.Context(), actor(c), cy, req.Month)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/proposals/"+strconv.FormatInt(p.ID, 10))
	c.JSON(http.StatusCreated, p)
}

// buildProposalAs builds cy's batch for month (YYYY-MM; empty: the month
// the regency's calendar puts a proposal made now in); the JSON API and the
// web pages (api/web) both build batches through it. A malformed month is a
// *store.InvalidError; nothing to propose is store.ErrConflict.
func (s *Server) buildProposalAs(ctx context.Context, a store.AuditActor, cy *store.Cycle, month string) (*store.Proposal, error) {
	if month == "" {
		month = s.currentProposalMonth()
	} else if _, err := time.Parse("2006-01", month); err != nil {
		return nil, &store.InvalidError{Field: "month", Msg: "must be a month as YYYY-MM"}
	}
	p := store.Proposal{CycleID: cy.ID, Month: month, Simulated: s.deps.Kemensos.Simulated}
	if err := s.deps.Store.BuildProposal(ctx, &p, a); err != nil {
		return nil, err
	}
	return &p, nil
}

// currentProposalMonth is the batch month of a proposal made now.
func (s *Server) currentProposalMonth() string { return proposalMonth(s.deps.Now(), s.cutoffDay()) }

func (s *Server) cutoffDay() int {
	if s.deps.Kemensos.CutoffDay > 0 {
		return s.deps.Kemensos.CutoffDay
	}
	return 17
}

func (s *Server) listProposals(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	ps, err := s.deps.Store.ListProposals(c.Request.Context(), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ps == nil {
		ps = []store.Proposal{}
	}
	c.JSON(http.StatusOK, gin.H{"proposals": ps})
}

// proposal loads the :id proposal if its cycle is visible to the caller.
func (s *Server) proposal(c *gin.Context) (*store.Proposal, *store.Cycle, bool) {
	id, ok := s.pathID(c)
	if !ok {
		return nil, nil, false
	}
	p, cy, err := s.deps.Store.ProposalFor(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return p, cy, true
}

func (s *Server) getProposal(c *gin.Context) {
	if p, _, ok := s.proposal(c); ok {
		c.JSON(http.StatusOK, p)
	}
}

// proposalFile downloads the SIKS-NG upload file. It holds full NIK and No
// KK numbers, so only Dinsos may fetch it, and each download is audited.
func (s *Server) proposalFile(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	lines, err := s.deps.Store.ProposalLines(ctx, p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.deps.Store.GetDecree(ctx, p.DecreeID)
	if err != nil {
		s.fail(c, err)
		return
	}
	signed, _ := time.Parse("2006-01-02", d.SignedDate)
	number := ""
	if d.Number != nil {
		number = *d.Number
	}
	rows := make([]kemensos.ProposalRow, len(lines))
	for i, l := range lines {
		rows[i] = kemensos.ProposalRow{KodeWilayah: l.DesaCode, NoKK: l.NoKK, NIK: l.NIK, Nama: l.Name, Alamat: l.Address,
			Jenis: l.Jenis, Alasan: l.Alasan, NomorSK: number, TanggalSK: signed}
	}
	var buf bytes.Buffer
	if err := kemensos.WriteProposalXLSX(&buf, rows); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.auditBefore(c, p.CycleID, nil, "proposal.download", map[string]any{"proposalId": p.ID, "rows": len(rows)}); err != nil {
		// No audit, no data: the file is refused as unavailable, whatever
		// kept the entry from being written.
		s.fail(c, fmt.Errorf("%w: audit trail: %w", store.ErrUnavailable, err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="usulan-%s-%d.xlsx"`, p.Month, p.ID))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// submitProposal marks the batch as sent to Kemensos and starts its
// workflow, which tells each household and waits for the answers.
func (s *Server) submitProposal(c *gin.Context) {
	p, cy, ok := s.proposal(c)
	if !ok {
		return
	}
	if err := s.submitProposalAs(c.Request.Context(), actor(c), cy, p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": p.ID, "status": store.ProposalSubmitted})
}

// submitProposalAs records batch p of cy as sent to Kemensos and starts its
// workflow; the JSON API and the web pages (api/web) both submit through
// it. A batch already submitted is store.ErrConflict.
func (s *Server) submitProposalAs(ctx context.Context, a store.AuditActor, cy *store.Cycle, p *store.Proposal) error {
	if err := s.deps.Store.MarkProposalSubmitted(ctx, p.ID, a); err != nil {
		return err
	}
	// The worker's Kemensos gateway (kemensos.File or the simulator) says
	// how the answers come back; the workflow's input does not.
	in := workflows.ProposalInput{ProposalID: p.ID, CycleID: p.CycleID, RegencyCode: cy.RegencyCode, ReminderAfter: s.deps.Kemensos.ReminderAfter}
	_, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProposalWorkflowID(p.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.ProposalWorkflow, in)
	return err
}

// uploadAnswers takes Kemensos' answer file (multipart "file"). A file
// with any bad row applies nothing and the rows are listed; otherwise every
// answer is stored and the proposal's workflow gives them to the households.
func (s *Server) uploadAnswers(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	data, _, err := uploadedFile(c, "Kemensos' answer file")
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.applyAnswersAs(c.Request.Context(), actor(c), p, data)
	if s.answersNotGiven(c, err, "the answers were stored", "upload the same file again (nothing is applied twice)") {
		return
	}
	var fe *activities.AnswerFileError
	if errors.As(err, &fe) {
		if fe.Format != nil {
			s.fail(c, unprocessable("file", fe.Format.Error()))
			return
		}
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"error": fe.Error(), "field": "file", "rows": fe.Rows, "requestId": c.GetString(requestIDKey),
		})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "applied": n})
}

// applyAnswersAs applies Kemensos' answer file to batch p, all or nothing,
// and tells the batch's workflow; the JSON API and the web pages (api/web)
// both take answer files through it. It returns how many answers were new.
// Answers stored whose workflow could not be told are an
// *activities.AnswersNotGivenError.
// A file that cannot be read or has bad rows is an
// *activities.AnswerFileError (errors.As finds it), and nothing is applied.
func (s *Server) applyAnswersAs(ctx context.Context, a store.AuditActor, p *store.Proposal, file []byte) (int, error) {
	n, err := activities.ApplyAnswerFile(ctx, s.deps.Store, p.ID, bytes.NewReader(file), a)
	// The file's problems come wrapped in a non-retryable application
	// error (the simulator's activity shares this code); unwrap them.
	if fe := (*activities.AnswerFileError)(nil); errors.As(err, &fe) {
		return 0, fe
	}
	if err != nil {
		return 0, err
	}
	return n, s.answersStored(ctx, p, n)
}

// answersNotGiven answers 503 for an *activities.AnswersNotGivenError in
// err (what was stored, and how to hand it over now: retry, which stores
// nothing twice) and reports whether it did.
func (s *Server) answersNotGiven(c *gin.Context, err error, stored, retry string) bool {
	var ng *activities.AnswersNotGivenError
	if !errors.As(err, &ng) {
		return false
	}
	c.Header("Retry-After", "5")
	c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{
		"error": stored + ", but they could not be handed to the households now; " + retry +
			", or they are handed over at the batch's next periodic check",
		"applied": ng.Applied, "requestId": c.GetString(requestIDKey),
	})
	return true
}

type unansweredRequest struct {
	Reason string `json:"reason"`
}

// markUnanswered records that Kemensos did not answer the rest of a
// submitted batch: its unanswered households are marked TIDAK_DIJAWAB and
// go back to wait for a later batch, and the batch no longer holds the
// cycle's close back.
func (s *Server) markUnanswered(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	var req unansweredRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, badRequest("body", "must be JSON: {\"reason\":\"...\"}"))
		return
	}
	n, err := s.markUnansweredAs(c.Request.Context(), actor(c), p, req.Reason)
	if s.answersNotGiven(c, err, "the households were marked unanswered", "send the same request again (nothing is marked twice)") {
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "marked": n})
}

// unansweredReasonMax is the longest reason kept with the marking (the
// answer note's column).
const unansweredReasonMax = 500

// markUnansweredAs marks batch p's households still without an answer as
// not answered by Kemensos (kemensos.TidakDijawab) with Dinsos' reason, and
// tells the batch's workflow as an answer upload does; the JSON API and the
// web pages (api/web) both mark through it. It returns how many households
// were marked. A missing or over-long reason is a *store.InvalidError; a
// draft or fully answered batch store.ErrConflict; marked households whose
// workflow could not be told an *activities.AnswersNotGivenError.
func (s *Server) markUnansweredAs(ctx context.Context, a store.AuditActor, p *store.Proposal, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > unansweredReasonMax {
		return 0, &store.InvalidError{Field: "reason", Msg: fmt.Sprintf("say why Kemensos' answer is recorded as missing (at most %d characters)", unansweredReasonMax)}
	}
	n, err := s.deps.Store.MarkUnanswered(ctx, p.ID, reason, a)
	if err != nil {
		return 0, err
	}
	return n, s.answersStored(ctx, p, n)
}

// answersStored tells batch p's workflow that n answers (or markings) were
// stored and wait to be given to the households (none new: a repeat, whose
// earlier signal may have been lost). They are committed: a signal that
// fails now must not read as "nothing happened". It tries a few times,
// then returns an *activities.AnswersNotGivenError (the workflow's
// periodic check also finds them).
func (s *Server) answersStored(ctx context.Context, p *store.Proposal, n int) error {
	var serr error
	for i, wait := range answersSignalBackoff {
		if i > 0 {
			select {
			case <-ctx.Done():
				return &activities.AnswersNotGivenError{Applied: n, Err: serr}
			case <-time.After(wait):
			}
		}
		if serr = s.deps.Temporal.SignalWorkflow(ctx, workflows.ProposalWorkflowID(p.ID), "", workflows.SignalAnswersUploaded, nil); serr == nil {
			return nil
		}
	}
	s.deps.Log.Warn("answers stored, proposal workflow not signalled", "proposalId", p.ID, "applied", n, "err", serr)
	return &activities.AnswersNotGivenError{Applied: n, Err: serr}
}

// answersSignalBackoff are the waits before each attempt to tell a batch's
// workflow that answers were stored.
var answersSignalBackoff = []time.Duration{0, 200 * time.Millisecond, time.Second}

// report is the cycle funnel per kecamatan and desa, as JSON or
// (?format=xlsx) a spreadsheet with a sheet per desa and one per kecamatan.
func (s *Server) report(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	rep, err := s.deps.Store.Report(c.Request.Context(), principal(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	programmes := s.reportProgrammes(rep)
	if c.Query("format") != "xlsx" {
		c.JSON(http.StatusOK, gin.H{"cycleId": cy.ID, "programmes": programmes, "kecamatan": rep.Kecamatan, "desa": rep.Desa})
		return
	}
	desa := funnelSheet("Laporan", true, programmes, rep.Desa)
	kec := funnelSheet("Kecamatan", false, programmes, rep.Kecamatan)
	s.sendXLSX(c, fmt.Sprintf("laporan-siklus-%d-%s.xlsx", cy.Year, strings.ReplaceAll(cy.RegencyCode, ".", "")), []sheet{desa, kec})
}

// reportProgrammes are the report's programme columns: the configured
// rules' programmes in their order (VERVAL_ENROL_RULES; by default the
// domain notes' PKH, BPNT, PBI-JK, BPJS-TK, BLT-DD), then, sorted, any
// programme the cycle still has enrolments in that the rules no longer
// name, so no count is dropped. The JSON lists them too; its rows, like
// their other counts, leave out the zeros.
func (s *Server) reportProgrammes(rep *store.CycleReport) []string {
	rules := s.deps.EnrolRules
	var out []string
	for _, r := range rules {
		out = append(out, r.Programme)
	}
	var extra []string
	for _, rows := range [][]*store.FunnelRow{rep.Kecamatan, rep.Desa} {
		for _, r := range rows {
			for p := range r.Enrolled {
				if !slices.Contains(out, p) && !slices.Contains(extra, p) {
					extra = append(extra, p)
				}
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// funnelSheet lays out report rows as a worksheet: the region, then each
// step of the funnel, then the households per stage (the final ones once
// the year has ended), so a row's stages add up to its intake.
func funnelSheet(name string, perDesa bool, programmes []string, rows []*store.FunnelRow) sheet {
	header := []string{"Kode Kecamatan", "Kecamatan"}
	if perDesa {
		header = append(header, "Kode Desa", "Desa/Kelurahan")
	}
	header = append(header, "Diterima (P3KE)")
	for _, o := range workflows.Outcomes() {
		header = append(header, "Verval: "+string(o))
	}
	header = append(header, "Ditetapkan SK", "Diusulkan", "Diterima Kemensos")
	for _, p := range programmes {
		header = append(header, "Terdaftar "+p)
	}
	for _, st := range workflows.Stages() {
		header = append(header, "Tahap: "+string(st))
	}
	sh := sheet{name: name, header: header}
	for _, r := range rows {
		row := []any{r.KecamatanCode, r.KecamatanName}
		if perDesa {
			row = append(row, r.DesaCode, r.DesaName)
		}
		row = append(row, r.TakenIn)
		for _, o := range workflows.Outcomes() {
			row = append(row, r.Verified[string(o)])
		}
		row = append(row, r.Decreed, r.Proposed, r.Accepted)
		for _, p := range programmes {
			row = append(row, r.Enrolled[p])
		}
		for _, st := range workflows.Stages() {
			row = append(row, r.Final[string(st)])
		}
		sh.rows = append(sh.rows, row)
	}
	return sh
}
