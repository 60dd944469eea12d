package kemensos

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"hash/fnv"
	"time"
)

// Simulator stands in for Kemensos in the local stack and in benchmarks:
// it answers a proposal the way the ministry does, with a file ParseAnswers
// reads. The zero value accepts everything.
//
// As a Gateway it answers a submitted batch after Delay; Answer itself
// answers at once (the proposal workflow waits out Delay on its own timer).
type Simulator struct {
	// Delay is how long after submission the answers come.
	Delay time.Duration
	// Seed picks which households are rejected; the same seed and rows
	// always give the same file.
	Seed int64
	// RejectShare is the share of TAMBAH rows rejected, 0 to 1. HAPUS
	// rows are rejected at a tenth of it: removing a household that the
	// region itself found well-off, dead or gone is rarely disputed.
	RejectShare float64
}

// weighted is a reason with its weight in a rejection mix.
type weighted struct {
	reason string
	weight float64
}

// addRejects is the mix of reasons for rejected additions: mostly
// unmatched NIKs and formal wages, as regional offices report.
var addRejects = [...]weighted{
	{TolakNIKTidakPadan, 0.45},
	{TolakUpahDiAtasUMP, 0.25},
	{TolakPNSTNIPolri, 0.08},
	{TolakGanda, 0.08},
	{TolakDesilDiAtasBatas, 0.07},
	{TolakMeninggal, 0.04},
	{TolakTidakLayak, 0.03},
}

// removeRejects is the mix for rejected removals.
var removeRejects = [...]weighted{
	{TolakNIKTidakPadan, 0.6},
	{TolakTidakLayak, 0.4},
}

// notes are the keterangan Kemensos writes, per outcome.
var notes = map[string]string{
	JenisTambah:           "Padan Dukcapil, ditetapkan masuk DTSEN",
	JenisHapus:            "Usulan penghapusan ditetapkan",
	TolakNIKTidakPadan:    "NIK tidak padan dengan data Dukcapil",
	TolakMeninggal:        "Kepala keluarga tercatat meninggal di Dukcapil",
	TolakPNSTNIPolri:      "Anggota keluarga terdaftar sebagai PNS/TNI/POLRI",
	TolakUpahDiAtasUMP:    "Tercatat menerima upah di atas UMP",
	TolakGanda:            "Sudah terdaftar pada KK lain",
	TolakDesilDiAtasBatas: "Peringkat kesejahteraan di atas batas program",
	TolakTidakLayak:       "Tidak memenuhi kriteria",
}

// Answer returns the answer file for rows as CSV (comma, no BOM, header
// AnswerColumns), one line per row in order, every determination dated
// date. Whether a row is rejected, and why, depends only on Seed and the
// row's NoKK and NIK, so answers do not shift when rows are added or
// reordered.
func (s Simulator) Answer(rows []ProposalRow, date time.Time) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(AnswerColumns())
	day := date.Format(dateLayout)
	share := min(max(s.RejectShare, 0), 1)
	for _, r := range rows {
		h := s.hash(r)
		// Two independent draws from one 64-bit hash: the high half
		// decides whether, the low half why.
		decide := float64(h>>32) / (1 << 32)
		pick := float64(uint32(h)) / (1 << 32)
		limit, mix := share, addRejects[:]
		if r.Jenis == JenisHapus {
			limit, mix = share/10, removeRejects[:]
		}
		status, reason, note := StatusDitetapkan, "", notes[JenisTambah]
		if r.Jenis == JenisHapus {
			note = notes[JenisHapus]
		}
		if decide < limit {
			status, reason = StatusDitolak, choose(mix, pick)
			note = notes[reason]
		}
		w.Write([]string{r.NoKK, r.NIK, status, reason, note, day, ""})
	}
	w.Flush() // writing to a bytes.Buffer cannot fail
	return buf.Bytes()
}

// hash mixes the seed with the row's numbers: FNV-1a, then the splitmix64
// finalizer, since FNV alone spreads numbers that differ only in their last
// digits (consecutive No KK) poorly in its high bits.
func (s Simulator) hash(r ProposalRow) uint64 {
	f := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(s.Seed))
	f.Write(seed[:])
	f.Write([]byte(r.NoKK))
	f.Write([]byte{0})
	f.Write([]byte(r.NIK))
	z := f.Sum64()
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// choose picks a reason from mix by u in [0, 1).
func choose(mix []weighted, u float64) string {
	var total float64
	for _, m := range mix {
		total += m.weight
	}
	u *= total
	for _, m := range mix {
		if u < m.weight {
			return m.reason
		}
		u -= m.weight
	}
	return mix[len(mix)-1].reason
}
