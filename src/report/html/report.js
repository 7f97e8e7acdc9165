// Sorting and filtering of the school table, and opening a school's details when a link leads to
// it. The page reads whole without this script.
(function () {
  "use strict";
  var table = document.getElementById("school-table");
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  // Print every school's details, then put them back as they were.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details.school"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sort";
    while (th.firstChild) { b.appendChild(th.firstChild); }
    th.appendChild(b);
    b.addEventListener("click", function () { sortBy(i, th); });
  });
  function key(row, i, numeric) {
    var v = row.cells[i] ? row.cells[i].textContent.trim() : "";
    return numeric ? (parseFloat(v) || 0) : v.toLowerCase();
  }
  function sortBy(i, th) {
    var numeric = th.getAttribute("data-type") === "num";
    var now = th.getAttribute("aria-sort");
    // Numbers first sort largest first (worst first), text A to Z.
    var asc = now ? now === "descending" : !numeric;
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var order = rows.map(function (r, n) { return [key(r, i, numeric), n, r]; });
    order.sort(function (a, b) {
      if (a[0] < b[0]) { return asc ? -1 : 1; }
      if (a[0] > b[0]) { return asc ? 1 : -1; }
      return a[1] - b[1];
    });
    var frag = document.createDocumentFragment();
    order.forEach(function (o) { frag.appendChild(o[2]); });
    body.appendChild(frag);
    // The filter's text follows its row.
    var texts = new Map(rows.map(function (r, n) { return [r, text[n]]; }));
    rows = order.map(function (o) { return o[2]; });
    text = rows.map(function (r) { return texts.get(r); });
    matched = rows.filter(keep);
    page = 0;
    render();
  }
  var filter = document.getElementById("filter");
  var show = document.getElementById("show");
  var category = document.getElementById("category");
  var shown = document.getElementById("shown");
  function keep(r, n) {
    var q = filter.value.trim().toLowerCase();
    if (q && text[n].indexOf(q) < 0) { return false; }
    var s = show.value;
    if (s === "clean" && r.getAttribute("data-findings") !== "0") { return false; }
    if (s && s !== "clean" && r.getAttribute("data-" + s) === "0") { return false; }
    if (category && category.value) {
      var cats = (r.getAttribute("data-cats") || "").split(" ");
      if (cats.indexOf(category.value) < 0) { return false; }
    }
    return true;
  }
  // A page of rows at a time: a state's ten thousand rows would make every sort and filter
  // lay out the whole table.
  var PAGE = 250;
  var page = 0;
  var matched = rows;
  var pager = document.getElementById("pager");
  function render() {
    var pages = Math.max(1, Math.ceil(matched.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var from = page * PAGE;
    var on = new Set(matched.slice(from, from + PAGE));
    rows.forEach(function (r) { r.hidden = !on.has(r); });
    var last = Math.min(from + PAGE, matched.length);
    shown.textContent = matched.length > PAGE
      ? "showing " + (matched.length ? from + 1 : 0) + "–" + last + " of " + matched.length + " (" + rows.length + " in all)"
      : "showing " + matched.length + " of " + rows.length;
    pager.hidden = matched.length <= PAGE;
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
  }
  function apply() {
    matched = rows.filter(keep);
    page = 0;
    render();
  }
  document.getElementById("prev").addEventListener("click", function () { page -= 1; render(); });
  document.getElementById("next").addEventListener("click", function () { page += 1; render(); });
  filter.addEventListener("input", apply);
  show.addEventListener("change", apply);
  if (category) { category.addEventListener("change", apply); }
  // Every row on paper.
  window.addEventListener("beforeprint", function () { rows.forEach(function (r) { r.hidden = false; }); });
  window.addEventListener("afterprint", render);
  document.getElementById("controls").hidden = false;
  apply();
})();
