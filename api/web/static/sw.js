// verval's service worker: the village officer's task list and task
// pages, and the static files, keep working without a connection. A page
// is fetched from the network first and kept; without a connection the
// kept copy is shown (field.js queues what is recorded on it). A task
// list opened with a signal has every task page it lists kept too
// (field.js asks, below), so a visit the officer never opened online
// still opens offline. Posts are never touched: field.js sends them when
// the connection is back.
"use strict";
const CACHE = "verval-halaman";
// At most this many task pages kept per request: a list page shows 25.
const KEEP_MAX = 50;
// A task page kept less than this long ago is not fetched again.
const KEEP_FRESH_MS = 5 * 60 * 1000;
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
// keep puts a visit form that could not be sent into field.js's queue.
const keep = (item) => new Promise((ok, no) => {
  const o = indexedDB.open("verval-antrean", 1);
  o.onupgradeneeded = () => o.result.createObjectStore("kiriman", { keyPath: "id", autoIncrement: true });
  o.onsuccess = () => {
    const t = o.result.transaction("kiriman", "readwrite");
    t.objectStore("kiriman").add(item);
    t.oncomplete = ok;
    t.onerror = () => no(t.error);
  };
  o.onerror = () => no(o.error);
});

// keepPage fetches a task page into the cache c, unless a copy fetched
// in the last KEEP_FRESH_MS is there; it reports whether a copy is kept.
const keepPage = async (c, path) => {
  const had = await c.match(path);
  if (had && Date.now() - Date.parse(had.headers.get("Date") || "") < KEEP_FRESH_MS) return true;
  try {
    const resp = await fetch(path, { credentials: "same-origin" });
    // Not a sign-in page (a redirect) nor an error page in place of the task.
    if (!resp.ok || resp.redirected) return !!had;
    await c.put(path, resp);
    return true;
  } catch (_) { return !!had; }
};

// { simpan: ["/tugas/12", ...] } from a task list: each listed task page
// is kept, three at a time; the answer on the message's port says how
// many of how many are kept.
self.addEventListener("message", (e) => {
  const paths = ((e.data || {}).simpan || []).filter((p) => /^\/tugas\/\d+$/.test(p)).slice(0, KEEP_MAX);
  const port = e.ports[0];
  if (!paths.length || !port) return;
  e.waitUntil((async () => {
    const c = await caches.open(CACHE);
    const todo = paths.slice();
    let kept = 0;
    const worker = async () => { for (let p; (p = todo.shift()); ) if (await keepPage(c, p)) kept++; };
    await Promise.all([worker(), worker(), worker()]);
    port.postMessage({ tersimpan: kept, dari: paths.length });
  })());
});

self.addEventListener("fetch", (e) => {
  const r = e.request;
  const u = new URL(r.url);
  if (u.origin !== self.location.origin) return;
  if (r.method === "POST" && r.mode === "navigate" && /^\/tugas\/\d+$/.test(u.pathname)) {
    // A visit form sent as a page while the phone thought it had a
    // signal: without one, it is kept in the queue, not lost.
    const copy = r.clone();
    e.respondWith(fetch(r).catch(async () => {
      const fields = {};
      for (const [k, v] of await copy.formData()) if (typeof v === "string") fields[k] = v;
      fields.kunci = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
      await keep({ url: u.pathname, task: Number(u.pathname.split("/")[2]), fields, kind: "result",
        label: "Hasil kunjungan", at: new Date().toISOString(), state: "waiting" });
      return Response.redirect(u.pathname + "?antre=1", 303);
    }));
    return;
  }
  if (r.method !== "GET") return;
  const page = r.mode === "navigate" && /^\/tugas(\/\d+)?$/.test(u.pathname);
  const asset = u.pathname.startsWith("/static/");
  if (!page && !asset) return;
  e.respondWith((async () => {
    const c = await caches.open(CACHE);
    if (asset) {
      const hit = await c.match(r);
      if (hit) return hit;
      const resp = await fetch(r);
      if (resp.ok) c.put(r, resp.clone());
      return resp;
    }
    const key = u.pathname + (u.pathname === "/tugas" ? u.search : "");
    try {
      const resp = await fetch(r);
      if (resp.ok && !resp.redirected) c.put(key, resp.clone());
      return resp;
    } catch (err) {
      const hit = (await c.match(key)) || (await c.match(u.pathname));
      if (hit) return hit;
      throw err;
    }
  })());
});
