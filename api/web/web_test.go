package web

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/internal/wilayah"
	"github.com/verval/verval/workflows"
)

var t0 = time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC)

const (
	jaten    = "35.05.01.2001"
	salam    = "35.05.01.2002"
	password = "rahasia-desa-2026"
)

// env is the pages on a real SQLite store, with a mock Temporal client and
// a recorded meeting recorder.
type env struct {
	t        *testing.T
	r        *gin.Engine
	st       *store.Store
	temporal *mocks.Client
	clock    *storetest.Clock
	cycle    store.Cycle
	// hh holds the household ids by name.
	hh map[string]int64
	// office records what the office asked of Temporal.
	office officeFake
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvDB(t, storetest.SQLite(t))
}

func newEnvDB(t *testing.T, db *gorm.DB) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	clock := storetest.NewClock(t0)
	e := &env{t: t, st: storetest.NewStore(db, clock.Now), temporal: mocks.NewClient(t), clock: clock, hh: map[string]int64{}}
	ctx := t.Context()
	for _, u := range []store.NewUser{
		{Username: "desa1", Password: password, Name: "Operator Desa Jaten", Role: auth.RoleVillage, Region: jaten},
		{Username: "desa2", Password: password, Name: "Operator Desa Salam", Role: auth.RoleVillage, Region: salam},
		{Username: "psm1", Password: password, Name: "PSM Jaten", Role: auth.RolePSM, Region: jaten},
		{Username: "pendamping", Password: password, Name: "Pendamping PKH", Role: auth.RolePendamping, Regions: []string{jaten, salam}},
		{Username: "tksk", Password: password, Name: "TKSK Wonodadi", Role: auth.RoleTKSK, Region: "35.05.01"},
		{Username: "dinsos", Password: password, Name: "Operator Dinsos", Role: auth.RoleDinsos, Region: "35.05"},
		{Username: "bupati", Password: password, Name: "Kantor Bupati", Role: auth.RoleBupati, Region: "35.05"},
	} {
		if _, err := e.st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	e.cycle = store.Cycle{RegencyCode: "35.05", Year: 2026, VerificationDays: 30, OpenedAt: t0.Add(-24 * time.Hour)}
	if err := e.st.CreateCycle(ctx, &e.cycle); err != nil {
		t.Fatal(err)
	}
	in := store.Intake{CycleID: e.cycle.ID, FileName: "p3ke.csv"}
	if err := e.st.CreateIntake(ctx, &in, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	var hs []store.NewHousehold
	for i, f := range []struct{ name, desa string }{{"SITI AMINAH", jaten}, {"BUDI SANTOSO", jaten}, {"WARSINI", salam}} {
		hs = append(hs, store.NewHousehold{
			NIK: fmt.Sprintf("350501550380%04d", i+1), NoKK: fmt.Sprintf("35050101012%05d", i+1),
			Household: store.Household{Row: i + 2, FamilyID: fmt.Sprintf("P3KE-%d", i), Name: f.name, Address: "Dusun Krajan RT 001",
				Members: 4, RegencyCode: "35.05", KecamatanCode: "35.05.01", DesaCode: f.desa, Desil: 1,
				NIKMasked: "3505**********01", KKMasked: "3505**********01",
				Indicators: domain.Indicators{JenisLantai: "Tanah"}},
		})
	}
	if _, err := e.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: 4, Households: hs,
		Accepted: 3, Rows: 3, DueAt: t0.Add(10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var all []store.Household
	if err := db.Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	for _, h := range all {
		e.hh[h.Name] = h.ID
	}

	e.r = gin.New()
	e.r.Use(func(c *gin.Context) { c.Header("X-Request-ID", "req-test"); c.Next() })
	e.office.wire(e)
	Register(e.r, Deps{
		Office: office.New(office.Deps{Store: e.st, Temporal: e.temporal, Log: storetest.Logger(t), Now: clock.Now,
			Kemensos: office.KemensosOptions{CutoffDay: 31}, MaxIntakeFile: 1 << 20}),
		Log: storetest.Logger(t), SessionTTL: time.Hour,
		WorkflowURL: func(cycleID, householdID int64) string {
			return fmt.Sprintf("http://ui.test/namespaces/default/workflows/household-%d-%d", cycleID, householdID)
		},
		StuckQueryURL: func(p auth.Principal, cy *store.Cycle, before time.Time) string {
			return "http://ui.test/namespaces/default/workflows?query=" + url.QueryEscape(`RegencyCode = "35.05" AND area = "`+p.Region+`"`)
		},
		Throttle: Throttle{
			Blocked:   func(time.Time, string, string) time.Duration { return 0 },
			Failed:    func(time.Time, string, string) {},
			Succeeded: func(string, string) {},
			Acquire:   func(context.Context) (func(), error) { return func() {}, nil },
			ClientKey: func(ip string) string { return ip },
		},
	})
	return e
}

// browser is a signed-in person: their session cookie and CSRF token.
type browser struct {
	e      *env
	cookie string
}

// login signs username in through the login form.
func (e *env) login(username string) *browser {
	e.t.Helper()
	w := e.do(nil, "POST", "/masuk", url.Values{"username": {username}, "password": {password}})
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", username, w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			return &browser{e: e, cookie: c.Value}
		}
	}
	e.t.Fatalf("login %s set no session cookie", username)
	return nil
}

// do sends a request as b (nil: nobody); a form is posted urlencoded.
// headers are name, value pairs.
func (e *env) do(b *browser, method, path string, form url.Values, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == "POST" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if b != nil {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: b.cookie})
	}
	w := httptest.NewRecorder()
	e.r.ServeHTTP(w, req)
	return w
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	return b.e.do(b, "GET", path, nil)
}

// post sends a form with the session's CSRF token.
func (b *browser) post(path string, form url.Values, headers ...string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form[csrfField]; !ok {
		form.Set(csrfField, csrfToken(b.cookie))
	}
	return b.e.do(b, "POST", path, form, headers...)
}

// field returns the HTML of the form field whose wrapper has id f-<name>:
// where the message next to the field must appear.
func field(t *testing.T, page, name string) string {
	t.Helper()
	start := strings.Index(page, `id="f-`+name+`"`)
	if start < 0 {
		t.Fatalf("page has no field %s", name)
	}
	rest := page[start+1:]
	if end := strings.Index(rest, `id="f-`); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

func TestPagesNeedLoginAndTheRightRole(t *testing.T) {
	e := newEnv(t)
	w := e.do(nil, "GET", "/tugas?q=siti", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/masuk?ke="+url.QueryEscape("/tugas?q=siti") {
		t.Fatalf("anonymous /tugas: %d %q, want 303 to the login page", w.Code, w.Header().Get("Location"))
	}
	for _, p := range []string{"/", "/dasbor", "/musyawarah", "/rumah-tangga/1", "/unggah", "/macet"} {
		if w := e.do(nil, "GET", p, nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/masuk") {
			t.Errorf("anonymous %s: %d %q", p, w.Code, w.Header().Get("Location"))
		}
	}
	// A revoked or unknown session is no session.
	ghost := &browser{e: e, cookie: strings.Repeat("A", 43)}
	if w := ghost.get("/tugas"); w.Code != http.StatusSeeOther {
		t.Errorf("unknown session: %d, want 303", w.Code)
	}

	desa1, tksk, bupati := e.login("desa1"), e.login("tksk"), e.login("bupati")
	for _, c := range []struct {
		b    *browser
		path string
		want int
	}{
		{desa1, "/tugas", 200}, {desa1, "/musyawarah", 200}, {desa1, "/dasbor", 200},
		{desa1, "/macet", 200}, {desa1, "/unggah", 403},
		{tksk, "/tugas", 200}, {tksk, "/macet", 200}, {tksk, "/musyawarah", 403}, {tksk, "/unggah", 403},
		{bupati, "/dasbor", 200}, {bupati, "/macet", 200}, {bupati, "/tugas", 403},
	} {
		if w := c.b.get(c.path); w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.path, w.Code, c.want)
		}
	}
	if w := desa1.get("/"); w.Header().Get("Location") != "/tugas" {
		t.Errorf("village officer's home: %q", w.Header().Get("Location"))
	}
	if w := tksk.get("/"); w.Header().Get("Location") != "/dasbor" {
		t.Errorf("TKSK's home: %q", w.Header().Get("Location"))
	}
	if w := bupati.get("/tugas"); !strings.Contains(w.Body.String(), "bukan untuk peran Anda") {
		t.Errorf("403 page does not explain itself:\n%s", w.Body)
	}
}

