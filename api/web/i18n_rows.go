package web

import (
	"fmt"
	"strconv"

	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/store"
)

// rowReasons are, in Indonesian, the coded reasons a P3KE file or row is
// refused or warned about (internal/p3ke, with the NIK and No KK checks of
// internal/ident), a row of Kemensos' answer file is refused
// (internal/kemensos), and an intake fails. They are looked up by code,
// never by the English words: rewording the English changes nothing here,
// and a test checks every code of those packages has a text. A reason
// without a code (stored before codes were) is shown in its English.
var rowReasons = reason.Catalogue{
	// internal/ident: NIK and No KK
	ident.CodeEmpty:         {Format: "%s kosong."},
	ident.CodeSpace:         {Format: "%s hanya boleh berisi angka; karakter ke-%s adalah spasi."},
	ident.CodeNotDigit:      {Format: "%s hanya boleh berisi angka; karakter ke-%s adalah %s."},
	ident.CodeLength:        {Format: "%s harus 16 digit; tertulis %s digit."},
	ident.CodeProvince:      {Format: "%s diawali %s, yang bukan kode provinsi di Indonesia."},
	ident.CodeRegencyZero:   {Format: "Bagian kabupaten/kota %s (digit 3-4) bernilai 00."},
	ident.CodeKecamatanZero: {Format: "Bagian kecamatan NIK (digit 5-6) bernilai 00."},
	ident.CodeBirthDay:      {Format: "Tanggal lahir di NIK (digit 7-8) harus 01-31, atau 41-71 untuk perempuan; tertulis %s."},
	ident.CodeBirthMonth:    {Format: "Bulan lahir di NIK (digit 9-10) harus 01-12; tertulis %s."},
	ident.CodeBirthDate: {Format: "Tanggal lahir di NIK (digit 7-12) tidak ada di kalender: bulan %s tidak punya tanggal %s.", Args: func(a []string) []string {
		// The month comes as its number, 1-12.
		if m, err := strconv.Atoi(a[0]); err == nil && m >= 1 && m <= 12 {
			a[0] = months[m-1]
		}
		return a
	}},
	ident.CodeSerialZero:       {Format: "Nomor urut NIK (4 digit terakhir) tidak boleh 0000."},
	ident.CodeScientific:       {Format: "Angka diubah Excel menjadi notasi ilmiah dan kehilangan digit; format kolom sebagai teks lalu ekspor lagi."},
	ident.CodeIssuedRegency:    {Format: "NIK pertama diterbitkan di kabupaten/kota %s, tetapi alamatnya di %s (wajar bila keluarga pindah)."},
	ident.CodeIssuedKec:        {Format: "NIK pertama diterbitkan di kecamatan %s, tetapi alamatnya di %s (wajar bila keluarga pindah)."},
	ident.CodeSexMale:          {Format: "Jenis kelamin tertulis L (laki-laki), tetapi tanggal lahir di NIK ada di rentang perempuan 41-71."},
	ident.CodeSexFemale:        {Format: "Jenis kelamin tertulis P (perempuan), tetapi tanggal lahir di NIK ada di rentang laki-laki 01-31."},
	ident.CodeBirthDateDiffers: {Format: "Tanggal lahir tidak cocok dengan tanggal lahir di NIK (digit 7-12)."},

	// internal/p3ke: rows
	p3ke.CodeRequired:       {Format: "Wajib diisi, tetapi kosong."},
	p3ke.CodeTextNotUTF8CSV: {Format: `Teks bukan UTF-8 yang sah; simpan berkas sebagai "CSV UTF-8" lalu unggah lagi.`},
	p3ke.CodeTextNUL:        {Format: "Teks memuat karakter NUL."},
	p3ke.CodeTextChar:       {Format: "Teks memuat karakter kontrol atau format tak terlihat %s (misalnya pembalik arah teks); hapus karakter itu."},
	p3ke.CodeTextNotUTF8:    {Format: "Teks bukan UTF-8 yang sah."},
	p3ke.CodeDesilRange:     {Format: "Harus bilangan bulat 1 sampai 10; tertulis %s."},
	p3ke.CodeDuplicate:      {Format: "%s yang sama sudah ada di baris %s."},
	p3ke.CodeSex:            {Format: "Isi L (laki-laki) atau P (perempuan); tertulis %s."},
	p3ke.CodeBirthDate:      {Format: "Isi tanggal sebagai YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY (misalnya 1980-01-25)."},
	p3ke.CodeMembers:        {Format: "Harus bilangan bulat paling kecil 1; tertulis %s."},
	p3ke.CodeVillageCode:    {Format: "Harus kode desa seperti 35.05.01.2001 atau 3505012001; tertulis %s."},
	p3ke.CodeVillageLevel: {Format: "Harus kode desa/kelurahan 10 digit; %s adalah kode %s.", Args: func(a []string) []string {
		a[1] = lookup(regionLevels, a[1])
		return a
	}},
	p3ke.CodeOutsideRegencyOf: {Format: "%s ada di %s (%s), di luar kabupaten/kota siklus ini, %s (%s)."},
	p3ke.CodeOutsideRegency:   {Format: "%s ada di luar kabupaten/kota siklus ini, %s (%s)."},
	p3ke.CodeNotVillage:       {Format: "%s bukan desa/kelurahan dalam daftar wilayah Kemendagri 2025."},
	p3ke.CodeYesNo:            {Format: "Isi Ya atau Tidak; tertulis %s."},
	p3ke.CodeKKIsNIK:          {Format: "no_kk sama dengan nik_kepala_keluarga; periksa apakah kedua kolom tertukar atau tersalin."},
	p3ke.CodeBareQuote:        {Format: `Ada tanda petik (") di dalam sel yang tidak diawali petik; apit sel dengan petik dan gandakan petik di dalamnya ("").`},
	p3ke.CodeQuoteNotClosed:   {Format: "Sel berpetik tidak ditutup dengan benar."},
	p3ke.CodeQuoteRunsOn:      {Format: "Sel berpetik tidak ditutup dengan benar; baris berlanjut sampai baris ke-%s berkas."},
	p3ke.CodeRowUnsplittable:  {Format: "Baris tidak dapat dipecah menjadi sel: %s."},
	// internal/p3ke: DTSEN member rows
	p3ke.CodeRowKind:      {Format: "Isi keluarga (baris keluarga) atau anggota (baris anggota keluarga); tertulis %s."},
	p3ke.CodeMemberOrphan: {Format: "Baris anggota harus berada di bawah baris keluarganya (jenis_baris keluarga); tidak ada baris keluarga di atasnya."},
	p3ke.CodeMemberFamily: {Format: "ID keluarga pada baris anggota berbeda dengan baris keluarganya (baris %s) di atasnya."},
	p3ke.CodeMemberKK:     {Format: "No KK anggota berbeda dengan No KK baris keluarganya (baris %s); anggota satu keluarga ada dalam satu Kartu Keluarga."},
	p3ke.CodeRelation:     {Format: "Isi hubungan dengan kepala keluarga seperti kepala keluarga, istri/suami, anak, menantu, cucu, orang tua, mertua, famili lain atau lainnya (atau nomornya 1 sampai 9); tertulis %s."},
	p3ke.CodeDisability:   {Format: "Isi tidak, ringan, sedang atau berat; tertulis %s."},
	p3ke.CodeNoHead:       {Format: "Keluarga ini tidak punya baris anggota dengan hubungan_keluarga kepala keluarga."},
	p3ke.CodeSecondHead:   {Format: "Kepala keluarga kedua: baris %s sudah menjadi kepala keluarga."},
	p3ke.CodeHeadNIK:      {Format: "nik_anggota kepala keluarga berbeda dengan nik_kepala_keluarga di baris keluarganya (baris %s)."},
	p3ke.CodeMemberCount:  {Format: "jumlah_anggota tertulis %s, tetapi keluarga ini punya %s baris anggota."},
	// internal/p3ke: the file as a whole (also Kemensos' answer file)
	p3ke.CodeNoHeader:          {Format: "Berkas tidak punya baris judul."},
	p3ke.CodeHeaderUnreadable:  {Format: "Baris judul tidak terbaca: %s", Nested: true},
	p3ke.CodeDuplicateColumn:   {Format: "Kolom %s muncul dua kali di baris judul (kolom %s dan %s)."},
	p3ke.CodeMissingColumns:    {Format: "Baris judul tidak memuat kolom wajib: %s."},
	p3ke.CodeCarriageReturn:    {Format: "Baris berkas diakhiri carriage return saja (format Mac lama); simpan berkas sebagai CSV UTF-8."},
	p3ke.CodeNotText:           {Format: "Berkas bukan teks dan bukan XLSX; unggah berkas CSV atau XLSX."},
	p3ke.CodeZipNotXLSX:        {Format: "Berkas adalah arsip zip, bukan buku kerja XLSX."},
	p3ke.CodeNoSheets:          {Format: "Buku kerja tidak punya lembar (sheet)."},
	p3ke.CodeWorkbookTooLarge:  {Format: "Buku kerja terlalu besar: setelah dibuka lebih dari 256 MiB."},
	p3ke.CodeFirstSheet:        {Format: "Lembar pertama buku kerja tidak terbaca (%s)."},
	p3ke.CodeXLSXUnopenable:    {Format: "Berkas tampak seperti XLSX tetapi tidak dapat dibuka (%s)."},
	p3ke.CodeSheetUnreadable:   {Format: "Lembar buku kerja tidak terbaca (%s)."},
	p3ke.CodeEmptyFile:         {Format: "Berkas kosong."},
	p3ke.CodeXLSXTooLarge:      {Format: "Berkas tampak seperti XLSX tetapi lebih dari 256 MiB."},
	p3ke.CodeOldExcel:          {Format: "Ini berkas Excel 97-2003 (.xls) lama; simpan sebagai .xlsx atau CSV UTF-8."},
	p3ke.CodeUTF16:             {Format: `Berkas berupa teks UTF-16 (Excel "Unicode Text"); simpan sebagai CSV UTF-8.`},
	p3ke.CodeUnreadablePastRow: {Format: "Berkas tidak terbaca setelah baris %s: %s", Nested: true},

	// internal/kemensos: Kemensos' answer file
	kemensos.CodeNoNumber:          {Format: "no_kk dan nik kosong; isi salah satunya."},
	kemensos.CodeOtherHousehold:    {Format: "nik %s adalah kepala keluarga lain, bukan keluarga no_kk %s."},
	kemensos.CodeNIKNotOfKK:        {Format: "nik %s tidak cocok dengan keluarga no_kk %s."},
	kemensos.CodeKKNotOfNIK:        {Format: "no_kk %s tidak cocok dengan keluarga nik %s."},
	kemensos.CodeNotProposed:       {Format: "Tidak ada keluarga di usulan ini dengan no_kk %s atau nik %s."},
	kemensos.CodeNumberNotProposed: {Format: "Tidak ada keluarga di usulan ini dengan %s %s."},
	kemensos.CodeStatusEmpty:       {Format: "Kosong; isi DITETAPKAN atau DITOLAK."},
	kemensos.CodeStatusInvalid:     {Format: "Harus DITETAPKAN atau DITOLAK; tertulis %s."},
	kemensos.CodeReasonInvalid:     {Format: "Harus salah satu dari %s; tertulis %s."},
	kemensos.CodeReasonMissing:     {Format: "DITOLAK perlu alasan, salah satu dari %s."},
	kemensos.CodeReasonNotEmpty:    {Format: "Harus kosong untuk DITETAPKAN; tertulis %s."},
	kemensos.CodeNoteInvalid:       {Format: `Teks bukan UTF-8 yang sah atau memuat karakter NUL; simpan berkas sebagai "CSV UTF-8" lalu unggah lagi.`},
	kemensos.CodeDateEmpty:         {Format: "Tanggal penetapan wajib diisi."},
	kemensos.CodeDateInvalid:       {Format: "Isi tanggal sebagai YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY; tertulis %s."},
	kemensos.CodeDateImplausible:   {Format: "%s bukan tanggal penetapan yang masuk akal."},
	kemensos.CodeAnsweredTwice:     {Format: "Keluarga ini sudah dijawab %s di baris %s; satu keluarga hanya boleh punya satu jawaban."},
	kemensos.CodeAnsweredBefore:    {Format: "Keluarga ini sudah dijawab %s oleh berkas jawaban sebelumnya; satu keluarga hanya boleh punya satu jawaban."},
	kemensos.CodeNotAnswered: {Format: "Dinas Sosial sudah mencatat keluarga ini tidak dijawab Kemensos (" + kemensos.TidakDijawab +
		") dan keluarga ini diusulkan lagi pada batch berikutnya; jawaban usulan ini untuknya tidak dapat diterapkan lagi."},
	kemensos.CodeMemberUnknown:     {Format: "Keluarga ini tidak punya anggota dengan nik_anggota %s."},
	kemensos.CodeMemberNotRejected: {Format: "nik_anggota %s menyebut anggota yang menjadi alasan penolakan; harus kosong untuk DITETAPKAN."},
	// internal/kemensos: a proposal row verval's own data fails
	kemensos.CodeProposalVillage:      {Format: "Harus kode desa seperti 35.05.01.2001."},
	kemensos.CodeProposalText:         {Format: "Teks bukan UTF-8 yang sah atau memuat karakter NUL."},
	kemensos.CodeProposalTambahAlasan: {Format: "Harus kosong untuk TAMBAH; tertulis %s."},
	kemensos.CodeProposalHapusAlasan:  {Format: "HAPUS perlu alasan, salah satu dari %s; tertulis %s."},
	kemensos.CodeProposalJenis:        {Format: "Harus TAMBAH atau HAPUS; tertulis %s."},
	kemensos.CodeProposalDate:         {Format: "Tanggal SK wajib diisi."},
	kemensos.CodeProposalSex:          {Format: "Harus L atau P; tertulis %s."},

	// the intake's own failures that have a code
	store.IntakeNotStarted: {Format: "Unggahan tidak dapat dimulai; unggah lagi."},
	// a family the intake left out: the cycle has it already
	store.IntakeCarried: {Format: "Keluarga ini sudah ada di siklus ini sebagai rumah tangga %s, dilanjutkan dari siklus tahun %s; tidak disimpan dua kali."},
	store.IntakePresent: {Format: "Keluarga ini sudah ada di siklus ini sebagai rumah tangga %s, dari berkas atau usul sebelumnya di siklus ini; tidak disimpan dua kali."},
}

