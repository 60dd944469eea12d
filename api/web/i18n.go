package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/wilayah"
)

// The words a person reads. Codes (stages, outcomes, roles) stay in the
// data and the API; the pages show these.

var stageNames = map[string]string{
	"awaiting_verification": "Menunggu kunjungan desa",
	"verified":              "Sudah dikunjungi, menunggu musyawarah",
	"awaiting_decree":       "Menunggu SK Bupati",
	"awaiting_proposal":     "Menunggu usulan ke Kemensos",
	"awaiting_kemensos":     "Menunggu penetapan Kemensos",
	"enrolled":              "Terdaftar sebagai penerima bantuan",
	"not_eligible":          "Tidak layak",
	"removed":               "Dikeluarkan dari DTKS",
	"rejected":              "Ditolak Kemensos",
	"revoked":               "Dicabut dengan SK",
	"closed":                "Ditutup saat tutup buku",
}

var outcomeNames = map[string]string{
	"eligible":  "Masih miskin (layak)",
	"not_poor":  "Sudah mampu",
	"not_found": "Tidak ditemukan",
	"deceased":  "Meninggal dunia",
	"moved":     "Pindah",
	"duplicate": "Data ganda",
}

var taskStatusNames = map[string]string{
	"open":      "Belum dikunjungi",
	"submitted": "Hasil terkirim",
	"closed":    "Ditutup musyawarah",
}

var auditActionNames = map[string]string{
	"verification.submit":  "Hasil kunjungan dicatat",
	"verification.correct": "Hasil kunjungan dikoreksi",
	"verification.reopen":  "Verifikasi dibuka ulang",
	"task.assign":          "Tugas dialihkan",
	"meeting.record":       "Musyawarah desa dicatat",
	"decree.draft":         "Rancangan SK disusun",
	"cycle.close":          "Siklus ditutup (tutup buku)",
	"decree.submitted":     "SK diajukan ke Kantor Bupati",
	"decree.returned":      "SK dikembalikan ke Dinas Sosial",
	"decree.signed":        "SK ditandatangani",
	"proposal.build":       "Usulan Kemensos disusun",
	"proposal.submit":      "Usulan ditandai terkirim",
	"proposal.answers":     "Jawaban Kemensos diterapkan",
	"proposal.unanswered":  "Dicatat tidak dijawab Kemensos",
	"proposal.download":    "Berkas usulan diunduh",
	"household.identity":   "NIK/No KK diperbaiki Dinas Sosial",
}

var decreeStatusNames = map[string]string{
	"draft":     "Rancangan",
	"submitted": "Menunggu tanda tangan Bupati",
	"returned":  "Dikembalikan ke Dinas Sosial",
	"signed":    "Ditandatangani",
	"withdrawn": "Dibatalkan",
}

var decreeKindNames = map[string]string{
	"initial":    "Penetapan",
	"amendment":  "Perubahan (tambahan keluarga)",
	"revocation": "Pencabutan",
}

var proposalStatusNames = map[string]string{
	"draft":     "Belum dikirim",
	"submitted": "Terkirim, menunggu jawaban Kemensos",
	"answered":  "Selesai, tidak menunggu jawaban lagi",
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

// programmeNames are the aid programmes of domain.md, step 5.
var programmeNames = map[string]string{
	"PKH":     "PKH (Program Keluarga Harapan)",
	"BPNT":    "BPNT / Sembako",
	"PBI-JK":  "PBI-JK (BPJS Kesehatan dibayar negara)",
	"BPJS-TK": "BPJS Ketenagakerjaan (dibayar APBD)",
	"BLT-DD":  "BLT Dana Desa",
}

var enrolmentStatusNames = map[string]string{
	"active": "Aktif",
	"exited": "Berhenti",
}

var roleNames = map[auth.Role]string{
	auth.RoleVillage: "Operator desa/kelurahan",
	auth.RoleTKSK:    "TKSK",
	auth.RoleDinsos:  "Dinas Sosial",
	auth.RoleBupati:  "Kantor Bupati",
	auth.RoleAdmin:   "Administrator",
}

func lookup(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

func stageName(s string) string   { return lookup(stageNames, s) }
func outcomeName(s string) string { return lookup(outcomeNames, s) }
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

// maskName keeps each word's first letter, as the API does for roles that
// do not work with the family: "Siti Aminah" → "S*** A*****".
func maskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		if r := []rune(w); len(r) > 0 {
			words[i] = string(r[0]) + strings.Repeat("*", len(r)-1)
		}
	}
	return strings.Join(words, " ")
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
	case strings.HasPrefix(r, "cycle closed in "):
		// "cycle closed in <stage>: <Dinsos' reason>"
		if st, why, ok := strings.Cut(strings.TrimPrefix(r, "cycle closed in "), ": "); ok {
			return "siklus ditutup (tutup buku) saat " + strings.ToLower(stageName(st)) + ": " + why
		}
	}
	return r
}

