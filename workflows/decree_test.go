package workflows_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/internal/testx"
	"github.com/verval/verval/workflows"
)

// The people who review a decree: Dinsos drafts, submits and revises; the
// bupati's office returns and signs.
var (
	dinsos = domain.Actor{UserID: 31, Role: "dinsos", RequestID: "req-d"}
	bupati = domain.Actor{UserID: 41, Role: "bupati", RequestID: "req-b"}
)

// The decree under test is signed with this number.
const decreeNumber = "400/5/KEP/409.012/2025"

// decreeSteps summarizes the decree's recorded review steps in order:
// "submitted -> returned (reason)", "submitted -> signed 400/... 2025-03-05 by 41".
func (h *harness) decreeSteps() []string {
	var out []string
	for _, c := range h.callsOf("ChangeDecree") {
		in := c.In.(domain.DecreeChange)
		s := string(in.From + " -> " + in.To)
		if in.Number != "" || in.Date != "" {
			s += " " + in.Number + " " + in.Date
		}
		if in.Reason != "" {
			s += " (" + in.Reason + ")"
		}
		out = append(out, fmt.Sprintf("%s by %d at %s", s, in.Actor.UserID, offset(c.At)))
	}
	return out
}

// decreeResult is the decree workflow's result; it fails the test if the
// workflow failed.
func (h *harness) decreeResult() workflows.DecreeResult {
	h.t.Helper()
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("decree workflow did not complete")
	}
	var res workflows.DecreeResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("decree workflow failed: %v", err)
	}
	return res
}

// checkFanOut asserts FanOutDecree ran once per at (attempts, in order)
// with in, as a regular heartbeating activity.
func (h *harness) checkFanOut(in activities.FanOutInput, at ...time.Duration) {
	h.t.Helper()
	calls := h.callsOf("FanOutDecree")
	if len(calls) != len(at) {
		h.t.Fatalf("FanOutDecree ran %d times, want %d", len(calls), len(at))
	}
	for i, c := range calls {
		testx.Equal(h.t, "FanOutDecree input", c.In, any(in))
		// Tens of thousands of signals: a regular activity whose pages
		// heartbeat, so a replacement worker resumes 20 s after a crash.
		if c.Local || c.StartToClose != 2*time.Hour || c.Heartbeat != 20*time.Second {
			h.t.Errorf("FanOutDecree ran local=%v startToClose=%v heartbeat=%v, want a regular activity, 2h, 20s", c.Local, c.StartToClose, c.Heartbeat)
		}
		if c.Attempt != int32(i+1) || !c.At.Equal(t0.Add(at[i])) {
			h.t.Errorf("FanOutDecree call %d: attempt %d at %s, want attempt %d at %s", i, c.Attempt, offset(c.At), i+1, offset(t0.Add(at[i])))
		}
	}
}

func TestDecreeSigned(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 3
	submit := h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	submitted := queryAt[workflows.DecreeState](h, 1*day+time.Hour)
	// Signed on 2025-03-05 (t0+2d), dated that day; the number is trimmed.
	sign := h.updateAt(2*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "  " + decreeNumber + " ", Date: "2025-03-05"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustAccept(t, "submit", submit)
	testx.Equal(t, "submit response", submit.result, any(workflows.DecreeState{Status: domain.DecreeSubmitted}))
	testx.Equal(t, "state after submitting", *submitted, workflows.DecreeState{Status: domain.DecreeSubmitted})
	mustAccept(t, "sign", sign)
	testx.Equal(t, "sign response", sign.result, any(workflows.DecreeState{Status: domain.DecreeSigned, Number: decreeNumber, Date: "2025-03-05"}))
	testx.Equal(t, "ChangeDecree inputs", []any{h.callsOf("ChangeDecree")[0].In, h.callsOf("ChangeDecree")[1].In}, []any{
		domain.DecreeChange{DecreeID: 5, From: domain.DecreeDraft, To: domain.DecreeSubmitted, Actor: dinsos, At: t0.Add(1 * day)},
		domain.DecreeChange{DecreeID: 5, From: domain.DecreeSubmitted, To: domain.DecreeSigned, Number: decreeNumber, Date: "2025-03-05", Actor: bupati, At: t0.Add(2 * day)},
	})
	for _, c := range h.callsOf("ChangeDecree") {
		if !c.Local {
			t.Errorf("ChangeDecree should be a local activity")
		}
	}
	// One signature settles every listed household: one fan-out, right away.
	h.checkFanOut(activities.FanOutInput{DecreeID: 5}, 2*day)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber, Households: 3})
	testx.Equal(t, "state at the end", query[workflows.DecreeState](h), workflows.DecreeState{
		Status: domain.DecreeSigned, Number: decreeNumber, Date: "2025-03-05", FannedOut: 3,
	})
	if end := h.now(); !end.Equal(t0.Add(2 * day)) {
		t.Errorf("the decree workflow ended at %s, want as soon as it was signed and fanned out (+2d)", offset(end))
	}
}

