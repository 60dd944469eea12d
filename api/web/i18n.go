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

// answerRowReasons translate the reasons Kemensos' answer file is refused
// at a row (internal/kemensos); a reason without a translation is shown as
// it is.
var answerRowReasons = []struct {
	re  *regexp.Regexp
	fmt string
}{
	{regexp.MustCompile(`^no proposed household has no_kk (\S+) or nik (\S+)$`), "Tidak ada keluarga di usulan ini dengan no_kk %s atau nik %s."},
	{regexp.MustCompile(`^no proposed household has (no_kk|nik) (\S+)$`), "Tidak ada keluarga di usulan ini dengan %s %s."},
	{regexp.MustCompile(`^no_kk and nik are both empty;`), "no_kk dan nik kosong; isi salah satunya."},
	{regexp.MustCompile(`^nik (\S+) is the head of a different proposed household than no_kk (\S+)$`), "nik %s adalah kepala keluarga lain, bukan keluarga no_kk %s."},
	{regexp.MustCompile(`^nik (\S+) does not match the proposed household with no_kk (\S+)$`), "nik %s tidak cocok dengan keluarga no_kk %s."},
	{regexp.MustCompile(`^no_kk (\S+) does not match the proposed household with nik (\S+)$`), "no_kk %s tidak cocok dengan keluarga nik %s."},
	{regexp.MustCompile(`^required value is empty; must be DITETAPKAN or DITOLAK$`), "Kosong; isi DITETAPKAN atau DITOLAK."},
	{regexp.MustCompile(`^must be DITETAPKAN or DITOLAK, got (.+)$`), "Harus DITETAPKAN atau DITOLAK; tertulis %s."},
	{regexp.MustCompile(`^DITOLAK needs a reason: one of (.+)$`), "DITOLAK perlu alasan, salah satu dari %s."},
	{regexp.MustCompile(`^must be empty for DITETAPKAN, got (.+)$`), "Harus kosong untuk DITETAPKAN; tertulis %s."},
	{regexp.MustCompile(`^must be one of (.+), got (.+)$`), "Harus salah satu dari %s; tertulis %s."},
	{regexp.MustCompile(`^required date is empty$`), "Tanggal penetapan wajib diisi."},
	{regexp.MustCompile(`^must be a date written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY, got (.+)$`), "Isi tanggal sebagai YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY; tertulis %s."},
	{regexp.MustCompile(`^(\S+) is not a plausible determination date$`), "%s bukan tanggal penetapan yang masuk akal."},
	{regexp.MustCompile(`^this household was already answered (.+) in row (\d+); a household can have only one answer$`), "Keluarga ini sudah dijawab %s di baris %s; satu keluarga hanya boleh punya satu jawaban."},
	{regexp.MustCompile(`^this household was already answered (.+) by an earlier answer file; a household can have only one answer$`), "Keluarga ini sudah dijawab %s oleh berkas jawaban sebelumnya; satu keluarga hanya boleh punya satu jawaban."},
	{regexp.MustCompile(`^Dinsos recorded this household as not answered by Kemensos \(TIDAK_DIJAWAB\) and it is to be proposed again in a later batch; this batch's answer for it can no longer be applied$`),
		"Dinas Sosial sudah mencatat keluarga ini tidak dijawab Kemensos (TIDAK_DIJAWAB) dan keluarga ini diusulkan lagi pada batch berikutnya; jawaban usulan ini untuknya tidak dapat diterapkan lagi."},
}

// answerRowReason is an answer file row error's reason in Indonesian.
func answerRowReason(msg string) string {
	for _, p := range answerRowReasons {
		if m := p.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			return fmt.Sprintf(p.fmt, args...)
		}
	}
	return msg
}

