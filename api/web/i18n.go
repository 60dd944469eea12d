package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/wilayah"
)

// The words a person reads. Codes (stages, outcomes, roles) stay in the
// data and the API; the pages show these.

// stageNames, outcomeNames and the status names are keyed by the domain's
// typed constants: a renamed stage breaks the build, not the pages, and a
// test checks every stage, outcome and status has its name.
var stageNames = map[domain.Stage]string{
	domain.StageAwaitingVerification: "Menunggu kunjungan desa",
	domain.StageVerified:             "Sudah dikunjungi, menunggu musyawarah",
	domain.StageAwaitingDecree:       "Menunggu SK Bupati",
	domain.StageAwaitingProposal:     "Menunggu usulan ke Kemensos",
	domain.StageAwaitingKemensos:     "Menunggu penetapan Kemensos",
	domain.StageEnrolled:             "Terdaftar sebagai penerima bantuan",
	domain.StageNotEligible:          "Tidak layak",
	domain.StageRemoved:              "Dikeluarkan dari DTKS",
	domain.StageRejected:             "Ditolak Kemensos",
	domain.StageRevoked:              "Dicabut dengan SK",
	domain.StageClosed:               "Ditutup saat tutup buku",
	domain.StageExited:               "Keluar dari program (perubahan dalam tahun)",
}

// changeKindNames are the changes to an enrolled household during the year.
var changeKindNames = map[domain.ChangeKind]string{
	domain.ChangeHeadDied:  "Kepala keluarga meninggal",
	domain.ChangeMovedDesa: "Pindah ke desa lain (dalam kabupaten)",
	domain.ChangeMovedOut:  "Pindah ke luar kabupaten",
	domain.ChangeGraduated: "Graduasi (sudah mampu)",
	domain.ChangeWithdrew:  "Mengundurkan diri",
	domain.ChangeMembers:   "Anggota keluarga berubah",
	domain.ChangeRevoked:   "Dicabut dengan SK",
}

// changeStatusNames are a change's statuses.
var changeStatusNames = map[string]string{
	domain.ChangePending:   "Menunggu konfirmasi TKSK/Dinas Sosial",
	domain.ChangeConfirmed: "Dikonfirmasi",
	domain.ChangeRefused:   "Ditolak",
}

// ChangeKindName is a change's Indonesian name.
func ChangeKindName(k string) string { return lookup(changeKindNames, domain.ChangeKind(k)) }

var outcomeNames = map[domain.Outcome]string{
	domain.OutcomeEligible:  "Masih miskin (layak)",
	domain.OutcomeNotPoor:   "Sudah mampu",
	domain.OutcomeNotFound:  "Tidak ditemukan",
	domain.OutcomeDeceased:  "Meninggal dunia",
	domain.OutcomeMoved:     "Pindah",
	domain.OutcomeDuplicate: "Data ganda",
}

var taskStatusNames = map[domain.TaskStatus]string{
	domain.TaskOpen:      "Belum dikunjungi",
	domain.TaskSubmitted: "Hasil terkirim",
	domain.TaskClosed:    "Ditutup musyawarah",
}