// The bupati's office returns the draft with a reason, Dinsos revises and
// submits it again, and it is signed. Steps out of order are refused.
func TestDecreeReturnedRevisedSigned(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 2
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	noReason := h.updateAt(2*day, workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: "  "})
	longReason := h.updateAt(2*day, workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: strings.Repeat("x", 1001)})
	ret := h.updateAt(2*day, workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: " lampiran belum lengkap "})
	signReturned := h.updateAt(2*day+time.Hour, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-05"})
	submitReturned := h.updateAt(2*day+time.Hour, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	returned := queryAt[workflows.DecreeState](h, 2*day+2*time.Hour)
	revise := h.updateAt(3*day, workflows.UpdateDecreeRevise, workflows.DecreeRequest{Actor: dinsos})
	signDraft := h.updateAt(3*day+time.Hour, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-06"})
	reviseDraft := h.updateAt(3*day+time.Hour, workflows.UpdateDecreeRevise, workflows.DecreeRequest{Actor: dinsos})
	resubmit := h.updateAt(4*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	sign := h.updateAt(5*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-07"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustReject(t, "return without a reason", noReason, domain.KindInvalid, "reason")
	mustReject(t, "return with a reason of 1001 characters", longReason, domain.KindInvalid, "reason")
	mustAccept(t, "return", ret)
	testx.Equal(t, "return response", ret.result, any(workflows.DecreeState{Status: domain.DecreeReturned, ReturnReason: "lampiran belum lengkap"}))
	mustReject(t, "sign a returned decree", signReturned, kindClosed, "")
	v := mustReject(t, "submit a returned decree before revising it", submitReturned, kindClosed, "")
	testx.Equal(t, "refusal", v.Message(), "the decree is returned, so it cannot be submitted now")
	testx.Equal(t, "state while returned", *returned, workflows.DecreeState{Status: domain.DecreeReturned, ReturnReason: "lampiran belum lengkap"})
	mustAccept(t, "revise", revise)
	mustReject(t, "sign a draft", signDraft, kindClosed, "")
	v = mustReject(t, "revise a draft", reviseDraft, kindClosed, "")
	testx.Equal(t, "refusal", v.Message(), "the decree is draft, so it cannot be revised now")
	mustAccept(t, "submit again", resubmit)
	mustAccept(t, "sign", sign)
	// The return's reason is settled by the signature.
	testx.Equal(t, "sign response", sign.result, any(workflows.DecreeState{Status: domain.DecreeSigned, Number: decreeNumber, Date: "2025-03-07"}))
	testx.Equal(t, "review steps", h.decreeSteps(), []string{
		"draft -> submitted by 31 at +1d",
		"submitted -> returned (lampiran belum lengkap) by 41 at +2d",
		"returned -> draft by 31 at +3d",
		"draft -> submitted by 31 at +4d",
		"submitted -> signed " + decreeNumber + " 2025-03-07 by 41 at +5d",
	})
	h.checkFanOut(activities.FanOutInput{DecreeID: 5}, 5*day)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber, Households: 2})
}

// Dinsos withdraws a draft with a reason: the step is recorded, nobody is
// fanned out to, and the workflow ends at once, unsigned.
func TestDecreeWithdrawnDraft(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 3
	noReason := h.updateAt(1*day, workflows.UpdateDecreeWithdraw, workflows.DecreeRequest{Actor: dinsos, Reason: "  "})
	withdraw := h.updateAt(1*day+time.Hour, workflows.UpdateDecreeWithdraw, workflows.DecreeRequest{Actor: dinsos, Reason: " daftar keliru "})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustReject(t, "withdraw without a reason", noReason, domain.KindInvalid, "reason")
	mustAccept(t, "withdraw", withdraw)
	testx.Equal(t, "withdraw response", withdraw.result, any(workflows.DecreeState{Status: domain.DecreeWithdrawn, WithdrawReason: "daftar keliru"}))
	testx.Equal(t, "review steps", h.decreeSteps(), []string{"draft -> withdrawn (daftar keliru) by 31 at +1d1h0m0s"})
	h.checkFanOut(activities.FanOutInput{DecreeID: 5})
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Withdrawn: true})
	if end := h.now(); !end.Equal(t0.Add(1*day + time.Hour)) {
		t.Errorf("the decree workflow ended at %s, want as soon as it was withdrawn (+1d1h)", offset(end))
	}
}

