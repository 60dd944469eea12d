package office

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// proposalMonth is the batch month for a proposal made at now: after the
// regency's data cut-off day a household waits for the next month.
func proposalMonth(now time.Time, cutoffDay int) string {
	if now.Day() > cutoffDay {
		now = time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
	}
	return now.Format("2006-01")
}

// cutoffDate is month's (YYYY-MM) data cut-off day, YYYY-MM-DD: the last
// day a change the month's batch proposes may have happened on, so a
// change is proposed in proposalMonth of its day (a death on 20 March,
// after a cut-off on the 17th, in April's batch).
func cutoffDate(month string, cutoffDay int) string {
	return month + fmt.Sprintf("-%02d", cutoffDay)
}

// ProposalMonth is the batch month (YYYY-MM) of a proposal made now.
func (s *Service) ProposalMonth() string { return proposalMonth(s.now(), s.kemensos.CutoffDay) }

// BuildProposal builds cy's Kemensos batch for month (YYYY-MM; "" for
// ProposalMonth's) from every household waiting to be proposed.
func (s *Service) BuildProposal(ctx context.Context, c Caller, cy *store.Cycle, month string) (*store.Proposal, error) {
	if err := c.may(StepProposals); err != nil {
		return nil, err
	}
	if month == "" {
		month = s.ProposalMonth()
	} else if _, err := time.Parse("2006-01", month); err != nil {
		return nil, domain.FieldErr("month", domain.CodeProposalMonth)
	}
	p := store.Proposal{CycleID: cy.ID, Month: month, Simulated: s.kemensos.Simulated, ChangesUntil: cutoffDate(month, s.kemensos.CutoffDay)}
	if err := s.store.BuildProposal(ctx, &p, c.Actor()); err != nil {
		return nil, err
	}
	return &p, nil
}

// Proposals lists a cycle's batches, newest first.
func (s *Service) Proposals(ctx context.Context, c Caller, cy *store.Cycle) ([]store.Proposal, error) {
	if err := c.may(StepReadProposals); err != nil {
		return nil, err
	}
	return s.store.ListProposals(ctx, cy.ID)
}

// Proposal is batch id with its cycle, if the caller may see them.
func (s *Service) Proposal(ctx context.Context, c Caller, id int64) (*store.Proposal, *store.Cycle, error) {
	if err := c.may(StepReadProposals); err != nil {
		return nil, nil, err
	}
	return s.store.ProposalFor(ctx, c.Principal, id)
}

// ProposalCounts counts batch p's households by kind and answer, for its
// page.
func (s *Service) ProposalCounts(ctx context.Context, c Caller, p *store.Proposal) (*store.ProposalCount, error) {
	if err := c.may(StepReadProposals); err != nil {
		return nil, err
	}
	return s.store.ProposalCounts(ctx, p.ID)
}

// ProposalMemberRejections are batch p's rejections that name a member of
// the household (the answer file's nik_anggota): member NIKs masked, and
// names and addresses masked for the roles that do not work with them.
func (s *Service) ProposalMemberRejections(ctx context.Context, c Caller, p *store.Proposal) ([]store.MemberRejection, error) {
	if err := c.may(StepReadProposals); err != nil {
		return nil, err
	}
	rs, err := s.store.ProposalMemberRejections(ctx, p.ID)
	for i := range rs {
		c.mask(&rs[i].HeadName, &rs[i].Address)
		c.maskName(&rs[i].MemberName)
	}
	return rs, err
}

// ProposalFile is batch p's SIKS-NG upload file (XLSX), with its member
// sheet for the households whose people verval knows. It holds
// full NIK and No KK numbers, so only Dinsos may have it, and it is handed
// out only after its download is in the audit trail (store.ErrUnavailable
// otherwise: no audit, no data). It returns the file and its rows.
func (s *Service) ProposalFile(ctx context.Context, c Caller, p *store.Proposal) ([]byte, int, error) {
	if err := c.may(StepProposals); err != nil {
		return nil, 0, err
	}
	lines, err := s.store.ProposalLines(ctx, p.ID)
	if err != nil {
		return nil, 0, err
	}
	d, err := s.store.GetDecree(ctx, p.DecreeID)
	if err != nil {
		return nil, 0, err
	}
	signed, _ := time.Parse("2006-01-02", d.SignedDate)
	number := ""
	if d.Number != nil {
		number = *d.Number
	}
	members, err := s.store.ProposalMembers(ctx, p.ID)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]kemensos.ProposalRow, len(lines))
	for i, l := range lines {
		rows[i] = kemensos.ProposalRow{KodeWilayah: l.DesaCode, NoKK: l.NoKK, NIK: l.NIK, Nama: l.Name, Alamat: l.Address,
			Jenis: l.Jenis, Alasan: l.Alasan, NomorSK: number, TanggalSK: signed}
		for _, m := range members[l.HouseholdID] {
			rows[i].Anggota = append(rows[i].Anggota, kemensos.ProposalMember{NIK: m.NIK, Nama: m.Name, Hubungan: m.Relation,
				JenisKelamin: m.Sex, TanggalLahir: m.BirthDate, Pekerjaan: m.Occupation})
		}
	}
	var buf bytes.Buffer
	if err := kemensos.WriteProposalXLSX(&buf, rows); err != nil {
		return nil, 0, err
	}
	if err := s.auditFirst(ctx, c, p.CycleID, nil, "proposal.download", map[string]any{"proposalId": p.ID, "rows": len(rows)}); err != nil {
		return nil, 0, fmt.Errorf("%w: audit trail: %w", store.ErrUnavailable, err)
	}
	return buf.Bytes(), len(rows), nil
}

