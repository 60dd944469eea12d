package kemensos

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
)

// Answer is Kemensos' determination for one proposed household.
type Answer struct {
	Row         int       // spreadsheet row number of the answer; the header is row 1
	HouseholdID int64     // the proposed household, as the match function found it
	Accepted    bool      // DITETAPKAN; false is DITOLAK
	Reason      string    // for a rejection, one of the Tolak* reasons; empty when accepted
	Note        string    // keterangan, free text as Kemensos wrote it
	Date        time.Time // tanggal_penetapan, the date of the determination, UTC midnight
	// MemberID is the household's member a rejection names (nik_anggota),
	// as the member match function found it; 0 when the row names none.
	MemberID int64
}

// RowError is one problem in an answer row (or, from WriteProposalXLSX, in
// a proposal row). Code and Args say what it is (see codes.go; a no_kk or
// nik of the wrong shape carries internal/ident's code, a row that cannot
// be split internal/p3ke's); Reason is rendered from them in English.
type RowError struct {
	Row    int         `json:"row"`            // spreadsheet row number; the header is row 1
	Column string      `json:"column"`         // column name, e.g. "status", or p3ke.RowColumn for a whole row
	Reason string      `json:"reason"`         // plain words; never a full NIK or No KK
	Code   reason.Code `json:"code"`           // e.g. "kemensos.status_invalid"
	Args   []string    `json:"args,omitempty"` // the code's arguments, as in Reason
}

// Error formats the problem as "row 5, column status: ...".
func (e *RowError) Error() string {
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Reason)
}

// FormatError means an answer file cannot be read at all: not CSV or XLSX,
// no header row, or required columns missing ("no_kk or nik" stands for a
// header with neither). It is the P3KE intake's: the files are read by the
// same code, and refused for the same reasons.
type FormatError = p3ke.FormatError

// Error returns the reason (or names the missing columns).
// acol indexes the answer file's columns.
type acol int

const (
	aNoKK acol = iota
	aNIK
	aStatus
	aAlasan
	aKeterangan
	aTanggal
	aNIKAnggota
	numACols
)

// answerColumns are the canonical names of the answer file's columns.
var answerColumns = [numACols]string{
	aNoKK: "no_kk", aNIK: "nik", aStatus: "status", aAlasan: "alasan",
	aKeterangan: "keterangan", aTanggal: "tanggal_penetapan", aNIKAnggota: "nik_anggota",
}

// AnswerColumns returns the answer file's columns in the order Simulator
// writes them.
func AnswerColumns() []string { return slices.Clone(answerColumns[:]) }

// ParseAnswers reads Kemensos' answer file: CSV (comma or semicolon, with
// or without a UTF-8 BOM) or XLSX (first sheet), told apart by content.
// The header row is matched case-insensitively, spaces and underscores
// alike; other columns are ignored, and blank rows are skipped but still
// counted in row numbers.
//
// match finds the proposed household a number belongs to. It is called
// with exactly one of noKK and nik set (16 digits, cleaned) and the other
// empty, so that a row giving both can be checked to name one household;
// ok is false when no household of this proposal has that number.
//
// Each row must name a proposed household (by no_kk, nik or both), a
// status DITETAPKAN or DITOLAK, a reason from RejectReasons for DITOLAK and
// none for DITETAPKAN, and a tanggal_penetapan written YYYY-MM-DD,
// DD-MM-YYYY or DD/MM/YYYY. A household answered twice with the same status
// and reason is kept once (its first row); with different answers the later
// row is an error naming the earlier one.
//
// The answers of valid rows come back in row order, the problems of the
// others as RowErrors. Contract: the caller applies the answers only when
// there are no RowErrors at all. A file with errors applies nothing until
// fixed, because Kemensos' file is one determination and applying half of
// it would leave households in a state no one decided.
//
// The error return is for a file that cannot be read: a *FormatError when
// it is not a CSV or XLSX answer file (naming missing columns), or the
// reader's own error.
func ParseAnswers(r io.Reader, match func(noKK, nik string) (householdID int64, ok bool)) ([]Answer, []RowError, error) {
	return ParseAnswersMembers(r, match, nil)
}

