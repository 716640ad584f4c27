// The SVG flame graph's inline script: flamegraph.pl's interactions, written for memtrace's markup.
// - hover a frame: its tooltip text in the details line at the bottom;
// - click a frame: zoom so that it fills the width; its callers stay, full width and faded; "Reset Zoom" undoes it;
// - "Search" (or Ctrl-F, F3): a regular expression over frame labels; matching frames turn magenta and the share of
//   the total under them shows at the bottom right (nested matches counted once); clicking "Reset Search" or Escape
//   clears it.
// Positions come from each frame's data-x and data-w, its offset and width in bytes, so that zooming and the matched
// share are exact rather than computed from rounded pixels. The script holds no data from the capture: everything
// it shows, it reads from the document's text, which the renderer has escaped. The renderer defines FLAME_LAYOUT
// and fitText (the renderer's own function, script.ts) before this script.
/* global FLAME_LAYOUT, fitText */
(function () {
  "use strict";
  var XPAD = FLAME_LAYOUT.xpad,
    CHAR_WIDTH = FLAME_LAYOUT.charWidth,
    SEARCH_COLOR = FLAME_LAYOUT.searchColor;
  var svg = document.documentElement;
  var width = parseFloat(svg.getAttribute("width"));
  var details = document.getElementById("details");
  var matched = document.getElementById("matched");
  var unzoomButton = document.getElementById("unzoom");
  var searchButton = document.getElementById("search");
  var frames = [],
    byElement = new Map(),
    total = 0,
    searching = false;

  var groups = document.getElementById("frames").children;
  for (var i = 0; i < groups.length; i++) {
    var g = groups[i],
      rect = g.querySelector("rect"),
      title = g.querySelector("title").textContent;
    var f = {
      g: g,
      rect: rect,
      text: g.querySelector("text"),
      title: title,
      // The label is the tooltip without its last parenthesised group, the figures.
      name: title.replace(/ \([^()]*\)$/, ""),
      x: Number(g.getAttribute("data-x")),
      w: Number(g.getAttribute("data-w")),
      y: parseFloat(rect.getAttribute("y")),
      fill: rect.getAttribute("fill"),
    };
    frames.push(f);
    byElement.set(g, f);
    total = Math.max(total, f.w);
  }

  function place(f, x, w) {
    f.rect.setAttribute("x", x.toFixed(1));
    f.rect.setAttribute("width", w.toFixed(1));
    f.text.setAttribute("x", (x + 3).toFixed(1));
    f.text.textContent = fitText(f.name, w, CHAR_WIDTH);
  }

  // Shows the bytes [from, from + span) across the full width.
  function show(from, span, target) {
    var scale = (width - 2 * XPAD) / span;
    frames.forEach(function (f) {
      f.g.classList.remove("hide", "parent");
      var inside = f.x >= from && f.x + f.w <= from + span;
      var caller = target && f.y > target.y && f.x <= from && f.x + f.w >= from + span;
      if (caller) {
        f.g.classList.add("parent");
        place(f, XPAD, width - 2 * XPAD);
      } else if (inside && (!target || f.y <= target.y)) {
        place(f, XPAD + (f.x - from) * scale, f.w * scale);
      } else {
        f.g.classList.add("hide");
      }
    });
  }

  function zoom(f) {
    show(f.x, f.w, f);
    unzoomButton.classList.remove("hide");
  }

  function unzoom() {
    show(0, total, null);
    unzoomButton.classList.add("hide");
  }

  function search(term) {
    var re;
    try {
      re = new RegExp(term);
    } catch {
      matched.textContent = "Invalid regular expression: " + term;
      return;
    }
    var ranges = [];
    frames.forEach(function (f) {
      var hit = re.test(f.name);
      f.rect.setAttribute("fill", hit ? SEARCH_COLOR : f.fill);
      if (hit) ranges.push([f.x, f.x + f.w]);
    });
    // A match inside another match is already counted: merge the byte ranges before summing them.
    ranges.sort(function (a, b) {
      return a[0] - b[0];
    });
    var sum = 0,
      end = -1;
    ranges.forEach(function (r) {
      if (r[0] >= end) {
        sum += r[1] - r[0];
        end = r[1];
      } else if (r[1] > end) {
        sum += r[1] - end;
        end = r[1];
      }
    });
    searching = true;
    searchButton.textContent = "Reset Search";
    searchButton.classList.add("show");
    matched.textContent = "Matched: " + (total > 0 ? ((sum / total) * 100).toFixed(2) : "0.00") + "%";
  }

  function resetSearch() {
    frames.forEach(function (f) {
      f.rect.setAttribute("fill", f.fill);
    });
    searching = false;
    searchButton.textContent = "Search";
    searchButton.classList.remove("show");
    matched.textContent = " ";
  }

  function askSearch() {
    var term = window.prompt("Search for frames (a regular expression):", "");
    if (term) search(term);
  }

  function frameOf(node) {
    while (node && !byElement.has(node)) node = node.parentNode;
    return node ? byElement.get(node) : undefined;
  }

  var framesGroup = document.getElementById("frames");
  framesGroup.addEventListener("click", function (e) {
    var f = frameOf(e.target);
    if (f) zoom(f);
  });
  framesGroup.addEventListener("mouseover", function (e) {
    var f = frameOf(e.target);
    if (f) details.textContent = f.title;
  });
  framesGroup.addEventListener("mouseout", function () {
    details.textContent = " ";
  });
  unzoomButton.addEventListener("click", unzoom);
  searchButton.addEventListener("click", function () {
    if (searching) resetSearch();
    else askSearch();
  });
  window.addEventListener("keydown", function (e) {
    if (e.key === "F3" || ((e.ctrlKey || e.metaKey) && e.key === "f")) {
      e.preventDefault();
      askSearch();
    } else if (e.key === "Escape") {
      resetSearch();
    }
  });
})();