// p3keExact and p3kePatterns translate the reasons a P3KE file or row is
// refused or warned about (internal/p3ke, with the NIK and No KK checks of
// internal/ident): the row issues of an intake and the reason an intake
// failed. A reason without a translation is shown as it is, so a new rule
// is never hidden; a test feeds every rule a bad file or row and checks
// each has one.
var p3keExact = map[string]string{
	"required value is empty": "Wajib diisi, tetapi kosong.",
	`text is not valid UTF-8; save the file as "CSV UTF-8" and upload again`: `Teks bukan UTF-8 yang sah; simpan berkas sebagai "CSV UTF-8" lalu unggah lagi.`,
	"text is not valid UTF-8":       "Teks bukan UTF-8 yang sah.",
	"text contains a NUL character": "Teks memuat karakter NUL.",
	"must be a date written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (e.g. 1980-01-25)":                                                 "Isi tanggal sebagai YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY (misalnya 1980-01-25).",
	"no_kk is the same number as nik_kepala_keluarga; check the two columns were not swapped or copied":                             "no_kk sama dengan nik_kepala_keluarga; periksa apakah kedua kolom tertukar atau tersalin.",
	"birth date does not match the one in the NIK (digits 7-12)":                                                                    "Tanggal lahir tidak cocok dengan tanggal lahir di NIK (digit 7-12).",
	"sex is given as L (male) but the NIK's day of birth is in the women's range 41-71":                                             "Jenis kelamin tertulis L (laki-laki), tetapi tanggal lahir di NIK ada di rentang perempuan 41-71.",
	"sex is given as P (female) but the NIK's day of birth is in the men's range 01-31":                                             "Jenis kelamin tertulis P (perempuan), tetapi tanggal lahir di NIK ada di rentang laki-laki 01-31.",
	`a double quote (") appears inside a cell that does not start with one; put the cell in quotes and double the inner quote ("")`: `Ada tanda petik (") di dalam sel yang tidak diawali petik; apit sel dengan petik dan gandakan petik di dalamnya ("").`,
	"a quoted cell is not closed properly":                                                                                          "Sel berpetik tidak ditutup dengan benar.",
	"number was converted to scientific notation by Excel and has lost digits; format the column as text and export again":          "Angka diubah Excel menjadi notasi ilmiah dan kehilangan digit; format kolom sebagai teks lalu ekspor lagi.",
	"NIK sub-district part (digits 5-6) is 00":                                                                                      "Bagian kecamatan NIK (digit 5-6) bernilai 00.",
	"NIK serial number (last 4 digits) must not be 0000":                                                                            "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
	// the file as a whole (p3ke.FormatError) and the intake's own failures
	"the file has no header row": "Berkas tidak punya baris judul.",
	"lines end with a carriage return only (old Mac format); save the file as CSV UTF-8": "Baris berkas diakhiri carriage return saja (format Mac lama); simpan berkas sebagai CSV UTF-8.",
	"the file is not text, and not XLSX either; upload a CSV or XLSX file":               "Berkas bukan teks dan bukan XLSX; unggah berkas CSV atau XLSX.",
	"the file is a zip archive but not an XLSX workbook":                                 "Berkas adalah arsip zip, bukan buku kerja XLSX.",
	"the workbook has no sheets":                                                         "Buku kerja tidak punya lembar (sheet).",
	"the workbook is too large: it unpacks to more than 256 MiB":                         "Buku kerja terlalu besar: setelah dibuka lebih dari 256 MiB.",
	"the file is empty": "Berkas kosong.",
	"the file looks like XLSX but is larger than 256 MiB":                        "Berkas tampak seperti XLSX tetapi lebih dari 256 MiB.",
	"this is an old Excel 97-2003 (.xls) file; save it as .xlsx or as CSV UTF-8": "Ini berkas Excel 97-2003 (.xls) lama; simpan sebagai .xlsx atau CSV UTF-8.",
	`the file is UTF-16 text (Excel "Unicode Text"); save it as CSV UTF-8`:       `Berkas berupa teks UTF-16 (Excel "Unicode Text"); simpan sebagai CSV UTF-8.`,
	"could not start the intake; upload again":                                   "Unggahan tidak dapat dimulai; unggah lagi.",
}

// regionLevels are the levels a misplaced kode_wilayah is named by.
var regionLevels = map[string]string{
	"province": "provinsi", "regency": "kabupaten/kota", "sub-district (kecamatan)": "kecamatan", "region": "wilayah",
}

// englishMonths turn the month a NIK's impossible birth date names into
// Indonesian.
var englishMonths = map[string]string{}