// Messages from the workflow validators and the API's meeting checks, in
// Indonesian. The validators speak English (the API's language); a message
// without a translation here is shown as it is, so a new rule is never
// hidden, and a test checks every current one has a translation.
var messageID = map[string]string{
	// workflows.ValidateVisit
	"must be one of eligible, not_poor, not_found, deceased, moved, duplicate": "Pilih salah satu hasil kunjungan.",
	"is required":                                                 "Wajib diisi.",
	"must be a date as YYYY-MM-DD":                                "Isi tanggal yang benar (tahun-bulan-hari).",
	"cannot be in the future":                                     "Tanggal tidak boleh setelah hari ini.",
	"name the household this one duplicates":                      "Isi nomor rumah tangga yang sama dengan keluarga ini.",
	"a household cannot duplicate itself":                         "Rumah tangga tidak bisa menjadi data ganda dari dirinya sendiri.",
	"only for outcome duplicate":                                  "Hanya diisi bila hasilnya Data ganda.",
	"explain what was found (who said so, where the family went)": "Jelaskan temuan Anda: siapa yang memberi keterangan, ke mana keluarga pindah.",
	"is longer than 2000 characters":                              "Lebih dari 2000 karakter.",
	// household workflow: conflicts and closed steps
	"the village meeting has closed this household's verification; ask the TKSK to reopen it": "Musyawarah desa sudah menutup verifikasi keluarga ini. Minta TKSK membukanya ulang bila perlu dikoreksi.",
	"another result for this household is being recorded; reload and try again":               "Hasil lain untuk keluarga ini sedang dicatat. Muat ulang halaman lalu coba lagi.",
	"the household is being updated; try again":                                               "Data keluarga ini sedang diperbarui. Coba lagi.",
	"say why the verification is reopened":                                                    "Tuliskan alasan verifikasi dibuka ulang.",
	"the household is already in a signed decree; amend or revoke the decree instead":         "Keluarga ini sudah masuk SK yang ditandatangani. Ubah atau cabut SK-nya.",
	"the verification is still open; the village can correct it without a reopen":             "Verifikasi masih terbuka; desa dapat mengoreksinya tanpa dibuka ulang.",
	"this household's case has ended":                                                         "Kasus keluarga ini sudah selesai.",
	// api: village meetings
	"a village officer records only their own village's meeting":    "Operator desa hanya mencatat musyawarah desanya sendiri.",
	"cannot be before the cycle opened":                             "Tanggal tidak boleh sebelum siklus verval dibuka.",
	"the berita acara number is required (at most 100 characters)":  "Nomor berita acara wajib diisi (paling banyak 100 karakter).",
	"must be the number of people present":                          "Isi jumlah orang yang hadir.",
	"this village has no verified households waiting for a meeting": "Belum ada keluarga yang sudah dikunjungi dan menunggu musyawarah di desa ini.",
	// store: task assignment
	"assignee is not an active village officer of this desa": "Petugas yang dipilih bukan operator aktif desa ini.",
	// decree workflow validators and the API's decree checks
	"say why the decree goes back to Dinsos":                          "Tuliskan alasan SK dikembalikan ke Dinas Sosial.",
	"say why the decree is withdrawn (at most 1000 characters)":       "Tuliskan alasan SK dibatalkan (paling banyak 1000 karakter).",
	"the decree was withdrawn":                                        "SK ini sudah dibatalkan.",
	"the decree number is required (at most 100 characters)":          "Nomor SK wajib diisi (paling banyak 100 karakter).",
	"this decree number is already used in the regency":               "Nomor SK ini sudah dipakai SK lain di kabupaten/kota ini. Periksa kembali nomornya.",
	"the decree is being updated; try again":                          "SK ini sedang diperbarui. Coba lagi sebentar lagi.",
	"no household is waiting for a decree":                            "Belum ada keluarga yang menunggu SK: semua keluarga yang disahkan musyawarah desa sudah tercantum di SK.",
	"say why the households are revoked":                              "Tuliskan alasan pencabutan.",
	"leave it empty for a list of eligible households, or revocation": "Jenis SK tidak dikenal.",
	// store and API: Kemensos proposals
	"a proposal needs a signed decree of this cycle first":                     "Usulan memerlukan SK yang sudah ditandatangani pada siklus ini.",
	"no household is waiting to be proposed":                                   "Belum ada keluarga yang menunggu diusulkan ke Kemensos.",
	"the proposal was already submitted":                                       "Usulan ini sudah ditandai terkirim.",
	"the proposal has not been submitted yet":                                  "Usulan ini belum ditandai terkirim ke Kemensos. Tandai terkirim dulu, lalu unggah jawabannya.",
	"must be a month as YYYY-MM":                                               "Isi bulan yang benar (tahun-bulan).",
	"say why Kemensos' answer is recorded as missing (at most 500 characters)": "Tuliskan alasan keluarga dicatat tidak dijawab Kemensos (paling banyak 500 karakter).",
	"every household of the proposal already has an answer":                    "Semua keluarga pada usulan ini sudah dijawab atau sudah dicatat tidak dijawab.",
	"the simulated Kemensos answers this proposal by itself":                   "Usulan ini dijawab oleh Kemensos simulasi dengan sendirinya.",
	// the cycle's close (tutup buku)
	"say why the cycle is closed (at most 500 characters)":                                                                               "Tuliskan alasan siklus ditutup (paling banyak 500 karakter).",
	"the cycle is closed (tutup buku)":                                                                                                   "Siklus ini sudah ditutup (tutup buku).",
	"the cycle is closed (tutup buku) already":                                                                                           "Siklus ini sudah ditutup (tutup buku).",
	"an intake of this cycle is still running; close the cycle when it has finished":                                                     "Masih ada unggahan P3KE yang berjalan pada siklus ini. Tutup siklus setelah unggahan selesai.",
	"a decree of this cycle is not signed yet; have it signed or withdraw it before closing":                                             "Masih ada SK siklus ini yang belum ditandatangani. Mintakan tanda tangan atau batalkan SK itu sebelum tutup buku.",
	"a proposal batch of this cycle has not been sent to Kemensos; send it before closing":                                               "Masih ada usulan siklus ini yang belum dikirim ke Kemensos. Kirim dulu sebelum tutup buku.",
	"a proposal batch of this cycle still waits for Kemensos' answer; upload it, or record that Kemensos did not answer, before closing": "Masih ada usulan siklus ini yang menunggu jawaban Kemensos. Unggah jawabannya, atau catat tidak ada jawaban Kemensos pada halaman usulan itu, sebelum tutup buku.",
	"the cycle is closed (tutup buku); this household's case has ended":                                                                  "Siklus sudah ditutup (tutup buku); kasus keluarga ini sudah selesai.",
}

