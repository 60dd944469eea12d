package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/enrol"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/testx"
)

// Settle enrols and exits through whichever enrolment gateway the
// activities hold; run twice (a retried local activity), it duplicates
// nothing.
func TestSettleThroughGateways(t *testing.T) {
	all := []string{enrol.BLTDD, enrol.BPJSTK, enrol.BPNT, enrol.PBIJK, enrol.PKH} // sorted, as Active lists them
	at := opened.Add(60 * 24 * time.Hour)
	for _, name := range []string{"export", "simulated"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 2, "awaiting_kemensos")
			enrolled, removed := f.ids[0], f.ids[1]
			acts := &activities.Activities{Store: f.st}
			var sim *enrol.Simulated
			if name == "simulated" {
				sim = enrol.NewSimulated()
				acts.Enrol = sim
			}
			gw := enrol.Gateway(enrol.Export{Lists: f.st})
			if sim != nil {
				gw = sim
			}
			// The removed household had BPNT through verval and PKH by P3KE.
			must(t, f.db.Model(&store.Household{}).Where("id = ?", removed).Update("pkh", true).Error)
			must(t, gw.Enrol(ctx, enrol.Entry{CycleID: f.cycle.ID, HouseholdID: removed, Programme: enrol.BPNT, At: opened}))

			env := newSuite(t).NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			for range 2 {
				v, err := env.ExecuteActivity(acts.Settle, activities.SettleInput{
					CycleID: f.cycle.ID, Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true,
					Transition: activities.TransitionInput{HouseholdID: enrolled, Seq: 3, Stage: "enrolled", At: at},
				})
				must(t, err)
				var res activities.SettleResult
				must(t, v.Get(&res))
				testx.Equal(t, "programmes", res.Programmes, []string{enrol.PKH, enrol.BPNT, enrol.PBIJK, enrol.BPJSTK, enrol.BLTDD})
				_, err = env.ExecuteActivity(acts.Settle, activities.SettleInput{
					CycleID: f.cycle.ID, Exit: true,
					Transition: activities.TransitionInput{HouseholdID: removed, Seq: 3, Stage: "removed", At: at, Reason: "removed MAMPU"},
				})
				must(t, err)
			}
			active, err := gw.Active(ctx, f.cycle.ID, enrolled)
			must(t, err)
			testx.Equal(t, "enrolled household's programmes", active, all)
			active, err = gw.Active(ctx, f.cycle.ID, removed)
			must(t, err)
			if len(active) != 0 {
				t.Errorf("removed household still in %v", active)
			}
			for _, id := range []int64{enrolled, removed} {
				stage, _, err := f.st.CaseStage(ctx, id)
				must(t, err)
				if stage != "enrolled" && stage != "removed" {
					t.Errorf("household %d at stage %s after Settle", id, stage)
				}
			}

			var rows []store.Enrolment
			must(t, f.db.Order("household_id, programme").Find(&rows).Error)
			if sim == nil {
				// Five enrolments, once each, and the removed household's two exits.
				if len(rows) != 7 {
					t.Fatalf("%d enrolment rows, want 7: %+v", len(rows), rows)
				}
				for _, r := range rows[5:] {
					if r.HouseholdID != removed || r.Status != store.EnrolmentExited || r.ExitReason != "removed MAMPU" {
						t.Errorf("exit row %+v, want the removed household's exit with its reason", r)
					}
				}
				return
			}
			// The simulated gateway keeps its members; the lists stay empty.
			if len(rows) != 0 {
				t.Errorf("the simulated gateway wrote %d enrolment rows", len(rows))
			}
			pkh := sim.Members(enrol.PKH)
			if len(pkh) != 2 || pkh[0].Exited || !pkh[1].Exited || pkh[1].Reason != "removed MAMPU" || !pkh[1].EnrolledAt.IsZero() {
				t.Errorf("PKH members %+v, want the enrolled household and the removed one's exit from aid it had by P3KE", pkh)
			}
			if bpnt := sim.Members(enrol.BPNT); len(bpnt) != 2 || !bpnt[1].Exited || !bpnt[1].EnrolledAt.Equal(opened) {
				t.Errorf("BPNT members %+v, want the removed household's enrolment ended", bpnt)
			}
		})
	}
}

