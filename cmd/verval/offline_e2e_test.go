package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/verval/verval/internal/photo/phototest"
)

// emulateNetwork is the DevTools command that takes a tab off the network.
var emulateNetwork = cdp.Command[emulateNetworkParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type emulateNetworkParams struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// TestBrowserOffline: the village officer opens the task list (never a
// task page), loses the signal (network emulation, the service worker
// too), records both visits with a photo each (test images with EXIF):
// the page shows four sendings waiting on the phone and the server has
// none of them. A lost answer is simulated by queueing a result and a
// photo twice with the same idempotency key. Back online, the phone sends
// everything: each result is applied exactly once, each photo stored
// once, and the object store's files are sealed (no JPEG signature).
// The second family's visit was recorded meanwhile by the desa's PSM:
// the officer's result for it is shown as a conflict with what the
// server holds now, stays on the phone, and is sent as a correction.
func TestBrowserOffline(t *testing.T) {
	chrome := chromium(t)
	env := stackEnv(t, "sqlite")
	delete(env, "VERVAL_PHOTOS_REQUIRED") // the default: not_poor needs the front
	s := startStackEnv(t, env)
	dinsos := s.login("dinsos", "dinsos-blitar-2026")
	var cycle struct{ ID int64 }
	if code := dinsos.call("POST", "/api/v1/cycles", map[string]any{"regencyCode": "35.05", "year": 2026}, &cycle); code != 201 {
		t.Fatalf("create cycle: %d", code)
	}
	intake(t, dinsos, cycle.ID, p3keCSV([]family{testFamily(1, desaJaten, false), testFamily(2, desaJaten, false)}))
	desa1 := s.login("desa1", "desa-satu-2026")
	var list struct {
		Tasks []struct {
			ID      int64
			Version int
		}
	}
	desa1.call("GET", "/api/v1/tasks", nil, &list)
	if len(list.Tasks) != 2 {
		t.Fatalf("desa1's tasks: %+v", list)
	}
	// Two camera files of a phone's size (4000 × 3000, about 3.4 MB, with
	// EXIF), taken (their files' time) an hour apart this morning.
	dir := t.TempDir()
	var photos []string
	var taken []time.Time
	morning := time.Now().Truncate(24 * time.Hour).Add(-24*time.Hour + 2*time.Hour)
	for i := range 2 {
		p := filepath.Join(dir, fmt.Sprintf("IMG_%04d.JPG", i+1))
		raw := phototest.WithEXIF(phototest.Photo(4000, 3000, byte(40*i)), phototest.EXIF{GPS: true})
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		at := morning.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		photos, taken = append(photos, p), append(taken, at)
		t.Logf("camera file %d: 4000 x 3000, %d bytes", i+1, len(raw))
	}

	b := newBrowser(t, chrome, s.base)
	lat, lon, acc := -7.8312, 112.1701, 9.0
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: s.base}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	b.login("desa1", "desa-satu-2026", "/tugas")
	// The service worker takes the page. Only the task list is opened
	// with the signal: the phone keeps every task page it lists.
	if ready := b.eval(`Promise.race([navigator.serviceWorker.ready.then(() => "ready"),
		new Promise((ok) => setTimeout(() => ok("no service worker after 30 s"), 30000))])`); ready != "ready" {
		t.Fatal(ready)
	}
	b.open("/tugas")
	b.waitJS(`!!navigator.serviceWorker.controller`, 30*time.Second)
	b.waitJS(`(document.getElementById("luring") || {dataset: {}}).dataset.tersimpan === "2"`, 30*time.Second)
	if msg := b.text("#luring"); msg != "Semua 2 halaman tugas di daftar ini tersimpan di ponsel dan dapat dibuka tanpa sinyal." {
		t.Errorf("the list's note: %q", msg)
	}

	// The service worker is a target of its own: its requests are taken
	// off the network there.
	targets, err := chromedp.Targets(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var swCtx context.Context
	for _, ti := range targets {
		if ti.Type == "service_worker" {
			c, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(ti.TargetID))
			t.Cleanup(cancel)
			swCtx = c
		}
	}
	if swCtx == nil {
		t.Fatal("no service worker target")
	}
	offline := func(off bool) {
		t.Helper()
		for _, ctx := range []context.Context{b.ctx, swCtx} {
			if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
				t.Fatal(err)
			}
			// Network.emulateNetworkConditions: deprecated in the protocol
			// (cdproto no longer lists it) but what Chromium 148 applies to
			// the page's requests; ...ByRule refused its parameters there.
			if _, err := chromedp.Call(ctx, emulateNetwork, emulateNetworkParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	offline(true)
	if b.eval(`String(navigator.onLine)`) != "false" {
		t.Fatal("the page still thinks it is online")
	}
	// Nothing reaches the server now, the service worker's requests
	// included: a page the phone did not keep does not open.
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(b.base+"/tugas/999999")); err == nil {
		t.Fatal("offline, a page the phone never kept opened")
	}
	queued := func(n int) {
		t.Helper()
		b.waitJS(fmt.Sprintf(`(document.querySelector("#antrean h2") || {}).textContent === "Menunggu dikirim (%d)"`, n), 30*time.Second)
	}
	for i, tk := range list.Tasks {
		// Without a signal the page comes from the phone.
		if code := b.open(fmt.Sprintf("/tugas/%d", tk.ID)); code != 200 {
			t.Fatalf("task page %d offline: %d", tk.ID, code)
		}
		b.do(chromedp.SetUploadFiles(chromedp.CSS(`form[data-photo] input[type="file"]`), []string{photos[i]}),
			chromedp.SetValue(chromedp.CSS(`form[data-photo] select[name="kind"]`), "front"),
			chromedp.Click(chromedp.CSS(`form[data-photo] button`)))
		queued(2*i + 1)
		b.do(chromedp.Click(chromedp.CSS(`input[name="outcome"][value="not_poor"]`)),
			chromedp.SetValue(chromedp.CSS("#jenisLantai"), "Keramik"),
			chromedp.SetValue(chromedp.CSS("#jenisDinding"), "Tembok"),
			chromedp.SetValue(chromedp.CSS("#jenisAtap"), "Genteng"),
			chromedp.Click(chromedp.CSS(`form[data-visit] button[type="submit"]`)))
		queued(2*i + 2)
	}
	if msg := b.text("#antrean"); !strings.Contains(msg, "Tidak ada sinyal") || strings.Count(msg, "rumah tangga #") != 4 {
		t.Fatalf("the waiting list:\n%s", msg)
	}
	b.shot("offline-queue")
	// What the phone will send: each photo scaled on the phone.
	t.Logf("scaled uploads (bytes): %s", b.eval(`new Promise((ok) => { const r = indexedDB.open("verval-antrean", 1); r.onsuccess = () => {
		r.result.transaction("kiriman").objectStore("kiriman").getAll().onsuccess = (e) =>
			ok(e.target.result.filter((i) => i.kind === "photo").map((i) => i.file.size + " (" + i.file.type + ")").join(", ")); }; })`))
	// Nothing has reached the server.
	for _, tk := range list.Tasks {
		var ph struct{ Photos []any }
		var task struct{ Version int }
		desa1.call("GET", fmt.Sprintf("/api/v1/tasks/%d/photos", tk.ID), nil, &ph)
		desa1.call("GET", fmt.Sprintf("/api/v1/tasks/%d", tk.ID), nil, &task)
		if len(ph.Photos) != 0 || task.Version != 0 {
			t.Fatalf("offline, task %d already has %d photos, version %d", tk.ID, len(ph.Photos), task.Version)
		}
	}
	// A lost answer: the first photo and the first result queued again
	// with their keys, as a phone resends what it never heard back about.
	b.eval(`new Promise((ok, no) => {
		const r = indexedDB.open("verval-antrean", 1);
		r.onsuccess = () => {
			const t = r.result.transaction("kiriman", "readwrite"), s = t.objectStore("kiriman");
			s.getAll().onsuccess = (e) => {
				for (const kind of ["photo", "result"]) {
					const it = Object.assign({}, e.target.result.find((i) => i.kind === kind));
					delete it.id;
					s.add(it);
				}
			};
			t.oncomplete = () => ok("ok");
			t.onerror = () => no(t.error);
		};
	})`)

	// Meanwhile the desa's PSM records the second family's visit: the
	// officer's queued result for it is now a conflict.
	psm := s.login("psm1", "psm-jaten-2026")
	var refusal map[string]any
	second := list.Tasks[1].ID
	if code := psm.call("POST", fmt.Sprintf("/api/v1/tasks/%d/result", second), map[string]any{"version": 0, "outcome": "eligible", "visitDate": time.Now().In(time.FixedZone("WIB", 7*3600)).Format("2006-01-02"),
		"indicators": map[string]string{"jenisLantai": "Tanah", "jenisDinding": "Bambu", "jenisAtap": "Seng"}}, &refusal); code != 200 {
		t.Fatalf("the PSM's result: %d %+v", code, refusal)
	}

	offline(false)
	// The page sends what waits when the signal returns ("online"), or
	// at the latest on its next check; the test waits for the queue to
	// empty.
	count := func() string {
		return b.eval(`new Promise((ok) => { const r = indexedDB.open("verval-antrean", 1); r.onsuccess = () => {
			r.result.transaction("kiriman").objectStore("kiriman").count().onsuccess = (e) => ok(String(e.target.result)); }; })`)
	}
	b.open("/tugas")
	b.waitJS(`!!document.querySelector('#antrean li[data-state="conflict"]')`, time.Minute)
	// The conflict says what happened and what the server holds now; the
	// officer's result is still on the phone.
	if msg := b.text(`#antrean li[data-state="conflict"]`); !strings.Contains(msg, "Konflik: Hasil untuk keluarga ini sudah terkirim (versi 1)") ||
		!strings.Contains(msg, "Sekarang di server: status hasil terkirim, versi 1, hasil tercatat eligible") ||
		!strings.Contains(msg, fmt.Sprintf("rumah tangga #%d", second)) {
		t.Fatalf("the conflict on the page:\n%s", msg)
	}
	b.shot("offline-conflict")
	// Sent as a correction of what the PSM recorded.
	b.do(chromedp.Click(chromedp.CSS(`#antrean li[data-state="conflict"] button.secondary`)))
	deadline := time.Now().Add(time.Minute)
	for n := count(); n != "0"; n = count() {
		if time.Now().After(deadline) {
			t.Fatalf("%s sendings still wait on the phone:\n%s", n, b.text("main"))
		}
		time.Sleep(300 * time.Millisecond)
	}
	for i, tk := range list.Tasks {
		var task struct {
			Version int
			Result  struct{ Outcome string }
		}
		desa1.call("GET", fmt.Sprintf("/api/v1/tasks/%d", tk.ID), nil, &task)
		want := 1 // the officer's result, applied once
		if tk.ID == second {
			want = 2 // the PSM's, then the officer's as its correction
		}
		if task.Version != want || task.Result.Outcome != "not_poor" {
			t.Errorf("task %d after the phone sent its queue: version %d, outcome %q; want version %d, not_poor", tk.ID, task.Version, task.Result.Outcome, want)
		}
		var ph struct {
			Photos []struct {
				Kind          string
				Width, Height int
				Bytes         int
				Lat           *float64
				TakenAt       *time.Time
			}
		}
		desa1.call("GET", fmt.Sprintf("/api/v1/tasks/%d/photos", tk.ID), nil, &ph)
		if len(ph.Photos) != 1 || ph.Photos[0].Kind != "front" || ph.Photos[0].Width != 1600 || ph.Photos[0].Lat == nil || *ph.Photos[0].Lat != lat {
			t.Errorf("task %d: photos %+v; want one front photo, scaled to 1600 px, with the phone's location", tk.ID, ph.Photos)
			continue
		}
		// Taken when the camera's file says, not when it was sent.
		if at := ph.Photos[0].TakenAt; at == nil || !at.Equal(taken[i]) {
			t.Errorf("task %d: photo taken at %v, want the file's time %v", tk.ID, at, taken[i])
		}
		t.Logf("task %d: stored photo %d x %d, %d bytes", tk.ID, ph.Photos[0].Width, ph.Photos[0].Height, ph.Photos[0].Bytes)
	}
	// The object store (a directory in this stack) holds two sealed files.
	var files int
	root := filepath.Join(s.env["VERVAL_DATA_DIR"], "objects")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if phototest.InClear(raw) {
			t.Errorf("%s holds a JPEG in clear", p)
		}
		return nil
	})
	if err != nil || files != 2 {
		t.Errorf("object store: %d files, %v; want 2", files, err)
	}
}