// decreeStates are the decree statuses as a sentence says them.
var decreeStates = map[string]string{
	"draft":     "rancangan",
	"submitted": "diajukan",
	"returned":  "dikembalikan",
	"signed":    "ditandatangani",
	"withdrawn": "dibatalkan",
}

// decreeVerbs are the decree workflow's step words in its "cannot be
// ...ed now" refusal.
var decreeVerbs = map[string]string{
	"submited":  "diajukan",
	"submitted": "diajukan",
	"returned":  "dikembalikan",
	"reviseed":  "direvisi",
	"revised":   "direvisi",
	"signed":    "ditandatangani",
	"withdrawn": "dibatalkan",
}

// decreeStateRE and decreeStoreStateRE are the decree's refusals for a
// step the decree's status does not allow: the workflow's validator and
// the store's check.
var (
	decreeStateRE      = regexp.MustCompile(`^the decree is (\w+), so it cannot be (\w+) now$`)
	decreeStoreStateRE = regexp.MustCompile(`^decree is (\w+), not (\w+)$`)
)

// messagePatterns translate the messages that carry a value.
var messagePatterns = []struct {
	re  *regexp.Regexp
	fmt string
}{
	{regexp.MustCompile(`^cannot be before the cycle opened \((\d{4}-\d{2}-\d{2})\)$`), "Tanggal tidak boleh sebelum siklus verval dibuka (%s)."},
	{regexp.MustCompile(`^floor, wall and roof \(jenisLantai, jenisDinding, jenisAtap\) are required for outcome (\w+)$`), "Jenis lantai, dinding dan atap wajib diisi untuk hasil %s."},
	{regexp.MustCompile(`^a result was already submitted for this household; to correct it, send version (\d+)$`), "Hasil untuk keluarga ini sudah terkirim (versi %s). Muat ulang halaman untuk mengoreksinya."},
	{regexp.MustCompile(`^the result changed since you loaded it \(version (\d+), you sent \d+\); reload and try again$`), "Hasil sudah berubah (versi %s) sejak halaman dimuat. Muat ulang halaman lalu coba lagi."},
	{regexp.MustCompile(`^the household has moved past village verification \((\w+)\)$`), "Keluarga ini sudah melewati tahap verifikasi desa (%s)."},
	{regexp.MustCompile(`^(\d+) households of this village still have no visit result$`), "Masih ada %s keluarga di desa ini yang belum punya hasil kunjungan."},
	{regexp.MustCompile(`^decree number (.+) is already used in this regency$`), "Nomor SK %s sudah dipakai SK lain di kabupaten/kota ini. Periksa kembali nomornya."},
}