var auditActionNames = map[string]string{
	"verification.submit":       "Hasil kunjungan dicatat",
	"household.usul":            "Keluarga diusulkan (usul)",
	"sanggah.create":            "Sanggah dicatat",
	"sanggah.finding":           "Hasil verifikasi ulang sanggah dicatat",
	"sanggah.decide":            "Sanggah diputuskan Dinas Sosial",
	"sanggah.close":             "Sanggah ditutup tanpa keputusan (tutup buku)",
	"household.reinstate":       "Dikembalikan ke daftar karena sanggah diterima",
	"household.exclude":         "Dikeluarkan dari daftar karena sanggah diterima",
	"verification.correct":      "Hasil kunjungan dikoreksi",
	"verification.reopen":       "Verifikasi dibuka ulang",
	"task.assign":               "Tugas dialihkan",
	"meeting.record":            "Musyawarah desa dicatat",
	"decree.draft":              "Rancangan SK disusun",
	"cycle.close":               "Siklus ditutup (tutup buku)",
	"decree.submitted":          "SK diajukan ke Kantor Bupati",
	"decree.returned":           "SK dikembalikan ke Dinas Sosial",
	"decree.signed":             "SK ditandatangani",
	"proposal.build":            "Usulan Kemensos disusun",
	"proposal.submit":           "Usulan ditandai terkirim",
	"proposal.answers":          "Jawaban Kemensos diterapkan",
	"proposal.unanswered":       "Dicatat tidak dijawab Kemensos",
	"proposal.download":         "Berkas usulan diunduh",
	"household.identity":        "NIK/No KK diperbaiki Dinas Sosial",
	"user.create":               "Akun dibuat",
	"user.import":               "Akun diimpor dari berkas",
	"user.import_sheet":         "Daftar sandi sekali pakai impor akun diunduh",
	"user.bootstrap":            "Administrator pertama dibuat",
	"user.disable":              "Akun dinonaktifkan",
	"user.enable":               "Akun diaktifkan kembali",
	"user.reset":                "Kata sandi akun disetel ulang",
	"user.password":             "Kata sandi diganti",
	"user.role":                 "Peran atau wilayah akun diubah",
	"user.sessions":             "Semua sesi akun diakhiri",
	"household.identity.reveal": "NIK/No KK lengkap dibuka",
	"decree.withdrawn":          "SK dibatalkan",
	"intake.create":             "Data P3KE diunggah",
	"intake.resume":             "Unggahan P3KE dilanjutkan",
	"cycle.create":              "Siklus verval dibuka",
	"cycle.scope":               "Cakupan desil siklus diubah",
	"household.member":          "Anggota keluarga dikoreksi saat kunjungan",
	"household.change_member":   "Anggota keluarga berubah (perubahan dalam tahun dikonfirmasi)",
	"codec.decode":              "Data kasus di Temporal dibaca (didekode)",
	"household.change":          "Perubahan keluarga dicatat",
	"cycle.next":                "Siklus tahun berikutnya dibuka dari siklus ini",
	"household.change_decided":  "Perubahan keluarga dikonfirmasi atau ditolak",
	"photo.upload":              "Foto bukti diunggah",
	"photo.view":                "Foto bukti dilihat",
}

var decreeStatusNames = map[domain.DecreeStatus]string{
	domain.DecreeDraft:     "Rancangan",
	domain.DecreeSubmitted: "Menunggu tanda tangan Bupati",
	domain.DecreeReturned:  "Dikembalikan ke Dinas Sosial",
	domain.DecreeSigned:    "Ditandatangani",
	domain.DecreeWithdrawn: "Dibatalkan",
}

var decreeKindNames = map[domain.DecreeKind]string{
	domain.DecreeInitial:    "Penetapan",
	domain.DecreeAmendment:  "Perubahan (tambahan keluarga)",
	domain.DecreeRevocation: "Pencabutan",
}

var proposalStatusNames = map[domain.ProposalStatus]string{
	domain.ProposalDraft:     "Belum dikirim",
	domain.ProposalSubmitted: "Terkirim, menunggu jawaban Kemensos",
	domain.ProposalAnswered:  "Selesai, tidak menunggu jawaban lagi",
}

// rejectionNames are Kemensos' reasons for refusing a household.
var rejectionNames = map[string]string{
	"NIK_TIDAK_PADAN":     "NIK tidak padan dengan Dukcapil (dapat diperbaiki dan diusulkan lagi)",
	"MENINGGAL":           "Meninggal menurut Dukcapil",
	"PNS_TNI_POLRI":       "Ada anggota keluarga PNS, TNI atau Polri",
	"UPAH_DI_ATAS_UMP":    "Upah di atas UMP",
	"GANDA":               "Sudah terdaftar (ganda)",
	"DESIL_DI_ATAS_BATAS": "Desil di atas batas program",
	"TIDAK_LAYAK":         "Tidak layak (lainnya)",
}