// SubmitProposal records batch p of cy as sent to Kemensos and starts its
// workflow, which tells each household and waits for the answers.
func (s *Service) SubmitProposal(ctx context.Context, c Caller, cy *store.Cycle, p *store.Proposal) error {
	if err := c.may(StepProposals); err != nil {
		return err
	}
	if err := s.store.MarkProposalSubmitted(ctx, p.ID, c.Actor()); err != nil {
		return err
	}
	// The worker's Kemensos gateway (kemensos.File or the simulator) says
	// how the answers come back; the workflow's input does not.
	in := workflows.ProposalInput{ProposalID: p.ID, CycleID: p.CycleID, RegencyCode: cy.RegencyCode, ReminderAfter: s.kemensos.ReminderAfter}
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProposalWorkflowID(p.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.ProposalWorkflow, in)
	return err
}

// ApplyAnswers applies Kemensos' answer file to batch p, all or nothing,
// and tells the batch's workflow; it returns how many answers were new. A
// file that cannot be read or has bad rows is an
// *activities.AnswerFileError, and nothing is applied. Answers stored
// whose workflow could not be told are an *activities.AnswersNotGivenError.
func (s *Service) ApplyAnswers(ctx context.Context, c Caller, p *store.Proposal, file []byte) (int, error) {
	if err := c.may(StepProposals); err != nil {
		return 0, err
	}
	if p.Simulated {
		// The simulated Kemensos answers this batch by itself: a file
		// uploaded beside it would mix the two ways answers come back.
		return 0, domain.Err(domain.CodeProposalSimulatedUpload)
	}
	n, err := activities.ApplyAnswerFile(ctx, s.store, p.ID, bytes.NewReader(file), c.Actor())
	// The file's problems come wrapped in a non-retryable application
	// error (the simulator's activity shares this code); unwrap them.
	if fe := (*activities.AnswerFileError)(nil); errors.As(err, &fe) {
		return 0, fe
	}
	if err != nil {
		return 0, err
	}
	return n, s.answersStored(ctx, c, p, n)
}

// unansweredReasonMax is the longest reason kept with the marking (the
// answer note's column), in characters.
const unansweredReasonMax = 500

// MarkUnanswered marks batch p's households still without an answer as
// not answered by Kemensos (kemensos.TidakDijawab) with Dinsos' reason,
// and tells the batch's workflow as an answer upload does. It returns how
// many households were marked; marked households whose workflow could not
// be told are an *activities.AnswersNotGivenError.
func (s *Service) MarkUnanswered(ctx context.Context, c Caller, p *store.Proposal, reason string) (int, error) {
	if err := c.may(StepProposals); err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > unansweredReasonMax {
		return 0, domain.FieldErr("reason", domain.CodeProposalUnansweredReason, unansweredReasonMax)
	}
	if e := domain.CheckChars("reason", reason, true); e != nil {
		return 0, e
	}
	n, err := s.store.MarkUnanswered(ctx, p.ID, reason, c.Actor())
	if err != nil {
		return 0, err
	}
	return n, s.answersStored(ctx, c, p, n)
}

// answersStored tells batch p's workflow that n answers (or markings) were
// stored and wait to be given to the households (none new: a repeat, whose
// earlier signal may have been lost). They are committed: a signal that
// fails now must not read as "nothing happened". A batch whose workflow
// has ended without finishing (failed, terminated) has it started again
// from the stored state (resumeProposal), which gives them. Otherwise it
// tries a few times, then returns an *activities.AnswersNotGivenError (the
// workflow's periodic check also finds them).
func (s *Service) answersStored(ctx context.Context, c Caller, p *store.Proposal, n int) error {
	var serr error
	for i, wait := range answersSignalBackoff {
		if i > 0 {
			select {
			case <-ctx.Done():
				return &activities.AnswersNotGivenError{Applied: n, Err: serr}
			case <-time.After(wait):
			}
		}
		serr = s.temporal.SignalWorkflow(ctx, workflows.ProposalWorkflowID(p.ID), "", workflows.SignalAnswersUploaded, nil)
		if nf := (*serviceerror.NotFound)(nil); errors.As(serr, &nf) {
			// No running workflow: it ended. Start it again.
			serr = s.resumeProposal(ctx, c, p)
		}
		if serr == nil {
			return nil
		}
	}
	s.log.Warn("answers stored, proposal workflow not signalled", "proposalId", p.ID, "applied", n, "err", serr)
	return &activities.AnswersNotGivenError{Applied: n, Err: serr}
}

