package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/workflows"
)

func TestValidateVisit(t *testing.T) {
	// 20:00 UTC on 10 March is already 05:00 on 11 March in WIT (UTC+9):
	// a visit dated the 11th is "today" in Papua, so not in the future.
	now := time.Date(2025, time.March, 10, 20, 0, 0, 0, time.UTC)
	opened := time.Date(2025, time.March, 3, 1, 0, 0, 0, time.UTC) // 3 March in every Indonesian zone
	const self = int64(4201)

	ok := func(o domain.Outcome) workflows.VerificationRequest {
		r := visit(o, 0)
		r.VisitDate = "2025-03-10"
		return r
	}
	with := func(o domain.Outcome, change func(*workflows.VerificationRequest)) workflows.VerificationRequest {
		r := ok(o)
		change(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		r    workflows.VerificationRequest
		now  time.Time // zero: now
		// unopened: the cycle has no opening date (zero CycleOpenedAt).
		unopened bool
		opened   time.Time // zero: opened
		field    string    // "" means valid
	}{
		// Valid results.
		{name: "eligible", r: ok(domain.OutcomeEligible)},
		{name: "not poor without a note", r: ok(domain.OutcomeNotPoor)},
		{name: "not found with a note", r: ok(domain.OutcomeNotFound)},
		{name: "deceased", r: ok(domain.OutcomeDeceased)},
		{name: "moved", r: ok(domain.OutcomeMoved)},
		{name: "duplicate of another household", r: ok(domain.OutcomeDuplicate)},
		{name: "not found needs no house description", r: with(domain.OutcomeNotFound, func(r *workflows.VerificationRequest) {
			r.Indicators = workflows.VisitIndicators{}
		})},
		{name: "dated today in WIT", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-11" })},
		// Opened at 16:00 UTC on 3 March: 23:00 in Java (WIB), already
		// 4 March in Papua. A Javanese officer's visit that evening is
		// dated the 3rd, and is not before the cycle opened.
		{name: "dated the evening the cycle opened in WIB", opened: time.Date(2025, time.March, 3, 16, 0, 0, 0, time.UTC),
			r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-03" })},
		{name: "dated the day before the cycle opened in WIB", opened: time.Date(2025, time.March, 3, 16, 0, 0, 0, time.UTC),
			r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-02" }), field: "visitDate"},
		{name: "dated the day the cycle opened", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-03" })},
		{
			name: "no lower bound without an opening date", unopened: true,
			r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2024-12-31" }),
		},
		{name: "note of 2000 characters", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.Note = strings.Repeat("a", 2000) })},

		// Outcome.
		{name: "no outcome", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Outcome = "" }), field: "outcome"},
		{name: "outcome in capitals", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Outcome = "ELIGIBLE" }), field: "outcome"},
		{name: "Indonesian outcome", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Outcome = "mampu" }), field: "outcome"},

		// Visit date.
		{name: "no visit date", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "" }), field: "visitDate"},
		{name: "visit date DD-MM-YYYY", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "10-03-2025" }), field: "visitDate"},
		{name: "visit date without zero padding", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-3-10" }), field: "visitDate"},
		{name: "visit date 30 February", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-02-30" }), field: "visitDate"},
		{name: "visit date with a time", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-10T08:00:00Z" }), field: "visitDate"},
		{name: "visit tomorrow in WIT", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-12" }), field: "visitDate"},
		{
			name: "visit tomorrow in WIT, late evening UTC+9 not yet passed",
			now:  time.Date(2025, time.March, 10, 14, 59, 0, 0, time.UTC), // 23:59 WIT on the 10th
			r:    with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-11" }), field: "visitDate",
		},
		{name: "visit the day before the cycle opened", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2025-03-02" }), field: "visitDate"},
		{name: "visit last year", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.VisitDate = "2024-12-31" }), field: "visitDate"},

		// Duplicates.
		{name: "duplicate of itself", r: with(domain.OutcomeDuplicate, func(r *workflows.VerificationRequest) { r.DuplicateOf = self }), field: "duplicateOf"},
		{name: "duplicate of nobody", r: with(domain.OutcomeDuplicate, func(r *workflows.VerificationRequest) { r.DuplicateOf = 0 }), field: "duplicateOf"},
		{name: "duplicateOf on another outcome", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.DuplicateOf = 99 }), field: "duplicateOf"},

		// House description.
		{name: "eligible without a floor", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisLantai = "" }), field: "indicators"},
		{name: "eligible with a blank wall", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisDinding = "  " }), field: "indicators"},
		{name: "eligible without a roof", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisAtap = "" }), field: "indicators"},
		{name: "not poor without indicators", r: with(domain.OutcomeNotPoor, func(r *workflows.VerificationRequest) { r.Indicators = workflows.VisitIndicators{} }), field: "indicators"},

		// Note.
		{name: "not found without a note", r: with(domain.OutcomeNotFound, func(r *workflows.VerificationRequest) { r.Note = "" }), field: "note"},
		{name: "deceased with a blank note", r: with(domain.OutcomeDeceased, func(r *workflows.VerificationRequest) { r.Note = " \n " }), field: "note"},
		{name: "moved without a note", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.Note = "" }), field: "note"},
		{name: "duplicate without a note", r: with(domain.OutcomeDuplicate, func(r *workflows.VerificationRequest) { r.Note = "" }), field: "note"},
		{name: "note too long", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Note = strings.Repeat("a", 2001) }), field: "note"},

		// Every indicator is bounded: a pasted 2.5 MB text once went into
		// the Update's acceptance and ended the household's case.
		{name: "indicator of 100 characters", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.SumberAirMinum = strings.Repeat("é", 100) })},
		{name: "water source of 2.5 MB", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.SumberAirMinum = strings.Repeat("x", 2_500_000) }), field: "indicators.sumberAirMinum"},
		{name: "floor too long", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisLantai = strings.Repeat("x", 101) }), field: "indicators.jenisLantai"},

		// Control and invisible formatting characters (issue 23, item 8):
		// refused in the note and in every indicator; a note keeps its
		// line breaks, an indicator (one line) does not.
		{name: "note of two lines", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.Note = "Pindah ke Surabaya.\r\nKata tetangga." })},
		{name: "note with a right-to-left override", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.Note = "Pindah \u202eayabaruS" }), field: "note"},
		{name: "note with an escape", r: with(domain.OutcomeMoved, func(r *workflows.VerificationRequest) { r.Note = "x\x1b[2J" }), field: "note"},
		{name: "indicator with a line break", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisLantai = "Tanah\nSemen" }), field: "indicators.jenisLantai"},
		{name: "indicator with a zero-width space", r: with(domain.OutcomeEligible, func(r *workflows.VerificationRequest) { r.Indicators.JenisAtap = "Gen\u200bteng" }), field: "indicators.jenisAtap"},
		{name: "toilet too long on a not-found visit", r: with(domain.OutcomeNotFound, func(r *workflows.VerificationRequest) { r.Indicators.FasilitasBAB = strings.Repeat("x", 101) }), field: "indicators.fasilitasBab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, o := now, opened
			if !tc.now.IsZero() {
				n = tc.now
			}
			if tc.unopened {
				o = time.Time{}
			}
			if !tc.opened.IsZero() {
				o = tc.opened
			}
			err := workflows.ValidateVisit(tc.r, self, o, n)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want invalid %s, got valid", tc.field)
			}
			v := validation(t, err)
			if kindOf(v) != domain.KindInvalid || v.Field != tc.field {
				t.Errorf("got %s field %q (%s), want %s field %q", kindOf(v), v.Field, v.Message(), domain.KindInvalid, tc.field)
			}
			if v.Message() == "" {
				t.Errorf("refusal %s has no message", v.Code)
			}
		})
	}
}

// Text limits count characters, not bytes: an officer's note of 2000
// letters with diacritics (two bytes each in UTF-8) is accepted, 2001 are
// refused.
func TestLimitsCountCharacters(t *testing.T) {
	opened := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	visit := func(note string) error {
		return workflows.ValidateVisit(workflows.VerificationRequest{Outcome: domain.OutcomeMoved, VisitDate: "2025-03-05", Note: note}, 7, opened, now)
	}
	if err := visit(strings.Repeat("é", 2000)); err != nil {
		t.Errorf("a note of 2000 characters (4000 bytes) refused: %v", err)
	}
	if err := visit(strings.Repeat("é", 2001)); err == nil {
		t.Error("a note of 2001 characters accepted")
	}
}
