package activities_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/testx"
)

// submittedProposal gives the fixture's households real (synthetic)
// sealed numbers, and builds and submits a proposal of them all.
func (f *fixture) submittedProposal(t *testing.T) store.Proposal {
	t.Helper()
	ctx := context.Background()
	for i, id := range f.ids {
		kk, nik := fmt.Sprintf("350501%010d", i+1), fmt.Sprintf("3505014107%02d%04d", 80+i%10, i+1)
		kkSealed, err := f.st.Keys.Seal(kk, store.ADNoKK)
		must(t, err)
		nikSealed, err := f.st.Keys.Seal(nik, store.ADNIK)
		must(t, err)
		must(t, f.db.Model(&store.Household{}).Where("id = ?", id).Updates(map[string]any{
			"kk_sealed": []byte(kkSealed), "kk_hash": f.st.Keys.Hash(kk),
			"nik_sealed": []byte(nikSealed), "nik_hash": f.st.Keys.Hash(nik), "outcome": "eligible",
		}).Error)
	}
	f.signedDecree(t, domain.DecreeInitial, "add", f.ids)
	dinsos := domain.Actor{UserID: 31, Role: "dinsos", RequestID: "p1"}
	p := store.Proposal{CycleID: f.cycle.ID, Month: "2025-04"}
	must(t, f.st.BuildProposal(ctx, &p, dinsos))
	must(t, f.st.MarkProposalSubmitted(ctx, p.ID, dinsos))
	return p
}

// The activities reach Kemensos through the gateway they hold: the file
// gateway leaves the answers to Dinsos' upload; the simulated one answers
// by itself, and collecting its answers twice (a retry) applies them once.
func TestKemensosGatewayActivities(t *testing.T) {
	tests := []struct {
		name      string
		gw        kemensos.Gateway
		want      activities.SubmitResult
		answered  int64
		collected []int
	}{
		{"nil is the file gateway", nil, activities.SubmitResult{}, 0, []int{0, 0}},
		{"file", kemensos.File{}, activities.SubmitResult{}, 0, []int{0, 0}},
		{"simulated", kemensos.Simulator{Delay: time.Hour, Seed: 3, RejectShare: 0.5},
			activities.SubmitResult{AnswersItself: true, AnswerAfter: time.Hour}, 6, []int{6, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 6, "awaiting_proposal")
			p := f.submittedProposal(t)
			acts := &activities.Activities{Store: f.st, Kemensos: tt.gw}
			env := newSuite(t).NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			ref := activities.ProposalRef{ProposalID: p.ID}

			v, err := env.ExecuteActivity(acts.SubmitToKemensos, ref)
			must(t, err)
			var sub activities.SubmitResult
			must(t, v.Get(&sub))
			testx.Equal(t, "submission", sub, tt.want)

			var collected []int
			for range 2 {
				v, err := env.ExecuteActivity(acts.CollectKemensosAnswers, ref)
				must(t, err)
				var res activities.CollectResult
				must(t, v.Get(&res))
				collected = append(collected, res.Applied)
			}
			testx.Equal(t, "answers applied per collection", collected, tt.collected)
			var answered, rejected int64
			must(t, f.db.Model(&store.ProposalItem{}).Where("proposal_id = ? AND answer <> ''", p.ID).Count(&answered).Error)
			must(t, f.db.Model(&store.ProposalItem{}).Where("proposal_id = ? AND answer = 'DITOLAK' AND answer_reason <> ''", p.ID).Count(&rejected).Error)
			if answered != tt.answered {
				t.Errorf("%d households answered, want %d", answered, tt.answered)
			}
			if tt.answered > 0 && (rejected == 0 || rejected == answered) {
				t.Errorf("%d of %d rejected at share 0.5 (seeded): want some of each", rejected, answered)
			}
		})
	}
}

// notes records notifications.
type notes struct{ got []store.Notification }

func (n *notes) Notify(_ context.Context, x store.Notification) error {
	n.got = append(n.got, x)
	return nil
}

// The periodic check reports answers stored but not given (an upload whose
// signal was lost), and reminds Dinsos only while households are
// unanswered.
func TestNotifyKemensosLateReportsUngivenAnswers(t *testing.T) {
	f := newFixture(t, 3, "awaiting_proposal")
	p := f.submittedProposal(t)
	n := &notes{}
	acts := &activities.Activities{Store: f.st, Notifier: n}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	in := activities.KemensosLateInput{ProposalID: p.ID, CycleID: f.cycle.ID, RegencyCode: "35.05", At: time.Now()}
	check := func(what string, want activities.KemensosLateResult, notes int) {
		t.Helper()
		v, err := env.ExecuteActivity(acts.NotifyKemensosLate, in)
		must(t, err)
		var got activities.KemensosLateResult
		must(t, v.Get(&got))
		testx.Equal(t, what, got, want)
		if len(n.got) != notes {
			t.Errorf("%s: %d notifications, want %d", what, len(n.got), notes)
		}
	}
	check("nothing answered", activities.KemensosLateResult{}, 1)

	dinsos := domain.Actor{UserID: 31, Role: "dinsos", RequestID: "a1"}
	_, err := f.st.ApplyAnswers(context.Background(), p.ID, []store.StoredAnswer{
		{HouseholdID: f.ids[0], Accepted: true, Date: "2025-05-01"}, {HouseholdID: f.ids[1], Accepted: true, Date: "2025-05-01"},
	}, dinsos)
	must(t, err)
	check("two stored, one unanswered", activities.KemensosLateResult{Ungiven: 2}, 2)

	must(t, f.st.MarkAnswersSignalled(context.Background(), p.ID, f.ids[:1]))
	dinsos.RequestID = "a2"
	_, err = f.st.ApplyAnswers(context.Background(), p.ID, []store.StoredAnswer{{HouseholdID: f.ids[2], Reason: "GANDA", Date: "2025-05-02"}}, dinsos)
	must(t, err)
	check("all answered, two not given", activities.KemensosLateResult{Ungiven: 2}, 2)
}

