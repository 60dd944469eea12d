package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/reason"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// p3keHeader and p3keRow make a P3KE file for the translation test: a
// valid row, with cells overridden by column name.
const p3keHeader = "id_keluarga_p3ke,no_kk,nik_kepala_keluarga,nama_kepala_keluarga,jenis_kelamin,tanggal_lahir,alamat,kode_wilayah,desil,jumlah_anggota,terdaftar_dtks"

var p3keRowN int

func p3keRow(set ...string) string {
	p3keRowN++
	cells := map[string]string{
		"id_keluarga_p3ke": fmt.Sprintf("P%04d", p3keRowN), "no_kk": fmt.Sprintf("350501010120%04d", p3keRowN),
		"nik_kepala_keluarga": "3505012501800001", "nama_kepala_keluarga": "JOKO", "jenis_kelamin": "L",
		"tanggal_lahir": "1980-01-25", "alamat": "Dusun Krajan", "kode_wilayah": "35.05.01.2001",
		"desil": "1", "jumlah_anggota": "4", "terdaftar_dtks": "Ya",
	}
	for i := 0; i+1 < len(set); i += 2 {
		cells[set[i]] = set[i+1]
	}
	var out []string
	for _, c := range strings.Split(p3keHeader, ",") {
		out = append(out, cells[c])
	}
	return strings.Join(out, ",")
}

