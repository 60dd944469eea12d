package web

import (
	"strings"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
)

// errorTexts are the Indonesian texts of every refusal the office gives,
// keyed by its code; %s takes the error's arguments in order, named first
// by errorArgs where an argument is itself a code. A test checks every
// code of internal/domain has one.
var errorTexts = map[domain.Code]string{
	domain.CodeUnauthorized:         "Silakan masuk terlebih dahulu.",
	domain.CodeForbidden:            "Peran Anda tidak dapat membuka halaman atau menjalankan langkah ini.",
	domain.CodeNotFound:             "Data tidak ditemukan, atau bukan bagian dari wilayah Anda.",
	domain.CodeUnavailable:          "Layanan sedang tidak dapat dihubungi. Coba lagi sebentar lagi.",
	domain.CodeBadRequest:           "Isian tidak dapat dibaca (%s).",
	domain.CodeIdempotencyKeyReused: "Kiriman ini memakai kunci yang sudah dipakai untuk isian lain; muat ulang halaman lalu kirim lagi.",
	domain.CodeBodyTooLarge:         "Kiriman terlalu besar (paling besar %s); kurangi isiannya.",
	domain.CodeRequired:             "Wajib diisi.",
	domain.CodeTooLong:              "Lebih dari %s karakter.",
	domain.CodeTextChar:             "Memuat karakter %s (karakter kontrol atau format tak terlihat, atau baris baru di isian satu baris); hapus karakter itu.",
	domain.CodeDateMalformed:        "Isi tanggal yang benar (tahun-bulan-hari).",
	domain.CodeDateFuture:           "Tanggal tidak boleh setelah hari ini.",
	domain.CodeDateBefore:           "Tanggal tidak boleh sebelum siklus verval dibuka (%s).",
	domain.CodeOutsideRegion:        "Di luar wilayah Anda.",
	domain.CodeFileTooLarge:         "Berkas lebih dari %s.",
	domain.CodeFileUnreadable:       "Berkas tidak terbaca utuh; unggah lagi.",
	domain.CodeFileFormat:           "Berkas tidak dapat dibaca (%s).",
	domain.CodeUploadBusy:           "Terlalu banyak berkas Excel sedang dibaca bersamaan. Kirim berkasnya lagi sebentar lagi (sekitar satu menit).",

	domain.CodeCaseEnded:        "Kasus keluarga ini sudah selesai.",
	domain.CodeCaseEndedInStage: "Kasus keluarga ini sudah selesai (%s).",
	domain.CodeCaseCycleClosed:  "Siklus sudah ditutup (tutup buku); kasus keluarga ini sudah selesai.",
	domain.CodeCaseBusy:         "Data keluarga ini sedang diperbarui. Coba lagi.",
	domain.CodeListClosed:       "Musyawarah desa sudah menutup verifikasi keluarga ini. Minta TKSK membukanya ulang bila perlu dikoreksi.",

	domain.CodeVisitOutcome:          "Pilih salah satu hasil kunjungan.",
	domain.CodeVisitDuplicateMissing: "Pilih rumah tangga yang sama dengan keluarga ini.",
	domain.CodeVisitDuplicateSelf:    "Rumah tangga tidak bisa menjadi data ganda dari dirinya sendiri.",
	domain.CodeVisitDuplicateOnly:    "Hanya diisi bila hasilnya Data ganda.",
	domain.CodeVisitDuplicateUnknown: "Rumah tangga itu bukan rumah tangga siklus ini di desa Anda.",
	domain.CodeVisitIndicators:       "Jenis lantai, dinding dan atap wajib diisi untuk hasil %s.",
	domain.CodeVisitNote:             "Jelaskan temuan Anda: siapa yang memberi keterangan, ke mana keluarga pindah.",
	domain.CodeVisitBusy:             "Hasil lain untuk keluarga ini sedang dicatat. Muat ulang halaman lalu coba lagi.",
	domain.CodeVisitSubmitted:        "Hasil untuk keluarga ini sudah terkirim (versi %s). Muat ulang halaman untuk mengoreksinya.",
	domain.CodeVisitStale:            "Hasil sudah berubah (versi %s) sejak halaman dimuat. Muat ulang halaman lalu coba lagi.",

	domain.CodeReopenReason:       "Tuliskan alasan verifikasi dibuka ulang.",
	domain.CodeReopenInDecree:     "Keluarga ini sudah masuk SK yang ditandatangani. Ubah atau cabut SK-nya.",
	domain.CodeReopenStillOpen:    "Verifikasi masih terbuka; desa dapat mengoreksinya tanpa dibuka ulang.",
	domain.CodeReopenPastVerified: "Keluarga ini sudah melewati tahap verifikasi desa (%s).",
	domain.CodeAssigneeInvalid:    "Petugas yang dipilih bukan operator aktif desa ini.",

	domain.CodeMeetingOtherVillage: "Operator desa hanya mencatat musyawarah desanya sendiri.",
	domain.CodeMeetingNumber:       "Nomor berita acara wajib diisi (paling banyak 100 karakter).",
	domain.CodeMeetingAttendees:    "Isi jumlah orang yang hadir.",
	domain.CodeMeetingOpenTasks:    "Masih ada %s keluarga di desa ini yang belum punya hasil kunjungan.",
	domain.CodeMeetingNothing:      "Belum ada keluarga yang sudah dikunjungi dan menunggu musyawarah di desa ini.",
	domain.CodeMeetingRecorded:     "Musyawarah desa ini sudah dicatat dan daftarnya sudah ditutup; pencatatan kedua (misalnya karena tombol ditekan dua kali) ditolak.",

	domain.CodeDecreeBusy:           "SK ini sedang diperbarui. Coba lagi sebentar lagi.",
	domain.CodeDecreeStep:           "SK ini berstatus %s, jadi tidak dapat %s sekarang. Muat ulang halaman.",
	domain.CodeDecreeChanged:        "Status SK sudah berubah (%s). Muat ulang halaman.",
	domain.CodeDecreeWithdrawn:      "SK ini sudah dibatalkan.",
	domain.CodeDecreeFinished:       "SK ini sudah ditandatangani dan selesai diproses.",
	domain.CodeDecreeReturnReason:   "Tuliskan alasan SK dikembalikan ke Dinas Sosial.",
	domain.CodeDecreeWithdrawReason: "Tuliskan alasan SK dibatalkan (paling banyak 1000 karakter).",
	domain.CodeDecreeNumber:         "Nomor SK wajib diisi (paling banyak 100 karakter).",
	domain.CodeDecreeNumberTaken:    "Nomor SK ini sudah dipakai SK lain di kabupaten/kota ini. Periksa kembali nomornya.",
	domain.CodeDecreeNumberUsed:     "Nomor SK %s sudah dipakai SK lain di kabupaten/kota ini. Periksa kembali nomornya.",
	domain.CodeDecreeNothing:        "Belum ada keluarga yang menunggu SK: semua keluarga yang disahkan musyawarah desa sudah tercantum di SK.",
	domain.CodeDecreeKind:           "Jenis SK tidak dikenal.",
	domain.CodeRevokeReason:         "Tuliskan alasan pencabutan.",
	domain.CodeRevokeNone:           "Pilih keluarga yang dicabut.",
	domain.CodeRevokeNotSigned:      "Setiap keluarga yang dicabut harus tercantum di SK siklus ini yang sudah ditandatangani dan belum dicabut.",

	domain.CodeProposalNeedsDecree:      "Usulan memerlukan SK yang sudah ditandatangani pada siklus ini.",
	domain.CodeProposalNothing:          "Belum ada keluarga yang menunggu diusulkan ke Kemensos.",
	domain.CodeProposalSubmitted:        "Usulan ini sudah ditandai terkirim.",
	domain.CodeProposalNotSubmitted:     "Usulan ini belum ditandai terkirim ke Kemensos. Tandai terkirim dulu, lalu unggah jawabannya.",
	domain.CodeProposalMonth:            "Isi bulan yang benar (tahun-bulan).",
	domain.CodeProposalUnansweredReason: "Tuliskan alasan keluarga dicatat tidak dijawab Kemensos (paling banyak %s karakter).",
	domain.CodeProposalAllAnswered:      "Semua keluarga pada usulan ini sudah dijawab atau sudah dicatat tidak dijawab.",
	domain.CodeProposalSimulated:        "Usulan ini dijawab oleh Kemensos simulasi dengan sendirinya.",
	domain.CodeProposalSimulatedUpload:  "Usulan ini dijawab oleh Kemensos simulasi dengan sendirinya (dibuat dengan VERVAL_KEMENSOS=simulated), jadi berkas jawaban tidak dapat diunggah untuknya; bila jawabannya tidak datang, lanjutkan usulan ini.",

	domain.CodeCycleExists:          "Siklus kabupaten/kota %s tahun %s sudah ada.",
	domain.CodeCycleRegency:         "Isi kode kabupaten/kota seperti 35.05.",
	domain.CodeCycleRegencyUnknown:  "Kode ini bukan kabupaten/kota dalam daftar wilayah Kemendagri 2025.",
	domain.CodeCycleYear:            "Isi tahun seperti 2026.",
	domain.CodeCycleOpenedYear:      "Isi tanggal di tahun siklus ini (%s).",
	domain.CodeCycleDays:            "Isi antara 1 dan 365 hari.",
	domain.CodeCycleClosed:          "Siklus ini sudah ditutup (tutup buku).",
	domain.CodeMemberChange:         "Pilih perubahan: lahir, meninggal, pindah keluar atau pekerjaan baru.",
	domain.CodeMemberDate:           "Isi tanggal sebagai YYYY-MM-DD, tidak di masa depan.",
	domain.CodeMemberName:           "Isi nama anggota baru (paling panjang 200 karakter).",
	domain.CodeMemberSex:            "Isi L (laki-laki) atau P (perempuan).",
	domain.CodeMemberNIK:            "Isi NIK 16 angka yang sah dan belum ada di keluarga ini, atau kosongkan untuk anak yang belum punya NIK.",
	domain.CodeMemberRelation:       "Pilih hubungan dengan kepala keluarga selain kepala keluarga, misalnya anak atau cucu.",
	domain.CodeMemberOccupation:     "Isi pekerjaan baru (paling panjang 200 karakter).",
	domain.CodeMemberGone:           "Anggota ini sudah meninggal atau pindah keluar.",
	domain.CodeMembersLocked:        "Daftar rumah tangga ini sudah ditutup musyawarah desa (atau siklusnya ditutup); anggotanya tidak dapat diubah lagi.",
	domain.CodeCycleScope:           "Isi desil tertinggi yang masuk verifikasi, 1 sampai 5.",
	domain.CodeCycleScopeTaken:      "Berkas sudah diunggah ke siklus ini dengan cakupannya; cakupan desil hanya dapat diubah sebelum unggahan pertama.",
	domain.CodeCycleCloseReason:     "Tuliskan alasan siklus ditutup (paling banyak 500 karakter).",
	domain.CodeCycleIntakeRunning:   "Masih ada unggahan P3KE yang berjalan pada siklus ini. Tutup siklus setelah unggahan selesai.",
	domain.CodeCycleDecreeUnsigned:  "Masih ada SK siklus ini yang belum ditandatangani. Mintakan tanda tangan atau batalkan SK itu sebelum tutup buku.",
	domain.CodeCycleProposalUnsent:  "Masih ada usulan siklus ini yang belum dikirim ke Kemensos. Kirim dulu sebelum tutup buku.",
	domain.CodeCycleProposalWaiting: "Masih ada usulan siklus ini yang menunggu jawaban Kemensos. Unggah jawabannya, atau catat tidak ada jawaban Kemensos pada halaman usulan itu, sebelum tutup buku.",

	domain.CodeIdentityNone:     "Isi NIK, No KK, atau keduanya yang sudah diperbaiki.",
	domain.CodeIdentityNumber:   "Nomor tidak sah (%s).",
	domain.CodeIdentitySameNIK:  "NIK ini sama dengan yang sudah tercatat.",
	domain.CodeIdentitySameKK:   "No KK ini sama dengan yang sudah tercatat.",
	domain.CodeIdentityInBatch:  "Keluarga ini ada di usulan yang menunggu jawaban Kemensos dengan nomor yang tercatat; perbaiki setelah jawabannya datang.",
	domain.CodeIdentityKKTaken:  "Keluarga lain di siklus ini sudah memakai No KK ini.",
	domain.CodeEnrolmentProgram: "Pilih salah satu program: %s.",

	domain.CodeUsername:          "3 sampai 64 karakter: huruf kecil di depan, lalu huruf, angka, '.', '_' atau '-'.",
	domain.CodeUsernameTaken:     "Nama pengguna sudah dipakai.",
	domain.CodePasswordShort:     "Kata sandi paling sedikit %s karakter.",
	domain.CodePasswordLong:      "Kata sandi paling banyak %s byte.",
	domain.CodeUserName:          "Nama wajib diisi, paling banyak 200 karakter.",
	domain.CodeUserRole:          "Peran tidak dikenal.",
	domain.CodeAdminRegion:       "Administrator tidak punya wilayah.",
	domain.CodeRegionFormat:      "Peran %s memerlukan kode wilayah bertitik %s karakter.",
	domain.CodeRegionUnknown:     "Bukan kode wilayah resmi.",
	domain.CodeRegionOne:         "Peran %s hanya memegang satu wilayah.",
	domain.CodePhone:             "Bukan nomor HP (08..., 628... atau +628...).",
	domain.CodeUsulInCycle:       "Keluarga ini sudah ada dalam siklus sebagai %s (rumah tangga %s).",
	domain.CodeUsulDecided:       "Keluarga ini sudah ada dalam siklus sebagai %s (rumah tangga %s) dan sudah diputuskan: ajukan sanggah atas keputusannya.",
	domain.CodeUsulVillageClosed: "Musyawarah desa sudah menutup daftar desa ini; usulkan keluarga ini pada siklus berikutnya.",
	domain.CodeUsulName:          "Isi nama kepala keluarga (paling banyak 200 karakter).",
	domain.CodeUsulAddress:       "Isi alamat (paling banyak 500 karakter).",
	domain.CodeUsulMembers:       "Jumlah anggota keluarga 1 sampai 30.",
	domain.CodeChangeKind:        "Pilih jenis perubahan.",
	domain.CodeChangeNotOpen:     "Perubahan hanya dapat dicatat untuk keluarga yang terdaftar sebagai penerima bantuan pada tahun berjalan.",
	domain.CodeChangePending:     "Masih ada perubahan keluarga ini yang menunggu konfirmasi TKSK atau Dinas Sosial.",
	domain.CodeChangeNone:        "Tidak ada perubahan yang menunggu konfirmasi.",
	domain.CodeChangeDesa:        "Desa tujuan harus desa lain di kabupaten yang sama.",
	domain.CodeChangeHead:        "Kepala keluarga baru harus anggota keluarga yang masih ada.",
	domain.CodeChangeNote:        "Tuliskan keterangan perubahan.",
	domain.CodeChangeDecision:    "Tuliskan alasan bila perubahan ditolak.",
	domain.CodeChangeEnrolled:    "Tanggal perubahan tidak boleh sebelum keluarga ini terdaftar sebagai penerima bantuan (%s).",
	domain.CodeChangeMembers:     "Perubahan anggota keluarga memuat 1 sampai %s perubahan (lahir, meninggal, pindah keluar, pekerjaan baru), masing-masing untuk anggota lain yang masih ada selain kepala keluarga (kepala keluarga meninggal dicatat sebagai perubahan tersendiri); perubahan jenis lain tidak memuatnya.",
	domain.CodeCycleNotClosed:    "Siklus tahun berikutnya dibuka dari siklus yang sudah ditutup: tutup buku siklus ini dulu dan tunggu penutupannya selesai.",
	domain.CodeUsulReason:        "Tuliskan alasan keluarga ini diusulkan (10 sampai 1000 karakter).",
	domain.CodeUsulChannel:       "Jalur usulan: datang langsung (walk_in), surat (letter) atau Cek Bansos (cek_bansos).",
	domain.CodeSanggahKind:       "Jenis sanggah: salah masuk (inclusion, terdaftar padahal mampu) atau salah keluar (exclusion, tidak terdaftar padahal miskin).",
	domain.CodeSanggahReason:     "Tuliskan alasan sanggah (10 sampai 1000 karakter).",
	domain.CodeSanggahObjector:   "Penyanggah: warga (citizen), keluarga itu sendiri (household) atau petugas (officer).",
	domain.CodeSanggahName:       "Isi nama penyanggah (paling banyak 200 karakter).",
	domain.CodeSanggahUndecided:  "Keluarga ini belum diputuskan (tahap %s): perbaiki melalui hasil kunjungan.",
	domain.CodeSanggahKindStage:  "Sanggah jenis %s tidak sesuai dengan keputusan keluarga ini (tahap %s).",
	domain.CodeSanggahOpen:       "Sudah ada sanggah yang berjalan untuk keluarga ini (sanggah %s).",
	domain.CodeSanggahStatus:     "Sanggah ini berstatus %s; langkah ini untuk sanggah berstatus %s.",
	domain.CodeSanggahPastDecree: "Keluarga ini tidak lagi sekadar menunggu SK (tahap %s): keluarkan dari daftar dengan SK pencabutan.",
	domain.CodeSanggahNote:       "Tuliskan apa yang ditemukan atau diputuskan (paling banyak 1000 karakter).",
	domain.CodeSanggahDecision:   "Keputusan: diterima (upheld) atau ditolak (rejected).",
	domain.CodeSanggahReverifier: "Verifikasi ulang oleh desa (village) atau TKSK (tksk).",
	domain.CodeSanggahNotYours:   "Verifikasi ulang sanggah ini dilakukan oleh %s.",
	domain.CodeSanggahPhotoLate:  "Sanggah ini sudah berstatus “%s”: foto bukti dilampirkan sebelum keputusan. Tidak ada yang disimpan.",
	domain.CodeCycleSanggahDays:  "Isi antara 1 dan 365 hari.",
	domain.CodePhotoKind:         "Pilih jenis foto: rumah tampak depan, bagian dalam rumah, Kartu Keluarga atau dokumen pendukung.",
	domain.CodePhotoNotImage:     "Berkas ini bukan foto (JPEG atau PNG); tidak ada yang disimpan. Ambil foto dengan kamera lalu kirim lagi.",
	domain.CodePhotoTooLarge:     "Foto lebih dari %s; tidak ada yang disimpan. Ambil foto dengan resolusi lebih kecil lalu kirim lagi.",
	domain.CodePhotoPixels:       "Foto lebih dari %s juta piksel; tidak ada yang disimpan.",
	domain.CodePhotoLocation:     "Lokasi tidak sah: lintang -90 sampai 90, bujur -180 sampai 180, akurasi 0 sampai 100000 meter.",
	domain.CodePhotoTakenAt:      "Waktu pengambilan foto tidak sah atau di masa depan.",
	domain.CodeVisitPhotos:       "Hasil “%s” memerlukan foto: %s. Ambil dan kirim fotonya dulu, lalu simpan hasilnya.",
	domain.CodeVisitLocation:     "Lokasi kunjungan tidak sah: lintang -90 sampai 90, bujur -180 sampai 180, akurasi 0 sampai 100000 meter.",
	domain.CodePhotoOwnerKind:    "Foto hanya dapat dilampirkan pada kunjungan, usul atau sanggah.",
	domain.CodeImportSheetGone:   "Daftar sandi sekali pakai sudah diunduh, atau kedaluwarsa setelah 24 jam. Atur ulang sandi akun yang memerlukannya.",
	domain.CodeImportColumns:     "Berkas tidak memiliki kolom %s.",
	domain.CodeImportDuplicate:   "Nama pengguna ini juga ada di baris %s.",
	domain.CodeImportRoleName:    "Peran %s tidak dikenal (village, psm, pendamping, tksk, dinsos, bupati; atau operator desa, pendamping PKH, dinas sosial, kantor bupati).",
	domain.CodeImportInvalid:     "%s baris berkas bermasalah; belum ada akun yang dibuat.",
	domain.CodeImportEmpty:       "Berkas tidak berisi akun.",
	domain.CodeImportTooMany:     "Paling banyak %s akun dalam satu berkas.",
	domain.CodeImportUnreadable:  "Berkas tidak terbaca sebagai CSV atau XLSX.",
	domain.CodeRegionMany:        "Satu akun memegang paling banyak %s wilayah.",
	domain.CodeRegionRegency:     "Semua wilayah satu akun harus berada dalam satu kabupaten/kota.",
	domain.CodePasswordCommon:    "Kata sandi ini termasuk yang umum dipakai orang sehingga mudah ditebak; pilih yang lain.",
	domain.CodePasswordUsername:  "Kata sandi tidak boleh sama dengan nama pengguna.",
	domain.CodePasswordSame:      "Kata sandi baru harus berbeda dari kata sandi sekali pakai.",
	domain.CodePasswordWrong:     "Ini bukan kata sandi Anda saat ini.",
	domain.CodePasswordChange:    "Ganti dulu kata sandi sekali pakai Anda.",
	domain.CodeAdminExists:       "Administrator sudah ada; mintalah akun kepadanya.",
	domain.CodeAccountSelf:       "Anda tidak dapat menonaktifkan akun Anda sendiri atau mengubah perannya.",
	domain.CodeCrossOrigin:       "Permintaan dari situs lain ditolak.",
	domain.CodeLoginBusy:         "Terlalu banyak proses masuk bersamaan. Coba lagi sebentar lagi.",
}

