// The HTML flame graph's script: it reads the page's data, draws the flame graph and answers the controls. What to
// draw is computed by MemtraceModel (model.js) and the memory chart with its time window is MemtraceChart's
// (chart.js), both inlined before this file; this file is the rest of the page:
// - the menus: process, thread, what the graph shows of the window (a change re-folds the graph);
// - the graph: flame (root at the bottom) or icicle (root at the top), inverted or not; hover a frame for its
//   figures, click it to zoom (its callers stay, faded), "Reset zoom" or Escape to go back;
// - search: a regular expression over frame labels; matches turn magenta and their share of the total shows;
// - the keyboard: Tab to the graph, arrows move between frames, Enter zooms, Escape resets; "/" or Ctrl-F searches.
//
// - a diff's page (memtrace diff --html, data.diff): no chart and no menus; widths are NEW's bytes, each frame is
//   colored by its change from BASE (MemtraceChangeColor, the SVG's colors), and its figures give both runs.
//
// Every text from the capture (function names, files, commands, thread names) reaches the page through
// textContent, never as markup, and the page's policy (Content-Security-Policy) runs no other script.
/* global MemtraceModel, MemtraceChart, MemtraceChangeColor */
(function () {
  "use strict";
  var M = MemtraceModel;
  var data = JSON.parse(document.getElementById("data").textContent);
  var ranks = M.labelRanks(data);
  var temporal = data.foldedTitle === null;
  var diff = data.diff !== undefined;

  var ALL_FRAMES_KEY = "memtrace.allFrames";
  var FRAME_HEIGHT = 18;
  var MIN_PX = 1;
  var state = {
    process: data.processes.length === 1 ? 0 : -1,
    thread: null,
    view: data.view,
    window: data.window,
    inverted: data.inverted,
    allFrames: storedAllFrames(data.allFrames),
    icicle: false,
    zoomPath: [],
  };
  var tree = null;
  var zoom = 0;
  var laid = null;
  var selected = 0;
  var matches = null;
  var byNode = new Map();
  // On a diff's page: the largest change of any frame of the tree, which full red or blue stands for.
  var largest = 0;

  // Whether to show every frame, as the reader last chose it on a page of this place (file: pages share one), else
  // as the page was made (--frames).
  function storedAllFrames(otherwise) {
    try {
      var stored = window.localStorage.getItem(ALL_FRAMES_KEY);
      return stored === null ? otherwise : stored === "1";
    } catch {
      return otherwise; // storage refused (a sandboxed frame, privacy settings)
    }
  }

  function storeAllFrames(on) {
    try {
      window.localStorage.setItem(ALL_FRAMES_KEY, on ? "1" : "0");
    } catch {
      // Not remembered, but the page still switches.
    }
  }

  function $(id) {
    return document.getElementById(id);
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function choice() {
    return {
      process: state.process,
      thread: state.thread,
      view: state.view,
      window: state.window,
      inverted: state.inverted,
      allFrames: state.allFrames,
    };
  }

  // ---- Controls ----

  function option(select, value, text) {
    var o = element("option", null, text);
    o.value = String(value);
    select.appendChild(o);
  }

  function processName(proc) {
    return (proc.command || "(unknown command)") + " (pid " + proc.pid + ")";
  }

  function threadName(proc, tid) {
    var t = proc.threads.find(function (x) {
      return x[0] === tid;
    });
    return (t ? t[1] : "") + " (" + tid + ")";
  }

  function fillProcesses() {
    var select = $("process");
    if (data.processes.length > 1) option(select, -1, "All processes");
    data.processes.forEach(function (proc, i) {
      option(select, i, processName(proc));
    });
    select.value = String(state.process);
    select.disabled = data.processes.length <= 1;
  }

  function fillThreads() {
    var select = $("thread");
    select.replaceChildren();
    option(select, "", "All threads");
    var proc = data.processes[state.process];
    if (proc) {
      proc.threads.forEach(function (t) {
        option(select, t[0], threadName(proc, t[0]));
      });
    }
    select.value = state.thread === null ? "" : String(state.thread);
    select.disabled = !proc || proc.threads.length <= 1;
  }

  function setPressed(id, on) {
    $(id).setAttribute("aria-pressed", on ? "true" : "false");
  }

  function setUpMenus() {
    fillProcesses();
    fillThreads();
    $("process").addEventListener("change", function (e) {
      state.process = Number(e.target.value);
      state.thread = null;
      fillThreads();
      refold();
    });
    $("thread").addEventListener("change", function (e) {
      state.thread = e.target.value === "" ? null : Number(e.target.value);
      refold();
    });
    var view = $("view");
    view.value = state.view;
    view.disabled = !temporal;
    view.addEventListener("change", function (e) {
      state.view = e.target.value;
      refold();
    });
    $("reset-window").addEventListener("click", function () {
      setWindow(null);
    });
  }

  function setUpControls() {
    if (!diff) setUpMenus();
    setPressed("flame", !state.icicle);
    setPressed("icicle", state.icicle);
    $("flame").addEventListener("click", function () {
      setOrientation(false);
    });
    $("icicle").addEventListener("click", function () {
      setOrientation(true);
    });
    var inverted = $("inverted");
    inverted.checked = state.inverted;
    inverted.addEventListener("change", function (e) {
      state.inverted = e.target.checked;
      state.zoomPath = [];
      refold();
    });
    var allFrames = $("all-frames");
    allFrames.checked = state.allFrames;
    allFrames.addEventListener("change", function (e) {
      state.allFrames = e.target.checked;
      storeAllFrames(state.allFrames);
      state.zoomPath = [];
      refold();
    });
    $("reset-zoom").addEventListener("click", function () {
      zoomTo(0);
    });
    var search = $("search");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(applySearch, 150);
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        search.value = "";
        applySearch();
      } else if (e.key === "Enter") {
        clearTimeout(timer);
        applySearch();
      }
    });
    window.addEventListener("keydown", function (e) {
      var typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
      if ((e.key === "f" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
        e.preventDefault();
        search.focus();
        search.select();
      }
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () {
        render();
        if (chart) chart.draw();
      }, 100);
    });
  }

  function setOrientation(icicle) {
    state.icicle = icicle;
    setPressed("flame", !icicle);
    setPressed("icicle", icicle);
    render();
  }

  // ---- The tree ----

  function refold() {
    tree = M.buildTree(data, choice(), ranks);
    zoom = M.nodeAt(tree, state.zoomPath);
    if (zoom !== 0 && !(tree.bytes[zoom] > 0)) zoom = 0;
    state.zoomPath = M.pathOf(tree, zoom);
    selected = zoom;
    matches = null;
    largest = 0;
    for (var n = 0; diff && n < tree.size; n++) largest = Math.max(largest, Math.abs(change(n)));
    applySearch();
    showTitle();
    if (chart) chart.draw();
  }

  /** On a diff's page: NEW's bytes less BASE's, of a frame and all it called. */
  function change(node) {
    return tree.bytes[node] - tree.base[node];
  }

  /** "+57.6 KiB" or "-7.0 KiB" (as the diff's text report), with the share of BASE when BASE had any. */
  function signed(node) {
    var d = change(node);
    var base = tree.base[node];
    var share = base > 0 ? ", " + (d >= 0 ? "+" : "-") + M.formatPercent(Math.abs(d), base) : "";
    return (d >= 0 ? "+" : "-") + M.formatBytes(Math.abs(d)) + share;
  }

  function showTitle() {
    var computed = M.titleOf(data, choice(), tree);
    var title = data.title !== null ? data.title : computed;
    $("title").textContent = title;
    document.title = title;
    var shape = state.inverted ? "inverted: allocating functions at the root" : null;
    var proc = data.processes[state.process];
    var who = proc && data.processes.length > 1 ? processName(proc) : data.who;
    var thread = null;
    if (proc && state.thread !== null) {
      // The peak is the process's high-water mark: a thread shows its part of it, as Memray's thread filter does.
      thread = "thread " + threadName(proc, state.thread) + (state.view === "peak" ? ", its part of the peak" : "");
    }
    var parts = [data.title !== null ? computed : null, who, thread, data.shape, shape, data.warning];
    $("subtitle").textContent = parts
      .filter(function (p) {
        return p;
      })
      .join(" · ");
    var list = $("process-lines");
    list.replaceChildren();
    data.processLines.forEach(function (line) {
      list.appendChild(element("li", null, line));
    });
  }

  function zoomTo(node) {
    zoom = node;
    selected = node;
    state.zoomPath = M.pathOf(tree, node);
    render();
  }

  function figures(node) {
    var bytes = tree.bytes[node];
    if (diff) {
      var both = "NEW " + M.formatBytes(bytes) + ", BASE " + M.formatBytes(tree.base[node]) + ", " + signed(node);
      return data.labels[tree.label[node]] + " (" + both + ")";
    }
    var human = bytes >= 1024 ? M.formatBytes(bytes) + ", " : "";
    return (
      data.labels[tree.label[node]] +
      " (" +
      human +
      M.plural(bytes, "byte") +
      ", " +
      M.plural(tree.count[node], "allocation") +
      ", " +
      M.formatPercent(bytes, tree.bytes[0]) +
      ")"
    );
  }

  // ---- Search ----

  function applySearch() {
    var term = $("search").value;
    var out = $("matched");
    matches = null;
    if (term !== "") {
      var re = null;
      try {
        re = new RegExp(term);
      } catch (e) {
        out.textContent = "Invalid regular expression: " + e.message;
      }
      if (re) {
        var found = M.search(data, tree, re);
        matches = found.matched;
        out.textContent =
          "Matched: " +
          M.formatPercent(found.bytes, tree.bytes[0]) +
          " (" +
          M.formatBytes(found.bytes) +
          " of " +
          M.formatBytes(tree.bytes[0]) +
          ")";
      }
    } else out.textContent = "";
    render();
  }

  // ---- The graph ----

  function render() {
    var graph = $("graph");
    var width = graph.clientWidth || 1000;
    laid = M.layout(tree, zoom, MIN_PX / width);
    var depth = laid.maxDepth + 1;
    graph.style.height = depth * FRAME_HEIGHT + "px";
    byNode = new Map();
    var fragment = document.createDocumentFragment();
    laid.boxes.forEach(function (b) {
      var d = element("div", "frame" + (b.faded ? " faded" : ""), data.labels[tree.label[b.node]]);
      var level = tree.depth[b.node];
      d.style.left = b.x * 100 + "%";
      d.style.width = b.w * 100 + "%";
      d.style.top = (state.icicle ? level : laid.maxDepth - level) * FRAME_HEIGHT + "px";
      d.style.backgroundColor =
        matches && matches[b.node]
          ? data.searchColor
          : diff
            ? MemtraceChangeColor(change(b.node), largest)
            : data.labelColor[tree.label[b.node]];
      if (matches && matches[b.node]) d.classList.add("match");
      if (b.node === selected) d.classList.add("selected");
      d.dataset.node = String(b.node);
      byNode.set(b.node, d);
      fragment.appendChild(d);
    });
    graph.replaceChildren(fragment);
    $("omitted").textContent =
      laid.omitted > 0 ? M.plural(laid.omitted, "frame") + " narrower than " + MIN_PX + " px not drawn" : "";
    $("reset-zoom").disabled = zoom === 0;
    var scroller = $("graph-scroll");
    scroller.scrollTop = state.icicle ? 0 : scroller.scrollHeight;
  }

  function frameOf(target) {
    var d = target instanceof Element ? target.closest(".frame") : null;
    return d ? Number(d.dataset.node) : -1;
  }

  function showDetails(node) {
    $("details").textContent = node >= 0 ? figures(node) : "";
  }

  function showTooltip(node, x, y) {
    var tip = $("tooltip");
    if (node < 0) {
      tip.hidden = true;
      return;
    }
    var bytes = tree.bytes[node];
    var name = element("div", "name", data.labels[tree.label[node]]);
    var kind = element("div", "kind", data.kinds[data.labelKind[tree.label[node]]].name);
    if (diff) {
      tip.replaceChildren(
        name,
        kind,
        element("div", "change", "Change: " + signed(node)),
        element(
          "div",
          null,
          "BASE: " + M.formatBytes(tree.base[node]) + " (" + M.plural(tree.base[node], "byte") + ")",
        ),
        element("div", null, "NEW: " + M.formatBytes(bytes) + " (" + M.plural(bytes, "byte") + ")"),
        element("div", null, M.formatPercent(bytes, tree.bytes[0]) + " of NEW's total"),
      );
    } else {
      tip.replaceChildren(
        name,
        kind,
        element("div", null, M.formatBytes(bytes) + " (" + M.plural(bytes, "byte") + ")"),
        element("div", null, M.plural(tree.count[node], "allocation")),
        element("div", null, M.formatPercent(bytes, tree.bytes[0]) + " of the total"),
      );
    }
    tip.hidden = false;
    var room = window.innerWidth - tip.offsetWidth - 8;
    tip.style.left = Math.max(4, Math.min(x + 12, room)) + "px";
    tip.style.top = y + 16 + "px";
  }

  function select(node) {
    var old = byNode.get(selected);
    if (old) old.classList.remove("selected");
    selected = node;
    var now = byNode.get(node);
    if (now) {
      now.classList.add("selected");
      now.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    showDetails(node);
  }

  /** The drawn neighbours of a frame, for the arrow keys. */
  function drawnChildren(node) {
    return M.childrenOf(tree, node).filter(function (c) {
      return byNode.has(c);
    });
  }

  function onGraphKey(e) {
    var node = selected;
    var up = state.icicle ? "ArrowDown" : "ArrowUp";
    var down = state.icicle ? "ArrowUp" : "ArrowDown";
    if (e.key === up) {
      node = drawnChildren(selected)[0];
    } else if (e.key === down) {
      node = tree.parent[selected];
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      var p = tree.parent[selected];
      var siblings = p >= 0 ? drawnChildren(p) : [];
      node = siblings[siblings.indexOf(selected) + (e.key === "ArrowLeft" ? -1 : 1)];
    } else if (e.key === "Enter" || e.key === " ") {
      zoomTo(selected);
      e.preventDefault();
      return;
    } else if (e.key === "Escape") {
      zoomTo(0);
      return;
    } else return;
    e.preventDefault();
    if (node !== undefined && node >= 0 && byNode.has(node)) select(node);
  }

  function setUpGraph() {
    var graph = $("graph");
    graph.addEventListener("click", function (e) {
      var node = frameOf(e.target);
      if (node >= 0) zoomTo(node);
    });
    graph.addEventListener("mousemove", function (e) {
      var node = frameOf(e.target);
      showDetails(node);
      showTooltip(node, e.clientX, e.clientY);
    });
    graph.addEventListener("mouseleave", function () {
      showDetails(-1);
      showTooltip(-1);
    });
    graph.addEventListener("keydown", onGraphKey);
    graph.addEventListener("focus", function () {
      select(byNode.has(selected) ? selected : zoom);
    });
  }

  /** The footer's legend: the kinds of code, or on a diff's page what the colors say. */
  function setUpKinds() {
    var kinds = $("kinds");
    var entries = diff
      ? data.diff.legend
      : data.kinds.map(function (kind) {
          return [kind.color, kind.name];
        });
    entries.forEach(function (entry) {
      var item = element("span", "item");
      var swatch = element("span", "swatch");
      swatch.style.backgroundColor = entry[0];
      item.append(swatch, document.createTextNode(entry[1]));
      kinds.appendChild(item);
    });
  }

  function setWindow(w) {
    if (w && w[0] <= 0 && w[1] >= data.buckets - 1) w = null;
    state.window = w;
    refold();
  }

  var chart = diff
    ? null
    : MemtraceChart.create({
        data: data,
        model: M,
        $: $,
        element: element,
        state: function () {
          return state;
        },
        moments: function () {
          return tree ? tree.moments : [];
        },
        setWindow: setWindow,
      });

  setUpControls();
  setUpKinds();
  setUpGraph();
  if (chart) chart.setUp();
  refold();
})();
