package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowser drives the web pages in headless Chromium against the real
// stack, as people use them on a phone: Dinsos uploads a P3KE file and
// watches it load, a village officer finds a family, is refused an
// incomplete visit result with the message beside the field, sends the
// corrected one (a resent form applies once), records the village meeting,
// follows the family to its next stage, and cannot open another village's
// household; the TKSK reads the dashboard and the stuck cases. Then the
// rest of the family's year: Dinsos drafts and submits the decree, the
// bupati's office is refused a signature dated in the future (the message
// beside the date) and signs it, the family moves on to the proposal, and
// Dinsos builds the Kemensos batch, marks it sent and is refused an answer
// file with a row error, listed in a table.
//
// With VERVAL_SCREENSHOTS=1 it saves the main pages to docs/screenshots/.
func TestBrowser(t *testing.T) {
	chrome := chromium(t)
	// Kemensos' answers come as files: the simulated Kemensos answers its
	// batches itself and refuses an uploaded file.
	s := startStackKemensosFile(t)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2026}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}
	bad := testFamily(9, desaJaten, false)
	bad.NIK = "35050115038"
	file := filepath.Join(t.TempDir(), "p3ke-blitar.csv")
	fams := []family{testFamily(1, desaJaten, false), testFamily(2, desaJaten, false), testFamily(4, desaSalam, false), bad}
	if err := os.WriteFile(file, p3keCSV(fams), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, chrome, s.base)

	// Dinsos uploads the P3KE file on the upload page and watches the bar.
	b.open("/masuk")
	b.shot("login")
	b.login("dinsos", "dinsos-blitar-2026", "/dasbor")
	b.open("/unggah")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	b.submit(chromedp.CSS("#unggah button"))
	if !strings.Contains(b.location(), "/unggah/") {
		t.Fatalf("after the upload the page is %s, want the intake's page", b.location())
	}
	b.waitJS(`document.querySelector('[data-f="status"]').textContent === "Selesai."`, time.Minute)
	if got := b.text(`[data-f="accepted"]`) + "/" + b.text(`[data-f="rejected"]`) + "/" + b.text(`[data-f="workflowsStarted"]`); got != "3/1/3" {
		t.Fatalf("intake accepted/rejected/started: %s, want 3/1/3", got)
	}
	// The row-error report opens with the session cookie (no bearer token).
	report := b.eval(`fetch(document.querySelector('a[href$="format=csv"]').href)
		.then(async r => r.status + "|" + r.headers.get("content-type") + "|" + await r.text())`)
	// Its last two columns give the verdict and the reason in Indonesian.
	if !strings.HasPrefix(report, "200|text/csv") || !strings.Contains(report, "row,column,severity,reason,status,alasan\n5,") ||
		!strings.Contains(report, ",Ditolak,NIK harus 16 digit; tertulis 11 digit.") {
		t.Fatalf("row-error report: %q", report)
	}
	// The page lists the row's reason in Indonesian.
	if row := b.text("table.list tbody tr"); !strings.Contains(row, "NIK harus 16 digit; tertulis 11 digit.") {
		t.Fatalf("row issue on the intake page: %q", row)
	}
	// On the phone the row-error table fits the screen: no cell runs off
	// its right edge, and the page does not scroll sideways.
	if fits := b.eval(`String(document.documentElement.scrollWidth <= innerWidth &&
		[...document.querySelectorAll("table.list td")].every(td => td.getBoundingClientRect().right <= innerWidth))`); fits != "true" {
		t.Errorf("the intake's row-error table does not fit a %d px screen", phoneWidth)
	}
	b.shot("upload")
	b.logout()

	// The village officer's task list: their own families only.
	b.login("DESA1", "desa-satu-2026", "/tugas")
	list := b.text("main")
	if !strings.Contains(list, "KEPALA KELUARGA 1") || !strings.Contains(list, "KEPALA KELUARGA 2") || strings.Contains(list, "KEPALA KELUARGA 4") {
		t.Fatalf("village task list:\n%s", list)
	}
	b.shot("tasks")
	b.do(chromedp.SetValue(chromedp.CSS("#q"), "keluarga 2"))
	b.submit(chromedp.CSS("form.search button"))
	if list := b.text(".tasks"); !strings.Contains(list, "KEPALA KELUARGA 2") || strings.Contains(list, "KEPALA KELUARGA 1") {
		t.Fatalf("search for one family:\n%s", list)
	}
	b.submit(chromedp.CSS(".tasks a"))
	taskPath := b.location()

	// An incomplete result: the validator's message beside the house fields.
	b.do(chromedp.Click(chromedp.CSS(`input[name="outcome"][value="eligible"]`)))
	b.submit(chromedp.CSS(`form[data-visit] button[type="submit"]`))
	if msg := b.text("#f-indicators .field-error"); !strings.Contains(msg, "Jenis lantai, dinding dan atap wajib diisi") {
		t.Fatalf("message beside the indicators: %q", msg)
	}
	b.shot("verification-error")

	// The corrected result is recorded.
	b.do(
		chromedp.SetValue(chromedp.CSS("#jenisLantai"), "Tanah"),
		chromedp.SetValue(chromedp.CSS("#jenisDinding"), "Bambu"),
		chromedp.SetValue(chromedp.CSS("#jenisAtap"), "Genteng"),
		chromedp.SetValue(chromedp.CSS("#note"), "rumah semi permanen"),
	)
	sent := b.formData(`form[data-visit]`)
	b.submit(chromedp.CSS(`form[data-visit] button[type="submit"]`))
	if msg := b.text(".flash"); msg != "Hasil kunjungan tersimpan." {
		t.Fatalf("after a valid result: %q", msg)
	}
	// The same form sent again (a double click, a resend after a dropped
	// connection) applies once: the same idempotency key, one version.
	if code, loc := b.resend(taskPath, sent); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?tersimpan=1") {
		t.Fatalf("resent form: %d %s, want the same success", code, loc)
	}
	desa1 := s.login("desa1", "desa-satu-2026")
	var tl taskList
	desa1.call("GET", fmt.Sprintf("/api/v1/tasks?cycle=%d", cycle.ID), nil, &tl)
	ids := map[string]int64{}
	for _, task := range tl.Tasks {
		ids[task.Name] = task.ID
	}
	var task struct{ Version int }
	desa1.call("GET", fmt.Sprintf("/api/v1/tasks/%d", ids["KEPALA KELUARGA 2"]), nil, &task)
	if task.Version != 1 {
		t.Fatalf("task version after a result sent twice: %d, want 1", task.Version)
	}
	if code := desa1.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", ids["KEPALA KELUARGA 1"]), visit("eligible", ""), nil); code != 200 {
		t.Fatalf("second family's result: %d", code)
	}

	// The village meeting, with a scanned berita acara.
	scan := filepath.Join(t.TempDir(), "berita-acara.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n% berita acara\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.open("/musyawarah")
	b.do(
		chromedp.SetValue(chromedp.CSS("#beritaAcaraNo"), "140/07/35.05.01.2001/2026"),
		chromedp.SetValue(chromedp.CSS("#attendees"), "23"),
		chromedp.SetUploadFiles(chromedp.CSS("#document"), []string{scan}),
	)
	b.shot("meeting")
	b.submit(chromedp.CSS(`form[action="/musyawarah"] button`))
	if msg := b.text(".flash"); !strings.HasPrefix(msg, "Musyawarah desa tercatat.") {
		t.Fatalf("after the meeting: %q (%s)", msg, b.text("main"))
	}

	// The household page follows the family to the decree stage.
	home := fmt.Sprintf("/rumah-tangga/%d", ids["KEPALA KELUARGA 2"])
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.open(home)
		if strings.Contains(b.text(".badge.stage"), "Menunggu SK Bupati") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("household page never showed the decree stage:\n%s", b.text("main"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if page := b.text("main"); !strings.Contains(page, "Sudah dikunjungi, menunggu musyawarah") || !strings.Contains(page, "Hasil kunjungan dicatat") ||
		strings.Contains(page, testFamily(2, desaJaten, false).NIK) {
		t.Fatalf("household page lacks its timeline or audit, or shows the NIK:\n%s", page)
	}
	b.shot("household")

	// Another village's household does not exist for this officer.
	var salam taskList
	s.login("desa2", "desa-dua-2026").call("GET", "/api/v1/tasks", nil, &salam)
	if len(salam.Tasks) != 1 {
		t.Fatalf("desa2 tasks: %+v", salam)
	}
	for _, p := range []string{"/rumah-tangga/%d", "/tugas/%d"} {
		path := fmt.Sprintf(p, salam.Tasks[0].ID)
		if code := b.open(path); code != http.StatusNotFound {
			t.Fatalf("desa1 opening %s: %d, want 404", path, code)
		}
		if page := b.text("main"); !strings.Contains(page, "Data tidak ditemukan") || strings.Contains(page, "KEPALA KELUARGA 4") {
			t.Fatalf("404 page for another village:\n%s", page)
		}
	}
	b.logout()

	// The TKSK's dashboard and stuck cases.
	b.login("tksk", "tksk-wonodadi-2026", "/dasbor")
	if page := b.text("main"); !strings.Contains(page, "Jaten") || !strings.Contains(page, "Salam") || !strings.Contains(page, "Menunggu SK Bupati") {
		t.Fatalf("dashboard:\n%s", page)
	}
	if n := b.eval(`String(document.querySelectorAll("svg.bar").length)`); n == "0" {
		t.Fatal("dashboard draws no bars")
	}
	b.shot("dashboard")
	b.open(fmt.Sprintf("/macet?hari=0&siklus=%d", cycle.ID))
	links := b.eval(`Array.from(document.querySelectorAll("a[href*='/namespaces/default/workflows']")).map(a => a.href).join("\n")`)
	if !strings.Contains(links, "workflows?query=") || !strings.Contains(links, "/workflows/") {
		t.Fatalf("stuck page lacks Temporal Web UI links: %q", links)
	}
	b.shot("stuck")
	b.logout()

	// Dinsos drafts the decree from the two families the meeting confirmed,
	// checks its counts and attachment, and submits it.
	b.login("dinsos", "dinsos-blitar-2026", "/dasbor")
	b.open(fmt.Sprintf("/sk?siklus=%d", cycle.ID))
	if btn := b.text(`form[action="/sk"] button`); btn != "Susun rancangan SK (2 keluarga)" {
		t.Fatalf("draft button: %q", btn)
	}
	b.submit(chromedp.CSS(`form[action="/sk"] button`))
	decreePath := strings.TrimSuffix(b.location(), "?disusun=1")
	if !strings.HasPrefix(decreePath, "/sk/") || !strings.HasPrefix(b.text(".flash"), "Rancangan SK tersusun.") {
		t.Fatalf("after drafting: %s %q", b.location(), b.text("main"))
	}
	if counts := b.text("table.counts"); !strings.Contains(counts, "Kecamatan Wonodadi\t2") || !strings.Contains(counts, "Desa Jaten\t2") {
		t.Fatalf("decree counts per kecamatan:\n%s", counts)
	}
	b.submit(chromedp.CSS(`form[action$="/ajukan"] button`))
	if msg := b.text(".flash"); !strings.HasPrefix(msg, "SK diajukan ke Kantor Bupati") {
		t.Fatalf("after submitting the decree: %q", msg)
	}
	b.logout()

	// The bupati's office opens the decree from its list, downloads the
	// attachment with the session cookie, is refused a signature dated in
	// the future (the message beside the date), then signs it.
	b.login("bupati", "bupati-blitar-2026", "/sk")
	b.shot("decrees")
	b.submit(chromedp.CSS(fmt.Sprintf(`a[href="%s"]`, decreePath)))
	att := b.eval(`fetch(document.querySelector('a[href$="/attachment"]').href).then(r => r.status + "|" + r.headers.get("content-type"))`)
	if att != "200|application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("attachment with the session cookie: %q", att)
	}
	number := "188/45/KEP/409.012/2026"
	b.do(
		chromedp.SetValue(chromedp.CSS("#number"), number),
		chromedp.SetValue(chromedp.CSS("#date"), time.Now().In(wib).AddDate(0, 0, 3).Format("2006-01-02")),
	)
	if code := b.submit(chromedp.CSS(`form[action$="/tandatangani"] button`)); code != http.StatusUnprocessableEntity {
		t.Fatalf("signing dated in the future: %d, want 422", code)
	}
	if msg := b.text("#f-date .field-error"); msg != "Tanggal tidak boleh setelah hari ini." {
		t.Fatalf("message beside the date: %q\n%s", msg, b.text("main"))
	}
	if got := b.eval(`document.querySelector("#number").value`); got != number {
		t.Fatalf("the refused form lost the number: %q", got)
	}
	b.shot("decree-review")
	b.do(chromedp.SetValue(chromedp.CSS("#date"), time.Now().In(wib).Format("2006-01-02")))
	b.submit(chromedp.CSS(`form[action$="/tandatangani"] button`))
	if msg := b.text(".flash"); !strings.HasPrefix(msg, "SK ditandatangani.") || !strings.Contains(b.text("main"), "SK "+number) {
		t.Fatalf("after signing: %q\n%s", msg, b.text("main"))
	}
	// The signed family moves on: not in the registry, so it waits to be
	// proposed to Kemensos.
	deadline = time.Now().Add(30 * time.Second)
	for {
		b.open(home)
		if stage := b.text(".badge.stage"); stage == "Menunggu usulan ke Kemensos" || stage == "Terdaftar sebagai penerima bantuan" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("household page never showed the family past the decree:\n%s", b.text("main"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.logout()

	// Dinsos builds the month's Kemensos batch, downloads the SIKS-NG file,
	// marks it sent, and uploads an answer file with a household the batch
	// does not hold: refused whole, its bad row in a table.
	b.login("dinsos", "dinsos-blitar-2026", "/dasbor")
	if rep := b.eval(`fetch(document.querySelector('a[href*="/report?format=xlsx"]').href).then(r => r.status + "|" + r.headers.get("content-type"))`); !strings.HasPrefix(rep, "200|application/vnd.openxmlformats") {
		t.Fatalf("cycle report with the session cookie: %q", rep)
	}
	b.open(fmt.Sprintf("/usulan?siklus=%d", cycle.ID))
	if btn := b.text(`form[action="/usulan"] button`); btn != "Susun usulan (2 keluarga)" {
		t.Fatalf("build button: %q\n%s", btn, b.text("main"))
	}
	b.submit(chromedp.CSS(`form[action="/usulan"] button`))
	if !strings.HasPrefix(b.text(".flash"), "Usulan tersusun.") {
		t.Fatalf("after building the batch: %s", b.text("main"))
	}
	siksng := b.eval(`fetch(document.querySelector('a[href$="/file"]').href).then(r => r.status + "|" + r.headers.get("content-type"))`)
	if siksng != "200|application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("SIKS-NG file with the session cookie: %q", siksng)
	}
	b.submit(chromedp.CSS(`form[action$="/kirim"] button`))
	if !strings.HasPrefix(b.text(".flash"), "Usulan ditandai terkirim") {
		t.Fatalf("after marking the batch sent: %s", b.text("main"))
	}
	fam2 := testFamily(2, desaJaten, false)
	answers := filepath.Join(t.TempDir(), "jawaban-kemensos.csv")
	today := time.Now().In(wib).Format("2006-01-02")
	if err := os.WriteFile(answers, []byte("no_kk,nik,status,alasan,keterangan,tanggal_penetapan\n"+
		fam2.KK+","+fam2.NIK+",DITETAPKAN,,,"+today+"\n"+
		"3505019999999999,,DITETAPKAN,,,"+today+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{answers}))
	if code := b.submit(chromedp.CSS(`form[action$="/jawaban"] button`)); code != http.StatusUnprocessableEntity {
		t.Fatalf("answer file with an unknown household: %d, want 422", code)
	}
	if msg := b.text(".alert"); !strings.HasPrefix(msg, "Berkas jawaban ditolak: 1 baris bermasalah.") {
		t.Fatalf("refused answer file: %q", msg)
	}
	// On the phone the row is a block of lines, one per cell.
	if row := b.text("table.row-errors tbody tr"); !strings.HasPrefix(row, "3\n") && !strings.HasPrefix(row, "3\t") {
		t.Fatalf("row error: %q", row)
	}
	if page := b.text("main"); strings.Contains(page, fam2.NIK) || strings.Contains(page, "3505019999999999") {
		t.Fatalf("the refused file's page shows a full NIK or No KK:\n%s", page)
	}
	b.shot("proposal")
}

// chromium finds the browser: VERVAL_CHROMIUM, else chromium on the PATH.
// Missing, it skips the test loudly, or fails it under CI.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test; run without -short")
	}
	if p := os.Getenv("VERVAL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := `
*** Chromium is not installed: the browser test is SKIPPED. ***
    Install it with:   apt-get install -y chromium
    (or point VERVAL_CHROMIUM at a Chromium or Chrome binary)`
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "\n    CI is set, so a missing browser fails the run.")
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium tab with a phone-sized viewport.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

// phone is the viewport: a common Android phone (412×915 CSS pixels).
const phoneWidth, phoneHeight = 412, 915

func newBrowser(t *testing.T, chrome, base string) *browser {
	t.Helper()
	// The flags keep Chromium off the network apart from the stack under
	// test: no background or component updates, no sync, no QUIC.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// Indonesian, as the officers' phones: dates in inputs read dd/mm/yyyy.
		chromedp.Flag("lang", "id-ID"),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	ctx, cancelTime := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base}
	if os.Getenv("VERVAL_SCREENSHOTS") == "1" {
		b.shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	return b
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// open loads a page and returns its HTTP status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks a button or link that loads a new page and waits for it.
func (b *browser) submit(sel chromedp.CSS) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(sel))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	return resp.Status
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) location() string {
	b.t.Helper()
	l, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(l, b.base)
}

// eval runs a script (awaiting a promise) and returns its string result.
func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval: %v", err)
	}
	return s
}

// waitJS waits until a script's condition holds. The page may reload
// meanwhile (the intake page does when the intake ends), so each check is
// its own evaluation.
func (b *browser) waitJS(cond string, limit time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s: %v\npage:\n%s", cond, err, b.text("main"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *browser) login(username, password, landing string) {
	b.t.Helper()
	if b.location() != "/masuk" {
		b.open("/masuk")
	}
	b.do(chromedp.SetValue(chromedp.CSS("#username"), username), chromedp.SetValue(chromedp.CSS("#password"), password))
	b.submit(chromedp.CSS(`form[action="/masuk"] button`))
	if got := b.location(); got != landing {
		b.t.Fatalf("login %s landed on %s, want %s:\n%s", username, got, landing, b.text("main"))
	}
}

func (b *browser) logout() {
	b.t.Helper()
	b.submit(chromedp.CSS(`form[action="/keluar"] button`))
	if got := b.location(); got != "/masuk" {
		b.t.Fatalf("logout landed on %s", got)
	}
}

// formData reads the fields a form would send.
func (b *browser) formData(form string) url.Values {
	b.t.Helper()
	m, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](
		fmt.Sprintf(`Object.fromEntries(new FormData(document.querySelector(%q)))`, form)))
	if err != nil {
		b.t.Fatal(err)
	}
	v := url.Values{}
	for k, s := range m {
		v.Set(k, s)
	}
	return v
}

// resend posts form values again with the tab's session cookie, as a
// browser resending a form does; it returns the status and Location.
func (b *browser) resend(path string, form url.Values) (int, string) {
	b.t.Helper()
	cookies, err := chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		r, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
		return r.Cookies, err
	})
	if err != nil {
		b.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// shot saves a full-page screenshot to docs/screenshots/<name>.png when
// VERVAL_SCREENSHOTS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