// answerCases records the answers a fan-out gives to the households.
type answerCases struct {
	fakeCases
	answers map[int64]activities.Answer
}

func (c *answerCases) KemensosAnswer(_ context.Context, _, householdID int64, a activities.Answer) error {
	c.answers[householdID] = a
	return nil
}

// Dinsos' record that Kemensos did not answer reaches the households as
// any answer does: not accepted, with TIDAK_DIJAWAB as its reason (the
// household workflow sends them back to wait for a later batch), beside
// Kemensos' own answer to the rest of the batch; then nothing waits.
func TestFanOutAnswersGivesTheNoAnswerMarking(t *testing.T) {
	f := newFixture(t, 3, "awaiting_proposal")
	p := f.submittedProposal(t)
	ctx := context.Background()
	dinsos := domain.Actor{UserID: 31, Role: "dinsos", RequestID: "a1"}
	_, err := f.st.ApplyAnswers(ctx, p.ID, []store.StoredAnswer{{HouseholdID: f.ids[0], Accepted: true, Date: "2025-05-01"}}, dinsos)
	must(t, err)
	dinsos.RequestID = "a2"
	n, err := f.st.MarkUnanswered(ctx, p.ID, "tidak dijawab", dinsos)
	if err != nil || n != 2 {
		t.Fatalf("mark: %d, %v", n, err)
	}
	var it store.ProposalItem
	must(t, f.db.Where("proposal_id = ? AND household_id = ?", p.ID, f.ids[1]).First(&it).Error)

	cases := &answerCases{answers: map[int64]activities.Answer{}}
	acts := &activities.Activities{Store: f.st, Cases: cases}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	v, err := env.ExecuteActivity(acts.FanOutAnswers, activities.ProposalRef{ProposalID: p.ID})
	must(t, err)
	var res activities.FanOutProposalResult
	must(t, v.Get(&res))
	testx.Equal(t, "fan-out", res, activities.FanOutProposalResult{Households: 3})
	none := activities.Answer{ProposalID: p.ID, Reason: kemensos.TidakDijawab, Date: it.AnswerDate}
	testx.Equal(t, "answers given", cases.answers, map[int64]activities.Answer{
		f.ids[0]: {ProposalID: p.ID, Accepted: true, Date: "2025-05-01"}, f.ids[1]: none, f.ids[2]: none,
	})
}

// TestSimulatorAnswersOnlyTheUnanswered (issue 17, defect 1): the
// simulated Kemensos answers only the households of a batch still without
// an answer. One answered before it (an upload from before uploads to a
// simulated batch were refused, or Dinsos' TIDAK_DIJAWAB marking) keeps
// its answer, even one the simulator would have contradicted, and the
// collection cannot fail the batch. A batch built for the simulator is
// answered by one even when the worker now holds the file gateway.
func TestSimulatorAnswersOnlyTheUnanswered(t *testing.T) {
	for _, gw := range []kemensos.Gateway{kemensos.Simulator{Delay: time.Hour}, kemensos.File{}} {
		t.Run(fmt.Sprintf("%T", gw), func(t *testing.T) {
			f := newFixture(t, 4, "awaiting_proposal")
			p := f.submittedProposal(t)
			must(t, f.db.Model(&store.Proposal{}).Where("id = ?", p.ID).Update("simulated", true).Error)
			// The accept-all simulator would accept the first household:
			// it was rejected GANDA before.
			if n, err := f.st.ApplyAnswers(context.Background(), p.ID, []store.StoredAnswer{
				{HouseholdID: f.ids[0], Reason: kemensos.TolakGanda, Date: "2025-04-20"},
			}, domain.Actor{Role: "dinsos", RequestID: "upload"}); err != nil || n != 1 {
				t.Fatalf("earlier answer: %d, %v", n, err)
			}
			acts := &activities.Activities{Store: f.st, Kemensos: gw}
			env := newSuite(t).NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			v, err := env.ExecuteActivity(acts.CollectKemensosAnswers, activities.ProposalRef{ProposalID: p.ID})
			if err != nil {
				t.Fatalf("collecting the simulator's answers: %v", err)
			}
			var res activities.CollectResult
			must(t, v.Get(&res))
			if res.Applied != 3 {
				t.Errorf("the simulator applied %d answers, want the 3 unanswered", res.Applied)
			}
			var it store.ProposalItem
			must(t, f.db.Where("proposal_id = ? AND household_id = ?", p.ID, f.ids[0]).First(&it).Error)
			if it.Answer != "DITOLAK" || it.AnswerReason != kemensos.TolakGanda {
				t.Errorf("the earlier answer became %s %s", it.Answer, it.AnswerReason)
			}
			got, err := f.st.GetProposal(context.Background(), p.ID)
			must(t, err)
			if got.Status != domain.ProposalAnswered || got.Answered != 4 {
				t.Errorf("the batch after the simulator: %s, %d answered", got.Status, got.Answered)
			}
		})
	}
}

// The answer file's refusal counts rows, not problems: two rows with three
// problems are "3 errors in 2 rows".
func TestAnswerFileErrorCountsRows(t *testing.T) {
	e := &activities.AnswerFileError{Rows: []kemensos.RowError{{Row: 2}, {Row: 2}, {Row: 5}}}
	if got, want := e.Error(), "the answer file has 3 errors in 2 rows; nothing was applied"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &activities.AnswerFileError{Rows: []kemensos.RowError{{Row: 4}}}
	if got, want := e.Error(), "the answer file has errors in 1 row; nothing was applied"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