// ParseAnswersMembers reads Kemensos' answer file as ParseAnswers does, and also
// its optional column nik_anggota: the NIK of the household's member a
// rejection is about (a civil servant in the family, PNS_TNI_POLRI).
// member finds that member among the people of the household the row
// names (householdID as match found it, nik 16 digits, cleaned); ok is
// false when the household has no member with that NIK, and the row is
// an error (CodeMemberUnknown). A nil member knows no member. A member
// NIK on an accepted row is an error (CodeMemberNotRejected); an empty
// cell, or no such column, names no member.
func ParseAnswersMembers(r io.Reader, match func(noKK, nik string) (householdID int64, ok bool),
	member func(householdID int64, nik string) (memberID int64, ok bool)) ([]Answer, []RowError, error) {
	rows, err := p3ke.OpenRows(r)
	if err != nil {
		return nil, nil, convertFormatError(err)
	}
	defer rows.Close()
	idx, err := readAnswerHeader(rows)
	if err != nil {
		return nil, nil, err
	}
	a := answerParser{rows: rows, idx: idx, match: match, member: member, seen: make(map[int64]int)}
	for {
		cells, row, err := rows.Next()
		if err == io.EOF {
			return a.answers, a.errs, nil
		}
		var se *p3ke.SplitError
		switch {
		case errors.As(err, &se):
			a.errs = append(a.errs, RowError{Row: se.Row, Column: p3ke.RowColumn, Reason: se.Reason, Code: se.Code, Args: se.Args})
			continue
		case err != nil:
			return nil, nil, readError(err)
		}
		if !blank(cells) {
			a.row(row, cells)
		}
	}
}

// convertFormatError turns p3ke's *FormatError into ours.
func convertFormatError(err error) error {
	var fe *p3ke.FormatError
	if errors.As(err, &fe) {
		return &FormatError{Missing: fe.Missing, Reason: fe.Reason, Code: fe.Code, Args: fe.Args}
	}
	return err
}

// readError classifies an error that stops reading: a damaged XLSX sheet
// is a *p3ke.FormatError (which says "the sheet cannot be read") and
// becomes ours; anything else is the reader's own error.
func readError(err error) error {
	var fe *p3ke.FormatError
	if errors.As(err, &fe) {
		return convertFormatError(fe)
	}
	return fmt.Errorf("reading the answer file: %w", err)
}

// readAnswerHeader finds the first non-blank row and maps its cells to
// columns (-1 for an absent column).
func readAnswerHeader(rows *p3ke.Rows) ([numACols]int, error) {
	var idx [numACols]int
	var cells []string
	for {
		var err error
		cells, _, err = rows.Next()
		var se *p3ke.SplitError
		switch {
		case err == io.EOF:
			return idx, formatError(p3ke.CodeNoHeader)
		case errors.As(err, &se):
			return idx, formatError(p3ke.CodeHeaderUnreadable, reason.Nest(nil, se.Code, se.Args)...)
		case err != nil:
			return idx, readError(err)
		}
		if !blank(cells) {
			break
		}
	}
	for c := range idx {
		idx[c] = -1
	}
	for i, h := range cells {
		c := slices.Index(answerColumns[:], p3ke.CanonicalHeader(h))
		if c < 0 {
			continue // other columns are allowed and ignored
		}
		if j := idx[c]; j >= 0 {
			return idx, formatError(p3ke.CodeDuplicateColumn, answerColumns[c], strconv.Itoa(j+1), strconv.Itoa(i+1))
		}
		idx[c] = i
	}
	var missing []string
	if idx[aNoKK] < 0 && idx[aNIK] < 0 {
		missing = append(missing, "no_kk or nik")
	}
	// keterangan is optional: it is free text nothing depends on.
	for _, c := range [...]acol{aStatus, aAlasan, aTanggal} {
		if idx[c] < 0 {
			missing = append(missing, answerColumns[c])
		}
	}
	if len(missing) > 0 {
		fe := formatError(p3ke.CodeMissingColumns, strings.Join(missing, ", "))
		fe.Missing = missing
		return idx, fe
	}
	return idx, nil
}

// answerParser holds the state of one ParseAnswers call.
type answerParser struct {
	rows    *p3ke.Rows
	idx     [numACols]int
	match   func(noKK, nik string) (int64, bool)
	member  func(householdID int64, nik string) (int64, bool)
	seen    map[int64]int // household -> index in answers
	answers []Answer
	errs    []RowError
}

// rowCheck collects one row's problems.
type rowCheck struct {
	p     *answerParser
	row   int
	cells []string
	errs  []RowError
}

func (v *rowCheck) cell(c acol) string {
	i := v.p.idx[c]
	if i < 0 || i >= len(v.cells) {
		return ""
	}
	return p3ke.Trim(v.cells[i])
}

