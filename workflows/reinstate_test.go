package workflows_test

import (
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// exclusionIn is an objection that a household left out is poor.
func exclusionIn() workflows.SanggahInput {
	in := sanggahIn(domain.ReverifyVillage)
	in.Kind = domain.SanggahExclusion
	return in
}

// decideSanggah scripts a finding at +3d and Dinsos' decision at +5d.
func (h *harness) decideSanggah(upheld bool) {
	h.updateAt(3*day, workflows.UpdateSanggahFinding, workflows.SanggahFinding{Actor: officer, Outcome: domain.OutcomeEligible, Note: "Rumah bilik, tanpa penghasilan tetap"})
	h.updateAt(5*day, workflows.UpdateSanggahDecide, workflows.SanggahDecision{Actor: tksk, Upheld: upheld, Note: "Keputusan Dinsos"})
}

// An upheld exclusion error reinstates its household once the objector is
// told, as a retried activity (not a local one) that waits while the
// household's case still runs, with who upheld it; an upheld inclusion
// error excludes its household instead; a rejected one does neither.
func TestUpheldExclusionReinstatesTheHousehold(t *testing.T) {
	h := newEnv(t)
	h.caseRunning = 2
	h.decideSanggah(true)
	h.env.ExecuteWorkflow(workflows.SanggahWorkflow, exclusionIn())
	if !h.env.IsWorkflowCompleted() || h.env.GetWorkflowError() != nil {
		t.Fatalf("workflow: %v", h.env.GetWorkflowError())
	}
	calls := h.callsOf("ReinstateHousehold")
	if len(calls) != 3 {
		t.Fatalf("%d reinstate attempts, want 3 (twice the case still ran)", len(calls))
	}
	for _, c := range calls {
		testx.Equal(t, "reinstate input", c.In.(activities.UpheldInput), activities.UpheldInput{SanggahID: 31, Actor: tksk})
		if c.Local {
			t.Error("the reinstatement ran as a local activity: its waits would hold a workflow task")
		}
	}
	informed := h.callsOf("InformObjector")
	if last := informed[len(informed)-1]; last.In.(activities.InformInput).Event != activities.InformDecided || last.At.After(calls[0].At) {
		t.Errorf("the objector is told of the decision before the reinstatement: %+v", informed)
	}

	if n := len(h.callsOf("ExcludeHousehold")); n != 0 {
		t.Errorf("an exclusion error excluded its household %d times", n)
	}
	inclusion := sanggahIn(domain.ReverifyVillage)
	inclusion.Kind = domain.SanggahInclusion
	for _, tc := range []struct {
		name               string
		in                 workflows.SanggahInput
		upheld             bool
		reinstate, exclude int
	}{
		{"rejected exclusion", exclusionIn(), false, 0, 0},
		{"rejected inclusion", inclusion, false, 0, 0},
		{"upheld inclusion", inclusion, true, 0, 1},
	} {
		h := newEnv(t)
		h.decideSanggah(tc.upheld)
		h.env.ExecuteWorkflow(workflows.SanggahWorkflow, tc.in)
		if err := h.env.GetWorkflowError(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r, e := len(h.callsOf("ReinstateHousehold")), len(h.callsOf("ExcludeHousehold")); r != tc.reinstate || e != tc.exclude {
			t.Errorf("%s: %d reinstatements, %d exclusions", tc.name, r, e)
		}
	}
}

// The cycle's close ends an undecided objection: recorded closed, its
// stage in the search attributes, the objector told, no escalation after
// it and no step accepted after it.
func TestSanggahClosedWithTheCycle(t *testing.T) {
	h := newEnv(t)
	closed := h.updateAt(12*day, workflows.UpdateSanggahClose, workflows.SanggahClose{Reason: closeReason})
	late := h.updateAt(12*day, workflows.UpdateSanggahFinding, workflows.SanggahFinding{Actor: officer, Outcome: domain.OutcomeNotPoor, Note: "terlambat"})
	h.env.ExecuteWorkflow(workflows.SanggahWorkflow, sanggahIn(domain.ReverifyVillage))
	if !h.env.IsWorkflowCompleted() || h.env.GetWorkflowError() != nil {
		t.Fatalf("workflow: %v", h.env.GetWorkflowError())
	}
	mustAccept(t, "close", closed)
	if e := validation(t, late.rejected); e.Code != domain.CodeCycleClosed {
		t.Errorf("a finding after the close: %v", e)
	}
	testx.Equal(t, "notifications", h.notices(), []string{"sanggah_new to 35.05.01.2001 at +0d", "sanggah_reminder to 35.05.01.2001 at +11d"})
	testx.Equal(t, "stages", h.stages(), []string{"sanggah_closed"})
	events := h.sanggahEvents()
	testx.Equal(t, "activities", events, []string{"inform registered at +0d", "CloseSanggah at +12d", "inform closed at +12d"})
	var res workflows.SanggahState
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Status != domain.SanggahClosed {
		t.Fatalf("result %+v %v", res, err)
	}
}

// A reinstated household's new run enters awaiting_decree from where its
// case ended, going on with its transition counter, and from there is any
// eligible household: a household still in the registry is enrolled by
// the decree, one Kemensos removed waits for its TAMBAH proposal.
func TestReinstatedHouseholdGoesToTheDecree(t *testing.T) {
	for _, tc := range []struct {
		name   string
		from   domain.Stage
		inDTKS bool
		writes []string
	}{
		{"not eligible, not registered", domain.StageNotEligible, false, []string{
			"Reinstate -> awaiting_decree#4 (sanggah upheld: SGH-3505-2025-000031) registry=false",
			"Transition -> awaiting_proposal#5 (addition)",
		}},
		{"removal rejected, still registered", domain.StageRejected, true, []string{
			"Reinstate -> awaiting_decree#4 (sanggah upheld: SGH-3505-2025-000031) registry=true",
			"Settle -> enrolled#5 [registry decree]",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			in := input(tc.inDTKS)
			in.Reinstate = &domain.Reinstatement{SanggahID: 31, Receipt: "SGH-3505-2025-000031", From: tc.from, Seq: 3, Actor: tksk}
			st := h.stateAt(day)
			h.signalAt(20*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 9})
			h.env.ExecuteWorkflow(workflows.HouseholdWorkflow, in)
			testx.Equal(t, "writes", h.writes(), tc.writes)
			if st.Stage != domain.StageAwaitingDecree || st.Outcome != domain.OutcomeEligible || st.Seq != 4 {
				t.Errorf("state after the reinstatement: %+v", *st)
			}
			if r := h.callsOf("Reinstate"); len(r) != 1 || !r[0].Local {
				t.Errorf("reinstate calls: %+v", r)
			}
			h.checkSearchAttributes()
		})
	}
}

// An upheld inclusion error excludes a household still waiting for its
// decree: not eligible, or awaiting its removal when it is in the
// registry; once a decree has reached it, or while it is still being
// verified, the Update is refused without a write; a decree drafted
// meanwhile (the store refuses) leaves the case where it was.
func TestExcludeBeforeTheDecree(t *testing.T) {
	excl := workflows.ExcludeRequest{SanggahID: 31, Receipt: "SGH-3505-2025-000031", Outcome: domain.OutcomeNotPoor, Actor: tksk}
	toDecree := func(h *harness) {
		h.updateAt(2*day, workflows.UpdateSubmitVerification, visit(domain.OutcomeEligible, 0))
		h.updateAt(10*day, workflows.UpdateMeetingClosed, workflows.MeetingClosed{MeetingID: 3})
	}
	for _, tc := range []struct {
		name   string
		inDTKS bool
		writes []string
		stage  domain.Stage
	}{
		{"not registered", false, []string{"Exclude -> not_eligible#3 (sanggah upheld: SGH-3505-2025-000031) not_poor"}, domain.StageNotEligible},
		{"registered", true, []string{"Exclude -> awaiting_proposal#3 (removal: sanggah upheld: SGH-3505-2025-000031) not_poor"}, domain.StageAwaitingProposal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			toDecree(h)
			early := h.updateAt(day, workflows.UpdateExclude, excl)
			ex := h.updateAt(12*day, workflows.UpdateExclude, excl)
			st := h.stateAt(12*day + time.Hour)
			h.env.ExecuteWorkflow(workflows.HouseholdWorkflow, input(tc.inDTKS))
			if e := validation(t, early.rejected); e.Code != domain.CodeSanggahPastDecree {
				t.Errorf("an exclusion during verification: %v", e)
			}
			mustAccept(t, "exclusion", ex)
			w := h.writes()
			testx.Equal(t, "writes after the meeting", w[2:], tc.writes)
			if tc.stage.Terminal() {
				// Not eligible ends the case: its result says so.
				if res := h.result(); res.Stage != tc.stage {
					t.Errorf("result %+v", res)
				}
			} else if st.Stage != tc.stage || st.Outcome != domain.OutcomeNotPoor || !st.Removal {
				t.Errorf("state %+v", *st)
			}
			h.checkSearchAttributes()
		})
	}
	t.Run("after the decree", func(t *testing.T) {
		h := newEnv(t)
		toDecree(h)
		h.signalAt(11*day, workflows.SignalDecreeSigned, workflows.DecreeSigned{DecreeID: 5})
		late := h.updateAt(12*day, workflows.UpdateExclude, excl)
		h.env.ExecuteWorkflow(workflows.HouseholdWorkflow, input(false))
		if e := validation(t, late.rejected); e.Code != domain.CodeSanggahPastDecree {
			t.Errorf("an exclusion after the decree: %v", e)
		}
		if n := len(h.callsOf("Exclude")); n != 0 {
			t.Errorf("%d exclusions written", n)
		}
	})
	t.Run("a decree drafted meanwhile", func(t *testing.T) {
		h := newEnv(t)
		toDecree(h)
		h.exclude = func(store.Exclusion) error {
			return temporalx.Refuse(domain.Err(domain.CodeSanggahPastDecree, "awaiting_decree"))
		}
		ex := h.updateAt(12*day, workflows.UpdateExclude, excl)
		st := h.stateAt(12*day + time.Hour)
		h.env.ExecuteWorkflow(workflows.HouseholdWorkflow, input(false))
		if !ex.accepted || ex.err == nil {
			t.Errorf("the refused exclusion: %+v", *ex)
		}
		if st.Stage != domain.StageAwaitingDecree || st.Outcome != domain.OutcomeEligible || st.Seq != 2 {
			t.Errorf("state after the refusal %+v", *st)
		}
		h.stillWaiting()
	})
}
