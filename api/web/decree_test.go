package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/stretchr/testify/mock"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/temporalx"
	"github.com/verval/verval/workflows"
)

// officeFake is what the real office (internal/office) asked of the mock
// Temporal client, and what the test makes Temporal answer: the decree
// steps (Updates) and their refusal, the workflows started, and whether
// the "answers uploaded" signal goes through.
type officeFake struct {
	steps []officeStep
	// stepErr is what the decree workflow's Update answers.
	stepErr error
	// started are the IDs of the workflows started.
	started []string
	// signalErr is what signalling a batch's workflow answers.
	signalErr error
}

// wire makes the mock Temporal client record into f and answer from it.
func (f *officeFake) wire(e *env) {
	isDecree := mock.MatchedBy(func(o client.UpdateWorkflowOptions) bool { return strings.HasPrefix(o.WorkflowID, "decree-") })
	e.temporal.On("UpdateWorkflow", mock.Anything, isDecree).Return(func(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
		r := o.Args[0].(workflows.DecreeRequest)
		id, _ := strconv.ParseInt(strings.TrimPrefix(o.WorkflowID, "decree-"), 10, 64)
		f.steps = append(f.steps, officeStep{decree: id, update: o.UpdateName, updateID: o.UpdateID, req: r, actor: r.Actor})
		if f.stepErr != nil {
			return nil, f.stepErr
		}
		h := mocks.NewWorkflowUpdateHandle(e.t)
		h.On("Get", mock.Anything, mock.Anything).Return(func(_ context.Context, v any) error {
			*v.(*workflows.DecreeState) = workflows.DecreeState{Status: domain.DecreeSigned}
			return nil
		}).Maybe()
		return h, nil
	}).Maybe()
	e.temporal.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
			f.started = append(f.started, o.ID)
			return nil, nil
		}).Maybe()
	e.temporal.On("SignalWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(context.Context, string, string, string, any) error { return f.signalErr }).Maybe()
}

type officeStep struct {
	decree           int64
	update, updateID string
	req              workflows.DecreeRequest
	actor            domain.Actor
}

// seedDecree stores a decree of the env's cycle in status listing SITI
// AMINAH and BUDI SANTOSO (Desa Jaten) and WARSINI (Desa Salam), all of
// Kecamatan Wonodadi.
func (e *env) seedDecree(status domain.DecreeStatus) *store.Decree {
	e.t.Helper()
	d := &store.Decree{CycleID: e.cycle.ID, RegencyCode: "35.05", Kind: domain.DecreeInitial, Status: status, Households: 3, CreatedAt: t0}
	if status == domain.DecreeSigned {
		n := fmt.Sprintf("188/%d/KEP/2026", time.Now().UnixNano()%100000)
		d.Number, d.SignedDate = &n, "2026-05-04"
	}
	if status == domain.DecreeReturned {
		d.ReturnReason = "lampiran belum diparaf camat"
	}
	if err := e.st.DB.Create(d).Error; err != nil {
		e.t.Fatal(err)
	}
	for _, name := range []string{"SITI AMINAH", "BUDI SANTOSO", "WARSINI"} {
		if err := e.st.DB.Create(&store.DecreeItem{DecreeID: d.ID, HouseholdID: e.hh[name], Action: "add"}).Error; err != nil {
			e.t.Fatal(err)
		}
	}
	return d
}

// seedProposal stores a batch of the env's cycle in status, backed by a
// signed decree, listing SITI AMINAH.
func (e *env) seedProposal(status domain.ProposalStatus) *store.Proposal {
	e.t.Helper()
	d := e.seedDecree(domain.DecreeSigned)
	p := &store.Proposal{CycleID: e.cycle.ID, DecreeID: d.ID, Month: "2026-05", Status: status, Items: 1, CreatedAt: t0}
	if err := e.st.DB.Create(p).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.DB.Create(&store.ProposalItem{ProposalID: p.ID, HouseholdID: e.hh["SITI AMINAH"], Jenis: "TAMBAH"}).Error; err != nil {
		e.t.Fatal(err)
	}
	return p
}

// lingga is another regency (Kab. Lingga, 21.04) with its own cycle,
// decree and batch, and its own Dinsos and bupati's office.
type lingga struct {
	cycle            store.Cycle
	decree, proposal int64
}

func (e *env) seedLingga() lingga {
	e.t.Helper()
	ctx := e.t.Context()
	for _, u := range []store.NewUser{
		{Username: "dinsos-lingga", Password: password, Name: "Dinsos Lingga", Role: auth.RoleDinsos, Region: "21.04"},
		{Username: "bupati-lingga", Password: password, Name: "Kantor Bupati Lingga", Role: auth.RoleBupati, Region: "21.04"},
	} {
		if _, err := e.st.CreateUser(ctx, u); err != nil {
			e.t.Fatal(err)
		}
	}
	l := lingga{cycle: store.Cycle{RegencyCode: "21.04", Year: 2026, VerificationDays: 30, OpenedAt: t0}}
	if err := e.st.CreateCycle(ctx, &l.cycle); err != nil {
		e.t.Fatal(err)
	}
	d := store.Decree{CycleID: l.cycle.ID, RegencyCode: "21.04", Kind: domain.DecreeInitial, Status: domain.DecreeSubmitted, CreatedAt: t0}
	if err := e.st.DB.Create(&d).Error; err != nil {
		e.t.Fatal(err)
	}
	p := store.Proposal{CycleID: l.cycle.ID, DecreeID: d.ID, Month: "2026-05", Status: domain.ProposalSubmitted, CreatedAt: t0}
	if err := e.st.DB.Create(&p).Error; err != nil {
		e.t.Fatal(err)
	}
	l.decree, l.proposal = d.ID, p.ID
	return l
}