func TestLoginCookieAndLogout(t *testing.T) {
	e := newEnv(t)
	w := e.do(nil, "POST", "/masuk", url.Values{"username": {"Desa1"}, "password": {password}, "ke": {"/rumah-tangga/1"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/rumah-tangga/1" {
		t.Fatalf("login: %d %q", w.Code, w.Header().Get("Location"))
	}
	c := w.Result().Cookies()[0]
	if c.Name != SessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge != 3600 {
		t.Fatalf("session cookie over HTTP: %+v", c)
	}

	// Over HTTPS the cookie is Secure.
	req := httptest.NewRequest("POST", "/masuk", strings.NewReader(url.Values{"username": {"desa1"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	e.r.ServeHTTP(rec, req)
	if c := rec.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Fatalf("session cookie over HTTPS: %+v", c)
	}

	// ?ke= cannot send anyone to another site.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		w := e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {password}, "ke": {next}})
		if loc := w.Header().Get("Location"); loc != "/tugas" {
			t.Errorf("ke=%s redirected to %q", next, loc)
		}
	}

	w = e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {"salah-sekali-2026"}})
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "Nama pengguna atau kata sandi salah") {
		t.Fatalf("wrong password: %d", w.Code)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Fatal("a failed login set a cookie")
	}

	// A login form posted from another site is refused.
	w = e.do(nil, "POST", "/masuk", url.Values{"username": {"desa1"}, "password": {password}}, "Sec-Fetch-Site", "cross-site")
	if w.Code != http.StatusForbidden {
		t.Fatalf("cross-site login: %d, want 403", w.Code)
	}

	b := e.login("desa1")
	if w := b.post("/keluar", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/masuk" {
		t.Fatalf("logout: %d", w.Code)
	}
	if _, err := e.st.Authenticate(t.Context(), b.cookie); err == nil {
		t.Fatal("the session still works after logout")
	}
	if w := b.get("/tugas"); w.Code != http.StatusSeeOther {
		t.Fatalf("page after logout: %d, want 303 to login", w.Code)
	}
}

func TestPostsNeedTheSessionsCSRFTokenAndSameOrigin(t *testing.T) {
	e := newEnv(t)
	desa1, desa2 := e.login("desa1"), e.login("desa2")
	path := fmt.Sprintf("/tugas/%d", e.hh["SITI AMINAH"])
	form := func(token string) url.Values {
		return url.Values{"outcome": {"eligible"}, "visitDate": {"2026-05-04"}, csrfField: {token}}
	}
	good := csrfToken(desa1.cookie)
	for _, c := range []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"no token", url.Values{"outcome": {"eligible"}}, nil},
		{"empty token", form(""), nil},
		{"another session's token", form(csrfToken(desa2.cookie)), nil},
		{"cross-site, right token", form(good), []string{"Sec-Fetch-Site", "cross-site"}},
		{"other origin, right token", form(good), []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
	} {
		if w := e.do(desa1, "POST", path, c.form, c.headers...); w.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, w.Code)
		}
	}
	// The mock Temporal client fails the test on any call: nothing was sent.
	// Logout is a post too.
	if w := e.do(desa1, "POST", "/keluar", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", w.Code)
	}
	if _, err := e.st.Authenticate(t.Context(), desa1.cookie); err != nil {
		t.Error("a logout without the token ended the session")
	}
	// The token appears in every form of a page.
	page := desa1.get(path).Body.String()
	if n := strings.Count(page, `name="csrf" value="`+csrfToken(desa1.cookie)+`"`); n < 2 {
		t.Errorf("token in %d forms, want the visit form and the logout form", n)
	}
}

func TestAnotherVillagesHouseholdIsNotFound(t *testing.T) {
	e := newEnv(t)
	desa1 := e.login("desa1")
	other, own := e.hh["WARSINI"], e.hh["SITI AMINAH"]
	for _, p := range []string{"/rumah-tangga/%d", "/tugas/%d"} {
		w := desa1.get(fmt.Sprintf(p, other))
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Data tidak ditemukan") {
			t.Errorf("%s of another desa: %d", fmt.Sprintf(p, other), w.Code)
		}
		if strings.Contains(w.Body.String(), "WARSINI") {
			t.Errorf("404 page shows the other village's family")
		}
		if w := desa1.get(fmt.Sprintf(p, own)); w.Code != http.StatusOK {
			t.Errorf("own %s: %d", fmt.Sprintf(p, own), w.Code)
		}
	}
	if w := desa1.post(fmt.Sprintf("/tugas/%d", other), url.Values{"outcome": {"eligible"}}); w.Code != http.StatusNotFound {
		t.Errorf("submitting for another desa: %d, want 404", w.Code)
	}
	// The desa's task list holds only its own families.
	list := desa1.get("/tugas").Body.String()
	if !strings.Contains(list, "SITI AMINAH") || strings.Contains(list, "WARSINI") {
		t.Errorf("task list crosses villages")
	}
	// Search by name.
	list = desa1.get("/tugas?q=budi").Body.String()
	if !strings.Contains(list, "BUDI SANTOSO") || strings.Contains(list, "SITI AMINAH") {
		t.Errorf("search by name does not filter")
	}
	// The household page masks nothing for the village but NIK and KK.
	page := desa1.get(fmt.Sprintf("/rumah-tangga/%d", own)).Body.String()
	if !strings.Contains(page, "3505**********01") || !strings.Contains(page, "Menunggu kunjungan desa") || !strings.Contains(page, "data P3KE masuk") {
		t.Errorf("household page lacks masked NIK, stage or timeline:\n%s", page)
	}
	if !strings.Contains(page, "Program bantuan") || !strings.Contains(page, "Belum terdaftar di program bantuan.") {
		t.Errorf("household page lacks its empty programme section:\n%s", page)
	}
}

// TestHouseholdPageProgrammes: the household page lists the household's
// aid programmes, active and ended, in Indonesian, and no other
// household's.
func TestHouseholdPageProgrammes(t *testing.T) {
	e := newEnv(t)
	own, other := e.hh["SITI AMINAH"], e.hh["BUDI SANTOSO"]
	at := t0.Add(48 * time.Hour)
	for _, en := range []store.Enrolment{
		{CycleID: e.cycle.ID, HouseholdID: own, Programme: "PKH", Status: store.EnrolmentActive, EnrolledAt: &at},
		{CycleID: e.cycle.ID, HouseholdID: own, Programme: "BPNT", Status: store.EnrolmentExited, ExitedAt: &at, ExitReason: "removal accepted: verified not_poor"},
		{CycleID: e.cycle.ID, HouseholdID: other, Programme: "BLT-DD", Status: store.EnrolmentActive, EnrolledAt: &at},
	} {
		if err := e.st.DB.Create(&en).Error; err != nil {
			t.Fatal(err)
		}
	}
	page := e.login("dinsos").get(fmt.Sprintf("/rumah-tangga/%d", own)).Body.String()
	for _, want := range []string{"Program bantuan", "PKH (Program Keluarga Harapan)", "Aktif", "BPNT / Sembako", "Berhenti",
		"penghapusan dari DTKS diterima Kemensos: Sudah mampu", dateID(at.In(wilayah.ZoneOf("35.05")))} {
		if !strings.Contains(page, want) {
			t.Errorf("household page lacks %q", want)
		}
	}
	if strings.Contains(page, "BLT Dana Desa") || strings.Contains(page, "Belum terdaftar di program bantuan.") {
		t.Errorf("household page shows another household's programme or says it has none")
	}
}

// updateCall makes the mock Temporal client answer an Update with err, or
// with a recorded result when err is nil, and records the options.
func (e *env) updateCall(err error, seen *[]client.UpdateWorkflowOptions) {
	call := e.temporal.On("UpdateWorkflow", mock.Anything, mock.Anything)
	call.Run(func(args mock.Arguments) {
		*seen = append(*seen, args.Get(1).(client.UpdateWorkflowOptions))
	})
	if err != nil {
		call.Return(nil, err)
		return
	}
	h := mocks.NewWorkflowUpdateHandle(e.t)
	h.On("Get", mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		*args.Get(1).(*workflows.VerificationResponse) = workflows.VerificationResponse{Version: 1, Stage: domain.StageVerified}
	}).Return(nil)
	call.Return(h, nil)
}