// regionLevels name the level of a kode_wilayah that is not a village's
// (p3ke.CodeVillageLevel's argument, a p3ke level code).
var regionLevels = map[string]string{
	p3ke.LevelProvince: "provinsi", p3ke.LevelRegency: "kabupaten/kota", p3ke.LevelKecamatan: "kecamatan", p3ke.LevelRegion: "wilayah",
}

// rowReasonCodes are every code rowReasons must translate.
func rowReasonCodes() []reason.Code {
	var out []reason.Code
	for _, cs := range [][]reason.Code{ident.Codes(), p3ke.Codes(), kemensos.Codes(), store.IntakeCodes()} {
		out = append(out, cs...)
	}
	return out
}

// codedReason is a coded reason in Indonesian, or english (the reason as
// it was stored or sent) when it has no code or the code no text.
func codedReason(code reason.Code, args []string, english string) string {
	if code != "" {
		if s, ok := rowReasons.Render(code, args); ok {
			return s
		}
	}
	return english
}

// p3keReason is an intake row issue's reason in Indonesian.
func p3keReason(is store.IntakeIssue) string {
	return codedReason(reason.Code(is.Code), is.Args, is.Reason)
}

// answerRowReason is the reason a row of Kemensos' answer file is refused,
// in Indonesian.
func answerRowReason(re kemensos.RowError) string { return codedReason(re.Code, re.Args, re.Reason) }