// TestEveryP3KEReasonIsTranslated feeds every rule of internal/p3ke (and
// the NIK and No KK checks of internal/ident) a bad row or file and checks
// the intake page has Indonesian for each reason.
func TestEveryP3KEReasonIsTranslated(t *testing.T) {
	rows := []string{
		p3keRow("desil", ""),
		p3keRow("desil", "sebelas"),
		p3keRow("id_keluarga_p3ke", "P9000"), p3keRow("id_keluarga_p3ke", "P9000"),
		p3keRow("no_kk", "3505010101209999"), p3keRow("no_kk", "3505010101209999"),
		p3keRow("id_keluarga_p3ke", "P\xff1"),
		p3keRow("no_kk", "35050101012000AB"),
		p3keRow("no_kk", "3505010 101200001"),
		p3keRow("no_kk", "35050101"),
		p3keRow("no_kk", "9905010101200001"),
		p3keRow("no_kk", "3500010101200001"),
		p3keRow("nik_kepala_keluarga", "3505002501800001"),
		p3keRow("nik_kepala_keluarga", "3505013201800001"),
		p3keRow("nik_kepala_keluarga", "3505012513800001"),
		p3keRow("nik_kepala_keluarga", "3505013002800001"),
		p3keRow("nik_kepala_keluarga", "3505012501800000"),
		p3keRow("nik_kepala_keluarga", "3.50501E+15"),
		p3keRow("nama_kepala_keluarga", ""),
		p3keRow("nama_kepala_keluarga", "JOKO\xff"),
		p3keRow("nama_kepala_keluarga", "JO\x00KO"),
		p3keRow("jenis_kelamin", "X"),
		p3keRow("tanggal_lahir", "kemarin"),
		p3keRow("jumlah_anggota", "0"),
		p3keRow("kode_wilayah", "desa-ku"),
		p3keRow("kode_wilayah", "35.05.01"),
		p3keRow("kode_wilayah", "35.07.01.2001"),
		p3keRow("kode_wilayah", "35.99.01.2001"),
		p3keRow("kode_wilayah", "35.05.99.2001"),
		p3keRow("terdaftar_dtks", "mungkin"),
		// warnings: the NIK against the rest of the row
		p3keRow("jenis_kelamin", "P"),
		p3keRow("nik_kepala_keluarga", "3505016501800001", "jenis_kelamin", "L"),
		p3keRow("tanggal_lahir", "1981-01-25"),
		p3keRow("nik_kepala_keluarga", "3507012501800001"),
		p3keRow("nik_kepala_keluarga", "3505022501800001"),
		p3keRow("no_kk", "3505012501800001"),
		`P8000,3505010101208000,3505012501800001,JO"KO,L,1980-01-25,Dusun,35.05.01.2001,1,4,Ya`,
		p3keRow(),
		`P8001,3505010101208001,3505012501800001,"JOKO,L,1980-01-25,Dusun,35.05.01.2001,1,4,Ya`,
		"",
	}
	rep, err := p3ke.Check(strings.NewReader(p3keHeader+"\n"+strings.Join(rows, "\n")), p3ke.Options{Regency: "35.05"})
	if err != nil {
		t.Fatal(err)
	}
	// Each English reason, and its Indonesian as the pages show it.
	reasons := map[string]string{}
	for _, is := range rep.Issues {
		reasons[is.Reason] = p3keReason(store.IntakeIssue{Row: is.Row, Column: is.Column, Reason: is.Reason, Severity: string(is.Severity), Code: string(is.Code), Args: is.Args})
	}
	// Files refused whole, and the intake's own failures.
	for _, f := range []string{
		"",
		"a,b\rc,d\r",
		"\x00\x01\x02\x03binary",
		"PK\x03\x04not really a zip",
		"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel",
		"\xff\xfeU\x00T\x00F\x00",
		"\n\n",
		"id_keluarga_p3ke,nama_kepala_keluarga\nP1,JOKO\n",
		p3keHeader + ",desil\n",
		"a,\"b\n",
	} {
		_, err := p3ke.Check(strings.NewReader(f), p3ke.Options{Regency: "35.05"})
		var fe *p3ke.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("file %q: %v, want a format error", f, err)
			continue
		}
		reasons[fe.Error()] = formatReason(fe)
		// The same reason as an intake's failure reads the same.
		if got := intakeError(&store.Intake{Error: fe.Error(), ErrorCode: string(fe.Code), ErrorArgs: fe.Args}); got != reasons[fe.Error()] {
			t.Errorf("%q: the intake page says %q, the upload form %q", fe.Error(), got, reasons[fe.Error()])
		}
	}
	past := p3ke.UnreadablePastRow(5001, &p3ke.FormatError{Code: p3ke.CodeSheetUnreadable, Args: []string{"zip: checksum error"}})
	if past.Error() != "the file cannot be read past row 5001: the sheet cannot be read: zip: checksum error" {
		t.Errorf("past row: %q", past)
	}
	reasons[past.Error()] = intakeError(&store.Intake{Error: past.Error(), ErrorCode: string(past.Code), ErrorArgs: past.Args})
	reasons[store.IntakeNotStartedMessage] = intakeError(&store.Intake{Error: store.IntakeNotStartedMessage, ErrorCode: string(store.IntakeNotStarted)})
	if len(reasons) < 45 {
		t.Errorf("only %d different reasons; a rule stopped firing:\n%v", len(reasons), reasons)
	}
	for r, id := range reasons {
		if id == r || strings.HasPrefix(id, "Terjadi kesalahan") {
			t.Errorf("no Indonesian for %q", r)
		} else if strings.Contains(id, "%!") {
			t.Errorf("%q: broken translation %q", r, id)
		}
	}
	if got := reasons[past.Error()]; got != "Berkas tidak terbaca setelah baris 5001: Lembar buku kerja tidak terbaca (zip: checksum error)." {
		t.Errorf("a nested reason: %q", got)
	}
	// A reason without a code (stored before codes were), or with a code
	// the pages do not know, is shown as it is, so nothing is hidden.
	if got := p3keReason(store.IntakeIssue{Reason: "a brand new rule"}); got != "a brand new rule" {
		t.Errorf("an unknown reason must be shown as it is, got %q", got)
	}
	if got := p3keReason(store.IntakeIssue{Reason: "a brand new rule", Code: "p3ke.brand_new"}); got != "a brand new rule" {
		t.Errorf("an unknown code must be shown as its reason, got %q", got)
	}
	if got := p3keReason(store.IntakeIssue{Reason: `must be Ya or Tidak, got "x"`, Code: string(p3ke.CodeYesNo)}); got != `must be Ya or Tidak, got "x"` {
		t.Errorf("a code with the wrong number of arguments must be shown as its reason, got %q", got)
	}
}

// TestEveryCodeHasIndonesian: every code of internal/ident, internal/p3ke
// and internal/kemensos, and the intake's own, has an Indonesian text that
// takes the same arguments as its English and formats without fmt's
// complaints; and no text is left for a code that is gone.
func TestEveryCodeHasIndonesian(t *testing.T) {
	codes := rowReasonCodes()
	english := reason.Merge(ident.English(), p3ke.English(), kemensos.English(),
		store.IntakeEnglish())
	if len(codes) != len(english) || len(codes) < 79 {
		t.Errorf("%d codes, %d with English", len(codes), len(english))
	}
	for _, p := range reason.Check(rowReasons, codes) {
		t.Error(p)
	}
	for _, c := range codes {
		en, id := english[c], rowReasons[c]
		if en.Arity() != id.Arity() || en.Nested != id.Nested {
			t.Errorf("%s: Indonesian takes %d arguments (nested %v), English %d (nested %v)", c, id.Arity(), id.Nested, en.Arity(), en.Nested)
		}
		args := reason.SampleArgs(en.Arity())
		if en.Nested {
			args = reason.Nest(args, p3ke.CodeRequired, nil)
		}
		if s, ok := rowReasons.Render(c, args); !ok || strings.Contains(s, "%!") {
			t.Errorf("%s: %q", c, s)
		}
	}
	for c := range rowReasons {
		if _, ok := english[c]; !ok {
			t.Errorf("%s: Indonesian for a code no package has", c)
		}
	}
	// Arguments that are codes themselves are put in Indonesian.
	for _, tt := range []struct {
		code reason.Code
		args []string
		want string
	}{
		{ident.CodeBirthDate, []string{"2", "30"}, "Tanggal lahir di NIK (digit 7-12) tidak ada di kalender: bulan Februari tidak punya tanggal 30."},
		{p3ke.CodeVillageLevel, []string{"35.05.01", p3ke.LevelKecamatan}, "Harus kode desa/kelurahan 10 digit; 35.05.01 adalah kode kecamatan."},
		{p3ke.CodeVillageLevel, []string{"35.05", p3ke.LevelRegency}, "Harus kode desa/kelurahan 10 digit; 35.05 adalah kode kabupaten/kota."},
	} {
		if got, _ := rowReasons.Render(tt.code, tt.args); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.code, tt.args, got, tt.want)
		}
	}
}