var keyRE = regexp.MustCompile(`name="kunci" value="([0-9a-f]+)"`)

func TestValidatorMessageIsShownNextToItsField(t *testing.T) {
	for _, c := range []struct {
		field string
		code  domain.Code
		args  []any
		want  string
	}{
		{"visitDate", domain.CodeDateFuture, nil, "Tanggal tidak boleh setelah hari ini."},
		{"indicators", domain.CodeVisitIndicators, []any{domain.OutcomeEligible}, "Jenis lantai, dinding dan atap wajib diisi untuk hasil Masih miskin (layak)."},
		{"note", domain.CodeVisitNote, nil, "Jelaskan temuan Anda"},
		{"outcome", domain.CodeVisitOutcome, nil, "Pilih salah satu hasil kunjungan."},
		// One indicator too long: shown on the indicators, naming it.
		{"indicators.sumberAirMinum", domain.CodeTooLong, []any{100}, "Sumber air minum: Lebih dari 100 karakter."},
	} {
		t.Run(c.field, func(t *testing.T) {
			e := newEnv(t)
			var seen []client.UpdateWorkflowOptions
			e.updateCall(temporalx.Refuse(domain.FieldErr(c.field, c.code, c.args...)), &seen)
			desa1 := e.login("desa1")
			id := e.hh["SITI AMINAH"]
			w := desa1.post(fmt.Sprintf("/tugas/%d", id), url.Values{"outcome": {"eligible"}, "visitDate": {"2026-05-09"},
				"jenisLantai": {"Tanah"}, "note": {"catatan saya"}, "kunci": {"abc123"}, "version": {"0"}})
			if w.Code != http.StatusUnprocessableEntity {
				t.Fatalf("refused result: %d, want 422", w.Code)
			}
			page := w.Body.String()
			at, _, _ := strings.Cut(c.field, ".")
			if f := field(t, page, at); !strings.Contains(f, `class="field-error"`) || !strings.Contains(f, c.want) {
				t.Fatalf("message %q not next to %s:\n%s", c.want, at, f)
			}
			if strings.Count(page, `class="field-error"`) != 1 {
				t.Errorf("messages beside other fields too")
			}
			// What the officer typed is kept.
			if !strings.Contains(page, `value="2026-05-09"`) || !strings.Contains(page, "catatan saya") || !strings.Contains(page, `value="Tanah"`) {
				t.Errorf("the form lost the officer's input")
			}
			// The Update went to the household's workflow with the form's key.
			if len(seen) != 1 || seen[0].WorkflowID != workflows.HouseholdWorkflowID(e.cycle.ID, id) ||
				seen[0].UpdateName != workflows.UpdateSubmitVerification || !strings.Contains(seen[0].UpdateID, "-abc123-") {
				t.Fatalf("update options: %+v", seen)
			}
			// A new render is a new attempt: a new key.
			if m := keyRE.FindStringSubmatch(page); m == nil || m[1] == "abc123" {
				t.Errorf("re-rendered form kept the refused attempt's key: %v", m)
			}
		})
	}
}

func TestConflictAndClosedMessagesShowAboveTheForm(t *testing.T) {
	e := newEnv(t)
	var seen []client.UpdateWorkflowOptions
	e.updateCall(temporalx.Refuse(domain.Err(domain.CodeListClosed)), &seen)
	w := e.login("desa1").post(fmt.Sprintf("/tugas/%d", e.hh["SITI AMINAH"]), url.Values{"outcome": {"eligible"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `class="alert" role="alert">Musyawarah desa sudah menutup`) {
		t.Fatalf("closed: %d\n%s", w.Code, w.Body)
	}
}

func TestValidResultRedirectsAndARepeatedPostReusesTheKey(t *testing.T) {
	e := newEnv(t)
	var seen []client.UpdateWorkflowOptions
	e.updateCall(nil, &seen)
	desa1 := e.login("desa1")
	id := e.hh["SITI AMINAH"]
	page := desa1.get(fmt.Sprintf("/tugas/%d", id)).Body.String()
	key := keyRE.FindStringSubmatch(page)[1]
	if again := keyRE.FindStringSubmatch(desa1.get(fmt.Sprintf("/tugas/%d", id)).Body.String())[1]; again == key {
		t.Fatal("two renders of the form got the same idempotency key")
	}
	form := url.Values{"outcome": {"eligible"}, "visitDate": {"2026-05-04"}, "jenisLantai": {"Tanah"}, "jenisDinding": {"Bambu"},
		"jenisAtap": {"Genteng"}, "kunci": {key}, "version": {"0"}}
	for i := 0; i < 2; i++ { // a double click
		w := desa1.post(fmt.Sprintf("/tugas/%d", id), form)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/tugas/%d?tersimpan=1", id) {
			t.Fatalf("submit %d: %d %q", i, w.Code, w.Header().Get("Location"))
		}
	}
	if len(seen) != 2 || seen[0].UpdateID != seen[1].UpdateID {
		t.Fatalf("a resent form must reuse its Update ID (Temporal applies it once): %+v", seen)
	}
	u, _ := e.st.Authenticate(t.Context(), desa1.cookie)
	// The key is bound to the request by a hash of it (the API's form).
	want := fmt.Sprintf("visit-%d-u%d-%s-", id, u.UserID, key)
	if !strings.HasPrefix(seen[0].UpdateID, want) || len(seen[0].UpdateID) != len(want)+12 {
		t.Errorf("update ID %q, want %q and a 12-digit hash", seen[0].UpdateID, want)
	}
	// Another request with the same key is another Update, which the
	// workflow refuses as a reused key.
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("jenisAtap", "Seng")
	desa1.post(fmt.Sprintf("/tugas/%d", id), other)
	if len(seen) != 3 || seen[2].UpdateID == seen[0].UpdateID || !strings.HasPrefix(seen[2].UpdateID, want) {
		t.Errorf("the same key with another request must be another Update ID with the same key: %+v", seen)
	}
	req := seen[0].Args[0].(workflows.VerificationRequest)
	if req.Outcome != domain.OutcomeEligible || req.Indicators.JenisAtap != "Genteng" || req.Actor.UserID != u.UserID || req.Actor.RequestID != "req-test" {
		t.Errorf("request sent: %+v", req)
	}
	if w := desa1.get(fmt.Sprintf("/tugas/%d?tersimpan=1", id)); !strings.Contains(w.Body.String(), "Hasil kunjungan tersimpan.") {
		t.Error("no success message after the redirect")
	}
}

func TestDuplicateOfMustBeAHouseholdTheOfficerSees(t *testing.T) {
	e := newEnv(t)
	desa1 := e.login("desa1")
	w := desa1.post(fmt.Sprintf("/tugas/%d", e.hh["SITI AMINAH"]), url.Values{"outcome": {"duplicate"}, "duplicateOf": {fmt.Sprint(e.hh["WARSINI"])}, "note": {"x"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "duplicateOf"), "bukan rumah tangga siklus ini") {
		t.Fatalf("duplicate of another desa's household: %d", w.Code)
	}
}

func TestMeetingForm(t *testing.T) {
	e := newEnv(t)
	desa1 := e.login("desa1")
	page := desa1.get("/musyawarah").Body.String()
	if !strings.Contains(page, "Masih ada 2 keluarga yang belum dikunjungi") {
		t.Errorf("meeting page does not warn about unvisited families")
	}
	form := url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "date": {"2026-05-04"}, "beritaAcaraNo": {"BA/01/2026"}, "attendees": {"25"}}

	// The office's own rules: a blank berita acara number, then a village
	// whose two households have no visit result yet.
	blank := url.Values{}
	for k, v := range form {
		blank[k] = v
	}
	blank.Set("beritaAcaraNo", " ")
	w := desa1.post("/musyawarah", blank)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "beritaAcaraNo"), "Nomor berita acara wajib diisi") {
		t.Fatalf("invalid meeting: %d", w.Code)
	}
	if w := desa1.post("/musyawarah", form); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Masih ada 2 keluarga di desa ini") {
		t.Fatalf("conflicting meeting: %d", w.Code)
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("attendees", "banyak")
	if w := desa1.post("/musyawarah", f); !strings.Contains(field(t, w.Body.String(), "attendees"), "angka") {
		t.Fatalf("attendees not a number: no message next to the field")
	}
	// Both visited: the meeting is recorded and its workflow started.
	if err := e.st.DB.Model(&store.Task{}).Where("desa_code = ?", jaten).Update("status", domain.TaskSubmitted).Error; err != nil {
		t.Fatal(err)
	}
	if w := desa1.post("/musyawarah", form); w.Code != http.StatusSeeOther {
		t.Fatalf("meeting: %d", w.Code)
	}
	var meetings []store.Meeting
	e.st.DB.Find(&meetings)
	if len(meetings) != 1 || meetings[0].BeritaAcaraNo != "BA/01/2026" || meetings[0].Attendees != 25 || meetings[0].Date != "2026-05-04" ||
		meetings[0].DesaCode != jaten || meetings[0].HouseholdsTotal != 2 {
		t.Fatalf("meeting recorded: %+v", meetings)
	}
	if !slices.Contains(e.office.started, workflows.MeetingWorkflowID(meetings[0].ID)) {
		t.Errorf("meeting workflow not started: %v", e.office.started)
	}
}