// programmeNames are the aid programmes (docs/process.md, "The stages of a household", step 6).
var programmeNames = map[string]string{
	"PKH":     "PKH (Program Keluarga Harapan)",
	"BPNT":    "BPNT / Sembako",
	"PBI-JK":  "PBI-JK (BPJS Kesehatan dibayar negara)",
	"BPJS-TK": "BPJS Ketenagakerjaan (dibayar APBD)",
	"BLT-DD":  "BLT Dana Desa",
}

// relationNames are DTSEN's relationships to the head (p3ke.Relation).
var relationNames = map[string]string{
	"kepala_keluarga": "Kepala keluarga", "pasangan": "Istri/suami", "anak": "Anak", "menantu": "Menantu",
	"cucu": "Cucu", "orang_tua": "Orang tua", "mertua": "Mertua", "famili_lain": "Famili lain", "lainnya": "Lainnya",
}

// memberStatusNames are a member's statuses (store.MemberPresent...).
var memberStatusNames = map[string]string{
	"present": "Ada", "died": "Meninggal", "moved_out": "Pindah keluar",
}

var enrolmentStatusNames = map[string]string{
	"active": "Aktif",
	"exited": "Berhenti",
}

var roleNames = map[auth.Role]string{
	auth.RoleVillage:    "Operator desa/kelurahan",
	auth.RolePSM:        "PSM (Pekerja Sosial Masyarakat)",
	auth.RolePendamping: "Pendamping PKH",
	auth.RoleTKSK:       "TKSK",
	auth.RoleDinsos:     "Dinas Sosial",
	auth.RoleBupati:     "Kantor Bupati",
	auth.RoleAdmin:      "Administrator",
}

// lookup is k's name in m, or k itself when m has none.
func lookup[K ~string](m map[K]string, k K) string {
	if v, ok := m[k]; ok {
		return v
	}
	return string(k)
}

// named looks up a value that comes as any string type (a model field, a
// template argument) in m.
func named[K ~string](m map[K]string) func(v any) string {
	return func(v any) string { return lookup(m, K(fmt.Sprint(v))) }
}

func stageName(s string) string   { return lookup(stageNames, domain.Stage(s)) }
func outcomeName(s string) string { return lookup(outcomeNames, domain.Outcome(s)) }

// StageName, OutcomeName, EnrolmentStatusName and StageReason are the
// pages' Indonesian words for the API's downloadable files (the cycle
// report, the enrolment lists), so a file says what the pages say.
func StageName(s domain.Stage) string     { return lookup(stageNames, s) }
func OutcomeName(o domain.Outcome) string { return lookup(outcomeNames, o) }
func EnrolmentStatusName(s string) string { return lookup(enrolmentStatusNames, s) }
func StageReason(r string) string         { return stageReason(r) }

// address is an address for the page: the one an administrator may not
// see is said so in Indonesian.
func address(a string) string {
	if a == office.HiddenAddress {
		return "(disembunyikan)"
	}
	return a
}
func roleName(r auth.Role) string {
	if v, ok := roleNames[r]; ok {
		return v
	}
	return string(r)
}

// monthID names a YYYY-MM month the Indonesian way: "Juli 2026".
func monthID(s string) string {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%s %d", months[t.Month()-1], t.Year())
}

// regionName is a region's official name with its level, "Desa Jaten",
// "Kecamatan Wonodadi"; the code when the list does not know it.
// regionsName names an account's regions: each of up to three, else the
// first two and how many more.
func regionsName(codes []string) string {
	names := make([]string, 0, 3)
	for i, c := range codes {
		if len(codes) > 3 && i == 2 {
			names = append(names, fmt.Sprintf("%d wilayah lainnya", len(codes)-2))
			break
		}
		names = append(names, regionName(c))
	}
	return strings.Join(names, ", ")
}