// fail refuses the row for code at column c.
func (v *rowCheck) fail(c acol, code reason.Code, args ...string) {
	v.errs = append(v.errs, rowError(v.row, answerColumns[c], code, args...))
}

// failIdent refuses the row for internal/ident's fault err at column c.
func (v *rowCheck) failIdent(c acol, err error) {
	var ie *ident.Error
	if errors.As(err, &ie) {
		v.fail(c, ie.Code, ie.Args...)
		return
	}
	// ident returns only *ident.Error; keep any other error's words.
	v.errs = append(v.errs, RowError{Row: v.row, Column: answerColumns[c], Reason: err.Error()})
}

// row checks one non-blank row and records its answer or its errors.
func (a *answerParser) row(row int, cells []string) {
	v := rowCheck{p: a, row: row, cells: cells}
	ans := Answer{Row: row}
	id, idOK := v.household()
	ans.HouseholdID = id

	status := code(v.cell(aStatus))
	switch status {
	case StatusDitetapkan:
		ans.Accepted = true
	case StatusDitolak:
	case "":
		v.fail(aStatus, CodeStatusEmpty)
	default:
		v.fail(aStatus, CodeStatusInvalid, p3ke.QuoteCell(v.cell(aStatus)))
	}

	reasonText := v.cell(aAlasan)
	reason := code(reasonText)
	switch {
	case reason != "" && !isRejectReason(reason):
		v.fail(aAlasan, CodeReasonInvalid, strings.Join(rejectReasons[:], ", "), p3ke.QuoteCell(reasonText))
	case status == StatusDitolak && reason == "":
		v.fail(aAlasan, CodeReasonMissing, strings.Join(rejectReasons[:], ", "))
	case status == StatusDitetapkan && reason != "":
		v.fail(aAlasan, CodeReasonNotEmpty, p3ke.QuoteCell(reasonText))
	case status == StatusDitolak:
		ans.Reason = reason
	}

	if note := v.cell(aKeterangan); note != "" {
		if !utf8.ValidString(note) || strings.IndexByte(note, 0) >= 0 {
			v.fail(aKeterangan, CodeNoteInvalid)
		} else {
			ans.Note = strings.Clone(note) // not the whole CSV line behind it
		}
	}

	if nik, ok := v.number(aNIKAnggota); ok && nik != "" {
		switch {
		case status == StatusDitetapkan:
			v.fail(aNIKAnggota, CodeMemberNotRejected, ident.Mask(nik))
		case !idOK:
			// The household is not found (already reported): nor its member.
		default:
			if m, found := a.findMember(id, nik); found {
				ans.MemberID = m
			} else {
				v.fail(aNIKAnggota, CodeMemberUnknown, ident.Mask(nik))
			}
		}
	}

	if s := v.cell(aTanggal); s == "" {
		v.fail(aTanggal, CodeDateEmpty)
	} else if d, ok := p3ke.ParseDate(s, a.rows.XLSX()); !ok {
		v.fail(aTanggal, CodeDateInvalid, p3ke.QuoteCell(s))
	} else if d.Year() < 2000 || d.Year() > 2100 {
		// Catches a mistyped year ("0225-03-17") before it reaches the registry history.
		v.fail(aTanggal, CodeDateImplausible, d.Format(dateLayout))
	} else {
		ans.Date = d
	}

	if len(v.errs) == 0 && idOK {
		if first, dup := a.seen[id]; dup {
			prev := a.answers[first]
			switch {
			case prev.Accepted != ans.Accepted:
				v.fail(aStatus, CodeAnsweredTwice, describe(prev), strconv.Itoa(prev.Row))
			case prev.Reason != ans.Reason:
				v.fail(aAlasan, CodeAnsweredTwice, describe(prev), strconv.Itoa(prev.Row))
			default:
				return // the same answer again: keep the first
			}
		}
	}
	if len(v.errs) > 0 {
		// Report left to right, the way a person reads the row.
		slices.SortStableFunc(v.errs, func(x, y RowError) int {
			return a.idx[slices.Index(answerColumns[:], x.Column)] - a.idx[slices.Index(answerColumns[:], y.Column)]
		})
		a.errs = append(a.errs, v.errs...)
		return
	}
	a.seen[id] = len(a.answers)
	a.answers = append(a.answers, ans)
}

// findMember is a.member, or not found without one.
func (a *answerParser) findMember(householdID int64, nik string) (int64, bool) {
	if a.member == nil {
		return 0, false
	}
	return a.member(householdID, nik)
}

