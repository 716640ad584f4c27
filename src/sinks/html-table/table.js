// The table page's script: it reads the rows from the page's JSON data element and draws them; a click on a column
// header sorts by that column (again: the other way), and the search box keeps the rows whose location, thread,
// allocator, pid or tid contain its text, ignoring case. The status line gives the matching rows' bytes and share.
// Large tables are drawn a page of rows at a time ("Show more"): a browser lays out a few thousand rows at once,
// not a million.
//
// Everything from the capture reaches the page through textContent, never as markup. Numbers are printed by
// MemtraceFormat, which the page defines before this script (src/sinks/format-script.ts).
/* global MemtraceFormat */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var COLUMNS = data.columns;
  var PAGE = data.pageRows;
  var S = data.strings,
    flat = data.rows,
    total = data.totalBytes,
    all = [];
  for (var i = 0; i + data.rowWidth - 1 < flat.length; i += data.rowWidth) {
    all.push({
      index: all.length,
      pid: flat[i],
      tid: flat[i + 1],
      thread: S[flat[i + 2]],
      allocator: S[flat[i + 3]],
      bytes: flat[i + 4],
      share: flat[i + 4],
      count: flat[i + 5],
      location: S[flat[i + 6]],
      haystack: null,
    });
  }
  var tbody = document.querySelector("#table tbody");
  var search = document.getElementById("search");
  var status = document.getElementById("status");
  var more = document.getElementById("more");
  var headers = document.querySelectorAll("#table th");
  var sortKey = "bytes",
    sortDir = -1,
    matching = all,
    limit = PAGE;

  var formatBytes = MemtraceFormat.formatBytes;
  var formatCount = MemtraceFormat.formatCount;
  var formatPercent = MemtraceFormat.formatPercent;
  var plural = MemtraceFormat.plural;

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }
  document.title = data.title;
  text("title", data.title);
  var lines = document.getElementById("lines");
  data.lines.forEach(function (line) {
    var li = document.createElement("li");
    li.textContent = line;
    lines.appendChild(li);
  });

  function cell(tr, value, className, title) {
    var td = document.createElement("td");
    td.textContent = value;
    td.className = className;
    if (title) td.title = title;
    tr.appendChild(td);
  }

  function draw() {
    var frag = document.createDocumentFragment();
    var shown = Math.min(limit, matching.length);
    for (var k = 0; k < shown; k++) {
      var r = matching[k],
        tr = document.createElement("tr");
      cell(tr, String(r.pid), "num");
      cell(tr, String(r.tid), "num");
      cell(tr, r.thread, "name");
      cell(tr, r.allocator, "name");
      cell(tr, formatBytes(r.bytes), "num", formatCount(r.bytes) + " bytes");
      cell(tr, formatPercent(r.bytes, total), "num");
      cell(tr, formatCount(r.count), "num");
      cell(tr, r.location, "name location");
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    var bytes = 0,
      count = 0;
    for (var j = 0; j < matching.length; j++) {
      bytes += matching[j].bytes;
      count += matching[j].count;
    }
    var query = search.value.trim();
    var words = query
      ? formatCount(matching.length) + " of " + formatCount(all.length) + " rows match \u201c" + query + "\u201d"
      : formatCount(all.length) + (all.length === 1 ? " row" : " rows");
    words += ": " + formatBytes(bytes) + " (" + formatPercent(bytes, total) + ") in " + plural(count, "allocation");
    if (shown < matching.length) words += "; the first " + formatCount(shown) + " shown";
    status.textContent = words;
    more.hidden = shown >= matching.length;
  }

  function compare(a, b) {
    var x = a[sortKey],
      y = b[sortKey];
    // Code-unit order, as the text report sorts; ties keep the report's own order (largest first).
    var c = typeof x === "number" ? x - y : x < y ? -1 : x > y ? 1 : 0;
    return c * sortDir || a.index - b.index;
  }

  function sortBy(key) {
    var column = COLUMNS.filter(function (c) {
      return c.key === key;
    })[0];
    // A new column sorts largest first for numbers, A to Z for names; the same column again turns it round.
    sortDir = key === sortKey ? -sortDir : column.numeric ? -1 : 1;
    sortKey = key;
    all.sort(compare);
    filter();
  }

  function markSorted() {
    for (var h = 0; h < headers.length; h++) {
      var th = headers[h];
      if (th.getAttribute("data-key") === sortKey)
        th.setAttribute("aria-sort", sortDir < 0 ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  }

  function filter() {
    var query = search.value.trim().toLowerCase();
    matching = !query
      ? all
      : all.filter(function (r) {
          if (r.haystack === null) {
            r.haystack = [r.location, r.thread, r.allocator, r.pid, r.tid].join("\n").toLowerCase();
          }
          return r.haystack.indexOf(query) >= 0;
        });
    limit = PAGE;
    markSorted();
    draw();
  }

  for (var h = 0; h < headers.length; h++) {
    (function (th) {
      th.querySelector("button").addEventListener("click", function () {
        sortBy(th.getAttribute("data-key"));
      });
    })(headers[h]);
  }
  search.addEventListener("input", filter);
  more.addEventListener("click", function () {
    limit += PAGE;
    draw();
  });
  filter();
})();