// errorArgs name the arguments that are codes themselves (a stage, an
// outcome, a decree status, a date) before they go into the text.
var errorArgs = map[domain.Code]func(args []string) []string{
	domain.CodeCaseEndedInStage:   each(stageName),
	domain.CodeReopenPastVerified: each(stageName),
	domain.CodeVisitIndicators:    each(outcomeName),
	domain.CodeSanggahPhotoLate:   each(func(s string) string { return lookup(sanggahStatusNames, s) }),
	domain.CodeDateBefore:         each(isoDateID),
	domain.CodeChangeEnrolled:     each(isoDateID),
	domain.CodePhotoPixels:        each(decimalComma),
	domain.CodeDecreeChanged:      each(func(s string) string { return lookup(decreeStates, s) }),
	domain.CodeDecreeStep: func(a []string) []string {
		if len(a) != 2 {
			return a
		}
		return []string{lookup(decreeStates, a[0]), lookup(decreeVerbs, a[1])}
	},
	domain.CodeVisitPhotos: func(a []string) []string {
		if len(a) != 2 {
			return a
		}
		return []string{outcomeName(a[0]), photoKindList(a[1])}
	},
	domain.CodeRegionFormat: roleFirst,
	domain.CodeRegionOne:    roleFirst,
}

// roleFirst names the role a refusal's first argument is.
func roleFirst(a []string) []string {
	if len(a) > 0 {
		a = append([]string{roleName(auth.Role(a[0]))}, a[1:]...)
	}
	return a
}