// A submitted decree is the bupati's office's: Dinsos cannot withdraw it
// until it comes back; a returned one can be withdrawn.
func TestDecreeWithdrawnAfterReturn(t *testing.T) {
	h := newEnv(t)
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	early := h.updateAt(1*day+time.Hour, workflows.UpdateDecreeWithdraw, workflows.DecreeRequest{Actor: dinsos, Reason: "salah"})
	h.updateAt(2*day, workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: "lampiran belum lengkap"})
	withdraw := h.updateAt(3*day, workflows.UpdateDecreeWithdraw, workflows.DecreeRequest{Actor: dinsos, Reason: "disusun ulang"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	v := mustReject(t, "withdraw a submitted decree", early, kindClosed, "")
	testx.Equal(t, "refusal", v.Message(), "the decree is submitted, so it cannot be withdrawn now")
	mustAccept(t, "withdraw", withdraw)
	testx.Equal(t, "review steps", h.decreeSteps(), []string{
		"draft -> submitted by 31 at +1d",
		"submitted -> returned (lampiran belum lengkap) by 41 at +2d",
		"returned -> withdrawn (disusun ulang) by 31 at +3d",
	})
	h.checkFanOut(activities.FanOutInput{DecreeID: 5})
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Withdrawn: true})
}

// A sign the validators refuse never reaches the history: nothing is
// recorded, the decree keeps its status and nobody is fanned out to.
func TestDecreeSignRejected(t *testing.T) {
	// The sign is sent at t0+2d: 2025-03-05 10:00 WIT.
	good := workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-05"}
	for _, tc := range []struct {
		name   string
		before []string // updates accepted before the sign, each a day apart
		change func(*workflows.DecreeRequest)
		kind   domain.Kind
		field  string
		status domain.DecreeStatus
	}{
		{name: "no number", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Number = "" }, kind: domain.KindInvalid, field: "number", status: domain.DecreeSubmitted},
		{name: "blank number", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Number = "   " }, kind: domain.KindInvalid, field: "number", status: domain.DecreeSubmitted},
		{name: "number too long", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Number = strings.Repeat("9", 101) }, kind: domain.KindInvalid, field: "number", status: domain.DecreeSubmitted},
		{name: "no date", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Date = "" }, kind: domain.KindInvalid, field: "date", status: domain.DecreeSubmitted},
		{name: "date not YYYY-MM-DD", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Date = "05/03/2025" }, kind: domain.KindInvalid, field: "date", status: domain.DecreeSubmitted},
		{name: "date in the future", before: []string{workflows.UpdateDecreeSubmit}, change: func(r *workflows.DecreeRequest) { r.Date = "2025-03-06" }, kind: domain.KindInvalid, field: "date", status: domain.DecreeSubmitted},
		{name: "still a draft", change: func(*workflows.DecreeRequest) {}, kind: kindClosed, status: domain.DecreeDraft},
		{name: "returned", before: []string{workflows.UpdateDecreeSubmit, workflows.UpdateDecreeReturn}, change: func(*workflows.DecreeRequest) {}, kind: kindClosed, status: domain.DecreeReturned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnv(t)
			for i, name := range tc.before {
				// On day 0, an hour apart, before the sign at +2d.
				h.updateAt(time.Duration(i+1)*time.Hour, name, workflows.DecreeRequest{Actor: dinsos, Reason: "periksa lagi"})
			}
			req := good
			tc.change(&req)
			bad := h.updateAt(2*day, workflows.UpdateDecreeSign, req)
			after := queryAt[workflows.DecreeState](h, 2*day+time.Hour)
			h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

			v := mustReject(t, "sign", bad, tc.kind, tc.field)
			if tc.kind == kindClosed && !strings.Contains(v.Message(), string(tc.status)) {
				t.Errorf("refusal %q should say the decree is %s", v.Message(), tc.status)
			}
			if after.Status != tc.status || after.Number != "" || after.Date != "" {
				t.Errorf("state after the refused sign: %+v, want %s, unsigned", *after, tc.status)
			}
			if n := len(h.callsOf("ChangeDecree")); n != len(tc.before) {
				t.Errorf("ChangeDecree ran %d times, want only the %d steps before the sign: %v", n, len(tc.before), h.decreeSteps())
			}
			h.checkFanOut(activities.FanOutInput{DecreeID: 5})
			h.stillWaiting()
		})
	}
}