// A household is enrolled (or leaves its aid) from the day of the decision
// that settles it, the decree's signing or Kemensos' determination, not
// the day verval records it: a regency bringing its running year in
// enrols its families from the day their decree was signed. A day after
// the transition, or none, dates it at the transition.
func TestSettleDatedByTheDecision(t *testing.T) {
	f := newFixture(t, 3, "awaiting_kemensos")
	acts := &activities.Activities{Store: f.st}
	env := newSuite(t).NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	at := opened.Add(200 * 24 * time.Hour)
	must(t, f.db.Model(&store.Household{}).Where("id = ?", f.ids[1]).Update("pkh", true).Error)
	for i, in := range []activities.SettleInput{
		{Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true, On: "2025-03-23"},
		{Exit: true, On: "2025-04-02"},
		{Desil: 1, Eligible: true, InRegistry: true, InSignedDecree: true, On: at.Add(48 * time.Hour).Format("2006-01-02")},
	} {
		in.CycleID = f.cycle.ID
		in.Transition = activities.TransitionInput{HouseholdID: f.ids[i], Seq: 3, Stage: "enrolled", At: at, Reason: "removed MAMPU"}
		_, err := env.ExecuteActivity(acts.Settle, in)
		must(t, err)
	}
	var rows []store.Enrolment
	must(t, f.db.Order("household_id, programme").Find(&rows).Error)
	for _, r := range rows {
		day := func(p *time.Time) string {
			if p == nil {
				return ""
			}
			return p.UTC().Format("2006-01-02")
		}
		got, want := day(r.EnrolledAt)+"/"+day(r.ExitedAt), map[int64]string{
			f.ids[0]: "2025-03-23/", f.ids[1]: "/2025-04-02", f.ids[2]: at.Format("2006-01-02") + "/",
		}[r.HouseholdID]
		if got != want {
			t.Errorf("household %d's %s: enrolled/exited %s, want %s", r.HouseholdID, r.Programme, got, want)
		}
	}
	if len(rows) < 3 {
		t.Errorf("%d enrolment rows: %+v", len(rows), rows)
	}
}

// A revocation ends the regency-paid programmes of a household whose case
// ended in another stage than enrolled (rejected by Kemensos, BPJS-TK on
// the decree's strength): it keeps its stage and BLT-DD, and gets an exit
// record for BPJS-TK, once.
func TestRevokeSettledEndsDecreeProgrammes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2, "awaiting_proposal")
	rejected, notEligible := f.ids[0], f.ids[1]
	f.settled(t, rejected, "rejected", enrol.BPJSTK, enrol.BLTDD)
	f.settled(t, notEligible, "not_eligible")
	f.signedDecree(t, domain.DecreeInitial, "add", []int64{rejected})
	d := f.signedDecree(t, domain.DecreeRevocation, "revoke", f.ids)
	acts := &activities.Activities{Store: f.st, Cases: &fakeCases{finished: map[int64]bool{rejected: true, notEligible: true}}}
	suite := newSuite(t)
	for range 2 {
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		_, err := env.ExecuteActivity(acts.FanOutDecree, activities.FanOutInput{DecreeID: d.ID, Reason: "SK dicabut"})
		must(t, err)
	}
	stage, seq, err := f.st.CaseStage(ctx, rejected)
	must(t, err)
	if stage != "rejected" || seq != 3 {
		t.Errorf("rejected household at %s#%d, want its final stage kept (rejected#3)", stage, seq)
	}
	en, err := f.st.Enrolments(ctx, rejected)
	must(t, err)
	got := map[string]string{}
	for _, e := range en {
		got[e.Programme] = e.Status + " " + e.ExitReason
	}
	testx.Equal(t, "rejected household's enrolments", got, map[string]string{
		enrol.BLTDD:  store.EnrolmentActive + " ",
		enrol.BPJSTK: store.EnrolmentExited + " revoked: SK dicabut",
	})
	en, err = f.st.Enrolments(ctx, notEligible)
	must(t, err)
	if len(en) != 0 {
		t.Errorf("a household with no programme got enrolment records %+v", en)
	}
}