// upload posts a multipart form with one file in field "file" and the
// session's CSRF token (unless token is given).
func (b *browser) upload(path, name string, content []byte, token ...string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	return b.uploadForm(path, nil, name, content, token...)
}

// uploadForm is upload with more form fields.
func (b *browser) uploadForm(path string, fields map[string]string, name string, content []byte, token ...string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	tok := csrfToken(b.cookie)
	if len(token) > 0 {
		tok = token[0]
	}
	if tok != "" {
		_ = mw.WriteField(csrfField, tok)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: b.cookie})
	w := httptest.NewRecorder()
	b.e.r.ServeHTTP(w, req)
	return w
}

func TestDecreeNavigationAndHome(t *testing.T) {
	has := func(r auth.Role, href string) bool {
		return slices.ContainsFunc(navFor(r), func(n navItem) bool { return n.Href == href })
	}
	for _, c := range []struct {
		role         auth.Role
		sk, proposal bool
	}{
		{auth.RoleVillage, false, false}, {auth.RoleTKSK, false, false}, {auth.RoleBupati, true, false},
		{auth.RoleDinsos, true, true}, {auth.RoleAdmin, true, true},
	} {
		if has(c.role, "/sk") != c.sk || has(c.role, "/usulan") != c.proposal {
			t.Errorf("%s: nav %+v", c.role, navFor(c.role))
		}
	}
	e := newEnv(t)
	if w := e.login("bupati").get("/"); w.Header().Get("Location") != "/sk" {
		t.Errorf("the bupati's office lands on %q, want its decrees", w.Header().Get("Location"))
	}
	page := e.login("dinsos").get("/sk").Body.String()
	if !strings.Contains(page, `href="/sk" aria-current="page"`) || !strings.Contains(page, `href="/usulan"`) {
		t.Errorf("Dinsos' decree page lacks its navigation:\n%s", page)
	}
}