func TestDashboardAndStuckCases(t *testing.T) {
	e := newEnv(t)
	tksk := e.login("tksk")
	page := tksk.get("/dasbor").Body.String()
	for _, want := range []string{"Alur siklus", "Jaten", "Salam", "<svg class=\"bar\"", "Menunggu kunjungan desa", ">3<"} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// All three households entered their stage at t0: a minute later they
	// are stuck for "more than 0 days".
	e.clock.Advance(time.Minute)
	page = tksk.get(fmt.Sprintf("/macet?hari=0&siklus=%d", e.cycle.ID)).Body.String()
	if !strings.Contains(page, fmt.Sprintf("household-%d-%d", e.cycle.ID, e.hh["WARSINI"])) || !strings.Contains(page, "RegencyCode = &#34;35.05&#34; AND area = &#34;35.05.01&#34;") {
		t.Errorf("stuck page lacks the Temporal links:\n%s", page)
	}
	// The village sees its own desa only.
	page = e.login("desa1").get("/dasbor").Body.String()
	if !strings.Contains(page, "Jaten") || strings.Contains(page, "Salam") {
		t.Errorf("village dashboard crosses villages")
	}
}

func TestBuildDashboard(t *testing.T) {
	total, funnel, stages, kecs := buildDashboard([]store.ProgressRow{
		{KecamatanCode: "35.05.01", DesaCode: jaten, Stage: "awaiting_verification", Count: 2},
		{KecamatanCode: "35.05.01", DesaCode: jaten, Stage: "verified", Count: 1},
		{KecamatanCode: "35.05.01", DesaCode: jaten, Stage: "awaiting_decree", Count: 1},
		{KecamatanCode: "35.05.01", DesaCode: salam, Stage: "enrolled", Count: 4},
	})
	if total != 8 || funnel[1].Count != 6 || funnel[2].Count != 5 || funnel[3].Count != 4 || funnel[0].Pct != 100 {
		t.Fatalf("funnel: total %d %+v", total, funnel)
	}
	if len(stages) != 4 || stages[0].Stage != "awaiting_verification" {
		t.Fatalf("stages: %+v", stages)
	}
	d := kecs[0].Desa[0]
	if d.Name != "Desa Jaten" || d.ClosedPct != 25 || d.VisitedPct != 25 || d.DonePct != 50 || kecs[0].DonePct != 75 {
		t.Fatalf("desa progress: %+v kec %+v", d, kecs[0])
	}
}

func TestEveryValidatorMessageIsTranslated(t *testing.T) {
	opened := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	house := domain.Indicators{JenisLantai: "Tanah", JenisDinding: "Bambu", JenisAtap: "Genteng"}
	for _, r := range []workflows.VerificationRequest{
		{Outcome: "rich"},
		{Outcome: "eligible"},
		{Outcome: "eligible", VisitDate: "10/05/2026"},
		{Outcome: "eligible", VisitDate: "2026-06-01"},
		{Outcome: "eligible", VisitDate: "2026-04-01"},
		{Outcome: "duplicate", VisitDate: "2026-05-05"},
		{Outcome: "duplicate", VisitDate: "2026-05-05", DuplicateOf: 7},
		{Outcome: "eligible", VisitDate: "2026-05-05", DuplicateOf: 8, Indicators: house},
		{Outcome: "not_poor", VisitDate: "2026-05-05"},
		{Outcome: "moved", VisitDate: "2026-05-05"},
		{Outcome: "moved", VisitDate: "2026-05-05", Note: strings.Repeat("x", 2001)},
	} {
		err := temporalx.RefusalOf(workflows.ValidateVisit(r, 7, opened, now))
		e, msg, status, ok := refusal(err)
		if !ok || status != http.StatusUnprocessableEntity {
			t.Fatalf("%+v: not refused as invalid (%v)", r, err)
		}
		if _, has := errorTexts[e.Code]; !has || msg == e.Message() {
			t.Errorf("no Indonesian for %s (%q)", e.Code, e.Message())
		}
	}
	// An error the office does not know of is no refusal: h.fail logs it.
	if _, _, _, ok := refusal(fmt.Errorf("a brand new failure")); ok {
		t.Error("an unknown error was shown as a refusal")
	}
}

func TestStaticAssetsAreCachedAndPagesAreLight(t *testing.T) {
	e := newEnv(t)
	var assets int
	for _, name := range []string{"app.css", "app.js"} {
		w := e.do(nil, "GET", "/static/"+name+"?v=x", nil)
		if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "max-age=31536000") {
			t.Fatalf("%s: %d %q", name, w.Code, w.Header().Get("Cache-Control"))
		}
		assets += w.Body.Len()
	}
	if w := e.do(nil, "GET", "/static/nothing.js", nil); w.Code != 404 {
		t.Errorf("unknown static file: %d", w.Code)
	}
	desa1, dinsos := e.login("desa1"), e.login("dinsos")
	for _, c := range []struct {
		b    *browser
		path string
	}{
		{nil, "/masuk"}, {desa1, "/tugas"}, {desa1, fmt.Sprintf("/tugas/%d", e.hh["SITI AMINAH"])}, {desa1, "/musyawarah"},
		{dinsos, "/dasbor"}, {dinsos, "/macet?hari=0"}, {dinsos, "/unggah"}, {dinsos, fmt.Sprintf("/rumah-tangga/%d", e.hh["WARSINI"])},
		{dinsos, "/sk"}, {dinsos, fmt.Sprintf("/sk/%d", e.seedDecree(domain.DecreeDraft).ID)}, {dinsos, "/usulan"},
		{dinsos, fmt.Sprintf("/usulan/%d", e.seedProposal(domain.ProposalSubmitted).ID)},
	} {
		w := e.do(c.b, "GET", c.path, nil)
		if w.Code != 200 {
			t.Errorf("%s: %d", c.path, w.Code)
			continue
		}
		if size := w.Body.Len() + assets; size > 200<<10 {
			t.Errorf("%s weighs %d bytes with its assets, over 200 KB", c.path, size)
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s may be cached: %q", c.path, w.Header().Get("Cache-Control"))
		}
		if !strings.Contains(w.Body.String(), `<html lang="id">`) {
			t.Errorf("%s is not marked Indonesian", c.path)
		}
		// The API's Content-Security-Policy forbids inline scripts and styles.
		if strings.Contains(w.Body.String(), "<script>") || strings.Contains(w.Body.String(), "style=") {
			t.Errorf("%s has inline script or style", c.path)
		}
	}
}

