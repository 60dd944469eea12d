package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/verval/verval/api"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/ident"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/testx"
)

// TestIntakeRefusesAFileThatStopsHalfWay: an XLSX workbook whose sheet is
// damaged part way through (its header and first rows read fine) is
// refused at upload with a 422 naming the file, and nothing is stored or
// started; the same workbook undamaged is taken.
func TestIntakeRefusesAFileThatStopsHalfWay(t *testing.T) {
	a, token, cycle := dinsosCycle(t)

	var workbook bytes.Buffer
	if _, err := p3ke.GenerateXLSX(&workbook, p3ke.GenOptions{Regency: "35.05", Households: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	good := workbook.Bytes()
	bad := bytes.Clone(good)
	zr, err := zip.NewReader(bytes.NewReader(bad), int64(len(bad)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			mid := off + int64(f.CompressedSize64)/2
			for i := mid; i < mid+64; i++ {
				bad[i] ^= 0xA5
			}
		}
	}
	if bytes.Equal(bad, good) {
		t.Fatal("the sheet was not found in the workbook")
	}

	post := func(data []byte) *apiResponse {
		raw, ct := upload("p3ke.xlsx", string(data))
		return a.do(apiRequest{method: "POST", route: "/api/v1/cycles/:id/intake", path: fmt.Sprintf("/api/v1/cycles/%d/intake", cycle.ID),
			token: token, raw: raw, contentType: ct})
	}
	r := post(bad)
	var refusal struct{ Error, Field string }
	r.decode(t, &refusal)
	if r.code != http.StatusUnprocessableEntity || refusal.Field != "file" {
		t.Fatalf("damaged workbook: %s, want 422 naming the file", r.shown())
	}
	var intakes, chunks int64
	a.db.Model(&store.Intake{}).Count(&intakes)
	a.db.Model(&store.IntakeFileChunk{}).Count(&chunks)
	if intakes != 0 || chunks != 0 || len(r.temporalCalls("ExecuteWorkflow")) != 0 {
		t.Fatalf("after the refusal: %d intakes, %d chunks, %d workflow starts; want none", intakes, chunks, len(r.temporalCalls("ExecuteWorkflow")))
	}

	if r := post(good); r.code != http.StatusAccepted {
		t.Fatalf("the same workbook undamaged: %s, want 202", r.shown())
	}
}

// TestIntakeReportIsInIndonesian: the downloadable row-error report keeps
// its four machine-readable columns (codes, English reason) and adds the
// status and reason in Bahasa Indonesia the intake page shows; the JSON
// form, for tools, stays English.
func TestIntakeReportIsInIndonesian(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	in := store.Intake{CycleID: cycle.ID, FileName: "p3ke.csv", Status: store.IntakeDone}
	if err := a.db.Create(&in).Error; err != nil {
		t.Fatal(err)
	}
	issues := []store.IntakeIssue{
		{IntakeID: in.ID, Row: 7, Column: "jenis_kelamin", Reason: `must be L (laki-laki) or P (perempuan), got "X"`, Severity: "error",
			Code: string(p3ke.CodeSex), Args: []string{`"X"`}},
		{IntakeID: in.ID, Row: 9, Column: "nik_kepala_keluarga", Reason: "NIK was first issued in regency 35.72 but the address is in 35.05 (normal if the family moved)", Severity: "warning",
			Code: string(ident.CodeIssuedRegency), Args: []string{"35.72", "35.05"}},
		{IntakeID: in.ID, Row: 11, Column: "desil", Reason: "a brand new rule", Severity: "error"},
	}
	if err := a.db.Create(&issues).Error; err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/intakes/%d/issues", in.ID)

	r := a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id/issues", path: path + "?format=csv", token: token})
	if r.code != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("report: %s", r.shown())
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"row", "column", "severity", "reason", "status", "alasan"},
		{"7", "jenis_kelamin", "error", issues[0].Reason, "Ditolak", `Isi L (laki-laki) atau P (perempuan); tertulis "X".`},
		{"9", "nik_kepala_keluarga", "warning", issues[1].Reason, "Peringatan",
			"NIK pertama diterbitkan di kabupaten/kota 35.72, tetapi alamatnya di 35.05 (wajar bila keluarga pindah)."},
		// A reason without a code (stored before codes were) is shown as
		// it is, never hidden.
		{"11", "desil", "error", "a brand new rule", "Ditolak", "a brand new rule"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("report rows:\n%q\nwant\n%q", rows, want)
	}

	r = a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id/issues", path: path, token: token})
	var page struct{ Issues []store.IntakeIssue }
	r.decode(t, &page)
	if len(page.Issues) != 3 || page.Issues[0].Reason != issues[0].Reason || strings.Contains(string(r.body), "alasan") {
		t.Fatalf("JSON issues: %s", r.shown())
	}
	// The JSON keeps the English reason and adds its code and arguments.
	if page.Issues[1].Code != string(ident.CodeIssuedRegency) || !reflect.DeepEqual(page.Issues[1].Args, []string{"35.72", "35.05"}) ||
		page.Issues[2].Code != "" || page.Issues[2].Args != nil {
		t.Fatalf("JSON issues' codes: %s", r.shown())
	}
}

// TestIntakeListsFamiliesAlreadyInTheCycle (issue 21): the new year's
// file's families the cycle has already are listed on their rows with
// why, never by number or name: one carried from last year's cycle (as
// household N, from the cycle of 2026), and one an earlier file of this
// cycle brought; the JSON gives code and arguments, the report the words
// of the intake page.
func TestIntakeListsFamiliesAlreadyInTheCycle(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	ctx := t.Context()
	family := func(row, n int) store.NewHousehold {
		return store.NewHousehold{NIK: fmt.Sprintf("350501550380%04d", n), NoKK: fmt.Sprintf("35050101012%05d", n),
			Household: store.Household{Row: row, FamilyID: fmt.Sprint("P3KE-", n), Name: fmt.Sprint("KELUARGA ", n), Address: "Dusun Krajan",
				RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: "35.05.01.2001", Desil: 1, Members: 3}}
	}
	save := func(cycleID int64, hs ...store.NewHousehold) int64 {
		in := store.Intake{CycleID: cycleID, FileName: "p3ke.csv"}
		if err := a.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		if _, err := a.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: hs[0].Row, LastRow: hs[len(hs)-1].Row,
			Households: hs, Accepted: len(hs), Rows: len(hs), DueAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	save(cycle.ID, family(2, 1))
	if err := a.db.Model(&store.Household{}).Where("cycle_id = ?", cycle.ID).Update("stage", "enrolled").Error; err != nil {
		t.Fatal(err)
	}
	last := store.Cycle{ID: cycle.ID, Year: 2026}
	next := store.Cycle{RegencyCode: "35.05", Year: 2027, VerificationDays: 30, OpenedAt: time.Now()}
	if err := a.st.CreateCycle(ctx, &next); err != nil {
		t.Fatal(err)
	}
	carry, err := a.st.CreateCarryIntake(ctx, &next, &last, domain.Actor{UserID: 1, Role: "dinsos"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.st.CarryOver(ctx, &last, carry.ID, time.Now()); err != nil || n != 1 {
		t.Fatalf("carry-over: %d, %v", n, err)
	}
	var carried, added store.Household
	first := save(next.ID, family(2, 1), family(3, 2))
	second := save(next.ID, family(5, 2))
	if err := a.db.First(&carried, "cycle_id = ? AND source = ?", next.ID, store.SourceCarried).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.First(&added, "cycle_id = ? AND intake_id = ?", next.ID, first).Error; err != nil {
		t.Fatal(err)
	}

	var in store.Intake
	a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id", path: fmt.Sprintf("/api/v1/intakes/%d", first), token: token}).decode(t, &in)
	if in.HouseholdsStored != 1 || in.AlreadyPresent != 1 {
		t.Errorf("the new file's intake: %d stored, %d already present; want 1 and 1", in.HouseholdsStored, in.AlreadyPresent)
	}
	r := a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id/issues", path: fmt.Sprintf("/api/v1/intakes/%d/issues", first), token: token})
	var page struct{ Issues []store.IntakeIssue }
	r.decode(t, &page)
	if len(page.Issues) != 1 || page.Issues[0].Row != 2 || page.Issues[0].Severity != "present" || page.Issues[0].Code != "intake.carried" ||
		!reflect.DeepEqual(page.Issues[0].Args, []string{fmt.Sprint(carried.ID), "2026"}) {
		t.Errorf("the new file's issues: %s", r.shown())
	}
	issuesJSON := string(r.body)
	r = a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id/issues", path: fmt.Sprintf("/api/v1/intakes/%d/issues?format=csv", second), token: token})
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"row", "column", "severity", "reason", "status", "alasan"},
		{"5", "no_kk", "present", fmt.Sprintf("already in this cycle as household %d, from an earlier file or usul of this cycle", added.ID), "Sudah ada",
			fmt.Sprintf("Keluarga ini sudah ada di siklus ini sebagai rumah tangga %d, dari berkas atau usul sebelumnya di siklus ini; tidak disimpan dua kali.", added.ID)},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("the second file's report:\n%q\nwant\n%q", rows, want)
	}
	for _, secret := range []string{family(0, 1).NIK, family(0, 1).NoKK, family(0, 2).NoKK, "KELUARGA"} {
		if strings.Contains(issuesJSON+string(r.body), secret) {
			t.Errorf("the issues name %q", secret)
		}
	}
}

// dinsosAPI is a test API at 2 March 2026 with the development users,
// and Kab. Blitar's Dinsos signed in (its token).
func dinsosAPI(t *testing.T) (a *testAPI, token string) {
	t.Helper()
	a = newTestAPI(t, storetest.SQLite(t), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if _, err := a.st.EnsureDevUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, a.login("dinsos", "dinsos-blitar-2026")
}

// dinsosCycle is dinsosAPI with a 2026 cycle Dinsos opened.
func dinsosCycle(t *testing.T) (a *testAPI, token string, cycle struct{ ID int64 }) {
	t.Helper()
	a, token = dinsosAPI(t)
	a.do(apiRequest{method: "POST", route: "/api/v1/cycles", path: "/api/v1/cycles", token: token,
		json: map[string]any{"regencyCode": "35.05", "year": 2026}}).decode(t, &cycle)
	return a, token, cycle
}

// TestIntakeReportIsStreamedWhole (issue 23, item 6): the row-error report
// is read a page at a time and written whole, however many pages (it used
// to stop at 1,000,000 rows); rows of one file row keep their order.
// When its time is up it ends after whole rows with one last row saying
// how many were left out.
func TestIntakeReportIsStreamedWhole(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	in := store.Intake{CycleID: cycle.ID, FileName: "p3ke.csv", Status: store.IntakeDone}
	if err := a.db.Create(&in).Error; err != nil {
		t.Fatal(err)
	}
	var issues []store.IntakeIssue
	for _, row := range []int{12, 3, 3, 3, 8, 5, 5} {
		issues = append(issues, store.IntakeIssue{IntakeID: in.ID, Row: row, Column: "desil", Severity: "error",
			Reason: fmt.Sprintf("reason %d.%d, with \"quotes\"\nand a line", row, len(issues))})
	}
	if err := a.db.Create(&issues).Error; err != nil {
		t.Fatal(err)
	}
	defer api.SetReportLimits(2, time.Hour)()
	get := func() [][]string {
		t.Helper()
		r := a.do(apiRequest{method: "GET", route: "/api/v1/intakes/:id/issues", path: fmt.Sprintf("/api/v1/intakes/%d/issues?format=csv", in.ID), token: token})
		if r.code != http.StatusOK {
			t.Fatalf("report: %s", r.shown())
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll() // every record whole, six fields
		if err != nil {
			t.Fatalf("report is not whole records: %v\n%s", err, r.body)
		}
		return rows
	}

	rows := get()
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0]+" "+r[3])
	}
	want := []string{"3 reason 3.1, with \"quotes\"\nand a line", "3 reason 3.2, with \"quotes\"\nand a line", "3 reason 3.3, with \"quotes\"\nand a line",
		"5 reason 5.5, with \"quotes\"\nand a line", "5 reason 5.6, with \"quotes\"\nand a line", "8 reason 8.4, with \"quotes\"\nand a line",
		"12 reason 12.0, with \"quotes\"\nand a line"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("report over 4 pages:\n%q\nwant\n%q", got, want)
	}

	api.SetReportLimits(2, 0) // up after the first page
	rows = get()
	if len(rows) != 1+2+1 {
		t.Fatalf("cut report: %q, want the header, one page and the cut line", rows)
	}
	last := rows[3]
	if last[2] != "cut" || last[3] != "report cut: 5 of 7 rows left out" || last[4] != "Terpotong" || !strings.Contains(last[5], "5 baris tidak disertakan") {
		t.Fatalf("cut line: %q", last)
	}
}

// TestRequestTextRule (issue 23, item 8): the text rule holds in the steps
// the office checks itself, not only in the workflows' validators: a
// right-to-left override, a control character or (in a one-line field) a
// line break is refused 422 field.invisible_char on its field, nothing
// stored or started; a multi-line reason keeps its line breaks.
func TestRequestTextRule(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	for _, tc := range []struct {
		path  string
		body  map[string]any
		field string
	}{
		{"/api/v1/users", map[string]any{"username": "budi.baru", "name": "BUDI\u202eONO", "role": "village", "region": "35.05.01.2001"}, "name"},
		{"/api/v1/users", map[string]any{"username": "budi.baru", "name": "BUDI\nONO", "role": "village", "region": "35.05.01.2001"}, "name"},
		{fmt.Sprintf("/api/v1/cycles/%d/decrees", cycle.ID), map[string]any{"kind": "revocation", "reason": "meninggal\u2066 dunia"}, "reason"},
		{fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), map[string]any{"reason": "tutup\x1b[2J buku"}, "reason"},
	} {
		r := a.do(apiRequest{method: "POST", path: tc.path, json: tc.body, token: token})
		var body struct{ Code, Field string }
		r.decode(t, &body)
		if r.code != http.StatusUnprocessableEntity || body.Code != string(domain.CodeTextChar) || body.Field != tc.field {
			t.Errorf("%s %v: %s, want 422 %s on %s", tc.path, tc.body, r.shown(), domain.CodeTextChar, tc.field)
		}
		if n := len(r.temporalCalls("ExecuteWorkflow")); n != 0 {
			t.Errorf("%s: %d workflows started", tc.path, n)
		}
	}
	var users int64
	a.db.Model(&store.User{}).Where("username = ?", "budi.baru").Count(&users)
	if users != 0 {
		t.Error("the user was created")
	}
	r := a.do(apiRequest{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/close", cycle.ID), json: map[string]any{"reason": "Tutup buku.\r\nSemua selesai."}, token: token})
	if r.code != http.StatusAccepted {
		t.Errorf("a reason of two lines: %s, want 202", r.shown())
	}
}

// TestCycleCountsReferenceFamilies: one cycle's answer counts its
// families outside the scope per desil (families and people), the same
// file's uploaded twice once, inside the caller's region: a village
// officer counts its own village's only.
func TestCycleCountsReferenceFamilies(t *testing.T) {
	a, token, cycle := dinsosCycle(t)
	ctx := t.Context()
	for range 2 {
		in := store.Intake{CycleID: cycle.ID, FileName: "dtsen.csv"}
		if err := a.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
		refs := []store.ReferenceFamily{
			{Row: 2, FamilyID: "DTSEN-1", Desil: 2, DesaCode: "35.05.01.2001", Members: 4},
			{Row: 7, FamilyID: "DTSEN-2", Desil: 2, DesaCode: "35.05.01.2002", Members: 3},
			{Row: 11, FamilyID: "DTSEN-3", Desil: 8, DesaCode: "35.05.01.2001", Members: 2},
		}
		if _, err := a.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 13, References: refs, Skipped: 3, Rows: 3}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(token string) []store.DesilCount {
		t.Helper()
		r := a.do(apiRequest{method: "GET", route: "/api/v1/cycles/:id", path: fmt.Sprintf("/api/v1/cycles/%d", cycle.ID), token: token})
		var v struct {
			MaxDesil   int
			References []store.DesilCount
		}
		if r.want(t, "cycle", http.StatusOK) {
			r.decode(t, &v)
		}
		if v.MaxDesil != 1 {
			t.Errorf("cycle: %s", r.body)
		}
		return v.References
	}
	testx.Equal(t, "Dinsos' reference counts", get(token), []store.DesilCount{{Desil: 2, Families: 2, Members: 7}, {Desil: 8, Families: 1, Members: 2}})
	testx.Equal(t, "the village's", get(a.login("desa1", "desa-satu-2026")), []store.DesilCount{{Desil: 2, Families: 1, Members: 4}, {Desil: 8, Families: 1, Members: 2}})
}