func TestDecreePageCountsAttachmentAndForms(t *testing.T) {
	e := newEnv(t)
	d := e.seedDecree(domain.DecreeSubmitted)
	bupati, dinsos := e.login("bupati"), e.login("dinsos")
	w := bupati.get(fmt.Sprintf("/sk/%d", d.ID))
	if w.Code != http.StatusOK {
		t.Fatalf("decree page: %d", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{
		"Kecamatan Wonodadi</th><td class=\"num\">3<", "Desa Jaten</td><td class=\"num\">2<", "Desa Salam</td><td class=\"num\">1<",
		fmt.Sprintf(`href="/api/v1/decrees/%d/attachment" download`, d.ID),
		fmt.Sprintf(`action="/sk/%d/tandatangani"`, d.ID), fmt.Sprintf(`action="/sk/%d/kembalikan"`, d.ID),
		`id="f-number"`, `id="f-date"`, `id="f-reason"`, `max="2026-05-04"`, `value="2026-05-04"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the bupati's decree page lacks %q", want)
		}
	}
	if n := strings.Count(page, `name="csrf" value="`+csrfToken(bupati.cookie)+`"`); n != 3 {
		t.Errorf("CSRF token in %d forms, want sign, return and logout", n)
	}
	// Names and addresses are in the attachment, not on the page.
	if strings.Contains(page, "SITI AMINAH") || strings.Contains(page, "Dusun Krajan") {
		t.Error("the decree page lists the families")
	}
	// Dinsos reads the submitted decree but neither signs nor returns it.
	page = dinsos.get(fmt.Sprintf("/sk/%d", d.ID)).Body.String()
	if strings.Contains(page, "/tandatangani") || strings.Contains(page, "/kembalikan") || strings.Contains(page, "/ajukan") {
		t.Error("Dinsos sees the bupati's forms, or a submit button on a submitted decree")
	}
	// A draft: Dinsos submits it; a returned decree: Dinsos revises it and reads why.
	draft, returned := e.seedDecree(domain.DecreeDraft), e.seedDecree(domain.DecreeReturned)
	if page := dinsos.get(fmt.Sprintf("/sk/%d", draft.ID)).Body.String(); !strings.Contains(page, fmt.Sprintf(`action="/sk/%d/ajukan"`, draft.ID)) {
		t.Error("Dinsos cannot submit a draft")
	}
	page = dinsos.get(fmt.Sprintf("/sk/%d", returned.ID)).Body.String()
	if !strings.Contains(page, fmt.Sprintf(`action="/sk/%d/revisi"`, returned.ID)) || !strings.Contains(page, "lampiran belum diparaf camat") {
		t.Error("Dinsos cannot revise a returned decree, or does not see why it was returned")
	}
	if page := bupati.get(fmt.Sprintf("/sk/%d", draft.ID)).Body.String(); strings.Contains(page, "/tandatangani") {
		t.Error("the bupati's office may sign a draft that was never submitted")
	}
	// The list shows every decree with its status.
	list := bupati.get("/sk").Body.String()
	for _, want := range []string{fmt.Sprintf(`href="/sk/%d"`, d.ID), "Menunggu tanda tangan Bupati", "Dikembalikan ke Dinas Sosial",
		fmt.Sprintf(`href="/api/v1/cycles/%d/report?format=xlsx"`, e.cycle.ID)} {
		if !strings.Contains(list, want) {
			t.Errorf("decree list lacks %q", want)
		}
	}
	if strings.Contains(list, `action="/sk"`) {
		t.Error("the bupati's office may draft decrees")
	}
}

func TestDinsosDraftsAndSubmitsADecree(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	if page := dinsos.get("/sk").Body.String(); !strings.Contains(page, "Belum ada keluarga yang menunggu SK") || strings.Contains(page, `action="/sk"`) {
		t.Errorf("nothing to decree, yet a draft button:\n%s", page)
	}
	// Nothing waiting: the store's refusal, in Indonesian.
	w := dinsos.post("/sk", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Belum ada keluarga yang menunggu SK") {
		t.Fatalf("draft with nothing waiting: %d", w.Code)
	}
	for _, name := range []string{"SITI AMINAH", "WARSINI"} {
		if err := e.st.DB.Model(&store.Household{}).Where("id = ?", e.hh[name]).Update("stage", "awaiting_decree").Error; err != nil {
			t.Fatal(err)
		}
	}
	if page := dinsos.get("/sk").Body.String(); !strings.Contains(page, "Susun rancangan SK (2 keluarga)") {
		t.Errorf("the draft button does not count the households waiting:\n%s", page)
	}
	w = dinsos.post("/sk", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}})
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !regexp.MustCompile(`^/sk/\d+\?disusun=1$`).MatchString(loc) {
		t.Fatalf("draft: %d %q", w.Code, loc)
	}
	page := dinsos.get(loc).Body.String()
	if !strings.Contains(page, "Rancangan SK tersusun") || !strings.Contains(page, "2 KK") || !strings.Contains(page, "/ajukan") {
		t.Fatalf("the new draft's page:\n%s", page)
	}
	if page := dinsos.get("/sk").Body.String(); !strings.Contains(page, "Belum ada keluarga yang menunggu SK") {
		t.Error("households in the open draft still counted as waiting")
	}
	var d store.Decree
	e.st.DB.Last(&d)
	w = dinsos.post(fmt.Sprintf("/sk/%d/ajukan", d.ID), url.Values{"kunci": {"a1b2c3"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/sk/%d?diajukan=1", d.ID) {
		t.Fatalf("submit: %d %q", w.Code, w.Header().Get("Location"))
	}
	u, _ := e.st.Authenticate(t.Context(), dinsos.cookie)
	if s := e.office.steps; len(s) != 1 || s[0].update != workflows.UpdateDecreeSubmit || s[0].decree != d.ID ||
		s[0].updateID != fmt.Sprintf("decree-submit-%d-u%d-a1b2c3-%s", d.ID, u.UserID, s[0].req.KeyHash) || s[0].req.KeyHash == "" ||
		s[0].req.Key != fmt.Sprintf("u%d-a1b2c3", u.UserID) || s[0].actor.UserID != u.UserID {
		t.Fatalf("submit step: %+v", s)
	}
}

// Dinsos withdraws (batalkan) a draft or a returned decree with a reason,
// through a CSRF-protected form; a submitted decree has no such form, an
// empty reason is refused beside the field, and a withdrawn decree shows
// why and offers no step.
func TestDinsosWithdrawsADecree(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	draft, returned, submitted := e.seedDecree(domain.DecreeDraft), e.seedDecree(domain.DecreeReturned), e.seedDecree(domain.DecreeSubmitted)
	for _, d := range []*store.Decree{draft, returned} {
		page := dinsos.get(fmt.Sprintf("/sk/%d", d.ID)).Body.String()
		if !strings.Contains(page, fmt.Sprintf(`action="/sk/%d/batalkan"`, d.ID)) || !strings.Contains(page, "Alasan pembatalan") {
			t.Errorf("no withdraw form on a %s decree", d.Status)
		}
		if n := strings.Count(page, `name="csrf" value="`+csrfToken(dinsos.cookie)+`"`); n != 3 {
			t.Errorf("%s decree: CSRF token in %d forms, want submit or revise, withdraw and logout", d.Status, n)
		}
	}
	if page := dinsos.get(fmt.Sprintf("/sk/%d", submitted.ID)).Body.String(); strings.Contains(page, "/batalkan") {
		t.Error("Dinsos may withdraw a decree the bupati's office is reviewing")
	}
	if page := e.login("bupati").get(fmt.Sprintf("/sk/%d", draft.ID)).Body.String(); strings.Contains(page, "/batalkan") {
		t.Error("the bupati's office sees Dinsos' withdraw form")
	}
	if w := e.do(dinsos, "POST", fmt.Sprintf("/sk/%d/batalkan", draft.ID), url.Values{"reason": {"x"}, csrfField: {""}}); w.Code != http.StatusForbidden {
		t.Errorf("withdraw without the CSRF token: %d, want 403", w.Code)
	}

	// An empty reason: the validator's refusal beside the field.
	e.office.stepErr = temporalx.Refuse(domain.FieldErr("reason", domain.CodeDecreeWithdrawReason))
	w := dinsos.post(fmt.Sprintf("/sk/%d/batalkan", returned.ID), url.Values{"reason": {" "}, "kunci": {"abc123"}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("withdraw without a reason: %d", w.Code)
	}
	if f := field(t, w.Body.String(), "withdraw-reason"); !strings.Contains(f, "Tuliskan alasan SK dibatalkan") || !strings.Contains(f, `aria-invalid="true"`) {
		t.Errorf("refusal not beside the reason:\n%s", f)
	}

	e.office.stepErr = nil
	e.office.steps = nil
	w = dinsos.post(fmt.Sprintf("/sk/%d/batalkan", draft.ID), url.Values{"reason": {" daftar keliru "}, "kunci": {"abc124"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/sk/%d?dibatalkan=1", draft.ID) {
		t.Fatalf("withdraw: %d %q", w.Code, w.Header().Get("Location"))
	}
	if s := e.office.steps; len(s) != 1 || s[0].update != workflows.UpdateDecreeWithdraw || s[0].req.Reason != "daftar keliru" || s[0].decree != draft.ID {
		t.Fatalf("withdraw step: %+v", s)
	}

	// Withdrawn: its reason, no step.
	if err := e.st.DB.Model(draft).Updates(map[string]any{"status": domain.DecreeWithdrawn, "withdraw_reason": "daftar keliru"}).Error; err != nil {
		t.Fatal(err)
	}
	page := dinsos.get(fmt.Sprintf("/sk/%d?dibatalkan=1", draft.ID)).Body.String()
	for _, want := range []string{"SK dibatalkan.", "Dibatalkan Dinas Sosial: daftar keliru", `class="badge d-withdrawn">Dibatalkan`} {
		if !strings.Contains(page, want) {
			t.Errorf("withdrawn decree page lacks %q", want)
		}
	}
	if strings.Contains(page, "/batalkan") || strings.Contains(page, "/ajukan") || strings.Contains(page, "/revisi") {
		t.Error("a withdrawn decree offers a step")
	}
	// With the other two decrees withdrawn and signed, the three
	// households waiting are counted for the next draft.
	for _, name := range []string{"SITI AMINAH", "BUDI SANTOSO", "WARSINI"} {
		if err := e.st.DB.Model(&store.Household{}).Where("id = ?", e.hh[name]).Update("stage", "awaiting_decree").Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.DB.Model(returned).Update("status", domain.DecreeWithdrawn).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Model(submitted).Update("status", domain.DecreeSigned).Error; err != nil {
		t.Fatal(err)
	}
	if list := dinsos.get("/sk").Body.String(); !strings.Contains(list, "Susun rancangan SK (3 keluarga)") {
		t.Errorf("households of withdrawn decrees are not counted as waiting:\n%s", list)
	}
}

func TestDecreeRefusalIsShownBesideItsField(t *testing.T) {
	for _, c := range []struct {
		name, path, field string
		err               error
		status            int
		want              string
	}{
		{"future date", "tandatangani", "date", temporalx.Refuse(domain.FieldErr("date", domain.CodeDateFuture)), 422, "Tanggal tidak boleh setelah hari ini."},
		{"malformed date", "tandatangani", "date", temporalx.Refuse(domain.FieldErr("date", domain.CodeDateMalformed)), 422, "Isi tanggal yang benar"},
		{"no number", "tandatangani", "number", temporalx.Refuse(domain.FieldErr("number", domain.CodeDecreeNumber)), 422, "Nomor SK wajib diisi"},
		{"number used", "tandatangani", "number", nil, 422,
			"Nomor SK ini sudah dipakai SK lain di kabupaten/kota ini."},
		// The same number signed a moment earlier by another tab: the
		// database's unique index, through the workflow's activity.
		{"number taken meanwhile", "tandatangani", "number",
			temporalx.Refuse(domain.Err(domain.CodeDecreeNumberUsed, "188/1/2026")), 409,
			"Nomor SK 188/1/2026 sudah dipakai SK lain"},
		{"no reason", "kembalikan", "reason", temporalx.Refuse(domain.FieldErr("reason", domain.CodeDecreeReturnReason)), 422, "Tuliskan alasan SK dikembalikan"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.seedDecree(domain.DecreeSubmitted)
			e.office.stepErr = c.err
			if c.err == nil {
				// The office's own check: another signed decree of the
				// regency has the number.
				taken := e.seedDecree(domain.DecreeSigned)
				e.st.DB.Model(taken).Update("number", "188/1/2026")
			}
			bupati := e.login("bupati")
			w := bupati.post(fmt.Sprintf("/sk/%d/%s", d.ID, c.path), url.Values{"number": {" 188/1/2026 "}, "date": {"2026-05-09"}, "reason": {""}, "kunci": {"abc123"}})
			if w.Code != c.status {
				t.Fatalf("refused step: %d, want %d", w.Code, c.status)
			}
			page := w.Body.String()
			if f := field(t, page, c.field); !strings.Contains(f, `class="field-error"`) || !strings.Contains(f, c.want) || !strings.Contains(f, `aria-invalid="true"`) {
				t.Fatalf("message %q not beside %s:\n%s", c.want, c.field, f)
			}
			if strings.Count(page, `class="field-error"`) != 1 {
				t.Error("messages beside other fields too")
			}
			if c.path == "tandatangani" && (!strings.Contains(page, `value="188/1/2026"`) || !strings.Contains(page, `value="2026-05-09"`)) {
				t.Error("the form lost what was typed")
			}
			if s := e.office.steps; c.err == nil && len(s) != 0 {
				t.Fatalf("a number the office knows is taken reached the workflow: %+v", s)
			} else if c.err != nil && (len(s) != 1 || !strings.Contains(s[0].updateID, "-abc123-") || !strings.HasSuffix(s[0].req.Key, "-abc123") || c.path == "tandatangani" &&
				(s[0].update != workflows.UpdateDecreeSign || s[0].req.Number != "188/1/2026" || s[0].req.Date != "2026-05-09")) {
				t.Fatalf("step sent: %+v", s)
			}
			if m := keyRE.FindStringSubmatch(page); m == nil || m[1] == "abc123" {
				t.Errorf("re-rendered form kept the refused attempt's key")
			}
		})
	}
	// A step the decree's status no longer allows: above the forms.
	e := newEnv(t)
	d := e.seedDecree(domain.DecreeSubmitted)
	e.office.stepErr = temporalx.Refuse(domain.Err(domain.CodeDecreeStep, domain.DecreeSigned, "signed"))
	w := e.login("bupati").post(fmt.Sprintf("/sk/%d/tandatangani", d.ID), url.Values{"number": {"188/1"}, "date": {"2026-05-04"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `role="alert">SK ini berstatus ditandatangani, jadi tidak dapat ditandatangani sekarang.`) {
		t.Fatalf("closed step: %d\n%s", w.Code, w.Body)
	}
}

func TestSigningRedirectsWithAFlash(t *testing.T) {
	e := newEnv(t)
	d := e.seedDecree(domain.DecreeSubmitted)
	bupati := e.login("bupati")
	w := bupati.post(fmt.Sprintf("/sk/%d/tandatangani", d.ID), url.Values{"number": {"188/7/KEP/2026"}, "date": {"2026-05-04"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/sk/%d?ditandatangani=1", d.ID) {
		t.Fatalf("sign: %d %q", w.Code, w.Header().Get("Location"))
	}
	if page := bupati.get(w.Header().Get("Location")).Body.String(); !strings.Contains(page, "SK ditandatangani.") {
		t.Error("no message after signing")
	}
	if s := e.office.steps; len(s) != 1 || s[0].req.Number != "188/7/KEP/2026" || s[0].req.Date != "2026-05-04" || s[0].actor.Role != "bupati" {
		t.Fatalf("sign step: %+v", s)
	}
}

func TestAnotherRegencysDecreeAndProposalAreNotFound(t *testing.T) {
	e := newEnv(t)
	l := e.seedLingga()
	own := e.seedDecree(domain.DecreeSubmitted)
	bupati, dinsos := e.login("bupati"), e.login("dinsos")
	for _, c := range []struct {
		b      *browser
		method string
		path   string
	}{
		{bupati, "GET", fmt.Sprintf("/sk/%d", l.decree)},
		{bupati, "POST", fmt.Sprintf("/sk/%d/tandatangani", l.decree)},
		{bupati, "POST", fmt.Sprintf("/sk/%d/kembalikan", l.decree)},
		{dinsos, "GET", fmt.Sprintf("/sk/%d", l.decree)},
		{dinsos, "POST", fmt.Sprintf("/sk/%d/ajukan", l.decree)},
		{dinsos, "POST", fmt.Sprintf("/sk/%d/batalkan", l.decree)},
		{dinsos, "POST", "/sk"},
		{dinsos, "GET", fmt.Sprintf("/usulan/%d", l.proposal)},
		{dinsos, "POST", fmt.Sprintf("/usulan/%d/kirim", l.proposal)},
		{dinsos, "POST", "/usulan"},
	} {
		var w *httptest.ResponseRecorder
		if c.method == "GET" {
			w = c.b.get(c.path)
		} else {
			w = c.b.post(c.path, url.Values{"siklus": {fmt.Sprint(l.cycle.ID)}, "number": {"188/1"}, "date": {"2026-05-04"}, "reason": {"x"}})
		}
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Data tidak ditemukan") {
			t.Errorf("%s %s of Kab. Lingga as Kab. Blitar: %d, want 404", c.method, c.path, w.Code)
		}
	}
	if w := dinsos.upload(fmt.Sprintf("/usulan/%d/jawaban", l.proposal), "jawaban.csv", []byte("no_kk\n")); w.Code != http.StatusNotFound {
		t.Errorf("answer file for another regency's batch: %d, want 404", w.Code)
	}
	if len(e.office.steps) != 0 {
		t.Fatalf("a step reached another regency's decree: %+v", e.office.steps)
	}
	// Lingga's own office sees its decree, not Blitar's.
	lb := e.login("bupati-lingga")
	if w := lb.get(fmt.Sprintf("/sk/%d", l.decree)); w.Code != http.StatusOK {
		t.Errorf("Lingga's own decree: %d", w.Code)
	}
	if w := lb.get(fmt.Sprintf("/sk/%d", own.ID)); w.Code != http.StatusNotFound {
		t.Errorf("Blitar's decree as Lingga: %d", w.Code)
	}
	if list := lb.get(fmt.Sprintf("/sk?siklus=%d", e.cycle.ID)).Body.String(); strings.Contains(list, fmt.Sprintf(`href="/sk/%d"`, own.ID)) {
		t.Error("Lingga's decree list shows Blitar's decree")
	}
}

func TestDecreeAndProposalPostsNeedTheCSRFToken(t *testing.T) {
	e := newEnv(t)
	d := e.seedDecree(domain.DecreeSubmitted)
	p := e.seedProposal(domain.ProposalSubmitted)
	bupati, dinsos := e.login("bupati"), e.login("dinsos")
	for _, tok := range []string{"", csrfToken(dinsos.cookie)} {
		if w := e.do(bupati, "POST", fmt.Sprintf("/sk/%d/tandatangani", d.ID), url.Values{"number": {"188/1"}, "date": {"2026-05-04"}, csrfField: {tok}}); w.Code != http.StatusForbidden {
			t.Errorf("sign with token %q: %d, want 403", tok, w.Code)
		}
	}
	if w := e.do(bupati, "POST", fmt.Sprintf("/sk/%d/tandatangani", d.ID), url.Values{"number": {"188/1"}, csrfField: {csrfToken(bupati.cookie)}},
		"Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Errorf("cross-site sign: %d, want 403", w.Code)
	}
	for _, tok := range []string{"", csrfToken(bupati.cookie)} {
		if w := dinsos.upload(fmt.Sprintf("/usulan/%d/jawaban", p.ID), "jawaban.csv", []byte("no_kk\n"), tok); w.Code != http.StatusForbidden {
			t.Errorf("answer file with token %q: %d, want 403", tok, w.Code)
		}
	}
	if w := e.do(dinsos, "POST", "/sk", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}}); w.Code != http.StatusForbidden {
		t.Errorf("draft without token: %d, want 403", w.Code)
	}
	if len(e.office.steps) != 0 || len(e.office.started) != 0 {
		t.Fatalf("a post without the token got through: %+v %v", e.office.steps, e.office.started)
	}
}

func TestProposalPages(t *testing.T) {
	e := newEnv(t)
	dinsos := e.login("dinsos")
	// No signed decree yet: the store's refusal, in Indonesian.
	if err := e.st.DB.Model(&store.Household{}).Where("id = ?", e.hh["WARSINI"]).Update("stage", "awaiting_proposal").Error; err != nil {
		t.Fatal(err)
	}
	w := dinsos.post("/usulan", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "month": {"2026-06"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Usulan memerlukan SK yang sudah ditandatangani") {
		t.Fatalf("batch without a signed decree: %d", w.Code)
	}
	e.seedDecree(domain.DecreeSigned)
	page := dinsos.get("/usulan").Body.String()
	if !strings.Contains(page, "Susun usulan (1 keluarga)") || !strings.Contains(page, `value="2026-05"`) || !strings.Contains(page, "Mei 2026") {
		t.Fatalf("proposal page before the batch:\n%s", page)
	}
	w = dinsos.post("/usulan", url.Values{"siklus": {fmt.Sprint(e.cycle.ID)}, "month": {"2026-06"}})
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !regexp.MustCompile(`^/usulan/\d+\?disusun=1$`).MatchString(loc) {
		t.Fatalf("build: %d %q", w.Code, loc)
	}
	var p store.Proposal
	e.st.DB.Last(&p)
	page = dinsos.get(loc).Body.String()
	for _, want := range []string{"Usulan Juni 2026", "Usulan tersusun.", fmt.Sprintf(`href="/api/v1/proposals/%d/file" download`, p.ID),
		fmt.Sprintf(`action="/usulan/%d/kirim"`, p.ID), "Belum dikirim"} {
		if !strings.Contains(page, want) {
			t.Errorf("new batch's page lacks %q", want)
		}
	}
	if strings.Contains(page, "/jawaban") {
		t.Error("answers can be uploaded before the batch is sent")
	}
	w = dinsos.post(fmt.Sprintf("/usulan/%d/kirim", p.ID), nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/usulan/%d?terkirim=1", p.ID) {
		t.Fatalf("submit: %d %q", w.Code, w.Header().Get("Location"))
	}
	page = dinsos.get(w.Header().Get("Location")).Body.String()
	if !strings.Contains(page, fmt.Sprintf(`action="/usulan/%d/jawaban"`, p.ID)) || strings.Contains(page, "/kirim") || !strings.Contains(page, "Terkirim, menunggu jawaban Kemensos") {
		t.Fatalf("sent batch's page:\n%s", page)
	}
	if w := dinsos.post(fmt.Sprintf("/usulan/%d/kirim", p.ID), nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "sudah ditandai terkirim") {
		t.Errorf("submitted twice: %d", w.Code)
	}
	// The administrator reads the batch, with no download and no step.
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Username: "admin", Password: password, Name: "Admin", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	page = e.login("admin").get(fmt.Sprintf("/usulan/%d", p.ID)).Body.String()
	if strings.Contains(page, "/file") || strings.Contains(page, "/jawaban") || strings.Contains(page, `action="/usulan"`) {
		t.Error("the administrator sees Dinsos' steps")
	}
}

func TestRefusedAnswerFileListsItsRowsAndAppliesNothing(t *testing.T) {
	e := newEnv(t)
	p := e.seedProposal(domain.ProposalSubmitted)
	dinsos := e.login("dinsos")
	path := fmt.Sprintf("/usulan/%d/jawaban", p.ID)

	// Row 2 names a household the batch does not hold; row 3 answers
	// SITI AMINAH with a status Kemensos does not use.
	bad := "no_kk,nik,status,alasan,tanggal_penetapan\n3505019999999999,,DITETAPKAN,,2026-05-04\n" +
		sitiKK + "," + sitiNIK + ",BAGUS,,2026-05-04\n"
	w := dinsos.upload(path, "jawaban.csv", []byte(bad))
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused file: %d", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{"Berkas jawaban ditolak: 2 baris bermasalah. Tidak ada jawaban yang diterapkan",
		`<table class="list row-errors stack">`, `<tr><td data-label="Baris">2</td><td data-label="Kolom">no_kk</td><td data-label="Alasan">Tidak ada keluarga di usulan ini dengan no_kk 350501********99.</td></tr>`,
		`<tr><td data-label="Baris">3</td><td data-label="Kolom">status</td><td data-label="Alasan">Harus DITETAPKAN atau DITOLAK; tertulis &#34;BAGUS&#34;.</td></tr>`} {
		if !strings.Contains(page, want) {
			t.Errorf("refused file's page lacks %q", want)
		}
	}
	var answered int64
	e.st.DB.Model(&store.ProposalItem{}).Where("proposal_id = ? AND answer <> ''", p.ID).Count(&answered)
	if answered != 0 {
		t.Errorf("a refused file applied %d answers", answered)
	}

	// Unreadable: the message beside the file field.
	w = dinsos.upload(path, "jawaban.csv", []byte("no_kk,nik,alasan,tanggal_penetapan\n"))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "file"), "tidak memuat kolom wajib: status") {
		t.Fatalf("unreadable file: %d\n%s", w.Code, w.Body)
	}
	// No file at all.
	if w := dinsos.post(path, url.Values{}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "file"), "Pilih berkas") {
		t.Fatalf("no file: %d", w.Code)
	}
	good := "no_kk,nik,status,alasan,tanggal_penetapan\n" + sitiKK + "," + sitiNIK + ",DITETAPKAN,,2026-05-04\n"
	// A batch not sent yet: the store's refusal.
	draft := e.seedProposal(domain.ProposalDraft)
	if w := dinsos.upload(fmt.Sprintf("/usulan/%d/jawaban", draft.ID), "jawaban.csv", []byte(good)); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "belum ditandai terkirim") {
		t.Fatalf("answers to a batch not sent: %d\n%s", w.Code, w.Body)
	}
	if w := dinsos.upload(path, "jawaban.csv", []byte(good)); w.Code != http.StatusSeeOther || w.Header().Get("Location") != path[:len(path)-len("/jawaban")]+"?diterapkan=1" {
		t.Fatalf("good file: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
}

// sitiNIK and sitiKK are SITI AMINAH's numbers, as newEnvDB seeds them.
const sitiNIK, sitiKK = "3505015503800001", "3505010101200001"

// Answers stored whose batch workflow could not be told: the page says
// they are stored and how to hand them over, not a bare error.
func TestStoredAnswersNotGivenAreExplained(t *testing.T) {
	e := newEnv(t)
	p := e.seedProposal(domain.ProposalSubmitted)
	e.office.signalErr = fmt.Errorf("temporal down")
	good := "no_kk,nik,status,alasan,tanggal_penetapan\n" + sitiKK + "," + sitiNIK + ",DITETAPKAN,,2026-05-04\n"
	w := e.login("dinsos").upload(fmt.Sprintf("/usulan/%d/jawaban", p.ID), "jawaban.csv", []byte(good))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Jawaban tersimpan (1 jawaban baru)") ||
		!strings.Contains(w.Body.String(), "Unggah lagi berkas yang sama") {
		t.Fatalf("stored answers not given: %d\n%s", w.Code, w.Body)
	}
}

// Every refusal the office can give reads in Indonesian, with no more
// arguments than its English message; the ones whose arguments are codes
// name them in words.
func TestEveryRefusalHasIndonesian(t *testing.T) {
	for _, code := range domain.Codes() {
		text, ok := errorTexts[code]
		if !ok {
			t.Errorf("no Indonesian for %s", code)
			continue
		}
		// The Indonesian may leave trailing arguments out (a version the
		// page's reload shows anyway), never ask for more than there are.
		want := domain.ArgCount(code)
		if got := strings.Count(text, "%s"); got > want {
			t.Errorf("%s: the Indonesian takes %d arguments, the English gives %d", code, got, want)
		}
		args := make([]any, want)
		for i := range args {
			args[i] = fmt.Sprintf("arg%d", i)
		}
		if got := errorText(domain.Err(code, args...)); strings.Contains(got, "%") || got == "" {
			t.Errorf("%s reads %q", code, got)
		}
	}
	for code := range errorTexts {
		if !domain.Known(code) {
			t.Errorf("Indonesian for %s, which the office never gives", code)
		}
	}
	for _, c := range []struct {
		err  *domain.Error
		want string
	}{
		{domain.Err(domain.CodeDecreeStep, domain.DecreeReturned, "signed"), "SK ini berstatus dikembalikan, jadi tidak dapat ditandatangani sekarang. Muat ulang halaman."},
		{domain.Err(domain.CodeDecreeChanged, domain.DecreeSigned, domain.DecreeSubmitted), "Status SK sudah berubah (ditandatangani). Muat ulang halaman."},
		{domain.Err(domain.CodeReopenPastVerified, domain.StageAwaitingDecree), "Keluarga ini sudah melewati tahap verifikasi desa (Menunggu SK Bupati)."},
		{domain.Err(domain.CodeVisitIndicators, domain.OutcomeNotPoor), "Jenis lantai, dinding dan atap wajib diisi untuk hasil Sudah mampu."},
		{domain.Err(domain.CodeDateBefore, "2026-05-03"), "Tanggal tidak boleh sebelum siklus verval dibuka (3 Mei 2026)."},
		{domain.Err(domain.CodeChangeEnrolled, "2026-02-02"), "Tanggal perubahan tidak boleh sebelum keluarga ini terdaftar sebagai penerima bantuan (2 Februari 2026)."},
		{domain.Err(domain.CodePhotoPixels, "40.5"), "Foto lebih dari 40,5 juta piksel; tidak ada yang disimpan."},
		{domain.Err(domain.CodeMeetingOpenTasks, 2), "Masih ada 2 keluarga di desa ini yang belum punya hasil kunjungan."},
	} {
		if got := errorText(c.err); got != c.want {
			t.Errorf("%s: %q, want %q", c.err.Code, got, c.want)
		}
	}
	// Every decree step word the workflow sends has its Indonesian verb.
	for _, st := range []string{"submitted", "returned", "revised", "signed", "withdrawn"} {
		if _, ok := decreeVerbs[st]; !ok {
			t.Errorf("no verb for the decree step %q", st)
		}
	}
}

// Every row error Kemensos' answer file parser gives reads in Indonesian.
func TestAnswerRowReasonsAreTranslated(t *testing.T) {
	kk := func(i int) string { return fmt.Sprintf("35050101012%05d", i) }
	nik := func(i int) string { return fmt.Sprintf("350501150380%04d", i) }
	proposed := map[string]int64{}
	for i := 1; i <= 9; i++ {
		proposed[kk(i)], proposed[nik(i)] = int64(i), int64(i)
	}
	match := func(noKK, n string) (int64, bool) {
		id, ok := proposed[noKK+n]
		return id, ok
	}
	file := "no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n" +
		kk(1) + ",,DITETAPKAN,,,2026-05-04\n" +
		kk(1) + ",,DITOLAK,GANDA,,2026-05-04\n" + // answered twice
		"3505019999999999,,DITETAPKAN,,,2026-05-04\n" + // not proposed
		",3505011503809999,DITETAPKAN,,,2026-05-04\n" +
		"3505019999999999,3505011503809999,DITETAPKAN,,,2026-05-04\n" +
		kk(2) + "," + nik(3) + ",DITETAPKAN,,,2026-05-04\n" + // two households
		kk(2) + ",3505011503809999,DITETAPKAN,,,2026-05-04\n" +
		"3505019999999999," + nik(3) + ",DITETAPKAN,,,2026-05-04\n" +
		",,DITETAPKAN,,,2026-05-04\n" +
		kk(4) + ",,MUNGKIN,,,2026-05-04\n" +
		kk(5) + ",,,,,2026-05-04\n" +
		kk(6) + ",,DITOLAK,,,2026-05-04\n" +
		kk(7) + ",,DITOLAK,SALAH,,2026-05-04\n" +
		kk(8) + ",,DITETAPKAN,GANDA,,2026-05-04\n" +
		kk(9) + ",,DITETAPKAN,,,\n" +
		kk(9) + ",,DITETAPKAN,,,kemarin\n" +
		kk(9) + ",,DITETAPKAN,,,1901-01-01\n"
	_, rows, err := kemensos.ParseAnswers(strings.NewReader(file), match)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 15 {
		t.Fatalf("only %d row errors: %+v", len(rows), rows)
	}
	// And the row contradicting an answer an earlier file applied.
	rows = append(rows, *kemensos.ContradictsApplied(kemensos.Answer{Row: 2, Accepted: true}, false, kemensos.TolakGanda))
	// And a row for a household Dinsos recorded as not answered.
	rows = append(rows, *kemensos.ContradictsApplied(kemensos.Answer{Row: 2, Accepted: true}, false, kemensos.TidakDijawab))
	for _, r := range rows {
		if answerRowReason(r) == r.Reason {
			t.Errorf("row %d: no Indonesian for %q", r.Row, r.Reason)
		}
	}
}

// Every reason the household workflow writes into a stage's history reads
// in Indonesian on the household page, with the outcome and Kemensos'
// reason named, not coded.
func TestStageReasonsReadInIndonesian(t *testing.T) {
	for in, want := range map[string]string{
		"P3KE intake":                            "data P3KE masuk",
		"reopened: alamat salah":                 "dibuka ulang: alamat salah",
		"verified deceased, not in the registry": "Meninggal dunia, tidak terdaftar di DTKS",
		"removal: not_poor":                      "diusulkan keluar dari DTKS: Sudah mampu",
		"addition":                               "diusulkan masuk DTKS",
		"removal accepted: verified moved":       "penghapusan dari DTKS diterima Kemensos: Pindah",
		"rejected NIK_TIDAK_PADAN: correct and propose again": "ditolak Kemensos: NIK tidak padan dengan Dukcapil (dapat diperbaiki dan diusulkan lagi)",
		"removal rejected GANDA":                              "penghapusan dari DTKS ditolak Kemensos: Sudah terdaftar (ganda)",
		"rejected PNS_TNI_POLRI":                              "ditolak Kemensos: Ada anggota keluarga PNS, TNI atau Polri",
		"no answer from Kemensos: propose again":              "tidak dijawab Kemensos: diusulkan lagi",
		"revoked: data ganda":                                 "dicabut dengan SK: data ganda",
		"cycle closed in verified: akhir tahun":               "siklus ditutup (tutup buku) saat sudah dikunjungi, menunggu musyawarah: akhir tahun",
	} {
		if got := stageReason(in); got != want {
			t.Errorf("stageReason(%q) = %q, want %q", in, got, want)
		}
	}
}

// Dinsos' record that Kemensos did not answer reads in Indonesian where a
// household's history and the audit trail show it.
func TestNoAnswerFromKemensosReadsInIndonesian(t *testing.T) {
	if got := stageReason("no answer from Kemensos: propose again"); got != "tidak dijawab Kemensos: diusulkan lagi" {
		t.Errorf("stage reason: %q", got)
	}
	if got := lookup(auditActionNames, "proposal.unanswered"); got != "Dicatat tidak dijawab Kemensos" {
		t.Errorf("audit action: %q", got)
	}
}