func TestIntakePageIsRegionScoped(t *testing.T) {
	e := newEnv(t)
	var in store.Intake
	if err := e.st.DB.First(&in).Error; err != nil {
		t.Fatal(err)
	}
	page := e.login("dinsos").get(fmt.Sprintf("/unggah/%d", in.ID)).Body.String()
	if !strings.Contains(page, fmt.Sprintf(`data-intake="%d"`, in.ID)) || !strings.Contains(page, "<progress") {
		t.Errorf("a running intake's page does not poll:\n%s", page)
	}
	// Dinsos of another regency sees no such intake.
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "dinsos2", Password: password, Name: "Dinsos Lingga", Role: auth.RoleDinsos, Region: "21.04"}); err != nil {
		t.Fatal(err)
	}
	if w := e.login("dinsos2").get(fmt.Sprintf("/unggah/%d", in.ID)); w.Code != http.StatusNotFound {
		t.Errorf("another regency's intake: %d, want 404", w.Code)
	}
}

// pageRoles is who may open each page: the same roles as the API route
// behind it. A page registered without a row here fails the test below.
var pageRoles = map[string][]auth.Role{
	"GET /usul":                                  {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	"POST /usul":                                 {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	"GET /sanggah":                               {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"POST /sanggah":                              {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	"GET /sanggah/:id":                           {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"POST /sanggah/:id/temuan":                   {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK},
	"POST /sanggah/:id/keputusan":                {auth.RoleDinsos},
	"POST /sanggah/:id/foto":                     {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	"GET /status":                                nil, // public: an objection's status by receipt code
	"GET /akun/impor":                            {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/impor":                           {auth.RoleDinsos, auth.RoleAdmin},
	"GET /akun/impor/:id/sandi.xlsx":             {auth.RoleDinsos, auth.RoleAdmin},
	"GET /tugas":                                 {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"GET /tugas/:id":                             {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"POST /tugas/:id":                            {auth.RoleVillage, auth.RolePSM, auth.RolePendamping},
	"POST /tugas/:id/buka-ulang":                 {auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"POST /tugas/:id/tugaskan":                   {auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"GET /musyawarah":                            {auth.RoleVillage},
	"POST /musyawarah":                           {auth.RoleVillage},
	"GET /rumah-tangga/:id":                      auth.Roles(),
	"POST /rumah-tangga/:id/perubahan":           {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleDinsos},
	"POST /rumah-tangga/:id/perubahan/keputusan": {auth.RoleTKSK, auth.RoleDinsos},
	"GET /dasbor":                                auth.Roles(),
	"GET /laporan-perubahan":                     {auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin},
	"GET /laporan-tahunan":                       {auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin},
	"GET /macet":                                 auth.Roles(),
	"GET /unggah":                                {auth.RoleDinsos, auth.RoleAdmin},
	"GET /unggah/:id":                            {auth.RoleDinsos, auth.RoleAdmin},
	"POST /unggah/:id/lanjutkan":                 {auth.RoleDinsos, auth.RoleAdmin},
	"GET /unggah/contoh.csv":                     {auth.RoleDinsos, auth.RoleAdmin},
	"POST /unggah":                               {auth.RoleDinsos, auth.RoleAdmin},
	"POST /unggah/cakupan":                       {auth.RoleDinsos, auth.RoleAdmin},
	"POST /tugas/:id/anggota":                    {auth.RoleVillage, auth.RolePSM, auth.RolePendamping},
	"GET /sk":                                    {auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin},
	"POST /sk":                                   {auth.RoleDinsos},
	"POST /dasbor/tutup":                         {auth.RoleDinsos},
	"POST /dasbor/siklus-berikut":                {auth.RoleDinsos},
	"POST /dasbor/tutup/lanjutkan":               {auth.RoleDinsos},
	"GET /sk/:id":                                {auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin},
	"POST /sk/:id/ajukan":                        {auth.RoleDinsos},
	"POST /sk/:id/revisi":                        {auth.RoleDinsos},
	"POST /sk/:id/batalkan":                      {auth.RoleDinsos},
	"POST /sk/:id/kembalikan":                    {auth.RoleBupati},
	"POST /sk/:id/tandatangani":                  {auth.RoleBupati},
	"GET /usulan":                                {auth.RoleDinsos, auth.RoleAdmin},
	"POST /usulan":                               {auth.RoleDinsos},
	"GET /usulan/:id":                            {auth.RoleDinsos, auth.RoleAdmin},
	"POST /usulan/:id/kirim":                     {auth.RoleDinsos},
	"POST /usulan/:id/jawaban":                   {auth.RoleDinsos},
	"POST /usulan/:id/tidak-dijawab":             {auth.RoleDinsos},
	"GET /akun":                                  {auth.RoleDinsos, auth.RoleAdmin},
	"GET /akun/baru":                             {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/baru":                            {auth.RoleDinsos, auth.RoleAdmin},
	"GET /akun/:id":                              {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/:id/nonaktifkan":                 {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/:id/aktifkan":                    {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/:id/sandi":                       {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/:id/peran":                       {auth.RoleDinsos, auth.RoleAdmin},
	"POST /akun/:id/sesi":                        {auth.RoleDinsos, auth.RoleAdmin},
	"POST /keluar":                               auth.Roles(),
	"GET /sandi":                                 auth.Roles(),
	"POST /sandi":                                auth.Roles(),
	"GET /":                                      nil, // public: sends to login or home
	"GET /masuk":                                 nil,
	"POST /masuk":                                nil,
	"GET /static/*file":                          nil,
	"POST /tugas/:id/foto":                       {auth.RoleVillage, auth.RolePSM, auth.RolePendamping},
	"GET /foto/:id":                              {auth.RoleVillage, auth.RolePSM, auth.RolePendamping, auth.RoleTKSK, auth.RoleDinsos},
	"POST /rumah-tangga/:id/foto-usul":           {auth.RoleVillage, auth.RolePSM, auth.RoleTKSK, auth.RoleDinsos},
	"GET /lokasi":                                {auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin},
	"GET /bukti":                                 {auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin},
	"GET /sw.js":                                 nil,
}

func TestEveryPageChecksTheRole(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "admin", Password: password, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	// Allowed posts may reach Temporal; it refuses them here.
	e.temporal.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(nil, temporalx.Refuse(domain.FieldErr("reason", domain.CodeReopenReason))).Maybe()
	// The intake's workflow runs: resuming it changes nothing.
	e.temporal.On("DescribeWorkflowExecution", mock.Anything, mock.Anything, mock.Anything).Return(
		&workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: enums.WORKFLOW_EXECUTION_STATUS_RUNNING}}, nil).Maybe()
	users := map[auth.Role]string{auth.RoleVillage: "desa1", auth.RolePSM: "psm1", auth.RolePendamping: "pendamping", auth.RoleTKSK: "tksk", auth.RoleDinsos: "dinsos", auth.RoleBupati: "bupati", auth.RoleAdmin: "admin"}
	var in store.Intake
	if err := e.st.DB.First(&in).Error; err != nil {
		t.Fatal(err)
	}
	// The account pages act on an account nobody here signs in with.
	target, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "akun.uji", Password: password, Name: "Akun Uji", Role: auth.RoleVillage, Region: jaten})
	if err != nil {
		t.Fatal(err)
	}
	for _, ri := range e.r.Routes() {
		key := ri.Method + " " + ri.Path
		roles, ok := pageRoles[key]
		if !ok {
			t.Errorf("page %s has no row in pageRoles", key)
			continue
		}
		if roles == nil {
			continue
		}
		id := e.hh["SITI AMINAH"]
		if strings.HasPrefix(ri.Path, "/unggah/") {
			id = in.ID
		}
		if strings.HasPrefix(ri.Path, "/akun/") {
			id = target.ID
		}
		path := strings.Replace(ri.Path, ":id", fmt.Sprint(id), 1)
		if key == "POST /keluar" {
			continue // ends the session; covered by TestLoginCookieAndLogout
		}
		if w := e.do(nil, ri.Method, path, url.Values{}); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/masuk") {
			t.Errorf("%s without a session: %d %q", key, w.Code, w.Header().Get("Location"))
		}
		for _, r := range auth.Roles() {
			b := e.login(users[r])
			var w *httptest.ResponseRecorder
			if ri.Method == "POST" {
				w = b.post(path, url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "attendees": {"x"}, "assigneeId": {"0"}})
			} else {
				w = b.get(path)
			}
			allowed := slices.Contains(roles, r)
			switch {
			case allowed && (w.Code == http.StatusForbidden || w.Code == http.StatusSeeOther && strings.HasPrefix(w.Header().Get("Location"), "/masuk")):
				t.Errorf("%s as %s: %d, want it allowed", key, r, w.Code)
			case !allowed && w.Code != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", key, r, w.Code)
			}
		}
	}
}

func TestAdministratorSeesNoNames(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "admin", Password: password, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	admin := e.login("admin")
	for _, p := range []string{"/rumah-tangga/%d", "/tugas/%d", "/tugas?x=%d"} {
		page := admin.get(fmt.Sprintf(p, e.hh["SITI AMINAH"])).Body.String()
		if strings.Contains(page, "SITI AMINAH") || strings.Contains(page, "Dusun Krajan") || !strings.Contains(page, "S*** A*****") {
			t.Fatalf("an administrator's page %s shows the family:\n%s", p, page)
		}
	}
	page := admin.get(fmt.Sprintf("/rumah-tangga/%d", e.hh["SITI AMINAH"])).Body.String()
	if !strings.Contains(page, "http://ui.test/namespaces/default/workflows/household-") {
		t.Error("no Temporal Web UI link for the administrator")
	}
}

// seedAcehUtara opens a cycle in Aceh Utara (11.08), the regency with the
// most desa (852), with one household in each, all waiting for their visit
// since t0, and a Dinsos officer "dinsos-aceh" of the regency.
func (e *env) seedAcehUtara() (store.Cycle, []string) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.st.CreateUser(ctx, store.NewUser{Username: "dinsos-aceh", Password: password, Name: "Dinsos Aceh Utara", Role: auth.RoleDinsos, Region: "11.08"}); err != nil {
		e.t.Fatal(err)
	}
	cy := store.Cycle{RegencyCode: "11.08", Year: 2026, VerificationDays: 30, OpenedAt: t0.Add(-24 * time.Hour)}
	if err := e.st.CreateCycle(ctx, &cy); err != nil {
		e.t.Fatal(err)
	}
	in := store.Intake{CycleID: cy.ID, FileName: "p3ke-aceh.csv"}
	if err := e.st.CreateIntake(ctx, &in, strings.NewReader("y"), 1); err != nil {
		e.t.Fatal(err)
	}
	desa := wilayah.Default().Villages("11.08")
	var hs []store.NewHousehold
	for i, v := range desa {
		hs = append(hs, store.NewHousehold{
			NIK: fmt.Sprintf("110801550380%04d", i+1), NoKK: fmt.Sprintf("11080101012%05d", i+1),
			Household: store.Household{Row: i + 2, FamilyID: fmt.Sprintf("ACEH-%d", i), Name: "CUT NYAK DHIEN", Address: "Gampong RT 001",
				Members: 4, RegencyCode: "11.08", KecamatanCode: wilayah.Kecamatan(v), DesaCode: v, Desil: 1,
				NIKMasked: "1108**********01", KKMasked: "1108**********01"},
		})
	}
	if _, err := e.st.SaveIntakeBatch(ctx, store.IntakeBatch{IntakeID: in.ID, FirstRow: 2, LastRow: len(desa) + 1, Households: hs,
		Accepted: len(hs), Rows: len(hs), DueAt: t0.Add(10 * 24 * time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	return cy, desa
}

// sent fetches path as b the way a browser does and returns the bytes sent.
func (b *browser) sent(path string) int {
	b.e.t.Helper()
	w := b.get(path)
	if w.Code != http.StatusOK {
		b.e.t.Fatalf("%s: %d", path, w.Code)
	}
	return w.Body.Len()
}

// TestBigRegencysPagesAreLight: Dinsos of a regency of 852 desa, every
// household stuck, still gets pages well under 200 KB with the assets:
// the dashboard draws kecamatan bars and one chosen kecamatan's desa, and
// the stuck list comes a page at a time.
func TestBigRegencysPagesAreLight(t *testing.T) {
	e := newEnv(t)
	cy, desa := e.seedAcehUtara()
	if len(desa) < 800 {
		t.Fatalf("Aceh Utara has %d desa in the region list", len(desa))
	}
	e.clock.Advance(time.Minute)
	var assets int
	for _, name := range []string{"app.css", "app.js"} {
		assets += e.do(nil, "GET", "/static/"+name, nil).Body.Len()
	}
	dinsos := e.login("dinsos-aceh")
	// The kecamatan with the most desa.
	var kec string
	per := map[string]int{}
	for _, v := range desa {
		k := wilayah.Kecamatan(v)
		if per[k]++; per[k] > per[kec] {
			kec = k
		}
	}
	const light = 100 << 10 // "well under 200 KB"
	for _, p := range []string{
		"/dasbor",
		"/dasbor?kecamatan=" + kec,
		fmt.Sprintf("/macet?hari=0&siklus=%d", cy.ID),
		fmt.Sprintf("/macet?hari=0&siklus=%d&halaman=17", cy.ID),
	} {
		if size := dinsos.sent(p) + assets; size > light {
			t.Errorf("%s weighs %d bytes with its assets, over %d", p, size, light)
		}
	}

	// The dashboard lists every kecamatan, each linking to its desa, and
	// draws the desa of the chosen one only.
	page := dinsos.get("/dasbor").Body.String()
	if n := strings.Count(page, `class="kec"`); n != len(per) {
		t.Errorf("dashboard shows %d kecamatan, want %d", n, len(per))
	}
	if strings.Contains(page, regionName(desa[0])) {
		t.Errorf("dashboard draws desa before a kecamatan is chosen")
	}
	link := fmt.Sprintf(`href="/dasbor?kecamatan=%s&amp;siklus=%d#kec-%s"`, kec, cy.ID, kec)
	if !strings.Contains(page, link) {
		t.Errorf("dashboard lacks the link %s", link)
	}
	page = dinsos.get("/dasbor?kecamatan=" + kec).Body.String()
	if n := strings.Count(page, " belum</span>"); n != per[kec] {
		t.Errorf("chosen kecamatan: %d desa bars, want its %d desa", n, per[kec])
	}
	if v := wilayah.Default().Villages(kec)[0]; !strings.Contains(page, ">"+regionName(v)+"<") {
		t.Errorf("chosen kecamatan's page lacks %s", regionName(v))
	}

	// The stuck list pages by 50, the links keeping cycle and days, until
	// the last page, which has no next link.
	next := fmt.Sprintf("/macet?hari=0&siklus=%d", cy.ID)
	seen := map[string]bool{}
	pages := 0
	caseRE := regexp.MustCompile(`href="/rumah-tangga/(\d+)"`)
	for next != "" {
		page := dinsos.get(next).Body.String()
		pages++
		ids := caseRE.FindAllStringSubmatch(page, -1)
		if len(ids) == 0 || len(ids) > stuckPageSize {
			t.Fatalf("%s lists %d cases", next, len(ids))
		}
		for _, m := range ids {
			if seen[m[1]] {
				t.Fatalf("household %s listed twice", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`<a href="([^"]+)">Berikutnya`).FindStringSubmatch(page); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.Contains(next, "hari=0") || !strings.Contains(next, fmt.Sprintf("siklus=%d", cy.ID)) || !strings.Contains(next, fmt.Sprintf("halaman=%d", pages+1)) {
				t.Fatalf("next page link %q loses the filters", next)
			}
		}
		if pages > 1 && !strings.Contains(page, "‹ Sebelumnya") {
			t.Errorf("page %d has no previous link", pages)
		}
	}
	if len(seen) != len(desa) || pages != (len(desa)+stuckPageSize-1)/stuckPageSize {
		t.Errorf("stuck pages listed %d cases on %d pages, want %d", len(seen), pages, len(desa))
	}
}

// taskItems splits the task list into its items by family name.
func taskItems(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, li := range strings.Split(page, `<li class="task`)[1:] {
		li = li[:strings.Index(li, "</li>")]
		m := regexp.MustCompile(`<strong class="name">([^<]+)</strong>`).FindStringSubmatch(li)
		if m == nil {
			t.Fatalf("task item without a name: %s", li)
		}
		out[m[1]] = li
	}
	return out
}

func TestTaskListMarksOverdueTasksAndSearchesAddresses(t *testing.T) {
	e := newEnv(t)
	siti, budi := e.hh["SITI AMINAH"], e.hh["BUDI SANTOSO"]
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", siti).Update("address", "Dusun Sumberjo RT 003 RW 001").Error; err != nil {
		t.Fatal(err)
	}
	// BUDI's visit was due two days ago; SITI's is due in ten days.
	if err := e.st.DB.Model(&store.Task{}).Where("household_id = ?", budi).Update("due_at", t0.Add(-48*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	desa1 := e.login("desa1")

	items := taskItems(t, desa1.get("/tugas").Body.String())
	if len(items) != 2 {
		t.Fatalf("task list: %d items, want Jaten's 2", len(items))
	}
	if li := items["BUDI SANTOSO"]; !strings.HasPrefix(li, ` overdue"`) || !strings.Contains(li, `<span class="badge late">Terlambat</span>`) {
		t.Errorf("an overdue task is not marked:\n%s", li)
	}
	if li := items["SITI AMINAH"]; strings.HasPrefix(li, ` overdue"`) || strings.Contains(li, "Terlambat") || !strings.Contains(li, "10 hari lagi") {
		t.Errorf("a task due in ten days is marked or lacks its days left:\n%s", li)
	}
	// Overdue first: the most urgent task leads the list.
	if page := desa1.get("/tugas").Body.String(); strings.Index(page, "BUDI SANTOSO") > strings.Index(page, "SITI AMINAH") {
		t.Error("the overdue task is not first")
	}
	if items := taskItems(t, desa1.get("/tugas?terlambat=1").Body.String()); len(items) != 1 || items["BUDI SANTOSO"] == "" {
		t.Errorf("only the overdue: %v", slices.Collect(maps.Keys(items)))
	}
	if page := desa1.get(fmt.Sprintf("/tugas/%d", budi)).Body.String(); !strings.Contains(page, `<span class="badge late">Terlambat</span>`) {
		t.Error("the overdue task's page does not say so")
	}
	if page := desa1.get(fmt.Sprintf("/tugas/%d", siti)).Body.String(); strings.Contains(page, "Terlambat") {
		t.Error("a task on time is marked overdue on its page")
	}

	// Search by address, in any case, and by part of it.
	for _, q := range []string{"sumberjo", "DUSUN SUMBERJO", "rt 003"} {
		items := taskItems(t, desa1.get("/tugas?q="+url.QueryEscape(q)).Body.String())
		if len(items) != 1 || items["SITI AMINAH"] == "" {
			t.Errorf("search %q: %v, want SITI AMINAH only", q, slices.Collect(maps.Keys(items)))
		}
	}
	// An address in another desa is not found.
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", e.hh["WARSINI"]).Update("address", "Dusun Sumberjo RT 009").Error; err != nil {
		t.Fatal(err)
	}
	if items := taskItems(t, desa1.get("/tugas?q=rt+009").Body.String()); len(items) != 0 {
		t.Errorf("search found another desa's family: %v", slices.Collect(maps.Keys(items)))
	}
}

// A form over 1 MiB (a pasted text in a visit's indicator) is answered 413
// with the limit, and nothing reaches the workflow; the meeting's form,
// which carries the scanned berita acara, keeps its larger limit.
func TestFormOverTheLimitIs413(t *testing.T) {
	e := newEnv(t)
	// No UpdateWorkflow is expected: the mock fails the test on one.
	desa1 := e.login("desa1")
	id := e.hh["SITI AMINAH"]
	form := url.Values{"outcome": {"eligible"}, "visitDate": {"2026-05-04"}, "jenisLantai": {"Tanah"}, "jenisDinding": {"Bambu"},
		"jenisAtap": {"Genteng"}, "sumberAirMinum": {strings.Repeat("x", 2<<20)}, "version": {"0"}}
	w := desa1.post(fmt.Sprintf("/tugas/%d", id), form)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "Kiriman terlalu besar: paling besar 1 MB; tidak ada yang disimpan.") {
		t.Errorf("2 MiB visit form: %d %.300s, want 413 naming 1 MB", w.Code, w.Body.String())
	}
	w = desa1.post("/musyawarah", url.Values{"notes": {strings.Repeat("x", 2<<20)}})
	if w.Code == http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB meeting form (which may carry a 10 MB scan) was refused as too large")
	}
}

// The upload page lists the P3KE file's columns, the required ones
// marked, and links to a sample file for the cycle's regency that intake
// accepts whole (docs/p3ke.md).
func TestUploadPageListsColumnsAndSample(t *testing.T) {
	e := newEnv(t)
	b := e.login("dinsos")
	page := b.get("/unggah").Body.String()
	for _, col := range p3ke.Columns() {
		if !strings.Contains(page, "<code>"+col+"</code>") {
			t.Errorf("upload page does not list column %s", col)
		}
	}
	if !strings.Contains(page, "<code>no_kk</code> <strong>wajib</strong>") || strings.Contains(page, "<code>pekerjaan</code> <strong>wajib</strong>") {
		t.Errorf("upload page does not mark the required columns")
	}
	link := fmt.Sprintf(`href="/unggah/contoh.csv?siklus=%d"`, e.cycle.ID)
	if !strings.Contains(page, link) {
		t.Fatalf("upload page has no %s", link)
	}
	w := b.get(fmt.Sprintf("/unggah/contoh.csv?siklus=%d", e.cycle.ID))
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("sample: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	rep, err := p3ke.Check(strings.NewReader(w.Body.String()), p3ke.Options{Regency: e.cycle.RegencyCode})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != office.SampleIntakeSize || rep.Rejected+rep.Skipped+rep.Warnings != 0 {
		t.Errorf("sample file: %s", rep.Summary)
	}
	if w := e.login("desa1").get("/unggah/contoh.csv"); w.Code != http.StatusForbidden {
		t.Errorf("village officer gets the sample: %d", w.Code)
	}
}

// The upload page sets the cycle's scope before its first upload: a cycle
// without an intake takes desil 1 to 4 and the page shows it chosen; the
// form refuses a desil past 5 at its field, and a cycle with an intake
// keeps its scope.
func TestUploadPageSetsTheScope(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fresh := store.Cycle{RegencyCode: "35.05", Year: 2027, VerificationDays: 30, OpenedAt: t0}
	if err := e.st.CreateCycle(ctx, &fresh); err != nil {
		t.Fatal(err)
	}
	b := e.login("dinsos")
	w := b.post("/unggah/cakupan", url.Values{"siklus": {fmt.Sprint(fresh.ID)}, "desil": {"4"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/unggah?siklus=%d&cakupan=1", fresh.ID) {
		t.Fatalf("scope form: %d %s", w.Code, w.Header().Get("Location"))
	}
	var got store.Cycle
	if err := e.st.DB.First(&got, fresh.ID).Error; err != nil || got.MaxDesil != 4 {
		t.Fatalf("stored scope %d (%v)", got.MaxDesil, err)
	}
	page := b.get(fmt.Sprintf("/unggah?siklus=%d&cakupan=1", fresh.ID)).Body.String()
	if !strings.Contains(page, `<option value="4" selected>`) || !strings.Contains(page, "Cakupan tersimpan.") || !strings.Contains(page, "Keluarga desil 1 sampai 4 masuk verifikasi") {
		t.Errorf("upload page after the scope: %s", page)
	}
	w = b.post("/unggah/cakupan", url.Values{"siklus": {fmt.Sprint(fresh.ID)}, "desil": {"6"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Isi desil tertinggi yang masuk verifikasi, 1 sampai 5.") {
		t.Errorf("desil 6: %d", w.Code)
	}
	w = b.post("/unggah/cakupan", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "desil": {"2"}})
	if w.Code != http.StatusConflict {
		t.Errorf("scope of a cycle with an intake: %d", w.Code)
	}
}

// The upload page counts the cycle's families outside its scope per
// desil, families and people, with their sum; a cycle without any says
// so.
func TestUploadPageCountsReferenceFamilies(t *testing.T) {
	e := newEnv(t)
	for _, r := range []store.ReferenceFamily{
		{Row: 2, FamilyID: "DTSEN-1", Desil: 2, DesaCode: jaten, Members: 4},
		{Row: 7, FamilyID: "DTSEN-2", Desil: 2, DesaCode: salam, Members: 3},
		{Row: 11, FamilyID: "DTSEN-3", Desil: 10, DesaCode: jaten, Members: 1234},
	} {
		r.CycleID, r.IntakeID = e.cycle.ID, 1
		if err := e.st.DB.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
	b := e.login("dinsos")
	page := b.get(fmt.Sprintf("/unggah?siklus=%d", e.cycle.ID)).Body.String()
	for _, want := range []string{
		"Keluarga di luar cakupan (rujukan)",
		`<tr><td data-label="Desil">2</td><td data-label="Keluarga (KK)" class="num">2</td><td data-label="Jiwa" class="num">7</td></tr>`,
		`<tr><td data-label="Desil">10</td><td data-label="Keluarga (KK)" class="num">1</td><td data-label="Jiwa" class="num">1.234</td></tr>`,
		`<tfoot><tr><th scope="row">Jumlah</th><td data-label="Keluarga (KK)" class="num">3</td><td data-label="Jiwa" class="num">1.241</td></tr></tfoot>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("upload page lacks %s", want)
		}
	}
	fresh := store.Cycle{RegencyCode: "35.05", Year: 2027, VerificationDays: 30, OpenedAt: t0, MaxDesil: 3}
	if err := e.st.CreateCycle(t.Context(), &fresh); err != nil {
		t.Fatal(err)
	}
	page = b.get(fmt.Sprintf("/unggah?siklus=%d", fresh.ID)).Body.String()
	if !strings.Contains(page, "Belum ada keluarga di luar cakupan desil 1 sampai 3 dalam berkas yang diunggah.") {
		t.Errorf("a cycle without reference families: %s", page)
	}
}

// The village officer corrects the household's members on the task page:
// a birth is added and shown on the task and household pages (its name
// masked for the administrator, as a head's); a death dated in the future
// comes back with its message next to the date; the change is in the
// household's history (its audit trail) without the name.
func TestTaskPageCorrectsMembers(t *testing.T) {
	e := newEnv(t)
	id := e.hh["SITI AMINAH"]
	desa1 := e.login("desa1")
	w := desa1.post(fmt.Sprintf("/tugas/%d/anggota", id), url.Values{"change": {"born"}, "name": {"PUTRI AYU"}, "sex": {"P"}, "date": {"2026-01-15"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/tugas/%d?anggota=1", id) {
		t.Fatalf("birth: %d %s", w.Code, w.Header().Get("Location"))
	}
	page := desa1.get(fmt.Sprintf("/tugas/%d?anggota=1", id)).Body.String()
	if !strings.Contains(page, "Koreksi anggota keluarga tersimpan.") || !strings.Contains(page, "<td>PUTRI AYU</td>") || !strings.Contains(page, "dicatat saat kunjungan") {
		t.Errorf("task page after the birth lacks the member")
	}
	w = desa1.post(fmt.Sprintf("/tugas/%d/anggota", id), url.Values{"change": {"born"}, "name": {"X"}, "sex": {"L"}, "date": {"2099-01-01"}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a birth in the future: %d", w.Code)
	}
	if f := field(t, w.Body.String(), "date"); !strings.Contains(f, "Isi tanggal sebagai YYYY-MM-DD, tidak di masa depan.") {
		t.Errorf("the date's message is not next to it: %s", f)
	}
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "admin", Password: password, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	hp := e.login("admin").get(fmt.Sprintf("/rumah-tangga/%d", id)).Body.String()
	if strings.Contains(hp, "PUTRI AYU") || !strings.Contains(hp, "Anggota keluarga dikoreksi saat kunjungan") {
		t.Errorf("the administrator's household page shows the member's name, or not the audit entry")
	}
	var audit store.AuditEntry
	if err := e.st.DB.Where("household_id = ? AND action = ?", id, "household.member").First(&audit).Error; err != nil || strings.Contains(audit.Detail, "PUTRI") {
		t.Errorf("audit %+v (%v)", audit, err)
	}
}

// "Data ganda" names the other household by picking it by name among the
// desa's households of the cycle (the household number is shown nowhere):
// the task page's select lists the desa's other households, not the task's
// own nor another desa's, and keeps the choice when the form comes back.
func TestDuplicateIsPickedByName(t *testing.T) {
	e := newEnv(t)
	desa1 := e.login("desa1")
	siti, budi, warsini := e.hh["SITI AMINAH"], e.hh["BUDI SANTOSO"], e.hh["WARSINI"]
	f := field(t, desa1.get(fmt.Sprintf("/tugas/%d", siti)).Body.String(), "duplicateOf")
	if !strings.Contains(f, `<select id="duplicateOf" name="duplicateOf"`) ||
		!strings.Contains(f, fmt.Sprintf(`<option value="%d">BUDI SANTOSO — Dusun Krajan RT 001</option>`, budi)) {
		t.Errorf("the duplicate field does not offer BUDI SANTOSO by name:\n%s", f)
	}
	for _, other := range []int64{siti, warsini} {
		if strings.Contains(f, fmt.Sprintf(`value="%d"`, other)) {
			t.Errorf("the duplicate field offers household %d:\n%s", other, f)
		}
	}
	// A refused form (no note) comes back with the choice kept.
	w := desa1.post(fmt.Sprintf("/tugas/%d", siti), url.Values{"outcome": {"duplicate"}, "duplicateOf": {"x"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "duplicateOf"), "Pilih rumah tangga yang sama dari daftar.") {
		t.Errorf("a duplicate that is not picked from the list: %d", w.Code)
	}
	e.temporal.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(nil, temporalx.Refuse(domain.FieldErr("note", domain.CodeVisitNote))).Once()
	w = desa1.post(fmt.Sprintf("/tugas/%d", siti), url.Values{"outcome": {"duplicate"}, "duplicateOf": {fmt.Sprint(budi)}})
	if f := field(t, w.Body.String(), "duplicateOf"); !strings.Contains(f, fmt.Sprintf(`<option value="%d" selected>`, budi)) {
		t.Errorf("the refused form lost the duplicate picked (%d):\n%s", w.Code, f)
	}
}

// The desa's household list is the caller's region's and masked for the
// roles that do not see names: an administrator gets initials and no
// address, a village officer of another desa nothing.
func TestDesaHouseholdsMaskedPerRole(t *testing.T) {
	e := newEnv(t)
	o := office.New(office.Deps{Store: e.st, Temporal: e.temporal, Log: storetest.Logger(t), Now: e.clock.Now})
	ctx := t.Context()
	list := func(p auth.Principal) ([]store.HouseholdChoice, error) {
		return o.DesaHouseholds(ctx, office.Caller{Principal: p}, e.cycle.ID, jaten)
	}
	got, err := list(auth.Principal{Role: auth.RoleVillage, Region: jaten})
	if err != nil || len(got) != 2 || got[0].Name != "BUDI SANTOSO" || got[1].Name != "SITI AMINAH" || got[0].Address != "Dusun Krajan RT 001" {
		t.Errorf("village officer of Jaten: %+v, %v", got, err)
	}
	got, err = list(auth.Principal{Role: auth.RoleAdmin})
	if err != nil || len(got) != 2 || got[0].Name == "BUDI SANTOSO" || got[0].Address != office.HiddenAddress {
		t.Errorf("administrator: %+v, %v; want names masked, addresses hidden", got, err)
	}
	if got, err := list(auth.Principal{Role: auth.RoleVillage, Region: salam}); err == nil || len(got) > 0 {
		t.Errorf("village officer of Salam: %+v, %v; want not found", got, err)
	}
}

// TestTaskListKeepsItsTasks: the task list of a role that visits carries
// the note (#luring) by which field.js asks the service worker to keep
// every listed task page for use without a signal; the next-page flag is
// set only when the list has more pages. The TKSK, who does not visit,
// has no such note: nothing is fetched ahead for it.
func TestTaskListKeepsItsTasks(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		user, note string
	}{
		{"desa1", `<p class="hint" id="luring" hidden aria-live="polite"></p>`},
		{"psm1", `<p class="hint" id="luring" hidden aria-live="polite"></p>`},
		{"tksk", ""},
	} {
		body := e.login(c.user).get("/tugas").Body.String()
		if got := strings.Contains(body, `id="luring"`); got != (c.note != "") || (c.note != "" && !strings.Contains(body, c.note)) {
			t.Errorf("%s's task list: note %v, want %q", c.user, got, c.note)
		}
		if !strings.Contains(body, `href="/tugas/`) {
			t.Errorf("%s's task list lists no task", c.user)
		}
	}
}