func init() {
	for m := time.January; m <= time.December; m++ {
		englishMonths[m.String()] = months[m-1]
	}
}

var p3kePatterns = []struct {
	re *regexp.Regexp
	// id builds the Indonesian text from the submatches (m[1:]).
	id func(m []string) string
	// inner: the last submatch is a reason of its own, translated first.
	inner bool
}{
	{regexp.MustCompile(`^must be a whole number from 1 to 10, got (.+)$`), sprintf("Harus bilangan bulat 1 sampai 10; tertulis %s."), false},
	{regexp.MustCompile(`^the same (id_keluarga_p3ke|no_kk) is already in row (\d+)$`), sprintf("%s yang sama sudah ada di baris %s."), false},
	{regexp.MustCompile(`^must be L \(laki-laki\) or P \(perempuan\), got (.+)$`), sprintf("Isi L (laki-laki) atau P (perempuan); tertulis %s."), false},
	{regexp.MustCompile(`^must be a whole number of at least 1, got (.+)$`), sprintf("Harus bilangan bulat paling kecil 1; tertulis %s."), false},
	{regexp.MustCompile(`^must be a village code like 35\.05\.01\.2001 or 3505012001, got (.+)$`), sprintf("Harus kode desa seperti 35.05.01.2001 atau 3505012001; tertulis %s."), false},
	{regexp.MustCompile(`^must be a village \(desa/kelurahan\) code with 10 digits; (\S+) is a (.+) code$`), func(m []string) string {
		return fmt.Sprintf("Harus kode desa/kelurahan 10 digit; %s adalah kode %s.", m[1], lookup(regionLevels, m[2]))
	}, false},
	{regexp.MustCompile(`^(\S+) is in (\S+) \((.+)\), outside this cycle's regency (\S+) \((.+)\)$`), sprintf("%s ada di %s (%s), di luar kabupaten/kota siklus ini, %s (%s)."), false},
	{regexp.MustCompile(`^(\S+) is outside this cycle's regency (\S+) \((.+)\)$`), sprintf("%s ada di luar kabupaten/kota siklus ini, %s (%s)."), false},
	{regexp.MustCompile(`^(\S+) is not a village in the Kemendagri 2025 region list$`), sprintf("%s bukan desa/kelurahan dalam daftar wilayah Kemendagri 2025."), false},
	{regexp.MustCompile(`^must be Ya or Tidak, got (.+)$`), sprintf("Isi Ya atau Tidak; tertulis %s."), false},
	{regexp.MustCompile(`^(NIK|No KK) is empty$`), sprintf("%s kosong."), false},
	{regexp.MustCompile(`^(NIK|No KK) must contain only digits; character (\d+) is a space$`), sprintf("%s hanya boleh berisi angka; karakter ke-%s adalah spasi."), false},
	{regexp.MustCompile(`^(NIK|No KK) must contain only digits; character (\d+) is (.+)$`), sprintf("%s hanya boleh berisi angka; karakter ke-%s adalah %s."), false},
	{regexp.MustCompile(`^(NIK|No KK) must be 16 digits, got (\d+)$`), sprintf("%s harus 16 digit; tertulis %s digit."), false},
	{regexp.MustCompile(`^(NIK|No KK) starts with (\d+), which is not an Indonesian province code$`), sprintf("%s diawali %s, yang bukan kode provinsi di Indonesia."), false},
	{regexp.MustCompile(`^(NIK|No KK) regency part \(digits 3-4\) is 00$`), sprintf("Bagian kabupaten/kota %s (digit 3-4) bernilai 00."), false},
	{regexp.MustCompile(`^NIK day of birth \(digits 7-8\) must be 01-31, or 41-71 for a woman; got (\d+)$`), sprintf("Tanggal lahir di NIK (digit 7-8) harus 01-31, atau 41-71 untuk perempuan; tertulis %s."), false},
	{regexp.MustCompile(`^NIK month of birth \(digits 9-10\) must be 01-12; got (\d+)$`), sprintf("Bulan lahir di NIK (digit 9-10) harus 01-12; tertulis %s."), false},
	{regexp.MustCompile(`^NIK birth date \(digits 7-12\) is not a real date: (\w+) has no day (\d+)$`), func(m []string) string {
		return fmt.Sprintf("Tanggal lahir di NIK (digit 7-12) tidak ada di kalender: bulan %s tidak punya tanggal %s.", lookup(englishMonths, m[1]), m[2])
	}, false},
	{regexp.MustCompile(`^NIK was first issued in regency (\S+) but the address is in (\S+) \(normal if the family moved\)$`), sprintf("NIK pertama diterbitkan di kabupaten/kota %s, tetapi alamatnya di %s (wajar bila keluarga pindah)."), false},
	{regexp.MustCompile(`^NIK was first issued in sub-district (\S+) but the address is in (\S+) \(normal if the family moved\)$`), sprintf("NIK pertama diterbitkan di kecamatan %s, tetapi alamatnya di %s (wajar bila keluarga pindah)."), false},
	{regexp.MustCompile(`^a quoted cell is not closed properly; the row runs on to line (\d+) of the file$`), sprintf("Sel berpetik tidak ditutup dengan benar; baris berlanjut sampai baris ke-%s berkas."), false},
	{regexp.MustCompile(`^the row cannot be split into cells: (.+)$`), sprintf("Baris tidak dapat dipecah menjadi sel: %s."), false},
	// the file as a whole
	{regexp.MustCompile(`^the header row lacks required columns: (.+)$`), sprintf("Baris judul tidak memuat kolom wajib: %s."), false},
	{regexp.MustCompile(`^column (\S+) appears twice in the header row \(columns (\S+) and (\S+)\)$`), sprintf("Kolom %s muncul dua kali di baris judul (kolom %s dan %s)."), false},
	{regexp.MustCompile(`^the header row cannot be read: (.+)$`), sprintf("Baris judul tidak terbaca: %s"), true},
	{regexp.MustCompile(`^the first sheet cannot be read: (.+)$`), sprintf("Lembar pertama buku kerja tidak terbaca (%s)."), false},
	{regexp.MustCompile(`^the file looks like XLSX but cannot be opened: (.+)$`), sprintf("Berkas tampak seperti XLSX tetapi tidak dapat dibuka (%s)."), false},
	{regexp.MustCompile(`^the sheet cannot be read: (.+)$`), sprintf("Lembar buku kerja tidak terbaca (%s)."), false},
	{regexp.MustCompile(`^the file cannot be read past row (\d+): (.+)$`), sprintf("Berkas tidak terbaca setelah baris %s: %s"), true},
}