// translate returns the Indonesian form of a validator or store message,
// or the message itself when there is none.
func translate(msg string) string {
	msg = bareMessage(msg)
	if v, ok := messageID[msg]; ok {
		return v
	}
	if m := decreeStateRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("SK ini berstatus %s, jadi tidak dapat %s sekarang. Muat ulang halaman.",
			lookup(decreeStates, m[1]), lookup(decreeVerbs, m[2]))
	}
	if m := decreeStoreStateRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("Status SK sudah berubah (%s). Muat ulang halaman.", lookup(decreeStates, m[1]))
	}
	for _, p := range messagePatterns {
		if m := p.re.FindStringSubmatch(msg); m != nil {
			arg := m[1]
			if o, ok := outcomeNames[arg]; ok {
				arg = o
			} else if s, ok := stageNames[arg]; ok {
				arg = s
			} else if d, err := time.Parse("2006-01-02", arg); err == nil {
				arg = dateID(d)
			}
			return fmt.Sprintf(p.fmt, arg)
		}
	}
	return msg
}

// bareMessage drops the "conflict: " an error's wrapping puts before a
// store message ("database: conflict: ...").
func bareMessage(msg string) string {
	if i := strings.Index(msg, "conflict: "); i >= 0 && (i == 0 || strings.HasSuffix(msg[:i], ": ")) {
		return msg[i+len("conflict: "):]
	}
	return msg
}

// translated reports whether translate knows msg, for the tests.
func translated(msg string) bool { return translate(msg) != bareMessage(msg) }

// IssueSeverity is a row issue's severity as the intake page names it:
// "Ditolak" for an error (the row was not taken), "Peringatan" for a
// warning.
func IssueSeverity(severity string) string {
	if severity == "error" {
		return "Ditolak"
	}
	return "Peringatan"
}