func TestIntakePageIsInIndonesian(t *testing.T) {
	e := newEnv(t)
	var in store.Intake
	if err := e.st.DB.First(&in).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Create(&store.IntakeIssue{IntakeID: in.ID, Row: 7, Column: "jenis_kelamin", Reason: `must be L (laki-laki) or P (perempuan), got "X"`, Severity: "error",
		Code: string(p3ke.CodeSex), Args: []string{`"X"`}}).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.FailIntake(t.Context(), in.ID, "the header row lacks required columns: desil, kode_wilayah", p3ke.CodeMissingColumns, []string{"desil, kode_wilayah"}); err != nil {
		t.Fatal(err)
	}
	page := e.login("dinsos").get(fmt.Sprintf("/unggah/%d", in.ID)).Body.String()
	for _, want := range []string{
		"Unggahan gagal: Baris judul tidak memuat kolom wajib: desil, kode_wilayah.",
		"Isi L (laki-laki) atau P (perempuan); tertulis &#34;X&#34;.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("intake page lacks %q", want)
		}
	}
	if strings.Contains(page, "must be") || strings.Contains(page, "lacks required") {
		t.Errorf("intake page shows English:\n%s", page)
	}
	if got := intakeError(&store.Intake{Error: "pq: connection reset"}); !strings.HasPrefix(got, "Terjadi kesalahan saat memproses berkas") {
		t.Errorf("an unknown failure: %q", got)
	}
}

// TestIntakePageListsFamiliesCarried (issue 21): on the new year's intake
// page, a row whose family was carried from last year's cycle is listed
// as already there ("Sudah ada"), with the household it is and the year
// it came from, and neither its numbers nor its name.
func TestIntakePageListsFamiliesCarried(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", e.hh["SITI AMINAH"]).Update("stage", "enrolled").Error; err != nil {
		t.Fatal(err)
	}
	next := store.Cycle{RegencyCode: "35.05", Year: 2027, VerificationDays: 30, OpenedAt: t0}
	if err := e.st.CreateCycle(ctx, &next); err != nil {
		t.Fatal(err)
	}
	carry, err := e.st.CreateCarryIntake(ctx, &next, &e.cycle, domain.Actor{UserID: 1, Role: "dinsos"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CarryOver(ctx, &e.cycle, carry.ID, t0); err != nil {
		t.Fatal(err)
	}
	var carried store.Household
	if err := e.st.DB.First(&carried, "cycle_id = ?", next.ID).Error; err != nil {
		t.Fatal(err)
	}
	in := store.Intake{CycleID: next.ID, FileName: "p3ke-2027.csv"}
	if err := e.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	const nik, kk = "3505015503800001", "3505010101200001" // SITI AMINAH's, as newEnv stores them
	if _, err := e.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 9, LastRow: 9, Rows: 1, Accepted: 1, DueAt: t0,
		Households: []store.NewHousehold{{NIK: nik, NoKK: kk, Household: store.Household{Row: 9, FamilyID: "P3KE-baru", Name: "SITI AMINAH",
			RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: jaten, Desil: 1}}}}); err != nil {
		t.Fatal(err)
	}
	page := e.login("dinsos").get(fmt.Sprintf("/unggah/%d", in.ID)).Body.String()
	row := fmt.Sprintf(`<td data-label="Baris">9</td><td data-label="Kolom">no_kk</td><td data-label="Jenis">Sudah ada</td>`+
		`<td data-label="Alasan">Keluarga ini sudah ada di siklus ini sebagai rumah tangga %d, dilanjutkan dari siklus tahun 2026; tidak disimpan dua kali.</td>`, carried.ID)
	if !strings.Contains(page, row) {
		t.Errorf("intake page lacks the carried family's row %s:\n%s", row, page)
	}
	for _, secret := range []string{nik, kk, "SITI"} {
		if strings.Contains(page, secret) {
			t.Errorf("intake page names %q", secret)
		}
	}
}

