package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// The proposal (usulan) pages: Dinsos builds the month's batch for
// Kemensos from every household waiting to be proposed, downloads the
// SIKS-NG upload file, marks the batch as sent, uploads Kemensos' answer
// file, and, when Kemensos never answers the rest of a batch, records that
// (the households go back to wait for a later batch). Every step is the
// API's own code (Deps.Office).

type proposalForm struct {
	Month  string
	Errors map[string]string
}

type proposalListData struct {
	Cycles    []store.Cycle
	Cycle     *store.Cycle
	Proposals []store.Proposal
	// CanBuild: the caller builds batches (Dinsos).
	CanBuild bool
	// Waiting counts the households waiting to be proposed and in no batch.
	Waiting int64
	// NextMonth is the month a batch built now belongs to (the regency's
	// cut-off decides).
	NextMonth string
	Form      proposalForm
	ReportURL string
}

// proposalList lists a cycle's Kemensos batches with Dinsos' form to build
// the month's batch.
func (h *pages) proposalList(c *gin.Context) {
	v := &view{Title: "Usulan ke Kemensos", Active: "usulan"}
	h.showProposals(c, http.StatusOK, v, nil)
}

func (h *pages) showProposals(c *gin.Context, status int, v *view, f *proposalForm) {
	cycles, cy, err := h.cycles(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principal(c)
	d := proposalListData{Cycles: cycles, Cycle: cy, CanBuild: p.Role == auth.RoleDinsos}
	if h.d.Office.ProposalMonth != nil {
		d.NextMonth = h.d.Office.ProposalMonth()
	}
	if f == nil {
		f = &proposalForm{Month: d.NextMonth}
	}
	d.Form = *f
	if cy != nil {
		ctx := c.Request.Context()
		if d.Proposals, err = h.d.Store.ListProposals(ctx, cy.ID); err != nil {
			h.fail(c, err)
			return
		}
		if d.CanBuild {
			if d.Waiting, err = h.waitingForProposal(ctx, p, cy.ID, d.Proposals); err != nil {
				h.fail(c, err)
				return
			}
		}
		d.ReportURL = reportURL(cy.ID)
	}
	v.Data = d
	h.render(c, status, "proposals", v)
}

// waitingForProposal counts the households a new batch would list: those in
// stage awaiting_proposal less those a batch not yet sent already lists
// (a sent batch moves its households on to awaiting_kemensos).
func (h *pages) waitingForProposal(ctx context.Context, p auth.Principal, cycleID int64, ps []store.Proposal) (int64, error) {
	n, err := h.stageCount(ctx, p, cycleID, "awaiting_proposal")
	if err != nil {
		return 0, err
	}
	for _, pr := range ps {
		if pr.Status == store.ProposalDraft {
			n -= int64(pr.Items)
		}
	}
	return max(n, 0), nil
}

// buildProposal builds the month's batch through the API's own code and
// opens it.
func (h *pages) buildProposal(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	f := &proposalForm{Month: strings.TrimSpace(c.PostForm("month")), Errors: map[string]string{}}
	pr, err := h.d.Office.BuildProposal(ctx, actor(c), cy, f.Month)
	v := &view{Title: "Usulan ke Kemensos", Active: "usulan"}
	var ie *store.InvalidError
	switch {
	case errors.As(err, &ie):
		f.Errors[ie.Field] = translate(ie.Msg)
		if ie.Field != "month" {
			v.Error = translate(ie.Msg)
		}
		h.showProposals(c, http.StatusUnprocessableEntity, v, f)
		return
	case errors.Is(err, store.ErrConflict):
		v.Error = translate(err.Error())
		h.showProposals(c, http.StatusConflict, v, f)
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usulan/%d?disusun=1", pr.ID))
}

// proposalCounts sums a batch's households by kind and by Kemensos' answer.
type proposalCounts struct {
	Tambah, Hapus              int64
	Accepted, Rejected, Unsent int64
	// NotAnswered counts the households Dinsos recorded as not answered
	// by Kemensos (kemensos.TidakDijawab).
	NotAnswered int64
	// Rejections counts the rejections per reason, most frequent first.
	Rejections []reasonCount
}

type reasonCount struct {
	Reason string
	Count  int64
}

type answerUpload struct {
	Errors map[string]string
	// Rows are the refused file's row errors (at most answerRowsShown).
	Rows []kemensos.RowError
	// More counts the row errors not shown.
	More int
}

// unansweredForm is Dinsos' record that Kemensos did not answer the rest
// of a batch.
type unansweredForm struct {
	Reason string
	Errors map[string]string
	// Retry: the households were marked but their workflow was not told;
	// the form stays on the page to send again (nothing is marked twice).
	Retry bool
}

type proposalData struct {
	P      *store.Proposal
	Cycle  *store.Cycle
	Decree *store.Decree
	Counts proposalCounts
	// Dinsos' steps.
	CanDownload, CanSubmit, CanAnswer, CanMarkUnanswered bool
	FileURL                                              string
	Upload                                               answerUpload
	Unanswered                                           unansweredForm
	ReportURL                                            string
}

// answerRowsShown bounds the refused rows listed on the page.
const answerRowsShown = 200

// loadProposal loads the :id batch if its cycle is the caller's; another
// regency's batch is the 404 page.
func (h *pages) loadProposal(c *gin.Context) (*store.Proposal, *store.Cycle, bool) {
	id, ok := h.pathID(c)
	if !ok {
		return nil, nil, false
	}
	pr, cy, err := h.d.Store.ProposalFor(c.Request.Context(), principal(c), id)
	if err != nil {
		h.fail(c, err)
		return nil, nil, false
	}
	return pr, cy, true
}

// proposalPage is one batch: what it holds, Kemensos' answers so far, and
// Dinsos' next step.
func (h *pages) proposalPage(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	v := &view{}
	switch {
	case c.Query("disusun") == "1":
		v.Flash = "Usulan tersusun. Unduh berkasnya, unggah ke SIKS-NG, lalu tandai terkirim."
	case c.Query("terkirim") == "1":
		v.Flash = "Usulan ditandai terkirim ke Kemensos. Keluarga yang diusulkan kini menunggu penetapan."
	case c.Query("diterapkan") != "":
		n, _ := strconv.Atoi(c.Query("diterapkan"))
		v.Flash = fmt.Sprintf("Berkas jawaban Kemensos diterapkan: %s jawaban baru.", number(int64(n)))
	case c.Query("tidakdijawab") == "0":
		v.Flash = "Catatan tidak dijawab Kemensos diteruskan lagi ke keluarganya."
	case c.Query("tidakdijawab") != "":
		n, _ := strconv.Atoi(c.Query("tidakdijawab"))
		v.Flash = fmt.Sprintf("%s keluarga dicatat tidak dijawab Kemensos. Keluarga itu kembali menunggu usulan dan dapat diusulkan lagi pada batch berikutnya; usulan ini tidak lagi menahan tutup buku.",
			number(int64(n)))
	}
	h.showProposal(c, http.StatusOK, v, pr, cy, nil, nil)
}

func (h *pages) showProposal(c *gin.Context, status int, v *view, pr *store.Proposal, cy *store.Cycle, up *answerUpload, un *unansweredForm) {
	ctx := c.Request.Context()
	d := proposalData{P: pr, Cycle: cy, ReportURL: reportURL(cy.ID)}
	var err error
	if d.Decree, err = h.d.Store.GetDecree(ctx, pr.DecreeID); err != nil {
		h.fail(c, err)
		return
	}
	if d.Counts, err = h.proposalCounts(ctx, pr.ID); err != nil {
		h.fail(c, err)
		return
	}
	if principal(c).Role == auth.RoleDinsos {
		d.CanDownload = true
		d.FileURL = fmt.Sprintf("/api/v1/proposals/%d/file", pr.ID)
		d.CanSubmit = pr.Status == store.ProposalDraft
		// A refused file keeps its rows on the page even when the batch
		// has every answer (a late file for households Dinsos recorded
		// as not answered by Kemensos).
		d.CanAnswer = pr.Status == store.ProposalSubmitted || up != nil
		// The simulated Kemensos answers every household by itself.
		d.CanMarkUnanswered = pr.Status == store.ProposalSubmitted && !pr.Simulated && d.Counts.Unsent > 0 || un != nil && un.Retry
	}
	if up != nil {
		d.Upload = *up
	}
	if un != nil {
		d.Unanswered = *un
	}
	v.Title = "Usulan " + monthID(pr.Month)
	v.Active = "usulan"
	v.Data = d
	h.render(c, status, "proposal", v)
}

// proposalCounts counts a batch's items by kind, answer and reason.
// TODO(lead): move into internal/store (Store.ProposalCounts) when the
// store is next open for edits; it is here to keep this change in api/web.
func (h *pages) proposalCounts(ctx context.Context, proposalID int64) (proposalCounts, error) {
	var rows []struct {
		Jenis, Answer, AnswerReason string
		N                           int64
	}
	var out proposalCounts
	err := h.d.Store.DB.WithContext(ctx).Table("proposal_items").
		Select("jenis, answer, answer_reason, COUNT(*) AS n").Where("proposal_id = ?", proposalID).
		Group("jenis, answer, answer_reason").Order("n DESC, answer_reason").Scan(&rows).Error
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		if r.Jenis == "HAPUS" {
			out.Hapus += r.N
		} else {
			out.Tambah += r.N
		}
		switch r.Answer {
		case "DITETAPKAN":
			out.Accepted += r.N
		case kemensos.TidakDijawab:
			out.NotAnswered += r.N
		case "DITOLAK":
			out.Rejected += r.N
			found := false
			for i := range out.Rejections {
				if out.Rejections[i].Reason == r.AnswerReason {
					out.Rejections[i].Count += r.N
					found = true
				}
			}
			if !found {
				out.Rejections = append(out.Rejections, reasonCount{Reason: r.AnswerReason, Count: r.N})
			}
		default:
			out.Unsent += r.N
		}
	}
	return out, nil
}

// submitProposal marks the batch as uploaded to SIKS-NG and starts its
// workflow, through the API's own code.
func (h *pages) submitProposal(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	err := h.d.Office.SubmitProposal(c.Request.Context(), actor(c), cy, pr)
	if errors.Is(err, store.ErrConflict) {
		h.showProposal(c, http.StatusConflict, &view{Error: translate(err.Error())}, pr, cy, nil, nil)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usulan/%d?terkirim=1", pr.ID))
}

// uploadAnswers applies Kemensos' answer file through the API's own code.
// A refused file applies nothing; its row errors are listed in a table.
func (h *pages) uploadAnswers(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	up := &answerUpload{Errors: map[string]string{}}
	refuse := func(status int, v *view) {
		if v.Error == "" {
			v.Error = "Berkas jawaban belum diterapkan. Periksa isian yang ditandai."
		}
		h.showProposal(c, status, v, pr, cy, up, nil)
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		up.Errors["file"] = "Pilih berkas jawaban Kemensos (CSV atau XLSX)."
		refuse(http.StatusUnprocessableEntity, &view{})
		return
	}
	f, err := fh.Open()
	var data []byte
	if err == nil {
		data, err = io.ReadAll(f)
		f.Close()
	}
	if err != nil {
		up.Errors["file"] = "Berkas tidak terbaca; unggah lagi."
		refuse(http.StatusUnprocessableEntity, &view{})
		return
	}
	n, err := h.d.Office.ApplyAnswers(c.Request.Context(), actor(c), pr, data)
	var fe *activities.AnswerFileError
	var ng *activities.AnswersNotGivenError
	switch {
	case errors.As(err, &fe) && fe.Format != nil:
		up.Errors["file"] = "Berkas tidak terbaca sebagai jawaban Kemensos: " + answerFormatReason(fe.Format)
		if len(fe.Format.Missing) > 0 {
			up.Errors["file"] = "Baris judul berkas tidak memuat kolom wajib: " + strings.Join(fe.Format.Missing, ", ") + "."
		}
		refuse(http.StatusUnprocessableEntity, &view{})
		return
	case errors.As(err, &fe):
		up.Rows = fe.Rows
		if len(up.Rows) > answerRowsShown {
			up.Rows, up.More = up.Rows[:answerRowsShown], len(fe.Rows)-answerRowsShown
		}
		refuse(http.StatusUnprocessableEntity, &view{Error: fmt.Sprintf(
			"Berkas jawaban ditolak: %s baris bermasalah. Tidak ada jawaban yang diterapkan; perbaiki baris di bawah ini lalu unggah lagi seluruh berkasnya.",
			number(int64(len(fe.Rows))))})
		return
	case errors.Is(err, store.ErrConflict):
		refuse(http.StatusConflict, &view{Error: translate(err.Error())})
		return
	case errors.As(err, &ng):
		refuse(http.StatusServiceUnavailable, &view{Error: fmt.Sprintf(
			"Jawaban tersimpan (%s jawaban baru), tetapi belum dapat diteruskan ke keluarga saat ini. Unggah lagi berkas yang sama "+
				"(tidak ada jawaban yang diterapkan dua kali), atau jawaban diteruskan pada pemeriksaan berkala usulan ini.", number(int64(ng.Applied)))})
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usulan/%d?diterapkan=%d", pr.ID, n))
}

// markUnanswered records, through the API's own code, that Kemensos did
// not answer the rest of the batch: its households still waiting are
// marked and go back to wait for a later batch.
func (h *pages) markUnanswered(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	f := &unansweredForm{Reason: c.PostForm("alasan"), Errors: map[string]string{}}
	n, err := h.d.Office.MarkUnanswered(c.Request.Context(), actor(c), pr, f.Reason)
	var ie *store.InvalidError
	switch {
	case errors.As(err, &ie):
		f.Errors["reason"] = translate(ie.Msg)
		h.showProposal(c, http.StatusUnprocessableEntity, &view{}, pr, cy, nil, f)
	case errors.Is(err, store.ErrConflict):
		h.showProposal(c, http.StatusConflict, &view{Error: translate(err.Error())}, pr, cy, nil, f)
	case errors.As(err, new(*activities.AnswersNotGivenError)):
		f.Retry = true
		h.showProposal(c, http.StatusServiceUnavailable, &view{Error: "Keluarga yang belum dijawab sudah dicatat tidak dijawab Kemensos, tetapi catatan itu " +
			"belum dapat diteruskan ke keluarganya saat ini. Kirim lagi formulir di bawah ini (tidak ada keluarga yang dicatat dua kali), " +
			"atau catatan diteruskan pada pemeriksaan berkala usulan ini."}, pr, cy, nil, f)
	case err != nil:
		h.fail(c, err)
	default:
		redirect(c, fmt.Sprintf("/usulan/%d?tidakdijawab=%d", pr.ID, n))
	}
}
