// o2c-capture document page: page viewer with field boxes and clickable words, field and
// line editing with live re-validation, approve / reject / next, lock heartbeat.
// All document text is inserted with textContent / value, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let D, version, page = 1, zoom = 1, active = null, busy = Promise.resolve();
  const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
  const words = {};

  function status(msg, bad) { const s = $("status"); if (s) { s.textContent = msg || ""; s.classList.toggle("bad", !!bad); } }
  function banner(msg) { const b = $("banner"); if (b) { b.textContent = msg; b.hidden = !msg; } }
  function confClass(c) { if (c === null || c === undefined) return "conf-none"; return c >= 0.95 ? "conf-hi" : c >= 0.8 ? "conf-mid" : "conf-lo"; }
  function setConf(el, c) { ["conf-hi", "conf-mid", "conf-lo", "conf-none"].forEach((k) => el.classList.remove(k)); el.classList.add(confClass(c)); }
  function fieldInputs() { return Array.from(document.querySelectorAll("input.field, input.cell")); }
  function attentionInputs() { return Array.from(document.querySelectorAll("tr.frow.attention input.field")); }

  // ---- server calls, one at a time (each save needs the version of the previous) ----
  function call(url, body) {
    const p = busy.then(() => window.o2c.post(url, Object.assign({version: version}, body)));
    busy = p.catch(() => null);
    return p;
  }
  function conflict(r) {
    const msg = (r.data && r.data.message) || ("error " + r.status);
    status(msg, true);
    if (r.status === 409) banner(msg + " — reload the page (F5) to continue.");
    return null;
  }

  // ---- page viewer ---------------------------------------------------------------------
  function pct(v) { return (v * 100).toFixed(3) + "%"; }
  function place(el, b) { el.style.left = pct(b[0]); el.style.top = pct(b[1]); el.style.width = pct(b[2] - b[0]); el.style.height = pct(b[3] - b[1]); }
  function dpiFor(z) { return z <= 0.8 ? 72 : z <= 1.3 ? 110 : z <= 1.8 ? 150 : 200; }
  function showPage(n) {
    if (!D.pages || D.kind === "text") return;
    page = Math.max(1, Math.min(D.pages, n));
    $("page-img").src = "/documents/" + D.id + "/pages/" + page + ".png?dpi=" + dpiFor(zoom);
    $("page-label").textContent = page + " / " + D.pages;
    document.querySelectorAll(".thumb").forEach((t) => t.classList.toggle("on", +t.dataset.page === page));
    drawBoxes(); loadWords(page);
  }
  function setZoom(z) {
    zoom = z; $("page").style.width = (z * 100) + "%"; $("zoom-label").textContent = Math.round(z * 100) + "%";
    $("page-img").src = "/documents/" + D.id + "/pages/" + page + ".png?dpi=" + dpiFor(zoom);
  }
  function boxOf(el) {
    if (!el) return null;
    if (el.dataset.bbox) return {page: +el.dataset.page || page, bbox: JSON.parse(el.dataset.bbox)};
    if (el.dataset.field) return D.boxes[el.dataset.field] || null;
    const ln = (D.lineBoxes[+el.dataset.line] || [])[D.columns.indexOf(el.dataset.col)];
    return ln && ln.bbox ? ln : null;
  }
  function drawBoxes() {
    const ov = $("overlay"); if (!ov) return;
    ov.querySelectorAll(".fbox").forEach((b) => b.remove());
    fieldInputs().forEach((inp) => {
      const b = boxOf(inp); if (!b || !b.bbox || (b.page || 1) !== page) return;
      const d = document.createElement("div");
      d.className = "fbox " + confClass(inp.classList.contains("conf-hi") ? 1 : inp.classList.contains("conf-mid") ? 0.9 : inp.classList.contains("conf-lo") ? 0 : null);
      d.dataset.for = inp.id; place(d, b.bbox); ov.appendChild(d);
    });
    highlight(active);
  }
  function highlight(inp) {
    document.querySelectorAll(".fbox.active").forEach((b) => b.classList.remove("active"));
    document.querySelectorAll("tr.frow.focused").forEach((r) => r.classList.remove("focused"));
    if (!inp) return;
    const row = inp.closest("tr.frow"); if (row) row.classList.add("focused");
    const b = boxOf(inp);
    if (b && b.bbox && D.kind !== "text") {
      if ((b.page || 1) !== page) { showPage(b.page || 1); return; }
      const el = document.querySelector('.fbox[data-for="' + inp.id + '"]');
      if (el) { el.classList.add("active"); el.scrollIntoView({block: "nearest", inline: "nearest"}); }
    }
  }
  async function loadWords(n) {
    if (words[n]) { drawWords(n); return; }
    try {
      const r = await fetch("/documents/" + D.id + "/pages/" + n + "/words", {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (!r.ok) return;
      words[n] = (await r.json()).words || [];
      if (n === page) drawWords(n);
    } catch (e) { /* words are a convenience */ }
  }
  function drawWords(n) {
    const ov = $("overlay"); ov.querySelectorAll(".word").forEach((w) => w.remove());
    words[n].forEach((w) => {
      const s = document.createElement("span"); s.className = "word"; s.title = w.text;
      s.dataset.text = w.text; s.dataset.bbox = JSON.stringify(w.bbox); place(s, w.bbox);
      ov.appendChild(s);
    });
  }
  function clickWord(e) {
    const w = e.target.closest(".word"); if (!w || !active || active.readOnly) return;
    e.preventDefault();
    const b = JSON.parse(w.dataset.bbox);
    if (e.shiftKey && active.value) {
      active.value = active.value + " " + w.dataset.text;
      const old = active.dataset.bbox ? JSON.parse(active.dataset.bbox) : b;
      active.dataset.bbox = JSON.stringify([Math.min(old[0], b[0]), Math.min(old[1], b[1]), Math.max(old[2], b[2]), Math.max(old[3], b[3])]);
    } else { active.value = w.dataset.text; active.dataset.bbox = JSON.stringify(b); }
    active.dataset.page = page; active.dataset.dirty = "1";
    active.focus(); drawBoxes();
  }

  // ---- editing -------------------------------------------------------------------------
  function opFor(inp, accept) {
    const op = inp.dataset.field ? {field: inp.dataset.field} : {index: +inp.dataset.line, column: inp.dataset.col};
    if (inp.dataset.field) op.op = accept ? "accept" : "set"; else op.op = "set_line";
    op.value = inp.value;
    if (inp.dataset.bbox) { op.bbox = JSON.parse(inp.dataset.bbox); op.page = +inp.dataset.page; }
    return op;
  }
  function applyState(st) {
    version = st.version;
    Object.entries(st.fields || {}).forEach(([name, f]) => {
      const inp = $("f-" + name); if (!inp) return;
      setConf(inp, f.confidence); if (f.bbox) D.boxes[name] = {page: f.page, bbox: f.bbox};
      const c = $("c-" + name); if (c) { setConf(c, f.confidence); c.textContent = f.source === "reviewer" ? "✓" : (f.confidence == null ? "–" : Math.round(f.confidence * 100) + "%"); }
      const row = inp.closest("tr.frow"); if (row && f.source === "reviewer") row.classList.remove("attention");
    });
    (st.lines || []).forEach((ln, i) => D.columns.forEach((col, j) => {
      const inp = $("l-" + i + "-" + col); const cell = ln[col];
      if (inp && cell) { setConf(inp, cell.confidence); if (cell.bbox) { D.lineBoxes[i] = D.lineBoxes[i] || []; D.lineBoxes[i][j] = {page: cell.page, bbox: cell.bbox}; } }
    }));
    const list = $("reason-list"); list.textContent = "";
    (st.failing || []).forEach((r) => {
      const li = document.createElement("li"); const code = document.createElement("span");
      code.className = "code"; code.textContent = r.code; li.appendChild(code);
      li.appendChild(document.createTextNode(" " + r.reason));
      (r.fields || []).forEach((f) => {
        const m = /^lines\[(\d+)\]\.(\w+)$/.exec(f);
        const a = document.createElement("a"); a.className = "field-link"; a.textContent = f;
        a.dataset.target = m ? "l-" + (m[1] - 1) + "-" + m[2] : "f-" + f; a.href = "#" + a.dataset.target;
        li.appendChild(a);
      });
      list.appendChild(li);
    });
    $("reasons").hidden = !(st.failing || []).length;
    const checks = $("checks"); checks.textContent = "";
    (st.checks || []).forEach((c) => {
      const li = document.createElement("li"); li.className = c.ok ? "ok" : "bad";
      li.textContent = (c.ok ? "✓ " : "✗ ") + c.code + " " + c.reason; checks.appendChild(li);
    });
    fieldInputs().forEach((i) => { delete i.dataset.dirty; });
    drawBoxes();
    status((st.failing || []).length ? (st.failing.length + " check(s) still failing") : "All checks pass", (st.failing || []).length > 0);
  }
  async function save(ops) {
    status("saving…");
    const r = await call("/documents/" + D.id + "/edit", {ops: ops});
    if (!r.ok) return conflict(r);
    applyState(r.data); return r.data;
  }
  function nextAttention(from) {
    const all = fieldInputs(), att = attentionInputs().filter((i) => i !== from);
    const idx = all.indexOf(from);
    return att.find((i) => all.indexOf(i) > idx) || att[0] || null;
  }
  async function commit(inp, move) {
    if (inp.readOnly) return;
    const changed = inp.dataset.dirty === "1" || inp.value !== inp.defaultValue;
    const ops = [opFor(inp, !changed)];
    inp.defaultValue = inp.value;
    const res = await save(ops);
    if (res && move) { const n = nextAttention(inp); if (n) n.focus(); else $("approve").focus(); }
  }
  async function structural(op) { const r = await save([op]); if (r) window.location.reload(); }

  // ---- decisions -----------------------------------------------------------------------
  async function flushDirty() {
    const dirty = fieldInputs().filter((i) => !i.readOnly && (i.dataset.dirty === "1" || i.value !== i.defaultValue));
    if (dirty.length) { dirty.forEach((i) => { i.defaultValue = i.value; }); await save(dirty.map((i) => opFor(i, false))); }
  }
  async function approve(confirm) {
    if (!$("approve")) return;
    await flushDirty();
    status("approving…");
    const r = await call("/documents/" + D.id + "/approve", {confirm: !!confirm});
    if (!r.ok) return conflict(r);
    if (r.data.needs_confirmation) {
      const ul = $("confirm-list"); ul.textContent = "";
      r.data.failing.forEach((f) => { const li = document.createElement("li"); li.textContent = f.reason; ul.appendChild(li); });
      const dlg = $("confirm-dialog"); dlg.returnValue = ""; dlg.showModal(); $("confirm-yes").focus();
      return;
    }
    left = true; window.location = r.data.next;
  }
  function rejectDialog() { if (!$("reject")) return; const d = $("reject-dialog"); d.returnValue = ""; d.showModal(); $("reject-code").focus(); }
  async function reject() {
    const reason = $("reject-code").value + ($("reject-note").value ? ": " + $("reject-note").value : "");
    const r = await call("/documents/" + D.id + "/reject", {reason: reason});
    if (!r.ok) return conflict(r);
    left = true; window.location = r.data.next;
  }
  let left = false;
  function nextDoc() { window.location = $("next-doc").href; }

  // ---- keyboard ------------------------------------------------------------------------
  function onKey(e) {
    const t = e.target, inField = t.matches && t.matches("input.field, input.cell");
    if (document.querySelector("dialog[open]")) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); approve(false); return; }
    if (e.altKey && (e.key === "r" || e.key === "R")) { e.preventDefault(); rejectDialog(); return; }
    if (e.altKey && (e.key === "n" || e.key === "N")) { e.preventDefault(); nextDoc(); return; }
    if (inField && t.dataset.line !== undefined && e.altKey) {
      const i = +t.dataset.line;
      if (e.key === "Insert") { e.preventDefault(); structural({op: "add_line", index: i + 1}); return; }
      if (e.key === "Delete") { e.preventDefault(); structural({op: "remove_line", index: i}); return; }
      if (e.key === "s" || e.key === "S") { e.preventDefault(); structural({op: "split_line", index: i}); return; }
    }
    if (inField) {
      if (e.key === "Enter") { e.preventDefault(); commit(t, true); }
      else if (e.key === "Escape") { t.blur(); active = t; highlight(t); }
      return;
    }
    if (window.o2c.typing(t) || e.ctrlKey || e.metaKey || e.altKey) return;
    const all = fieldInputs(), i = all.indexOf(active);
    const k = e.key;
    if (k === "j") { active = all[i + 1] || all[0]; highlight(active); }
    else if (k === "k") { active = all[i - 1] || all[all.length - 1]; highlight(active); }
    else if ((k === "e" || k === "Enter") && active) { e.preventDefault(); active.focus(); active.select(); }
    else if (k === "a" && active) { commit(active, false); }
    else if (k === "r") { rejectDialog(); }
    else if (k === "n") { nextDoc(); }
    else if (k === "+" || k === "=") { setZoom(ZOOMS[Math.min(ZOOMS.length - 1, ZOOMS.indexOf(zoom) + 1)]); }
    else if (k === "-") { setZoom(ZOOMS[Math.max(0, ZOOMS.indexOf(zoom) - 1)]); }
    else if (k === "]") { showPage(page + 1); }
    else if (k === "[") { showPage(page - 1); }
    else if (k === "h") { tab("tab-history"); }
    else return;
    e.preventDefault();
  }
  function tab(id) {
    document.querySelectorAll(".tabpane").forEach((p) => { p.hidden = p.id !== id; });
    document.querySelectorAll(".tab").forEach((a) => a.classList.toggle("on", a.dataset.tab === id));
  }

  // ---- partner autocomplete -------------------------------------------------------------
  let acTimer = null;
  function autocomplete(inp) {
    clearTimeout(acTimer);
    acTimer = setTimeout(async () => {
      if (inp.value.length < 2) return;
      const r = await fetch("/partners?field=" + encodeURIComponent(inp.dataset.partner) + "&q=" + encodeURIComponent(inp.value), {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (!r.ok) return;
      const dl = $("dl-" + inp.dataset.partner); dl.textContent = "";
      ((await r.json()).suggestions || []).forEach((p) => {
        const o = document.createElement("option"); o.value = p.name;
        o.label = [p.number, p.vat_id, p.city, p.source].filter(Boolean).join(" · "); dl.appendChild(o);
      });
    }, 150);
  }

  // ---- lock heartbeat --------------------------------------------------------------------
  async function heartbeat() {
    const r = await window.o2c.post("/documents/" + D.id + "/lock", {});
    if (r.ok && !r.data.held && r.data.state === "needs_review") {
      banner("Your lock was taken by " + (r.data.by || "someone") + ": changes can no longer be saved.");
      fieldInputs().forEach((i) => { i.readOnly = true; });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    D = JSON.parse($("doc-data").textContent); version = D.version;
    document.addEventListener("keydown", onKey);
    fieldInputs().forEach((inp) => {
      inp.addEventListener("focus", () => { active = inp; highlight(inp); });
      inp.addEventListener("mouseenter", () => highlight(inp));
      inp.addEventListener("mouseleave", () => highlight(active));
      inp.addEventListener("input", () => { inp.dataset.dirty = "1"; delete inp.dataset.bbox; if (inp.dataset.partner) autocomplete(inp); });
      inp.addEventListener("blur", () => { if (!inp.readOnly && (inp.dataset.dirty === "1") && !left) setTimeout(() => { if (document.activeElement !== inp && inp.dataset.dirty === "1") commit(inp, false); }, 0); });
    });
    document.querySelectorAll(".field-link").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); const t = $(a.dataset.target); if (t) t.focus(); }));
    $("reason-list").addEventListener("click", (e) => { const a = e.target.closest(".field-link"); if (a) { e.preventDefault(); const t = $(a.dataset.target); if (t) t.focus(); } });
    document.querySelectorAll(".tab").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); tab(a.dataset.tab); }));
    if ($("approve")) $("approve").addEventListener("click", () => approve(false));
    if ($("reject")) $("reject").addEventListener("click", rejectDialog);
    $("confirm-dialog").addEventListener("close", () => { if ($("confirm-dialog").returnValue === "yes") approve(true); });
    $("reject-dialog").addEventListener("close", () => { if ($("reject-dialog").returnValue === "yes") reject(); });
    $("reject-form").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target.tagName !== "BUTTON") { e.preventDefault(); $("reject-dialog").close("yes"); } });
    if ($("add-line")) $("add-line").addEventListener("click", () => structural({op: "add_line", index: D.lineBoxes.length}));
    document.querySelectorAll(".rowops .split").forEach((b) => b.addEventListener("click", () => structural({op: "split_line", index: +b.dataset.line})));
    document.querySelectorAll(".rowops .remove").forEach((b) => b.addEventListener("click", () => structural({op: "remove_line", index: +b.dataset.line})));
    const dt = $("doc-type"); if (dt) dt.addEventListener("change", () => structural({op: "set_doc_type", value: dt.value}));
    const take = $("take-over");
    if (take) take.addEventListener("click", async () => { const r = await window.o2c.post("/documents/" + D.id + "/lock", {override: true}); if (r.ok && r.data.held) window.location.reload(); else status(r.data.message || "could not take over", true); });
    if (D.kind !== "text" && $("page-img")) {
      $("overlay").addEventListener("mousedown", clickWord);
      $("zoom-in").addEventListener("click", () => setZoom(ZOOMS[Math.min(ZOOMS.length - 1, ZOOMS.indexOf(zoom) + 1)]));
      $("zoom-out").addEventListener("click", () => setZoom(ZOOMS[Math.max(0, ZOOMS.indexOf(zoom) - 1)]));
      $("prev-pg").addEventListener("click", () => showPage(page - 1));
      $("next-pg").addEventListener("click", () => showPage(page + 1));
      document.querySelectorAll(".thumb").forEach((t) => t.addEventListener("click", () => showPage(+t.dataset.page)));
      showPage(1);
    }
    if (D.editable) {
      setInterval(heartbeat, 120000);
      window.addEventListener("pagehide", () => {
        if (!left) navigator.sendBeacon("/documents/" + D.id + "/unlock", new URLSearchParams({csrf_token: D.csrf}));
      });
      const first = D.focus ? $("f-" + D.focus) : fieldInputs()[0];
      if (first) { first.focus(); first.select(); }
    }
  });
})();
