package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
)

// The proposal (usulan) pages: Dinsos builds the month's batch for
// Kemensos from every household waiting to be proposed, downloads the
// SIKS-NG upload file, marks the batch as sent, uploads Kemensos' answer
// file, and, when Kemensos never answers the rest of a batch, records that
// (the households go back to wait for a later batch). Every step is the
// office (internal/office), as the JSON API does.

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
	d.NextMonth = h.d.Office.ProposalMonth()
	if f == nil {
		f = &proposalForm{Month: d.NextMonth}
	}
	d.Form = *f
	if cy != nil {
		ctx := c.Request.Context()
		if d.Proposals, err = h.d.Office.Proposals(ctx, caller(c), cy); err != nil {
			h.fail(c, err)
			return
		}
		if d.CanBuild {
			if d.Waiting, err = h.d.Office.ProposalWaiting(ctx, caller(c), cy, d.Proposals); err != nil {
				h.fail(c, err)
				return
			}
		}
		d.ReportURL = reportURL(cy.ID)
	}
	v.Data = d
	h.render(c, status, "proposals", v)
}

// buildProposal builds the month's batch through the office (internal/office) and
// opens it.
func (h *pages) buildProposal(c *gin.Context) {
	ctx := c.Request.Context()
	cy, ok := h.formCycle(c)
	if !ok {
		return
	}
	f := &proposalForm{Month: strings.TrimSpace(c.PostForm("month")), Errors: map[string]string{}}
	pr, err := h.d.Office.BuildProposal(ctx, caller(c), cy, f.Month)
	v := &view{Title: "Usulan ke Kemensos", Active: "usulan"}
	if e, msg, status, ok := refusal(err); ok {
		if e.Field == "month" {
			f.Errors[e.Field] = msg
		} else {
			v.Error = msg
		}
		h.showProposals(c, status, v, f)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usulan/%d?disusun=1", pr.ID))
}

// proposalCounts sums a batch's households by kind and by Kemensos' answer.
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
	Counts *store.ProposalCount
	// MemberRejections are the rejections that name a member of the
	// family, masked for the caller.
	MemberRejections []store.MemberRejection
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
	pr, cy, err := h.d.Office.Proposal(c.Request.Context(), caller(c), id)
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
	if d.Decree, _, err = h.d.Office.Decree(ctx, caller(c), pr.DecreeID); err != nil {
		h.fail(c, err)
		return
	}
	if d.Counts, err = h.d.Office.ProposalCounts(ctx, caller(c), pr); err != nil {
		h.fail(c, err)
		return
	}
	if d.MemberRejections, err = h.d.Office.ProposalMemberRejections(ctx, caller(c), pr); err != nil {
		h.fail(c, err)
		return
	}
	if principal(c).Role == auth.RoleDinsos {
		d.CanDownload = true
		d.FileURL = fmt.Sprintf("/api/v1/proposals/%d/file", pr.ID)
		d.CanSubmit = pr.Status == domain.ProposalDraft
		// A refused file keeps its rows on the page even when the batch
		// has every answer (a late file for households Dinsos recorded
		// as not answered by Kemensos). A batch of the simulated Kemensos
		// takes no file (the office refuses one): no form.
		d.CanAnswer = pr.Status == domain.ProposalSubmitted && !pr.Simulated || up != nil
		// The simulated Kemensos answers every household by itself.
		d.CanMarkUnanswered = pr.Status == domain.ProposalSubmitted && !pr.Simulated && d.Counts.Unsent > 0 || un != nil && un.Retry
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

// submitProposal marks the batch as uploaded to SIKS-NG and starts its
// workflow, through the office (internal/office).
func (h *pages) submitProposal(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	err := h.d.Office.SubmitProposal(c.Request.Context(), caller(c), cy, pr)
	if _, msg, status, ok := refusal(err); ok {
		h.showProposal(c, status, &view{Error: msg}, pr, cy, nil, nil)
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, fmt.Sprintf("/usulan/%d?terkirim=1", pr.ID))
}

// uploadAnswers applies Kemensos' answer file through the office (internal/office).
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
	n, err := h.d.Office.ApplyAnswers(c.Request.Context(), caller(c), pr, data)
	var fe *activities.AnswerFileError
	var ng *activities.AnswersNotGivenError
	switch {
	case errors.As(err, &fe) && fe.Format != nil:
		up.Errors["file"] = "Berkas tidak terbaca sebagai jawaban Kemensos: " + formatReason(fe.Format)
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
			number(int64(fe.RowCount())))})
		return
	case domain.IsKind(err, domain.KindConflict):
		_, msg, status, _ := refusal(err)
		refuse(status, &view{Error: msg})
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

// markUnanswered records, through the office (internal/office), that Kemensos did
// not answer the rest of the batch: its households still waiting are
// marked and go back to wait for a later batch.
func (h *pages) markUnanswered(c *gin.Context) {
	pr, cy, ok := h.loadProposal(c)
	if !ok {
		return
	}
	f := &unansweredForm{Reason: c.PostForm("alasan"), Errors: map[string]string{}}
	n, err := h.d.Office.MarkUnanswered(c.Request.Context(), caller(c), pr, f.Reason)
	e, msg, status, refused := refusal(err)
	switch {
	case refused && e.Field == "reason":
		f.Errors["reason"] = msg
		h.showProposal(c, status, &view{}, pr, cy, nil, f)
	case refused:
		h.showProposal(c, status, &view{Error: msg}, pr, cy, nil, f)
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
