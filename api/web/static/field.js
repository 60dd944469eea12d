// verval in the field: the village officer's task list and visit form
// work without a connection. Photos are scaled down on the phone (about
// 1600 px, JPEG) and sent with the time and the phone's location; a
// photo or a result is first kept in the phone's storage (IndexedDB),
// each with its own idempotency key, and sent from there: at once when
// there is a connection, else when it comes back. The page lists what is
// waiting; a conflict (the task reopened or reassigned meanwhile) stays
// on the phone, shown with what changed, until the officer sends it again
// or discards it. The service worker (/sw.js) keeps the task pages (each
// one a task list opened with a signal lists) and these files for
// offline use. Pages work without this script.
"use strict";
(() => {
  const STORE = "kiriman";
  const db = new Promise((ok, no) => {
    if (!window.indexedDB) { no(new Error("no IndexedDB")); return; }
    const r = indexedDB.open("verval-antrean", 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const tx = async (mode, op) => {
    const d = await db;
    return new Promise((ok, no) => {
      const t = d.transaction(STORE, mode);
      const req = op(t.objectStore(STORE));
      t.oncomplete = () => ok(req.result);
      t.onerror = () => no(t.error);
    });
  };
  const all = () => tx("readonly", (s) => s.getAll());
  const put = (it) => tx("readwrite", (s) => s.put(it));
  const drop = (id) => tx("readwrite", (s) => s.delete(id));
  const hex = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; };

  // The phone's position, when it gives one within a few seconds.
  const where = () => new Promise((ok) => {
    if (!navigator.geolocation) { ok(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => ok({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => ok(null), { enableHighAccuracy: true, timeout: 6000, maximumAge: 60000 });
  });

  // A photo scaled to 1600 px on its longest side, as JPEG; the original
  // when the browser cannot read it (the server then says why).
  const scale = async (file) => {
    try {
      const img = await createImageBitmap(file);
      const k = Math.min(1, 1600 / Math.max(img.width, img.height));
      const c = el("canvas");
      c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      const b = await new Promise((ok) => c.toBlob(ok, "image/jpeg", 0.8));
      return b || file;
    } catch (_) { return file; }
  };

  // noSignal: the last send found no connection, even if the phone
  // believes it has one (a weak signal often looks like that).
  let noSignal = false;
  const pageTask = Number((location.pathname.match(/^\/tugas\/(\d+)$/) || [])[1] || 0);

  // A photo or visit form is kept on the phone, then sent from there.
  document.addEventListener("submit", async (e) => {
    const f = e.target;
    if (!f.matches("form[data-photo], form[data-visit]")) return;
    e.preventDefault();
    e.stopPropagation();
    const fields = {};
    for (const [k, v] of new FormData(f)) if (typeof v === "string") fields[k] = v;
    fields.kunci = hex(12); // this submission's own idempotency key
    // A task's or a household's form names the household; an objection's
    // form (/sanggah/N/foto) names the objection, not a task.
    const m = f.getAttribute("action").match(/^\/([a-z-]+)\/(\d+)(\/|$)/);
    const sanggah = m && m[1] === "sanggah";
    const it = { url: f.getAttribute("action"), task: m && !sanggah ? Number(m[2]) : 0, fields, at: new Date().toISOString(), state: "waiting" };
    if (sanggah) it.of = "sanggah #" + m[2];
    const btn = f.querySelector("button[type=submit], button:not([type])");
    if (btn) btn.disabled = true;
    if (f.matches("[data-visit]") && navigator.onLine && !noSignal &&
        !(await all().catch(() => [])).some((i) => i.task === it.task && i.state === "waiting")) {
      // With a signal, and nothing of this visit still waiting, the form
      // is sent as it is (the server's messages come back beside the
      // fields), with the phone's location.
      const pos = await where();
      if (pos) for (const k of ["lat", "lon", "accuracy"]) f.elements[k].value = String(pos[k]);
      f.submit();
      return;
    }
    try {
      if (f.matches("[data-photo]")) {
        const input = f.querySelector('input[type="file"]');
        if (!input.files.length) return;
        it.kind = "photo";
        it.label = "Foto " + f.querySelector("select[name=kind]").selectedOptions[0].textContent.toLowerCase();
        const file = input.files[0];
        // When the camera took it: the file's time (a phone's camera file
        // is written at the shot); now when the file has no plausible one.
        const t = file.lastModified;
        fields.takenAt = t > Date.UTC(2000, 0, 1) && t <= Date.now() + 864e5 ? new Date(t).toISOString() : it.at;
        it.file = await scale(file);
      } else {
        it.kind = "result";
        const o = f.querySelector("input[name=outcome]:checked");
        it.label = "Hasil kunjungan" + (o ? ": " + o.parentNode.textContent.trim() : "");
      }
      const pos = await where();
      if (pos) { fields.lat = String(pos.lat); fields.lon = String(pos.lon); fields.accuracy = String(pos.accuracy); }
      await put(it);
      if (it.kind === "photo") f.reset();
    } finally { if (btn) btn.disabled = false; }
    await show();
    flush();
  }, true);

  // What the server holds for a task now, to show beside a conflict.
  const current = async (task) => {
    try {
      const r = await fetch("/api/v1/tasks/" + task, { headers: { Accept: "application/json" } });
      if (r.status === 404) return "tugas ini tidak lagi dapat Anda buka (dialihkan ke petugas lain atau di luar wilayah Anda)";
      const t = await r.json();
      const words = { open: "belum dikunjungi", submitted: "hasil terkirim", closed: "ditutup musyawarah" };
      return "status " + (words[t.status] || t.status) + ", versi " + t.version + (t.result ? ", hasil tercatat " + t.result.outcome + " (" + t.result.visitDate + ")" : "");
    } catch (_) { return ""; }
  };

  // flush sends what waits, oldest first (a visit's photos before its
  // result), and stops at the first failure of the connection.
  let flushing = false;
  const flush = async () => {
    if (flushing || !navigator.onLine) { show(); return; }
    flushing = true;
    let sentHere = false;
    try {
      for (const it of await all()) {
        if (it.state !== "waiting") continue;
        const body = new FormData();
        // The form token of the session signed in now (after a new login
        // the one the item was recorded with is no longer valid).
        const csrf = document.querySelector('input[name="csrf"]');
        if (csrf) it.fields.csrf = csrf.value;
        for (const [k, v] of Object.entries(it.fields)) body.append(k, v);
        if (it.file) body.append("file", it.file, "foto.jpg");
        let r;
        try { r = await fetch(it.url, { method: "POST", body, credentials: "same-origin" }); } catch (_) { noSignal = true; break; }
        noSignal = false;
        const back = new URL(r.url, location.href).pathname;
        if (r.ok && r.redirected && back !== "/masuk") {
          await drop(it.id);
          sentHere = sentHere || it.task === pageTask;
          continue;
        }
        if (back === "/masuk" || r.status === 403) {
          it.message = "Masuk lagi untuk mengirim.";
          await put(it);
          break;
        }
        const page = new DOMParser().parseFromString(await r.text(), "text/html");
        it.message = Array.from(page.querySelectorAll(".alert, .field-error"), (n) => n.textContent.trim()).filter(Boolean).join(" ") || "Ditolak (kode " + r.status + ").";
        if (r.status >= 500) { await put(it); break; }
        it.state = r.status === 409 || r.status === 404 ? "conflict" : "refused";
        if (it.state === "conflict" && it.task) it.now = await current(it.task);
        await put(it);
      }
    } finally { flushing = false; }
    await show();
    if (sentHere && !(await all()).some((i) => i.task === pageTask)) location.assign(location.pathname + "?tersimpan=1");
  };

  // show lists what waits on this phone, and what was refused.
  const show = async () => {
    const box = document.getElementById("antrean");
    if (!box) return;
    let items = [];
    try { items = await all(); } catch (_) { return; }
    const waiting = items.filter((i) => i.state === "waiting").length;
    box.hidden = items.length === 0 && navigator.onLine && !noSignal;
    box.replaceChildren(el("h2", "Menunggu dikirim (" + waiting + ")"));
    box.append(el("p", navigator.onLine && !noSignal ? "Tersambung." : "Tidak ada sinyal: hasil dan foto disimpan di ponsel ini dan dikirim otomatis saat tersambung lagi.", "hint"));
    const ul = el("ul", "", "queue");
    for (const it of items) {
      const li = el("li");
      li.dataset.state = it.state;
      li.append(el("strong", it.label), el("span", " · " + (it.of || "rumah tangga #" + it.task) + " · " + new Date(it.at).toLocaleString("id-ID")));
      if (it.state === "waiting" && it.message) li.append(el("p", it.message, "hint"));
      if (it.state !== "waiting") {
        li.append(el("p", (it.state === "conflict" ? "Konflik: " : "Ditolak: ") + it.message, "field-error"));
        if (it.now) li.append(el("p", "Sekarang di server: " + it.now + ". Isian Anda tetap tersimpan di ponsel ini.", "hint"));
        const again = el("button", it.state === "conflict" ? "Kirim sebagai koreksi" : "Kirim lagi", "secondary");
        again.type = "button";
        again.onclick = async () => {
          if (it.kind === "result" && it.state === "conflict") {
            try {
              const t = await (await fetch("/api/v1/tasks/" + it.task)).json();
              it.fields.version = String(t.version);
            } catch (_) { /* sent as it was */ }
          }
          it.fields.kunci = hex(12);
          it.state = "waiting"; delete it.message; delete it.now;
          await put(it); flush();
        };
        const del = el("button", "Buang", "link");
        del.type = "button";
        del.onclick = async () => { if (confirm("Buang kiriman ini dari ponsel?")) { await drop(it.id); show(); } };
        li.append(again, del);
      }
      ul.append(li);
    }
    box.append(ul);
  };

  // A task list opened with a signal: the service worker keeps every
  // task page it lists, so any of them opens without one; the page says
  // how many are kept (and that the next list page keeps the next ones).
  const keepListed = async () => {
    const note = document.getElementById("luring");
    if (!note || !navigator.onLine || !("serviceWorker" in navigator)) return;
    const paths = [...new Set(Array.from(document.querySelectorAll('ul.tasks a[href^="/tugas/"]'), (a) => a.getAttribute("href")))];
    if (!paths.length) return;
    const reg = await navigator.serviceWorker.ready;
    const ch = new MessageChannel();
    ch.port1.onmessage = (m) => {
      const { tersimpan, dari } = m.data;
      note.textContent = (tersimpan === dari ? "Semua " + dari : tersimpan + " dari " + dari) +
        " halaman tugas di daftar ini tersimpan di ponsel dan dapat dibuka tanpa sinyal." +
        (note.dataset.lanjut ? " Buka halaman daftar berikutnya dengan sinyal untuk menyimpan tugas lainnya." : "");
      note.dataset.tersimpan = String(tersimpan);
      note.hidden = false;
    };
    reg.active.postMessage({ simpan: paths }, [ch.port2]);
  };

  window.addEventListener("online", flush);
  // And every 20 s: a phone may think it is online with no usable signal,
  // and never say when the signal comes back.
  setInterval(flush, 20000);
  window.addEventListener("offline", show);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").then(keepListed).catch(() => {});
  // Signed out: the cached pages go (they hold families' data); what waits stays.
  if (location.pathname === "/masuk" && window.caches) caches.delete("verval-halaman");
  flush();
})();