// A decree dated today where the day has already begun (WIT, UTC+9) is not
// in the future, whatever the server's clock says.
func TestDecreeSignDatedTodayInWIT(t *testing.T) {
	h := newEnv(t)
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	// 2025-03-05 17:00 UTC is 2025-03-06 02:00 WIT.
	tomorrow := h.updateAt(2*day+16*time.Hour, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-07"})
	sign := h.updateAt(2*day+16*time.Hour, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-06"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustReject(t, "sign dated tomorrow in WIT", tomorrow, domain.KindInvalid, "date")
	mustAccept(t, "sign dated today in WIT", sign)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber})
}

// Two signs at the same instant: the second is refused while the first is
// recorded, instead of both being written.
func TestDecreeConcurrentSignsConflict(t *testing.T) {
	h := newEnv(t)
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	first, second, ret := &updateResult{}, &updateResult{}, &updateResult{}
	h.at(2*day, func() {
		h.update(workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-05"}, first)
		h.update(workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "400/6/KEP/2025", Date: "2025-03-05"}, second)
		h.update(workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: "salah"}, ret)
	})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustAccept(t, "first sign", first)
	mustReject(t, "second sign", second, domain.KindConflict, "")
	mustReject(t, "return during the sign", ret, domain.KindConflict, "")
	testx.Equal(t, "review steps", h.decreeSteps(), []string{
		"draft -> submitted by 31 at +1d",
		"submitted -> signed " + decreeNumber + " 2025-03-05 by 41 at +2d",
	})
	h.checkFanOut(activities.FanOutInput{DecreeID: 5}, 2*day)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber})
}

// A number already used in the regency passes the validator (the database
// knows) but fails the sign: the decree stays submitted, and a sign with
// another number goes through.
func TestDecreeNumberTaken(t *testing.T) {
	h := newEnv(t)
	const taken = "400/1/KEP/2025"
	h.changeDecree = func(in domain.DecreeChange) error {
		if in.To == domain.DecreeSigned && in.Number == taken {
			return temporalx.Refuse(domain.Err(domain.CodeDecreeNumberUsed, taken))
		}
		return nil
	}
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	dup := h.updateAt(2*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: taken, Date: "2025-03-05"})
	after := queryAt[workflows.DecreeState](h, 2*day+time.Hour)
	sign := h.updateAt(3*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-05"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	if !dup.accepted || !dup.completed || !errors.Is(temporalx.RefusalOf(dup.err), domain.Err(domain.CodeDecreeNumberUsed)) {
		t.Fatalf("sign with a taken number: accepted=%v completed=%v err=%v, want accepted and failed as %s", dup.accepted, dup.completed, dup.err, domain.CodeDecreeNumberUsed)
	}
	if n := len(h.callsOf("ChangeDecree")); n != 3 {
		t.Errorf("ChangeDecree ran %d times, want 3 (a conflict is not retried): %v", n, h.decreeSteps())
	}
	testx.Equal(t, "state after the conflict", *after, workflows.DecreeState{Status: domain.DecreeSubmitted})
	mustAccept(t, "sign with a free number", sign)
	h.checkFanOut(activities.FanOutInput{DecreeID: 5}, 3*day)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber})
}

