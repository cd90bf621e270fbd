/* Legacy portal widgets: XHR dropdowns, calendar date picker, typed dates, add-line. */
(function () {
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  document.querySelectorAll("select[data-src]").forEach(function (sel) {
    fetch(sel.dataset.src, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json();
    }).then(function (items) {
      sel.innerHTML = '<option value="">-- choose --</option>';
      items.forEach(function (it) { sel.add(new Option(it.label, it.code)); });
      sel.dataset.loaded = "1";
    }).catch(function () { sel.innerHTML = '<option value="">(failed to load)</option>'; });
  });
  document.querySelectorAll(".dp").forEach(function (dp) {
    var display = dp.querySelector(".dp-display"), hidden = dp.querySelector("input[type=hidden]");
    var cal = dp.querySelector(".dp-calendar"), month = cal.querySelector(".dp-month");
    var year = cal.querySelector(".dp-year"), grid = cal.querySelector(".dp-days");
    var now = new Date(), m, y;
    for (m = 0; m < 12; m++) { month.add(new Option(MONTHS[m], String(m + 1))); }
    for (y = 2000; y <= 2040; y++) { year.add(new Option(String(y), String(y))); }
    month.value = String(now.getMonth() + 1); year.value = String(now.getFullYear());
    function pick(ev) {
      var d = +ev.target.dataset.day, mm = +month.value, yy = year.value;
      hidden.value = yy + "-" + pad(mm) + "-" + pad(d);
      display.value = pad(d) + "." + pad(mm) + "." + yy; cal.hidden = true;
    }
    function draw() {
      grid.innerHTML = "";
      var n = new Date(+year.value, +month.value, 0).getDate();
      for (var d = 1; d <= n; d++) {
        var b = document.createElement("button"); b.type = "button"; b.className = "dp-day";
        b.textContent = d; b.dataset.day = d; b.onclick = pick; grid.appendChild(b);
      }
    }
    month.onchange = draw; year.onchange = draw;
    display.addEventListener("click", function () { cal.hidden = false; draw(); });
  });
  document.querySelectorAll(".dp-typed").forEach(function (inp) {
    var hidden = document.getElementById(inp.dataset.target);
    function sync() {
      var m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(inp.value.trim());
      hidden.value = m ? m[3] + "-" + m[1] + "-" + m[2] : "";
      inp.classList.toggle("invalid", !m);
    }
    inp.addEventListener("input", sync); inp.addEventListener("change", sync);
  });
  document.querySelectorAll("[data-add-line]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var body = document.getElementById(btn.dataset.addLine), row = body.rows[0].cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      body.appendChild(row);
    });
  });
})();
