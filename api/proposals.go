package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
)

type buildProposalRequest struct {
	// Month is YYYY-MM; empty means the month the regency's calendar puts
	// a proposal made today in.
	Month string `json:"month"`
}

// buildProposal builds the month's Kemensos batch from every household
// waiting to be proposed.
func (s *Server) buildProposal(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	var req buildProposalRequest
	if !s.bindOptional(c, &req, "must be JSON: {\"month\":\"2026-07\"}") {
		return
	}
	p, err := s.deps.Office.BuildProposal(c.Request.Context(), caller(c), cy, req.Month)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/proposals/"+strconv.FormatInt(p.ID, 10))
	c.JSON(http.StatusCreated, p)
}

func (s *Server) listProposals(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	ps, err := s.deps.Office.Proposals(c.Request.Context(), caller(c), cy)
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
	p, cy, err := s.deps.Office.Proposal(c.Request.Context(), caller(c), id)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return p, cy, true
}

// proposalView is a batch with its rejections that name a member of the
// family, as the batch's page shows them.
type proposalView struct {
	*store.Proposal
	MemberRejections []store.MemberRejection `json:"memberRejections"`
}

func (s *Server) getProposal(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	rs, err := s.deps.Office.ProposalMemberRejections(c.Request.Context(), caller(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	if rs == nil {
		rs = []store.MemberRejection{}
	}
	c.JSON(http.StatusOK, proposalView{Proposal: p, MemberRejections: rs})
}

// proposalFile downloads the SIKS-NG upload file. It holds full NIK and No
// KK numbers, so only Dinsos may fetch it, and each download is audited.
func (s *Server) proposalFile(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	file, _, err := s.deps.Office.ProposalFile(c.Request.Context(), caller(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="usulan-%s-%d.xlsx"`, p.Month, p.ID))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file)
}

// submitProposal marks the batch as sent to Kemensos and starts its
// workflow, which tells each household and waits for the answers.
func (s *Server) submitProposal(c *gin.Context) {
	p, cy, ok := s.proposal(c)
	if !ok {
		return
	}
	if err := s.deps.Office.SubmitProposal(c.Request.Context(), caller(c), cy, p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": p.ID, "status": domain.ProposalSubmitted})
}

// uploadAnswers takes Kemensos' answer file (multipart "file"). A file
// with any bad row applies nothing and the rows are listed; otherwise every
// answer is stored and the proposal's workflow gives them to the households.
func (s *Server) uploadAnswers(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	data, _, err := s.uploadedFile(c, "Kemensos' answer file")
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.deps.Office.ApplyAnswers(c.Request.Context(), caller(c), p, data)
	if s.answersNotGiven(c, err, "the answers were stored", "upload the same file again (nothing is applied twice)") {
		return
	}
	var fe *activities.AnswerFileError
	if errors.As(err, &fe) {
		if fe.Format != nil {
			s.fail(c, domain.FieldErr("file", domain.CodeFileFormat, fe.Format.Error()))
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
	if !s.bind(c, &req, "must be JSON: {\"reason\":\"...\"}") {
		return
	}
	n, err := s.deps.Office.MarkUnanswered(c.Request.Context(), caller(c), p, req.Reason)
	if s.answersNotGiven(c, err, "the households were marked unanswered", "send the same request again (nothing is marked twice)") {
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "marked": n})
}

// resumeProposal starts a submitted batch's workflow again if it failed
// or was terminated, from the stored state; a no-op while it runs or once
// it has finished.
func (s *Server) resumeProposal(c *gin.Context) {
	p, _, ok := s.proposal(c)
	if !ok {
		return
	}
	if err := s.deps.Office.ResumeProposal(c.Request.Context(), caller(c), p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": p.ID, "status": p.Status})
}

// report is the cycle funnel per kecamatan and desa, as JSON or
// (?format=xlsx) a spreadsheet with a sheet per desa and one per kecamatan.
func (s *Server) report(c *gin.Context) {
	cy, ok := s.cycle(c)
	if !ok {
		return
	}
	rep, programmes, err := s.deps.Office.Report(c.Request.Context(), caller(c), cy.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") != "xlsx" {
		c.JSON(http.StatusOK, gin.H{"cycleId": cy.ID, "programmes": programmes, "kecamatan": rep.Kecamatan, "desa": rep.Desa, "usulDays": rep.UsulDays,
			"sanggahDays": rep.SanggahDays})
		return
	}
	desa := funnelSheet("Laporan", true, programmes, rep.Desa)
	kec := funnelSheet("Kecamatan", false, programmes, rep.Kecamatan)
	s.sendXLSX(c, fmt.Sprintf("laporan-siklus-%d-%s.xlsx", cy.Year, strings.ReplaceAll(cy.RegencyCode, ".", "")), []sheet{desa, kec})
}

// sanggahKinds are the objections' kinds, in the report's order.
var sanggahKinds = []domain.SanggahKind{domain.SanggahInclusion, domain.SanggahExclusion}

// funnelSheet lays out report rows as a worksheet: the region, then each
// step of the funnel, then the households per stage (the final ones once
// the year has ended), so a row's stages add up to its intake.
func funnelSheet(name string, perDesa bool, programmes []string, rows []*store.FunnelRow) sheet {
	header := []string{"Kode Kecamatan", "Kecamatan"}
	if perDesa {
		header = append(header, "Kode Desa", "Desa/Kelurahan")
	}
	header = append(header, "Diterima (P3KE)")
	// Indonesian first, the code in brackets for whoever reads the file
	// by machine ("Hasil verval: Pindah [moved]").
	for _, o := range domain.Outcomes() {
		header = append(header, fmt.Sprintf("Hasil verval: %s [%s]", web.OutcomeName(o), o))
	}
	header = append(header, "Ditetapkan SK", "Diusulkan", "Diterima Kemensos")
	for _, p := range programmes {
		header = append(header, "Terdaftar "+p)
	}
	for _, st := range domain.Stages() {
		header = append(header, fmt.Sprintf("Tahap: %s [%s]", web.StageName(st), st))
	}
	// The people (jiwa) after the households (KK): those taken in, and
	// those each programme covers (per person where it is per person).
	header = append(header, "Jiwa diterima")
	for _, p := range programmes {
		header = append(header, "Jiwa terdaftar "+p)
	}
	// The families proposed from outside the file (usul), by channel.
	for _, ch := range store.UsulChannels() {
		header = append(header, fmt.Sprintf("Usul: %s [%s]", web.UsulChannelName(ch), ch))
	}
	header = append(header, "Usul diputuskan", "Usul: hari sampai keputusan (median)", "Usul: hari sampai keputusan (terlama)")
	// The objections (sanggah): by kind, channel and outcome, and the days
	// the decided ones took.
	for _, k := range sanggahKinds {
		header = append(header, fmt.Sprintf("Sanggah: %s [%s]", web.SanggahKindName(k), k))
	}
	for _, ch := range store.UsulChannels() {
		header = append(header, fmt.Sprintf("Sanggah lewat: %s [%s]", web.UsulChannelName(ch), ch))
	}
	for _, st := range domain.SanggahStatuses() {
		header = append(header, fmt.Sprintf("Sanggah %s [%s]", web.SanggahStatusName(st), st))
	}
	header = append(header, "Sanggah: hari sampai keputusan (median)", "Sanggah: hari sampai keputusan (terlama)")
	sh := sheet{Name: name, Header: header}
	for _, r := range rows {
		row := []any{r.KecamatanCode, r.KecamatanName}
		if perDesa {
			row = append(row, r.DesaCode, r.DesaName)
		}
		row = append(row, r.TakenIn)
		for _, o := range domain.Outcomes() {
			row = append(row, r.Verified[string(o)])
		}
		row = append(row, r.Decreed, r.Proposed, r.Accepted)
		for _, p := range programmes {
			row = append(row, r.Enrolled[p])
		}
		for _, st := range domain.Stages() {
			row = append(row, r.Final[string(st)])
		}
		row = append(row, r.TakenInPeople)
		for _, p := range programmes {
			row = append(row, r.EnrolledPeople[p])
		}
		for _, ch := range store.UsulChannels() {
			row = append(row, r.Usul[ch])
		}
		row = append(row, r.UsulDecided, r.UsulDays.Median, r.UsulDays.Worst)
		for _, k := range sanggahKinds {
			row = append(row, r.Sanggah[string(k)])
		}
		for _, ch := range store.UsulChannels() {
			row = append(row, r.SanggahChannel[ch])
		}
		for _, st := range domain.SanggahStatuses() {
			row = append(row, r.SanggahOutcome[string(st)])
		}
		row = append(row, r.SanggahDays.Median, r.SanggahDays.Worst)
		sh.Rows = append(sh.Rows, row)
	}
	return sh
}