// ResumeProposal starts submitted batch p's workflow again when it has
// ended without finishing (failed, or terminated): the way out for a batch
// whose workflow died, which would otherwise hold the cycle's close back
// for ever. The new run starts from the stored state: it tells only the
// households not yet told of the batch, has the simulated Kemensos answer
// what is still unanswered, and gives every stored answer. While the
// workflow runs it is only nudged to give stored answers; once it has
// finished (every answer given) it is a no-op.
func (s *Service) ResumeProposal(ctx context.Context, c Caller, p *store.Proposal) error {
	if err := c.may(StepProposals); err != nil {
		return err
	}
	if p.Status == domain.ProposalDraft {
		return domain.Err(domain.CodeProposalNotSubmitted)
	}
	return s.resumeProposal(ctx, c, p)
}

// resumeProposal signals batch p's workflow that answers wait, starting it
// again first if its last run failed or was terminated. The workflow ID
// names the batch and the reuse policy allows a new run only after one
// that did not complete, so a completed batch is left alone.
func (s *Service) resumeProposal(ctx context.Context, c Caller, p *store.Proposal) error {
	cy, err := s.store.GetCycle(ctx, c.Principal, p.CycleID)
	if err != nil {
		return err
	}
	in := workflows.ProposalInput{ProposalID: p.ID, CycleID: p.CycleID, RegencyCode: cy.RegencyCode, ReminderAfter: s.kemensos.ReminderAfter}
	_, err = s.temporal.SignalWithStartWorkflow(ctx, workflows.ProposalWorkflowID(p.ID), workflows.SignalAnswersUploaded, nil, client.StartWorkflowOptions{
		ID: workflows.ProposalWorkflowID(p.ID), TaskQueue: workflows.OpsTaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, workflows.ProposalWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// Its last run completed: every answer was given.
		return nil
	}
	if err == nil {
		s.log.Info("proposal workflow resumed", "proposalId", p.ID)
	}
	return err
}

// answersSignalBackoff are the waits before each attempt to tell a batch's
// workflow that answers were stored.
var answersSignalBackoff = []time.Duration{0, 200 * time.Millisecond, time.Second}

// EnrolmentList is one programme's list for the cycle: the households
// enrolled and the exits, one line per person the rule covers where the
// programme is per person (PBI-JK, BPJS-TK), names masked for the roles
// that do not work with them. An unknown programme is a bad request naming the known ones.
func (s *Service) EnrolmentList(ctx context.Context, c Caller, cy *store.Cycle, programme string) ([]store.EnrolmentLine, error) {
	if err := c.may(StepReadProposals); err != nil {
		return nil, err
	}
	var known []string
	for _, r := range s.rules {
		known = append(known, r.Programme)
		if r.Programme == programme {
			lines, err := s.store.EnrolmentList(ctx, c.Principal, cy.ID, programme)
			if err == nil && r.Persons != nil {
				lines, err = s.store.EnrolmentPeople(ctx, lines, *r.Persons)
			}
			for i := range lines {
				c.mask(&lines[i].Name, &lines[i].Address)
				c.maskName(&lines[i].MemberName)
			}
			return lines, err
		}
	}
	return nil, domain.FieldErr("programme", domain.CodeEnrolmentProgram, fmt.Sprint(known))
}

// ProposalWaiting counts the households a new batch would list: those in
// stage awaiting_proposal in the caller's region, less those a batch not
// yet sent already lists (a sent batch moves its households on to
// awaiting_kemensos).
func (s *Service) ProposalWaiting(ctx context.Context, c Caller, cy *store.Cycle, ps []store.Proposal) (int64, error) {
	if err := c.may(StepProposals); err != nil {
		return 0, err
	}
	n, err := s.stageCount(ctx, c, cy.ID, domain.StageAwaitingProposal)
	if err != nil {
		return 0, err
	}
	for _, pr := range ps {
		if pr.Status == domain.ProposalDraft {
			n -= int64(pr.Items)
		}
	}
	return max(n, 0), nil
}

// stageCount counts a cycle's households in one stage, in the caller's
// region.
func (s *Service) stageCount(ctx context.Context, c Caller, cycleID int64, stage domain.Stage) (int64, error) {
	rows, err := s.store.Progress(ctx, c.Principal, cycleID)
	var n int64
	for _, r := range rows {
		if r.Stage == string(stage) {
			n += r.Count
		}
	}
	return n, err
}