// A revocation decree goes through the same review; its fan-out revokes
// its households with the decree's reason.
func TestRevocationDecree(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 4
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	sign := h.updateAt(2*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: "400/8/KEP/2025", Date: "2025-03-05"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 8, Kind: domain.DecreeRevocation, Reason: "SK dicabut: data ganda"})

	mustAccept(t, "sign", sign)
	h.checkFanOut(activities.FanOutInput{DecreeID: 8, Reason: "SK dicabut: data ganda"}, 2*day)
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: "400/8/KEP/2025", Households: 4})
}

// A fan-out whose worker dies is retried (the activity resumes from its
// last heartbeat, see activities/fanout_test.go); meanwhile the decree is
// signed and refuses further review steps.
func TestDecreeFanOutRetried(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 5
	h.fanOutDecreeFailures = 2
	h.updateAt(1*day, workflows.UpdateDecreeSubmit, workflows.DecreeRequest{Actor: dinsos})
	h.updateAt(2*day, workflows.UpdateDecreeSign, workflows.DecreeRequest{Actor: bupati, Number: decreeNumber, Date: "2025-03-05"})
	during := queryAt[workflows.DecreeState](h, 2*day+500*time.Millisecond)
	ret := h.updateAt(2*day+500*time.Millisecond, workflows.UpdateDecreeReturn, workflows.DecreeRequest{Actor: bupati, Reason: "salah"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	// Retries back off from one second, doubling.
	h.checkFanOut(activities.FanOutInput{DecreeID: 5}, 2*day, 2*day+time.Second, 2*day+3*time.Second)
	testx.Equal(t, "state during the fan-out", *during, workflows.DecreeState{Status: domain.DecreeSigned, Number: decreeNumber, Date: "2025-03-05"})
	mustReject(t, "return a signed decree", ret, kindClosed, "")
	testx.Equal(t, "result", h.decreeResult(), workflows.DecreeResult{Number: decreeNumber, Households: 5})
}

// TestDecreeIdempotencyKeyReused (issue 23, item 9): a decree step's
// Idempotency-Key is bound to the step and its request as a visit's is:
// the same key with another request (another reason, or another step) is
// refused 422 on Idempotency-Key, and nothing is recorded for it.
func TestDecreeIdempotencyKeyReused(t *testing.T) {
	h := newEnv(t)
	h.decreeHouseholds = 1
	keyed := func(r workflows.DecreeRequest, key, hash string) workflows.DecreeRequest {
		r.Key, r.KeyHash = key, hash
		return r
	}
	submit := h.updateAt(1*day, workflows.UpdateDecreeSubmit, keyed(workflows.DecreeRequest{Actor: dinsos}, "u31-k1", "aaaa"))
	ret := h.updateAt(2*day, workflows.UpdateDecreeReturn, keyed(workflows.DecreeRequest{Actor: bupati, Reason: "lampiran kurang"}, "u41-k2", "bbbb"))
	revise := h.updateAt(3*day, workflows.UpdateDecreeRevise, keyed(workflows.DecreeRequest{Actor: dinsos}, "u31-k1", "cccc"))
	reviseFresh := h.updateAt(3*day+time.Hour, workflows.UpdateDecreeRevise, keyed(workflows.DecreeRequest{Actor: dinsos}, "u31-k3", "cccc"))
	h.updateAt(4*day, workflows.UpdateDecreeWithdraw, workflows.DecreeRequest{Actor: dinsos, Reason: "batal"})
	h.env.ExecuteWorkflow(workflows.DecreeWorkflow, workflows.DecreeInput{DecreeID: 5, Kind: domain.DecreeInitial})

	mustAccept(t, "submit", submit)
	mustAccept(t, "return", ret)
	if e := mustReject(t, "revise with the submit's key", revise, domain.KindInvalid, "Idempotency-Key"); e.Code != domain.CodeIdempotencyKeyReused {
		t.Errorf("refused as %s, want %s", e.Code, domain.CodeIdempotencyKeyReused)
	}
	mustAccept(t, "revise with a new key", reviseFresh)
	testx.Equal(t, "review steps", h.decreeSteps(), []string{
		"draft -> submitted by 31 at +1d",
		"submitted -> returned (lampiran kurang) by 41 at +2d",
		"returned -> draft by 31 at +3d1h0m0s",
		"draft -> withdrawn (batal) by 31 at +4d",
	})
}
