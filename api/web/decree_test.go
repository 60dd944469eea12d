package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/verval/verval/activities"
	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/internal/kemensos"
	"github.com/verval/verval/internal/p3ke"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/workflows"
)

// officeFake stands in for the API's decree and proposal steps
// (api/decrees.go, api/proposals.go; their own tests are the API's): it
// drafts, builds and submits on the real store, records the decree steps
// and answer files, and answers what the test sets.
type officeFake struct {
	steps []officeStep
	// stepErr is what DecreeStep answers.
	stepErr error
	answers [][]byte
	// answersErr is what ApplyAnswers answers.
	answersErr error
	// intakes are the P3KE files StartIntake took, with their uploader.
	intakes []intakeCall
	// resumed are the cycles whose close fan-out was started again.
	resumed []int64
}

type intakeCall struct {
	cycle int64
	name  string
	actor store.AuditActor
}

type officeStep struct {
	decree           int64
	update, updateID string
	req              workflows.DecreeRequest
	actor            store.AuditActor
}

func (f *officeFake) deps(e *env) Office {
	return Office{
		DraftDecree: func(ctx context.Context, a store.AuditActor, cy *store.Cycle) (*store.Decree, error) {
			d := store.Decree{CycleID: cy.ID, RegencyCode: cy.RegencyCode}
			if err := e.st.DraftDecree(ctx, &d, nil, a); err != nil {
				return nil, err
			}
			return &d, nil
		},
		DecreeStep: func(_ context.Context, a store.AuditActor, d *store.Decree, update, updateID string, r workflows.DecreeRequest) (workflows.DecreeState, error) {
			f.steps = append(f.steps, officeStep{decree: d.ID, update: update, updateID: updateID, req: r, actor: a})
			return workflows.DecreeState{Status: store.DecreeSigned}, f.stepErr
		},
		ProposalMonth: func() string { return "2026-05" },
		BuildProposal: func(ctx context.Context, a store.AuditActor, cy *store.Cycle, month string) (*store.Proposal, error) {
			if month == "" {
				month = "2026-05"
			}
			p := store.Proposal{CycleID: cy.ID, Month: month}
			if err := e.st.BuildProposal(ctx, &p, a); err != nil {
				return nil, err
			}
			return &p, nil
		},
		SubmitProposal: func(ctx context.Context, a store.AuditActor, _ *store.Cycle, p *store.Proposal) error {
			return e.st.MarkProposalSubmitted(ctx, p.ID, a)
		},
		ApplyAnswers: func(_ context.Context, _ store.AuditActor, _ *store.Proposal, file []byte) (int, error) {
			f.answers = append(f.answers, file)
			if f.answersErr != nil {
				return 0, f.answersErr
			}
			return 1, nil
		},
		// As the API does: check the file, then store it; the intake
		// workflow is not started here.
		StartIntake: func(ctx context.Context, a store.AuditActor, cy *store.Cycle, fh *multipart.FileHeader) (*store.Intake, error) {
			file, err := fh.Open()
			if err != nil {
				return nil, err
			}
			defer file.Close()
			if _, err := p3ke.Check(io.NewSectionReader(file, 0, fh.Size), p3ke.Options{Regency: cy.RegencyCode}); err != nil {
				return nil, err
			}
			in := store.Intake{CycleID: cy.ID, FileName: fh.Filename, CreatedBy: a.UserID}
			if err := e.st.CreateIntake(ctx, &in, io.NewSectionReader(file, 0, fh.Size), fh.Size); err != nil {
				return nil, err
			}
			f.intakes = append(f.intakes, intakeCall{cycle: cy.ID, name: fh.Filename, actor: a})
			return &in, nil
		},
		MaxIntakeFile: 1 << 20,
		// The API's own close trims and checks the reason, then records it.
		CloseCycle: func(ctx context.Context, a store.AuditActor, cy *store.Cycle, reason string) (*store.Cycle, error) {
			if strings.TrimSpace(reason) == "" {
				return nil, &store.InvalidError{Field: "reason", Msg: "say why the cycle is closed (at most 500 characters)"}
			}
			return e.st.CloseCycle(ctx, cy.ID, strings.TrimSpace(reason), a)
		},
		ResumeCycleClose: func(_ context.Context, cy *store.Cycle) error {
			f.resumed = append(f.resumed, cy.ID)
			return nil
		},
	}
}

