package workflows_test

import (
	"testing"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// sanggahIn is an objection registered at t0, due after the default 14
// days, re-verified by reverifier.
func sanggahIn(reverifier string) workflows.SanggahInput {
	return workflows.SanggahInput{
		SanggahID: 31, CycleID: cycleID, HouseholdID: hhID, Year: 2025,
		RegencyCode: regency, KecamatanCode: kecamatan, DesaCode: desa,
		Reverifier: reverifier, RegisteredAt: t0, DueAt: t0.Add(14 * day),
	}
}

// An untouched sanggah tells its village at once and the objector that
// it is registered, reminds the village 3 days before its due date, escalates to the TKSK on it and to
// Dinsos a week later, then waits, as a late visit does.
func TestUntouchedSanggahRemindsThenEscalates(t *testing.T) {
	h := newEnv(t)
	st := queryAt[workflows.SanggahState](h, 30*day)
	h.env.ExecuteWorkflow(workflows.SanggahWorkflow, sanggahIn(domain.ReverifyVillage))
	testx.Equal(t, "notifications", h.notices(), []string{
		"sanggah_new to 35.05.01.2001 at +0d",
		"sanggah_reminder to 35.05.01.2001 at +11d",
		"sanggah_escalation_tksk to 35.05.01 at +14d",
		"sanggah_escalation_dinsos to 35.05 at +21d",
	})
	for _, c := range h.callsOf("Notify") {
		if in := c.In.(activities.NotifyInput); !c.Local || in.HouseholdID != hhID || !in.DueAt.Equal(t0.Add(14*day)) {
			t.Errorf("notify %+v (local %v)", in, c.Local)
		}
	}
	if informs := h.callsOf("InformObjector"); len(informs) != 1 || informs[0].In.(activities.InformInput).Event != activities.InformRegistered || informs[0].Local {
		t.Errorf("objector told: %+v", informs)
	}
	if st.EscalationLevel != 3 || st.Status != domain.SanggahReverification {
		t.Errorf("state: %+v", *st)
	}
	h.stillWaiting()
}

// When the TKSK re-verifies (the objector asked for someone outside the
// village), the first reminder goes to the kecamatan.
func TestSanggahReverifiedByTKSKRemindsTheKecamatan(t *testing.T) {
	h := newEnv(t)
	h.env.ExecuteWorkflow(workflows.SanggahWorkflow, sanggahIn(domain.ReverifyTKSK))
	if n := h.notices(); len(n) < 2 || n[0] != "sanggah_new to 35.05.01 at +0d" || n[1] != "sanggah_reminder to 35.05.01 at +11d" {
		t.Fatalf("notifications: %v", n)
	}
}

// A finding and a decision in time: no reminder, the objector told at
// registration and at the decision, the stages in the search attributes,
// steps out of order refused without a write, and few history events.
func TestSanggahDecidedInTime(t *testing.T) {
	h := newEnv(t)
	early := h.updateAt(day, workflows.UpdateSanggahDecide, workflows.SanggahDecision{Actor: officer, Upheld: true, Note: "terlalu cepat"})
	noNote := h.updateAt(2*day, workflows.UpdateSanggahFinding, workflows.SanggahFinding{Actor: officer, Outcome: domain.OutcomeNotPoor})
	found := h.updateAt(3*day, workflows.UpdateSanggahFinding, workflows.SanggahFinding{Actor: officer, Outcome: domain.OutcomeNotPoor, Note: "Rumah tembok, ada mobil"})
	decided := h.updateAt(5*day, workflows.UpdateSanggahDecide, workflows.SanggahDecision{Actor: officer, Upheld: true, Note: "Diterima"})
	h.env.ExecuteWorkflow(workflows.SanggahWorkflow, sanggahIn(domain.ReverifyVillage))
	if !h.env.IsWorkflowCompleted() || h.env.GetWorkflowError() != nil {
		t.Fatalf("workflow: %v", h.env.GetWorkflowError())
	}
	if e := validation(t, early.rejected); e.Code != domain.CodeSanggahStatus {
		t.Errorf("a decision before the finding: %v", e)
	}
	if e := validation(t, noNote.rejected); e.Field != "note" {
		t.Errorf("a finding without a note: %v", e)
	}
	mustAccept(t, "finding", found)
	mustAccept(t, "decision", decided)
	testx.Equal(t, "notifications", h.notices(), []string{"sanggah_new to 35.05.01.2001 at +0d"})
	testx.Equal(t, "stages", h.stages(), []string{"sanggah_awaiting_decision", "sanggah_upheld"})
	events := h.sanggahEvents()
	testx.Equal(t, "activities", events, []string{"inform registered at +0d", "RecordSanggahFinding at +3d", "DecideSanggah at +5d", "inform decided at +5d"})
	var res workflows.SanggahState
	if err := h.env.GetWorkflowResult(&res); err != nil || res.Status != domain.SanggahUpheld {
		t.Fatalf("result %+v %v", res, err)
	}
}

// sanggahEvents lists a sanggah case's activities but its notifications,
// with the objector's messages by event: "inform decided at +5d".
func (h *harness) sanggahEvents() []string {
	var events []string
	for _, c := range h.calls {
		switch in := c.In.(type) {
		case activities.InformInput:
			events = append(events, "inform "+in.Event+" at "+offset(c.At))
		case activities.NotifyInput:
		default:
			events = append(events, c.Name+" at "+offset(c.At))
		}
	}
	return events
}
