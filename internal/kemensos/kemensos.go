// Package kemensos reads and writes the files exchanged with the Ministry
// of Social Affairs (Kementerian Sosial, Kemensos): the proposal ("usulan")
// that Dinsos uploads to SIKS-NG to add households to, or remove them from,
// the national social registry (DTKS, now DTSEN), and Kemensos' answer per
// household, accepted (ditetapkan) or rejected (ditolak) with a reason.
//
// The files carry NIK and No KK numbers, names and addresses, personal data
// under UU 27/2022: no error or message of this package shows a full
// number; ident.Mask shows enough of one for an operator to find the row.
//
// Gateway is how a batch goes to Kemensos and its answers come back: File
// (files both ways, by hand) or Simulator, which stands in for Kemensos in
// the local stack and benchmarks.
package kemensos

import "slices"

// Proposal types (jenis_usulan).
const (
	// JenisTambah proposes adding a household to the registry (new poor, "misbar").
	JenisTambah = "TAMBAH"
	// JenisHapus proposes removing a household from the registry.
	JenisHapus = "HAPUS"
)

// Reasons for a removal (alasan of a HAPUS proposal).
const (
	// AlasanMampu: the household is now well-off.
	AlasanMampu = "MAMPU"
	// AlasanMeninggal: the head of the family has died (single-person household gone).
	AlasanMeninggal = "MENINGGAL"
	// AlasanPindah: the household moved away.
	AlasanPindah = "PINDAH"
	// AlasanTidakDitemukan: the village could not find the household.
	AlasanTidakDitemukan = "TIDAK_DITEMUKAN"
	// AlasanGanda: the record duplicates another one.
	AlasanGanda = "GANDA"
)

// Statuses of an answer row.
const (
	// StatusDitetapkan: Kemensos accepted the proposal.
	StatusDitetapkan = "DITETAPKAN"
	// StatusDitolak: Kemensos rejected the proposal, with a reason.
	StatusDitolak = "DITOLAK"
)

// TidakDijawab is verval's own marking, never Kemensos' and never in a
// file to or from Kemensos: Dinsos recorded that Kemensos did not answer
// the rest of a submitted batch (the answer can take months, and some
// never come). It stands as both the answer and its reason of every
// household still unanswered; each goes back to wait for a later batch.
// An answer file cannot carry it (ParseAnswers refuses it as a status
// and as a reason), and a later file answering such a household is
// refused (ContradictsApplied).
const TidakDijawab = "TIDAK_DIJAWAB"

// Kemensos' reasons for rejecting a proposal (alasan of a DITOLAK answer).
const (
	// TolakNIKTidakPadan: the NIK was not matched at Dukcapil (civil
	// registry); the only reason that can be corrected and proposed again.
	TolakNIKTidakPadan = "NIK_TIDAK_PADAN"
	// TolakMeninggal: deceased according to Dukcapil.
	TolakMeninggal = "MENINGGAL"
	// TolakPNSTNIPolri: a civil servant, soldier or police officer is in the family.
	TolakPNSTNIPolri = "PNS_TNI_POLRI"
	// TolakUpahDiAtasUMP: formal wages above the regional minimum wage.
	TolakUpahDiAtasUMP = "UPAH_DI_ATAS_UMP"
	// TolakGanda: already registered.
	TolakGanda = "GANDA"
	// TolakDesilDiAtasBatas: ranked above the programme's decile threshold.
	TolakDesilDiAtasBatas = "DESIL_DI_ATAS_BATAS"
	// TolakTidakLayak: not eligible for another reason.
	TolakTidakLayak = "TIDAK_LAYAK"
)

// removalReasons and rejectReasons are the closed lists, in docs/kemensos.md's order.
var (
	removalReasons = [...]string{AlasanMampu, AlasanMeninggal, AlasanPindah, AlasanTidakDitemukan, AlasanGanda}
	rejectReasons  = [...]string{TolakNIKTidakPadan, TolakMeninggal, TolakPNSTNIPolri, TolakUpahDiAtasUMP,
		TolakGanda, TolakDesilDiAtasBatas, TolakTidakLayak}
)

// RemovalReasons returns the reasons a HAPUS proposal may give.
func RemovalReasons() []string { return slices.Clone(removalReasons[:]) }

// RejectReasons returns the reasons Kemensos may give for DITOLAK.
func RejectReasons() []string { return slices.Clone(rejectReasons[:]) }

// ReasonForOutcome maps a verval visit outcome (domain.Outcome values)
// to the removal reason of a HAPUS proposal; ok is false for "eligible"
// and anything unknown, which propose no removal.
func ReasonForOutcome(outcome string) (reason string, ok bool) {
	switch outcome {
	case "not_poor":
		return AlasanMampu, true
	case "deceased":
		return AlasanMeninggal, true
	case "moved":
		return AlasanPindah, true
	case "not_found":
		return AlasanTidakDitemukan, true
	case "duplicate":
		return AlasanGanda, true
	}
	return "", false
}

// ReasonForChange maps a change to an enrolled household during the year
// (domain.ChangeKind values) to the removal reason of its HAPUS: the head
// died and the family ended MENINGGAL, moved out of the regency PINDAH,
// graduated, withdrew of its own will (mengundurkan diri: the family says
// it no longer needs the aid) and revoked by decree MAMPU. ok is false for
// a change that proposes no removal.
func ReasonForChange(kind string) (reason string, ok bool) {
	switch kind {
	case "head_died":
		return AlasanMeninggal, true
	case "moved_out":
		return AlasanPindah, true
	case "graduated", "withdrew", "revoked":
		return AlasanMampu, true
	}
	return "", false
}

// IsFixable reports whether a rejection can be corrected by Dinsos and the
// household proposed again: only NIK_TIDAK_PADAN (fix the NIK with
// Dukcapil's data). The other reasons are facts about the household.
func IsFixable(reason string) bool { return reason == TolakNIKTidakPadan }

func isRemovalReason(s string) bool { return slices.Contains(removalReasons[:], s) }

func isRejectReason(s string) bool { return slices.Contains(rejectReasons[:], s) }