// seedDecree stores a decree of the env's cycle in status listing SITI
// AMINAH and BUDI SANTOSO (Desa Jaten) and WARSINI (Desa Salam), all of
// Kecamatan Wonodadi.
func (e *env) seedDecree(status string) *store.Decree {
	e.t.Helper()
	d := &store.Decree{CycleID: e.cycle.ID, RegencyCode: "35.05", Kind: store.DecreeInitial, Status: status, Households: 3, CreatedAt: t0}
	if status == store.DecreeSigned {
		n := fmt.Sprintf("188/%d/KEP/2026", time.Now().UnixNano()%100000)
		d.Number, d.SignedDate = &n, "2026-05-04"
	}
	if status == store.DecreeReturned {
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
func (e *env) seedProposal(status string) *store.Proposal {
	e.t.Helper()
	d := e.seedDecree(store.DecreeSigned)
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
	d := store.Decree{CycleID: l.cycle.ID, RegencyCode: "21.04", Kind: store.DecreeInitial, Status: store.DecreeSubmitted, CreatedAt: t0}
	if err := e.st.DB.Create(&d).Error; err != nil {
		e.t.Fatal(err)
	}
	p := store.Proposal{CycleID: l.cycle.ID, DecreeID: d.ID, Month: "2026-05", Status: store.ProposalSubmitted, CreatedAt: t0}
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
	d := e.seedDecree(store.DecreeSubmitted)
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
	draft, returned := e.seedDecree(store.DecreeDraft), e.seedDecree(store.DecreeReturned)
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
		s[0].updateID != fmt.Sprintf("decree-submit-%d-u%d-a1b2c3", d.ID, u.UserID) || s[0].actor.UserID != u.UserID {
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
	draft, returned, submitted := e.seedDecree(store.DecreeDraft), e.seedDecree(store.DecreeReturned), e.seedDecree(store.DecreeSubmitted)
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
	e.office.stepErr = workflows.Invalid("reason", "say why the decree is withdrawn (at most 1000 characters)")
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
	if err := e.st.DB.Model(draft).Updates(map[string]any{"status": store.DecreeWithdrawn, "withdraw_reason": "daftar keliru"}).Error; err != nil {
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
	if err := e.st.DB.Model(returned).Update("status", store.DecreeWithdrawn).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB.Model(submitted).Update("status", store.DecreeSigned).Error; err != nil {
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
		{"future date", "tandatangani", "date", workflows.Invalid("date", "cannot be in the future"), 422, "Tanggal tidak boleh setelah hari ini."},
		{"malformed date", "tandatangani", "date", workflows.Invalid("date", "must be a date as YYYY-MM-DD"), 422, "Isi tanggal yang benar"},
		{"no number", "tandatangani", "number", workflows.Invalid("number", "the decree number is required (at most 100 characters)"), 422, "Nomor SK wajib diisi"},
		{"number used", "tandatangani", "number", &store.InvalidError{Field: "number", Msg: "this decree number is already used in the regency"}, 422,
			"Nomor SK ini sudah dipakai SK lain di kabupaten/kota ini."},
		// The same number signed a moment earlier by another tab: the
		// database's unique index, through the workflow's activity.
		{"number taken meanwhile", "tandatangani", "number",
			temporal.NewNonRetryableApplicationError("conflict: decree number 188/1/2026 is already used in this regency", "Conflict", nil), 409,
			"Nomor SK 188/1/2026 sudah dipakai SK lain"},
		{"no reason", "kembalikan", "reason", workflows.Invalid("reason", "say why the decree goes back to Dinsos"), 422, "Tuliskan alasan SK dikembalikan"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.seedDecree(store.DecreeSubmitted)
			e.office.stepErr = c.err
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
			if s := e.office.steps; len(s) != 1 || !strings.HasSuffix(s[0].updateID, "-abc123") || c.path == "tandatangani" &&
				(s[0].update != workflows.UpdateDecreeSign || s[0].req.Number != "188/1/2026" || s[0].req.Date != "2026-05-09") {
				t.Fatalf("step sent: %+v", s)
			}
			if m := keyRE.FindStringSubmatch(page); m == nil || m[1] == "abc123" {
				t.Errorf("re-rendered form kept the refused attempt's key")
			}
		})
	}
	// A step the decree's status no longer allows: above the forms.
	e := newEnv(t)
	d := e.seedDecree(store.DecreeSubmitted)
	e.office.stepErr = workflows.Closed("the decree is signed, so it cannot be signed now")
	w := e.login("bupati").post(fmt.Sprintf("/sk/%d/tandatangani", d.ID), url.Values{"number": {"188/1"}, "date": {"2026-05-04"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `role="alert">SK ini berstatus ditandatangani, jadi tidak dapat ditandatangani sekarang.`) {
		t.Fatalf("closed step: %d\n%s", w.Code, w.Body)
	}
}

func TestSigningRedirectsWithAFlash(t *testing.T) {
	e := newEnv(t)
	d := e.seedDecree(store.DecreeSubmitted)
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
	own := e.seedDecree(store.DecreeSubmitted)
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
	if len(e.office.steps) != 0 || len(e.office.answers) != 0 {
		t.Fatalf("a step reached another regency's decree or batch: %+v %d", e.office.steps, len(e.office.answers))
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
	d := e.seedDecree(store.DecreeSubmitted)
	p := e.seedProposal(store.ProposalSubmitted)
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
	if len(e.office.steps) != 0 || len(e.office.answers) != 0 {
		t.Fatalf("a post without the token got through: %+v", e.office.steps)
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
	e.seedDecree(store.DecreeSigned)
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
	p := e.seedProposal(store.ProposalSubmitted)
	dinsos := e.login("dinsos")
	path := fmt.Sprintf("/usulan/%d/jawaban", p.ID)

	e.office.answersErr = &activities.AnswerFileError{Rows: []kemensos.RowError{
		{Row: 3, Column: "status", Reason: "must be DITETAPKAN or DITOLAK"},
		{Row: 7, Column: "no_kk", Reason: "no proposed household has no_kk 350501********99",
			Code: kemensos.CodeNumberNotProposed, Args: []string{"no_kk", "350501********99"}},
	}}
	w := dinsos.upload(path, "jawaban.csv", []byte("no_kk,nik,status\n"))
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused file: %d", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{"Berkas jawaban ditolak: 2 baris bermasalah. Tidak ada jawaban yang diterapkan",
		`<table class="list row-errors">`, "<tr><td>3</td><td>status</td><td>must be DITETAPKAN or DITOLAK</td></tr>", // no translation: shown as it is
		"<tr><td>7</td><td>no_kk</td><td>Tidak ada keluarga di usulan ini dengan no_kk 350501********99.</td></tr>"} {
		if !strings.Contains(page, want) {
			t.Errorf("refused file's page lacks %q", want)
		}
	}
	if string(e.office.answers[0]) != "no_kk,nik,status\n" {
		t.Errorf("file handed over: %q", e.office.answers[0])
	}

	// Unreadable: the message beside the file field.
	e.office.answersErr = &activities.AnswerFileError{Format: &kemensos.FormatError{Missing: []string{"status"}}}
	w = dinsos.upload(path, "jawaban.csv", []byte("x\n"))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "file"), "tidak memuat kolom wajib: status") {
		t.Fatalf("unreadable file: %d\n%s", w.Code, w.Body)
	}
	// No file at all.
	if w := dinsos.post(path, url.Values{}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(field(t, w.Body.String(), "file"), "Pilih berkas") {
		t.Fatalf("no file: %d", w.Code)
	}
	// A batch not sent yet: the store's refusal.
	e.office.answersErr = fmt.Errorf("database: %w", fmt.Errorf("%w: the proposal has not been submitted yet", store.ErrConflict))
	if w := dinsos.upload(path, "jawaban.csv", []byte("x\n")); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "belum ditandai terkirim") {
		t.Fatalf("answers to a batch not sent: %d", w.Code)
	}
	e.office.answersErr = nil
	if w := dinsos.upload(path, "jawaban.csv", []byte("ok\n")); w.Code != http.StatusSeeOther || w.Header().Get("Location") != path[:len(path)-len("/jawaban")]+"?diterapkan=1" {
		t.Fatalf("good file: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// Answers stored whose batch workflow could not be told: the page says
// they are stored and how to hand them over, not a bare error.
func TestStoredAnswersNotGivenAreExplained(t *testing.T) {
	e := newEnv(t)
	p := e.seedProposal(store.ProposalSubmitted)
	e.office.answersErr = &activities.AnswersNotGivenError{Applied: 2, Err: fmt.Errorf("temporal down")}
	w := e.login("dinsos").upload(fmt.Sprintf("/usulan/%d/jawaban", p.ID), "jawaban.csv", []byte("no_kk,nik,status\n"))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Jawaban tersimpan (2 jawaban baru)") ||
		!strings.Contains(w.Body.String(), "Unggah lagi berkas yang sama") {
		t.Fatalf("stored answers not given: %d\n%s", w.Code, w.Body)
	}
}

func TestDecreeMessagesAreTranslated(t *testing.T) {
	for _, m := range []string{
		"say why the decree goes back to Dinsos",
		"the decree number is required (at most 100 characters)",
		"this decree number is already used in the regency",
		"the decree is being updated; try again",
		"the decree is draft, so it cannot be submited now",
		"the decree is submitted, so it cannot be reviseed now",
		"the decree is submitted, so it cannot be withdrawn now",
		"conflict: the decree is signed, so it cannot be withdrawn now",
		"say why the decree is withdrawn (at most 1000 characters)",
		"the decree was withdrawn",
		"conflict: decree is signed, not submitted",
		"conflict: decree number 188/1/2026 is already used in this regency",
		"conflict: no household is waiting for a decree",
		"conflict: a proposal needs a signed decree of this cycle first",
		"conflict: no household is waiting to be proposed",
		"conflict: the proposal was already submitted",
		"database: conflict: the proposal has not been submitted yet",
		"must be a month as YYYY-MM",
		"say why Kemensos' answer is recorded as missing (at most 500 characters)",
		"conflict: every household of the proposal already has an answer",
		"conflict: the simulated Kemensos answers this proposal by itself",
		"conflict: a decree of this cycle is not signed yet; have it signed or withdraw it before closing",
		"conflict: a proposal batch of this cycle has not been sent to Kemensos; send it before closing",
		"conflict: a proposal batch of this cycle still waits for Kemensos' answer; upload it, or record that Kemensos did not answer, before closing",
	} {
		if !translated(m) {
			t.Errorf("no Indonesian for %q", m)
		}
	}
	if got := translate("the decree is returned, so it cannot be signed now"); got != "SK ini berstatus dikembalikan, jadi tidak dapat ditandatangani sekarang. Muat ulang halaman." {
		t.Errorf("state refusal: %q", got)
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