// sprintf is a p3kePatterns entry that puts the submatches into format.
func sprintf(format string) func(m []string) string {
	return func(m []string) string {
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			args[i] = s
		}
		return fmt.Sprintf(format, args...)
	}
}

// p3keReason is a P3KE row issue's reason, or an intake's failure, in
// Indonesian; the reason itself when there is no translation.
func p3keReason(msg string) string {
	if v, ok := p3keExact[msg]; ok {
		return v
	}
	for _, p := range p3kePatterns {
		if m := p.re.FindStringSubmatch(msg); m != nil {
			if p.inner {
				m[len(m)-1] = p3keReason(m[len(m)-1])
			}
			return p.id(m)
		}
	}
	return msg
}

// intakeError is why an intake failed, for the intake's page: the file's
// problem in Indonesian, or for a failure of verval's own a general
// sentence with the technical reason after it.
func intakeError(msg string) string {
	if id := p3keReason(msg); id != msg {
		return id
	}
	return "Terjadi kesalahan saat memproses berkas (" + msg + "). Unggah lagi; bila masih gagal, hubungi administrator."
}

// P3KEReason is p3keReason for the API's downloadable row-error report
// (GET /api/v1/intakes/{id}/issues?format=csv), so the file says what the
// intake page says.
func P3KEReason(msg string) string { return p3keReason(msg) }

// IssueSeverity is a row issue's severity as the intake page names it:
// "Ditolak" for an error (the row was not taken), "Peringatan" for a
// warning.
func IssueSeverity(severity string) string {
	if severity == "error" {
		return "Ditolak"
	}
	return "Peringatan"
}
