package kemensos

import (
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
)

// The codes of the reasons a row of Kemensos' answer file (or of a
// proposal, WriteProposalXLSX) is refused. A RowError about the shape of a
// no_kk or nik carries internal/ident's code, a row that cannot be split
// into cells internal/p3ke's, and a FormatError internal/p3ke's (the file
// is read by p3ke.Rows). Numbers in the arguments are masked
// (ident.Mask), cell values quoted as p3ke.QuoteCell does.
const (
	CodeNoNumber          reason.Code = "kemensos.no_number"           // -
	CodeOtherHousehold    reason.Code = "kemensos.other_household"     // nik, no_kk (masked)
	CodeNIKNotOfKK        reason.Code = "kemensos.nik_not_of_kk"       // nik, no_kk (masked)
	CodeKKNotOfNIK        reason.Code = "kemensos.kk_not_of_nik"       // no_kk, nik (masked)
	CodeNotProposed       reason.Code = "kemensos.not_proposed"        // no_kk, nik (masked)
	CodeNumberNotProposed reason.Code = "kemensos.number_not_proposed" // the column (no_kk, nik), the number (masked)
	CodeStatusEmpty       reason.Code = "kemensos.status_empty"        // -
	CodeStatusInvalid     reason.Code = "kemensos.status_invalid"      // the cell, quoted
	CodeReasonInvalid     reason.Code = "kemensos.reason_invalid"      // the reasons, joined with ", "; the cell, quoted
	CodeReasonMissing     reason.Code = "kemensos.reason_missing"      // the reasons, joined with ", "
	CodeReasonNotEmpty    reason.Code = "kemensos.reason_not_empty"    // the cell, quoted
	CodeNoteInvalid       reason.Code = "kemensos.note_invalid"        // -
	CodeDateEmpty         reason.Code = "kemensos.date_empty"          // -
	CodeDateInvalid       reason.Code = "kemensos.date_invalid"        // the cell, quoted
	CodeDateImplausible   reason.Code = "kemensos.date_implausible"    // the date, YYYY-MM-DD
	CodeAnsweredTwice     reason.Code = "kemensos.answered_twice"      // the first answer (DITETAPKAN, or DITOLAK (reason)), its row
	CodeAnsweredBefore    reason.Code = "kemensos.answered_before"     // the answer applied before
	CodeNotAnswered       reason.Code = "kemensos.not_answered"        // -
	CodeMemberUnknown     reason.Code = "kemensos.member_unknown"      // nik_anggota (masked)
	CodeMemberNotRejected reason.Code = "kemensos.member_not_rejected" // nik_anggota (masked)
	// Proposal rows (WriteProposalXLSX), from verval's own data.
	CodeProposalVillage      reason.Code = "kemensos.proposal_village"       // -
	CodeProposalText         reason.Code = "kemensos.proposal_text"          // -
	CodeProposalTambahAlasan reason.Code = "kemensos.proposal_tambah_alasan" // the cell, quoted
	CodeProposalHapusAlasan  reason.Code = "kemensos.proposal_hapus_alasan"  // the reasons, joined with ", "; the cell, quoted
	CodeProposalJenis        reason.Code = "kemensos.proposal_jenis"         // the cell, quoted
	CodeProposalDate         reason.Code = "kemensos.proposal_date"          // -
	CodeProposalSex          reason.Code = "kemensos.proposal_sex"           // the cell, quoted
)

// english is the English text of every code.
var english = reason.Catalogue{
	CodeNoNumber:          {Format: "no_kk and nik are both empty; the row must name the household by at least one"},
	CodeOtherHousehold:    {Format: "nik %s is the head of a different proposed household than no_kk %s"},
	CodeNIKNotOfKK:        {Format: "nik %s does not match the proposed household with no_kk %s"},
	CodeKKNotOfNIK:        {Format: "no_kk %s does not match the proposed household with nik %s"},
	CodeNotProposed:       {Format: "no proposed household has no_kk %s or nik %s"},
	CodeNumberNotProposed: {Format: "no proposed household has %s %s"},
	CodeStatusEmpty:       {Format: "required value is empty; must be DITETAPKAN or DITOLAK"},
	CodeStatusInvalid:     {Format: "must be DITETAPKAN or DITOLAK, got %s"},
	CodeReasonInvalid:     {Format: "must be one of %s, got %s"},
	CodeReasonMissing:     {Format: "DITOLAK needs a reason: one of %s"},
	CodeReasonNotEmpty:    {Format: "must be empty for DITETAPKAN, got %s"},
	CodeNoteInvalid:       {Format: `text is not valid UTF-8 or contains a NUL character; save the file as "CSV UTF-8" and upload again`},
	CodeDateEmpty:         {Format: "required date is empty"},
	CodeDateInvalid:       {Format: "must be a date written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY, got %s"},
	CodeDateImplausible:   {Format: "%s is not a plausible determination date"},
	CodeAnsweredTwice:     {Format: "this household was already answered %s in row %s; a household can have only one answer"},
	CodeAnsweredBefore:    {Format: "this household was already answered %s by an earlier answer file; a household can have only one answer"},
	CodeNotAnswered: {Format: "Dinsos recorded this household as not answered by Kemensos (" + TidakDijawab +
		") and it is to be proposed again in a later batch; this batch's answer for it can no longer be applied"},

	CodeMemberUnknown:     {Format: "the household has no member with nik_anggota %s"},
	CodeMemberNotRejected: {Format: "nik_anggota %s names the member a rejection is about; it must be empty for DITETAPKAN"},

	CodeProposalVillage:      {Format: "must be a village code like 35.05.01.2001"},
	CodeProposalText:         {Format: "text is not valid UTF-8 or contains a NUL character"},
	CodeProposalTambahAlasan: {Format: "must be empty for TAMBAH, got %s"},
	CodeProposalHapusAlasan:  {Format: "HAPUS needs one of %s, got %s"},
	CodeProposalJenis:        {Format: "must be TAMBAH or HAPUS, got %s"},
	CodeProposalDate:         {Format: "required date is missing"},
	CodeProposalSex:          {Format: "must be L or P, got %s"},
}

// all renders the reasons of this package's RowErrors and FormatErrors,
// which may carry internal/ident's and internal/p3ke's codes.
var all = reason.Merge(english, p3ke.English(), ident.English())

// Codes returns every code of this package, sorted (not the codes of
// internal/ident and internal/p3ke its errors also carry).
func Codes() []reason.Code { return english.Codes() }

// English returns the English catalogue of this package's codes (a copy).
func English() reason.Catalogue { return reason.Merge(english) }

// rowError is a RowError for code.
func rowError(row int, column string, code reason.Code, args ...string) RowError {
	return RowError{Row: row, Column: column, Reason: all.MustRender(code, args), Code: code, Args: args}
}

// formatError is a FormatError for code.
func formatError(code reason.Code, args ...string) *FormatError {
	return &FormatError{Reason: all.MustRender(code, args), Code: code, Args: args}
}