// formatReason is why a P3KE file or Kemensos' answer file is refused
// whole, in Indonesian.
func formatReason(fe *p3ke.FormatError) string { return codedReason(fe.Code, fe.Args, fe.Error()) }

// intakeError is why an intake failed, for the intake's page: the file's
// problem in Indonesian, or for a failure of verval's own (or one stored
// before codes were) a general sentence with the technical reason after
// it.
func intakeError(in *store.Intake) string {
	if in.ErrorCode != "" {
		if s, ok := rowReasons.Render(reason.Code(in.ErrorCode), in.ErrorArgs); ok {
			return s
		}
	}
	return "Terjadi kesalahan saat memproses berkas (" + in.Error + "). Unggah lagi; bila masih gagal, hubungi administrator."
}

// P3KEReason is p3keReason for the API's downloadable row-error report
// (GET /api/v1/intakes/{id}/issues?format=csv), so the file says what the
// intake page says.
func P3KEReason(is store.IntakeIssue) string { return p3keReason(is) }

// ReportCut is the status and alasan of the row-error report's last row
// when the report could not be written whole: left rows are missing.
func ReportCut(left int64) (status, alasan string) {
	return "Terpotong", fmt.Sprintf("Laporan terpotong: %d baris tidak disertakan. Unduh lagi; bila tetap terpotong, perbaiki baris di atas, unggah ulang, lalu unduh laporannya lagi.", left)
}
