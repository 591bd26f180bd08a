/* cnie report: tooltips for highlighted spans, sortable/filterable indicator tables.
   Reads only the page's own DOM; writes text with textContent (never innerHTML). */
(function () {
  "use strict";
  var tip = document.getElementById("tip");

  function rowFor(el) {
    var id = el.getAttribute("aria-describedby");
    return id ? document.getElementById(id) : null;
  }

  function fieldsFor(el) {
    var out = [];
    if (el.classList.contains("ind")) {
      var row = rowFor(el);
      if (!row) return out;
      var heads = row.closest("table").querySelectorAll("thead th");
      var cells = row.children;
      for (var i = 0; i < cells.length && i < heads.length; i++) {
        var key = heads[i].getAttribute("data-key");
        var val = cells[i].textContent;
        if (key && key !== "n" && val !== "") out.push([key, val]);
      }
    } else if (el.classList.contains("ent")) {
      out.push(["entity", el.getAttribute("data-label") || ""]);
      out.push(["text", el.getAttribute("data-text") || el.textContent]);
      var norm = el.getAttribute("data-norm");
      if (norm) out.push(["normalized", norm]);
      if (el.classList.contains("generic")) out.push(["generic", "yes"]);
    }
    return out;
  }

  function show(el) {
    var f = fieldsFor(el);
    if (!f.length) return;
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    var dl = document.createElement("dl");
    f.forEach(function (kv) {
      var dt = document.createElement("dt"); dt.textContent = kv[0];
      var dd = document.createElement("dd"); dd.textContent = kv[1];
      dl.appendChild(dt); dl.appendChild(dd);
    });
    tip.appendChild(dl);
    var r = el.getBoundingClientRect();
    tip.style.display = "block";
    var left = Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = (r.bottom + window.scrollY + 6) + "px";
    var row = rowFor(el);
    if (row) row.classList.add("hit");
  }

  function hide() {
    tip.style.display = "none";
    document.querySelectorAll("tr.hit").forEach(function (r) { r.classList.remove("hit"); });
  }

  function spanOf(target) {
    if (!target || !target.closest) return null;
    var el = target.closest(".ind, .ent");
    if (el && el.classList.contains("cont")) {   // a fragment of a split span: use its head
      var head = document.getElementById(el.getAttribute("data-head"));
      if (head) return head;
    }
    return el;
  }

  document.addEventListener("mouseover", function (e) { var el = spanOf(e.target); if (el) show(el); });
  document.addEventListener("mouseout", function (e) { if (spanOf(e.target)) hide(); });
  document.addEventListener("focusin", function (e) { var el = spanOf(e.target); if (el) show(el); });
  document.addEventListener("focusout", hide);

  function sortKey(td) {
    var v = td.getAttribute("data-v");
    if (v === null) v = td.textContent;
    var n = parseFloat(v);
    return (v !== "" && isFinite(n) && String(n) === String(Number(v))) ? n : v;
  }

  function sortBy(th) {
    var table = th.closest("table");
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[col]), y = sortKey(b.cells[col]);
      if (typeof x === "number" && typeof y === "number") return dir * (x - y);
      if (typeof x === "number") return -dir;
      if (typeof y === "number") return dir;
      return dir * String(x).localeCompare(String(y));
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function headerOf(target) {
    return target && target.closest ? target.closest("table.inds thead th") : null;
  }

  document.addEventListener("click", function (e) { var th = headerOf(e.target); if (th) sortBy(th); });
  document.addEventListener("keydown", function (e) {
    var th = headerOf(e.target);
    if (th && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); sortBy(th); }
  });

  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("select.type-filter")) return;
    var table = document.getElementById(sel.getAttribute("data-table"));
    var want = sel.value;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      r.hidden = !(want === "" || r.getAttribute("data-type") === want);
    });
  });

  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.goto");
    if (!a) return;
    var el = document.getElementById(a.getAttribute("href").slice(1));
    if (el) { e.preventDefault(); el.scrollIntoView({block: "center"}); el.focus({preventScroll: true}); }
  });
})();
