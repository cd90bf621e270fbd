// o2c-capture: shortcuts shared by every page, queue-list navigation, CSRF helper.
"use strict";
(function () {
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  window.o2c = window.o2c || {};
  window.o2c.csrf = csrf;
  window.o2c.typing = (el) => !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" ||
    el.tagName === "SELECT" || el.isContentEditable);
  window.o2c.post = async function (url, body) {
    const r = await fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify(body || {})});
    let data = {};
    try { data = await r.json(); } catch (e) { data = {message: r.statusText}; }
    return {ok: r.ok, status: r.status, data: data};
  };

  document.addEventListener("DOMContentLoaded", function () {
    const help = document.getElementById("help");
    const toggleHelp = () => { if (help) help.hidden = !help.hidden; };
    const hb = document.getElementById("help-button");
    if (hb) hb.addEventListener("click", toggleHelp);
    const rows = Array.from(document.querySelectorAll("tr.qrow"));
    let sel = -1;
    const select = (i) => {
      if (!rows.length) return;
      sel = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, j) => r.classList.toggle("sel", j === sel));
      rows[sel].scrollIntoView({block: "nearest"});
    };
    rows.forEach((r, i) => r.addEventListener("click", (e) => {
      if (e.target.tagName !== "A") { select(i); window.location = r.dataset.href; }
    }));
    let lastG = 0;
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && help && !help.hidden) { help.hidden = true; return; }
      if (e.ctrlKey || e.metaKey || e.altKey || window.o2c.typing(e.target)) return;
      if (document.body.classList.contains("doc-page") && "jkaenr[]+-h".includes(e.key)) return;
      const k = e.key;
      if (k === "?") { toggleHelp(); e.preventDefault(); }
      else if (k === "/") { const s = document.getElementById("search"); if (s) { s.focus(); s.select(); e.preventDefault(); } }
      else if (k === "g") { lastG = Date.now(); }
      else if (k === "q" && Date.now() - lastG < 1000) { window.location = "/queue"; }
      else if (rows.length && (k === "j" || k === "ArrowDown")) { select(sel + 1); e.preventDefault(); }
      else if (rows.length && (k === "k" || k === "ArrowUp")) { select(sel - 1); e.preventDefault(); }
      else if (rows.length && (k === "Enter" || k === "o") && sel >= 0) { window.location = rows[sel].dataset.href; }
      else if (k === "s" && document.getElementById("start")) { window.location = document.getElementById("start").href; }
      else if (k === "]" && document.getElementById("next-page")) { window.location = document.getElementById("next-page").href; }
      else if (k === "[" && document.getElementById("prev-page")) { window.location = document.getElementById("prev-page").href; }
    });
    if (rows.length && document.body.classList.contains("queue-page")) select(0);
  });
})();
