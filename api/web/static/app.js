// verval pages: the few things plain HTML cannot do. Every page works
// without this script; it only prevents double submissions, shows the
// P3KE upload's progress and polls a running intake.
"use strict";

// A form marked data-once is sent once: a second click while the first
// request is on its way does nothing. (The server is idempotent anyway:
// the form's key makes a resent visit result apply once.)
document.addEventListener("submit", (e) => {
  const f = e.target;
  if (!f.matches("form[data-once]")) return;
  if (f.dataset.sent) { e.preventDefault(); return; }
  f.dataset.sent = "1";
  setTimeout(() => f.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
});

const id = (n) => Number(n || 0).toLocaleString("id-ID");

// P3KE upload: send the form with the file to the page route (which checks
// the CSRF token), show the upload's progress, then open the page the
// server sends us to: the intake's. A refused file comes back as the
// upload page with the reason, in Indonesian, next to the field.
const up = document.getElementById("unggah");
if (up) {
  up.addEventListener("submit", (e) => {
    e.preventDefault();
    const bar = up.querySelector("progress"), status = up.querySelector(".status");
    const err = up.querySelector(".field-error"), btn = up.querySelector("button");
    err.hidden = true;
    btn.disabled = true;
    bar.hidden = false;
    const x = new XMLHttpRequest();
    x.open("POST", up.action);
    x.upload.onprogress = (ev) => {
      if (!ev.lengthComputable) return;
      bar.max = ev.total; bar.value = ev.loaded;
      status.textContent = "Mengunggah " + Math.round(100 * ev.loaded / ev.total) + "%";
    };
    x.upload.onload = () => { bar.removeAttribute("value"); status.textContent = "Memeriksa kolom berkas…"; };
    const fail = (msg) => { err.textContent = msg; err.hidden = false; bar.hidden = true; status.textContent = ""; btn.disabled = false; };
    x.onload = () => {
      if (x.status === 200 && x.responseURL) { location.assign(x.responseURL); return; }
      const page = new DOMParser().parseFromString(x.responseText, "text/html");
      const why = page.querySelector("#f-file .field-error:not([hidden])") || page.querySelector(".alert");
      fail(why ? why.textContent.trim() : "Unggahan gagal (kode " + x.status + "). Coba lagi.");
    };
    x.onerror = () => fail("Koneksi terputus. Coba unggah lagi.");
    x.send(new FormData(up));
  });
}

// A running intake: poll its progress once a second until it ends, then
// reload the page for the final counts and the row issues.
const box = document.querySelector("[data-intake]");
if (box) {
  const bar = box.querySelector("progress");
  const words = { queued: "Menunggu giliran…", running: "Membaca berkas…" };
  const tick = async () => {
    let d;
    try {
      const r = await fetch("/api/v1/intakes/" + box.dataset.intake, { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(String(r.status));
      d = await r.json();
    } catch (_) { setTimeout(tick, 3000); return; }
    if (d.status === "done" || d.status === "failed") { location.reload(); return; }
    box.querySelectorAll("[data-f]").forEach((el) => {
      const v = d[el.dataset.f];
      if (typeof v === "number") el.textContent = id(v);
    });
    const st = box.querySelector('[data-f="status"]');
    if (d.workflowsStarted > 0 && d.householdsStored > 0) {
      bar.max = d.householdsStored; bar.value = d.workflowsStarted;
      st.textContent = "Membuka kasus keluarga… " + Math.floor(100 * d.workflowsStarted / d.householdsStored) + "%";
    } else {
      bar.removeAttribute("value");
      st.textContent = words[d.status] || "";
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
}