// TestIntakePageShowsOldReasons: issues and a failure stored before codes
// were keep their English on the page; nothing stored is lost.
func TestIntakePageShowsOldReasons(t *testing.T) {
	e := newEnv(t)
	var in store.Intake
	if err := e.st.DB.First(&in).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Create(&store.IntakeIssue{IntakeID: in.ID, Row: 7, Column: "jenis_kelamin", Reason: `must be L (laki-laki) or P (perempuan), got "X"`, Severity: "error"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetIntakeStatus(t.Context(), in.ID, store.IntakeFailed, "the header row lacks required columns: desil"); err != nil {
		t.Fatal(err)
	}
	page := e.login("dinsos").get(fmt.Sprintf("/unggah/%d", in.ID)).Body.String()
	for _, want := range []string{
		"Unggahan gagal: Terjadi kesalahan saat memproses berkas (the header row lacks required columns: desil).",
		"must be L (laki-laki) or P (perempuan), got &#34;X&#34;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("intake page lacks %q", want)
		}
	}
}

// TestP3KEUploadGoesThroughThePage: the upload form posts to /unggah,
// which checks the session's CSRF token and same origin like every form,
// answers a file that is not P3KE in Indonesian next to the field, and
// opens the new intake's page.
func TestP3KEUploadGoesThroughThePage(t *testing.T) {
	e := newEnv(t)
	dinsos, other := e.login("dinsos"), e.login("tksk")
	page := dinsos.get("/unggah").Body.String()
	for _, want := range []string{`action="/unggah"`, `name="csrf" value="` + csrfToken(dinsos.cookie) + `"`, fmt.Sprintf(`name="siklus" value="%d"`, e.cycle.ID)} {
		if !strings.Contains(page, want) {
			t.Errorf("upload form lacks %s", want)
		}
	}
	siklus := map[string]string{"siklus": fmt.Sprint(e.cycle.ID)}
	good := []byte(p3keHeader + "\n" + p3keRow() + "\n")
	for name, w := range map[string]*httptest.ResponseRecorder{
		"no token":                dinsos.uploadForm("/unggah", siklus, "p3ke.csv", good, ""),
		"another session's token": dinsos.uploadForm("/unggah", siklus, "p3ke.csv", good, csrfToken(other.cookie)),
	} {
		if w.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, w.Code)
		}
	}
	if len(e.office.started) != 0 {
		t.Fatalf("a refused post started an intake: %+v", e.office.started)
	}

	// A cycle outside the region is not found, whatever the file.
	lingga := e.seedLingga()
	if w := dinsos.uploadForm("/unggah", map[string]string{"siklus": fmt.Sprint(lingga.cycle.ID)}, "p3ke.csv", good); w.Code != http.StatusNotFound {
		t.Errorf("another regency's cycle: %d, want 404", w.Code)
	}

	w := dinsos.uploadForm("/unggah", siklus, "p3ke.csv", []byte("id_keluarga_p3ke,nama_kepala_keluarga\nP1,JOKO\n"))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "file"), "Baris judul tidak memuat kolom wajib: no_kk") {
		t.Fatalf("a file without the columns: %d\n%s", w.Code, w.Body)
	}
	if w := dinsos.uploadForm("/unggah", siklus, "besar.csv", bytes.Repeat([]byte("x"), 2<<20)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over the limit: %d, want 413", w.Code)
	}

	w = dinsos.uploadForm("/unggah", siklus, "p3ke.csv", good)
	if w.Code != http.StatusSeeOther || !regexp.MustCompile(`^/unggah/\d+$`).MatchString(w.Header().Get("Location")) {
		t.Fatalf("upload: %d %q", w.Code, w.Header().Get("Location"))
	}
	u, _ := e.st.Authenticate(t.Context(), dinsos.cookie)
	var in store.Intake
	e.st.DB.Last(&in)
	var entry store.AuditEntry
	e.st.DB.Where("action = ?", "intake.create").Last(&entry)
	if !slices.Equal(e.office.started, []string{workflows.IntakeWorkflowID(in.ID)}) || in.CycleID != e.cycle.ID || in.CreatedBy != u.UserID ||
		in.FileName != "p3ke.csv" || entry.RequestID != "req-test" || entry.ActorID != u.UserID {
		t.Fatalf("intakes started: %v, intake %+v, audited %+v", e.office.started, in, entry)
	}
	if w := dinsos.get(w.Header().Get("Location")); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "p3ke.csv") {
		t.Errorf("the new intake's page: %d", w.Code)
	}
}