func regionName(code string) string {
	name, ok := wilayah.Default().Name(code)
	if !ok {
		return code
	}
	switch wilayah.LevelOf(code) {
	case wilayah.LevelVillage:
		if wilayah.IsKelurahan(code) {
			return "Kelurahan " + name
		}
		return "Desa " + name
	case wilayah.LevelKecamatan:
		return "Kecamatan " + name
	}
	return name
}

var months = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// dateID formats a date the Indonesian way: "12 Mei 2026".
func dateID(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// dateTimeID adds the time of day and zone: "12 Mei 2026 14.05 WIB".
func dateTimeID(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s %02d.%02d %s", dateID(t), t.Hour(), t.Minute(), t.Format("MST"))
}

// isoDateID formats a YYYY-MM-DD string the Indonesian way.
func isoDateID(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return dateID(t)
}

// number formats a count with Indonesian thousands separators: 12.345.
func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// stageReason is a stage history row's reason in Indonesian where the
// workflow's wording is known.
func stageReason(r string) string {
	switch {
	case r == "P3KE intake":
		return "data P3KE masuk"
	case strings.HasPrefix(r, "reopened: "):
		return "dibuka ulang: " + strings.TrimPrefix(r, "reopened: ")
	case strings.HasPrefix(r, "removal accepted: verified "):
		return "penghapusan dari DTKS diterima Kemensos: " + outcomeName(strings.TrimPrefix(r, "removal accepted: verified "))
	case r == "no answer from Kemensos: propose again":
		return "tidak dijawab Kemensos: diusulkan lagi"
	case r == "addition":
		return "diusulkan masuk DTKS"
	case strings.HasPrefix(r, "removal: "):
		return "diusulkan keluar dari DTKS: " + outcomeName(strings.TrimPrefix(r, "removal: "))
	case strings.HasPrefix(r, "verified ") && strings.HasSuffix(r, ", not in the registry"):
		return outcomeName(strings.TrimSuffix(strings.TrimPrefix(r, "verified "), ", not in the registry")) + ", tidak terdaftar di DTKS"
	case strings.HasPrefix(r, "removal rejected "):
		return "penghapusan dari DTKS ditolak Kemensos: " + lookup(rejectionNames, strings.TrimPrefix(r, "removal rejected "))
	case strings.HasPrefix(r, "rejected "):
		// "rejected <code>", or for a fixable one "rejected <code>: correct
		// and propose again" (its name says it can be corrected).
		return "ditolak Kemensos: " + lookup(rejectionNames, strings.TrimSuffix(strings.TrimPrefix(r, "rejected "), ": correct and propose again"))
	case strings.HasPrefix(r, "revoked: "):
		return "dicabut dengan SK: " + strings.TrimPrefix(r, "revoked: ")
	case strings.HasPrefix(r, "change "):
		// "change <kind>: <date>", a confirmed change that ended the aid.
		if k, date, ok := strings.Cut(strings.TrimPrefix(r, "change "), ": "); ok {
			return "perubahan dalam tahun: " + strings.ToLower(ChangeKindName(k)) + " (" + date + ")"
		}
	case strings.HasPrefix(r, "cycle closed in "):
		// "cycle closed in <stage>: <Dinsos' reason>"
		if st, why, ok := strings.Cut(strings.TrimPrefix(r, "cycle closed in "), ": "); ok {
			return "siklus ditutup (tutup buku) saat " + strings.ToLower(stageName(st)) + ": " + why
		}
	}
	return r
}

// IssueSeverity is a row issue's severity as the intake page names it:
// "Ditolak" for an error (the row was not taken), "Sudah ada" for a family
// the cycle has already (left out, not stored twice), "Peringatan" for a
// warning.
func IssueSeverity(severity string) string {
	switch severity {
	case "error":
		return "Ditolak"
	case store.SeverityPresent:
		return "Sudah ada"
	}
	return "Peringatan"
}