// decimalComma writes a decimal number the Indonesian way: 40,5.
func decimalComma(s string) string { return strings.Replace(s, ".", ",", 1) }

// each names every argument with f.
func each(f func(string) string) func([]string) []string {
	return func(a []string) []string {
		out := make([]string, len(a))
		for i, s := range a {
			out[i] = f(s)
		}
		return out
	}
}

// errorText is a refusal in Indonesian; a code without a text (none, a
// test checks) shows its English message rather than nothing.
func errorText(e *domain.Error) string {
	t, ok := errorTexts[e.Code]
	if !ok {
		return e.Message()
	}
	args := e.Args
	if f := errorArgs[e.Code]; f != nil {
		args = f(args)
	}
	return domain.Format(t, args)
}

// decreeStates are the decree statuses as a sentence says them.
var decreeStates = map[string]string{
	string(domain.DecreeDraft):     "rancangan",
	string(domain.DecreeSubmitted): "diajukan",
	string(domain.DecreeReturned):  "dikembalikan",
	string(domain.DecreeSigned):    "ditandatangani",
	string(domain.DecreeWithdrawn): "dibatalkan",
}

// decreeVerbs are the decree workflow's step words in its "cannot be
// ...ed now" refusal.
var decreeVerbs = map[string]string{
	"submitted": "diajukan",
	"returned":  "dikembalikan",
	"revised":   "direvisi",
	"signed":    "ditandatangani",
	"withdrawn": "dibatalkan",
}