// household finds the proposed household the row names; ok is false after
// reporting why not.
func (v *rowCheck) household() (int64, bool) {
	kk, kkOK := v.number(aNoKK)
	nik, nikOK := v.number(aNIK)
	if !kkOK || !nikOK {
		return 0, false // already reported
	}
	if kk == "" && nik == "" {
		c := aNoKK
		if v.p.idx[aNoKK] < 0 {
			c = aNIK
		}
		v.fail(c, CodeNoNumber)
		return 0, false
	}
	var byKK, byNIK int64
	var kkFound, nikFound bool
	if kk != "" {
		byKK, kkFound = v.p.match(kk, "")
	}
	if nik != "" {
		byNIK, nikFound = v.p.match("", nik)
	}
	switch {
	case kk != "" && nik != "":
		switch {
		case kkFound && nikFound && byKK == byNIK:
			return byKK, true
		case kkFound && nikFound:
			v.fail(aNIK, CodeOtherHousehold, ident.Mask(nik), ident.Mask(kk))
		case kkFound:
			v.fail(aNIK, CodeNIKNotOfKK, ident.Mask(nik), ident.Mask(kk))
		case nikFound:
			v.fail(aNoKK, CodeKKNotOfNIK, ident.Mask(kk), ident.Mask(nik))
		default:
			v.fail(aNoKK, CodeNotProposed, ident.Mask(kk), ident.Mask(nik))
		}
	case kk != "":
		if kkFound {
			return byKK, true
		}
		v.fail(aNoKK, CodeNumberNotProposed, answerColumns[aNoKK], ident.Mask(kk))
	default:
		if nikFound {
			return byNIK, true
		}
		v.fail(aNIK, CodeNumberNotProposed, answerColumns[aNIK], ident.Mask(nik))
	}
	return 0, false
}

// number reads a no_kk or nik cell cleaned with ident.Clean. It returns ""
// and true for an empty cell, and false after reporting a value that
// cannot be a number of that kind.
func (v *rowCheck) number(c acol) (string, bool) {
	s, err := ident.Clean(v.cell(c))
	if err != nil {
		v.failIdent(c, err)
		return "", false
	}
	if s == "" {
		return "", true
	}
	if !sixteenDigits(s) {
		// Not a number at all: explain with ident's plain-words message
		// (digit count or the first non-digit), never echoing the value.
		if c == aNoKK {
			err = ident.ValidateKK(s)
		} else {
			_, err = ident.ParseNIK(s)
		}
		v.failIdent(c, err)
		return "", false
	}
	return s, true
}

// sixteenDigits reports whether s is exactly 16 ASCII digits. Only the
// shape is checked: a well-formed number that fails ident's finer rules
// may still be what was proposed, and match decides.
func sixteenDigits(s string) bool {
	if len(s) != ident.Length {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// code folds a status or reason cell: case, and spaces, hyphens or dots
// between words as underscores ("nik tidak padan" is NIK_TIDAK_PADAN).
func code(s string) string { return strings.ToUpper(p3ke.CanonicalHeader(s)) }

// describe names an answer in a message, e.g. "DITOLAK (NIK_TIDAK_PADAN)".
// ContradictsApplied checks an answer row against the answer already
// applied to the same household of the batch (from an earlier answer
// file): the same answer again is nil (nothing to do); a different status
// or rejection reason is the row's error, at the column that differs. A
// household Dinsos recorded as not answered (TidakDijawab) takes no answer
// from this batch any more: any row for it is an error at its status.
func ContradictsApplied(a Answer, appliedAccepted bool, appliedReason string) *RowError {
	col := ""
	switch {
	case !appliedAccepted && appliedReason == TidakDijawab:
		// Not Kemensos' answer but Dinsos' record that none came: the
		// household has gone back to wait for a later batch, so this
		// batch's answer for it comes too late, whatever it says.
		re := rowError(a.Row, answerColumns[aStatus], CodeNotAnswered)
		return &re
	case a.Accepted != appliedAccepted:
		col = answerColumns[aStatus]
	case a.Reason != appliedReason:
		col = answerColumns[aAlasan]
	default:
		return nil
	}
	re := rowError(a.Row, col, CodeAnsweredBefore, describe(Answer{Accepted: appliedAccepted, Reason: appliedReason}))
	return &re
}

func describe(a Answer) string {
	if a.Accepted {
		return StatusDitetapkan
	}
	return StatusDitolak + " (" + a.Reason + ")"
}

// blank reports whether every cell is empty or blank.
func blank(cells []string) bool {
	for _, c := range cells {
		if p3ke.Trim(c) != "" {
			return false
		}
	}
	return true
}
