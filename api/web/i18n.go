package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
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
}

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
	case strings.HasPrefix(r, "cycle closed in "):
		// "cycle closed in <stage>: <Dinsos' reason>"
		if st, why, ok := strings.Cut(strings.TrimPrefix(r, "cycle closed in "), ": "); ok {
			return "siklus ditutup (tutup buku) saat " + strings.ToLower(stageName(st)) + ": " + why
		}
	}
	return r
}

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
