// The HTML flame graph's model: from the page's data (page-data.ts) and the user's choices (processes, thread,
// view, time window, inverted), the tree to draw, its layout, the search's matches and the title. No DOM here: the
// page's script (app.js) draws what this computes, and the tests run this same file in Node to check that the
// page re-folds a capture exactly as `memtrace fold` does.
//
// Plain ES2017 in one function, so that the page inlines it as it is: no build step, no module loader.
/* exported MemtraceModel */
/* global MemtraceFormat */
var MemtraceModel = (function () {
  "use strict";

  /**
   * Makes the page's data ready to use, once: the tables' delta-coded rows become row numbers, and every column
   * a typed array (the loops over them run for every window).
   */
  function prepare(data) {
    if (data.prepared) return data;
    var absolute = function (deltas) {
      var out = new Int32Array(deltas.length);
      var row = 0;
      for (var i = 0; i < deltas.length; i++) out[i] = row += deltas[i];
      return out;
    };
    data.processes.forEach(function (proc) {
      [proc.changes, proc.lifetimes].forEach(function (table) {
        if (!table) return;
        Object.keys(table).forEach(function (k) {
          table[k] =
            k === "row"
              ? absolute(table[k])
              : k === "bytes" || k === "count"
                ? Float64Array.from(table[k])
                : Int32Array.from(table[k]);
        });
      });
    });
    data.prepared = true;
    return data;
  }

  /** The window [first, last] (buckets, inclusive) that `window` stands for: null is the whole run. */
  function span(data, window) {
    return window ? window : [0, data.buckets - 1];
  }

  /** The bucket of a window whose moment is the window's high-water mark: the highest, the first on a tie. */
  function peakBucket(proc, window) {
    var best = window[0];
    for (var k = window[0] + 1; k <= window[1] && k < proc.live.length; k++) {
      if (proc.live[k] > proc.live[best]) best = k;
    }
    return best;
  }

  /**
   * Bytes and count of each row of a process under a view of a window:
   * - peak: what was live at the window's high-water mark (Memray's temporal flame graph);
   * - leaks: what was allocated in the window and was still live at its end (Memray's --temporal --leaks);
   * - total: everything allocated in the window, freed or not.
   * A stream folded before has one value per row, whatever the window; a diff's page (data.diff) has NEW's there,
   * and BASE's as `base`.
   */
  function rowValues(data, proc, view, window) {
    prepare(data);
    var rows = proc.rows.node.length;
    var bytes = new Float64Array(rows);
    var count = new Float64Array(rows);
    var moment = -1;
    var i;
    if (proc.values) {
      bytes.set(proc.values.bytes);
      count.set(proc.values.count);
      var base = proc.baseValues ? Float64Array.from(proc.baseValues.bytes) : null;
      return { bytes: bytes, count: count, moment: moment, base: base };
    }
    var w = span(data, window);
    if (view === "leaks" && !window && proc.kept) {
      // The whole run's leaks: what each row held when its thread's app code ended (fold's --leaks).
      bytes.set(proc.kept.bytes);
      count.set(proc.kept.count);
    } else if (view === "peak") {
      moment = peakBucket(proc, w);
      var c = proc.changes;
      for (i = 0; i < c.row.length; i++) {
        if (c.pos[i] <= 2 * moment) {
          bytes[c.row[i]] += c.bytes[i];
          count[c.row[i]] += c.count[i];
        }
      }
    } else {
      var l = proc.lifetimes;
      for (i = 0; i < l.row.length; i++) {
        var from = l.from[i];
        if (from < w[0] || from > w[1]) continue;
        if (view === "leaks" && l.lasted[i] !== -1 && from + l.lasted[i] <= w[1]) continue;
        bytes[l.row[i]] += l.bytes[i];
        count[l.row[i]] += l.count[i];
      }
    }
    return { bytes: bytes, count: count, moment: moment };
  }

  /** Rank of every label in code-unit order (the SVG's and collapsed's order, the same on every machine). */
  function labelRanks(data) {
    var order = data.labels.map(function (_, i) {
      return i;
    });
    order.sort(function (a, b) {
      var x = data.labels[a];
      var y = data.labels[b];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    var rank = new Int32Array(order.length);
    order.forEach(function (id, r) {
      rank[id] = r;
    });
    return rank;
  }

  /**
   * The tree to draw. `choice`: { process: index or -1 for all, thread: tid or null, view, window, inverted,
   * allFrames: every frame, or the app view (each row's `app` node); the page's default if undefined }.
   * Returns columns per node (parent, label, depth, bytes and count of the node and all it called), the children
   * of every node in label order (childStart, childList: node n's are childList[childStart[n] .. childStart[n+1])),
   * and per process shown the bucket whose moment the peak view shows. On a diff's page, `base`: BASE's bytes of
   * every node (null otherwise).
   */
  function buildTree(data, choice, ranks) {
    prepare(data);
    var nodes = data.parent.length;
    var selfBytes = new Float64Array(nodes);
    var selfCount = new Float64Array(nodes);
    var selfBase = data.diff ? new Float64Array(nodes) : null;
    var moments = [];
    data.processes.forEach(function (proc, p) {
      if (choice.process !== -1 && choice.process !== p) return;
      var v = rowValues(data, proc, choice.view, choice.window);
      moments.push({ process: p, bucket: v.moment });
      var all = choice.allFrames === undefined ? data.allFrames : choice.allFrames;
      var nodeOf = all ? proc.rows.node : proc.rows.app;
      for (var r = 0; r < nodeOf.length; r++) {
        if (choice.thread !== null && proc.rows.tid[r] !== choice.thread) continue;
        selfBytes[nodeOf[r]] += v.bytes[r];
        selfCount[nodeOf[r]] += v.count[r];
        if (selfBase && v.base) selfBase[nodeOf[r]] += v.base[r];
      }
    });
    var tree = choice.inverted
      ? invertedTree(data, selfBytes, selfCount, selfBase, ranks)
      : plainTree(data, selfBytes, selfCount, selfBase, ranks);
    tree.moments = moments;
    return tree;
  }

  /** Children lists in label order, as two arrays (see buildTree), for nodes whose parents come first. */
  function childColumns(size, parent, label, ranks) {
    var start = new Int32Array(size + 1);
    var i;
    for (i = 1; i < size; i++) start[parent[i] + 1]++;
    for (i = 0; i < size; i++) start[i + 1] += start[i];
    var list = new Int32Array(Math.max(0, size - 1));
    var fill = start.slice(0, size);
    for (i = 1; i < size; i++) list[fill[parent[i]]++] = i;
    var byLabel = function (a, b) {
      return ranks[label[a]] - ranks[label[b]];
    };
    for (var p = 0; p < size; p++) {
      if (start[p + 1] - start[p] > 1) list.subarray(start[p], start[p + 1]).sort(byLabel);
    }
    return { start: start, list: list };
  }

  // The merged stacks' shape is the same for every choice: computed once per page.
  var plainShape = { data: null };

  /** The merged stacks themselves, with the chosen values. Parents come before their children. */
  function plainTree(data, selfBytes, selfCount, selfBase, ranks) {
    var n = data.parent.length;
    if (plainShape.data !== data) {
      var parent = Int32Array.from(data.parent);
      var label = Int32Array.from(data.label);
      var depth = new Int32Array(n);
      for (var i = 1; i < n; i++) depth[i] = depth[parent[i]] + 1;
      var children = childColumns(n, parent, label, ranks);
      plainShape = { data: data, parent: parent, label: label, depth: depth, children: children };
    }
    var bytes = Float64Array.from(selfBytes);
    var count = Float64Array.from(selfCount);
    var base = selfBase ? Float64Array.from(selfBase) : null;
    for (var j = n - 1; j > 0; j--) {
      bytes[data.parent[j]] += bytes[j];
      count[data.parent[j]] += count[j];
      if (base) base[data.parent[j]] += base[j];
    }
    return {
      size: n,
      parent: plainShape.parent,
      label: plainShape.label,
      depth: plainShape.depth,
      bytes: bytes,
      count: count,
      base: base,
      childStart: plainShape.children.start,
      childList: plainShape.children.list,
    };
  }

  /** Children beyond which a node of the inverted tree finds its children through a Map rather than a scan. */
  var WIDE = 16;

  /**
   * Stacks from the allocating frame outwards: every call into one function sums in one place. Built in typed
   * arrays (a large profile inverts into hundreds of thousands of nodes): children as linked lists, scanned, with
   * a Map for the few nodes that have many.
   */
  function invertedTree(data, selfBytes, selfCount, selfBase, ranks) {
    var cap = 1024;
    var t = {
      base: new Float64Array(cap),
      parent: new Int32Array(cap),
      label: new Int32Array(cap),
      depth: new Int32Array(cap),
      bytes: new Float64Array(cap),
      count: new Float64Array(cap),
      first: new Int32Array(cap).fill(-1),
      next: new Int32Array(cap),
      children: new Int32Array(cap),
    };
    var size = 1;
    var wide = new Map();
    t.parent[0] = -1;
    t.label[0] = data.label[0];
    var grow = function () {
      cap *= 2;
      Object.keys(t).forEach(function (k) {
        var bigger = new t[k].constructor(cap);
        if (k === "first") bigger.fill(-1);
        bigger.set(t[k]);
        t[k] = bigger;
      });
    };
    var child = function (at, label) {
      var index = wide.get(at);
      var c;
      if (index) {
        c = index.get(label);
        if (c !== undefined) return c;
      } else {
        for (c = t.first[at]; c >= 0; c = t.next[c]) if (t.label[c] === label) return c;
      }
      if (size === cap) grow();
      c = size++;
      t.parent[c] = at;
      t.label[c] = label;
      t.depth[c] = t.depth[at] + 1;
      t.next[c] = t.first[at];
      t.first[at] = c;
      if (index) index.set(label, c);
      else if (++t.children[at] > WIDE) {
        var map = new Map();
        for (var x = t.first[at]; x >= 0; x = t.next[x]) map.set(t.label[x], x);
        wide.set(at, map);
      }
      return c;
    };
    for (var node = 1; node < data.parent.length; node++) {
      var b = selfBytes[node];
      var n = selfCount[node];
      var was = selfBase ? selfBase[node] : 0;
      if (b === 0 && n === 0 && was === 0) continue;
      t.bytes[0] += b;
      t.count[0] += n;
      t.base[0] += was;
      var at = 0;
      for (var s = node; s > 0; s = data.parent[s]) {
        at = child(at, data.label[s]);
        t.bytes[at] += b;
        t.count[at] += n;
        t.base[at] += was;
      }
    }
    var parent = t.parent.slice(0, size);
    var label = t.label.slice(0, size);
    var children = childColumns(size, parent, label, ranks);
    return {
      size: size,
      parent: parent,
      label: label,
      depth: t.depth.slice(0, size),
      bytes: t.bytes.slice(0, size),
      count: t.count.slice(0, size),
      base: selfBase ? t.base.slice(0, size) : null,
      childStart: children.start,
      childList: children.list,
    };
  }

  /** The children of a node that hold anything, in label order. */
  function childrenOf(tree, node) {
    var out = [];
    for (var i = tree.childStart[node]; i < tree.childStart[node + 1]; i++) {
      var c = tree.childList[i];
      if (tree.bytes[c] > 0 || tree.count[c] > 0) out.push(c);
    }
    return out;
  }

  /** The path of labels from the root to a node (root excluded): how a zoom is found again in a new tree. */
  function pathOf(tree, node) {
    var path = [];
    for (var n = node; n > 0; n = tree.parent[n]) path.unshift(tree.label[n]);
    return path;
  }

  /** The node at the end of a path of labels, or 0 (the root) when the tree has no such path. */
  function nodeAt(tree, path) {
    var node = 0;
    for (var i = 0; i < path.length; i++) {
      var next = childrenOf(tree, node).find(function (c) {
        return tree.label[c] === path[i];
      });
      if (next === undefined) return 0;
      node = next;
    }
    return node;
  }

  /**
   * The boxes to draw with `zoom` filling the width: its ancestors over the whole width (faded), then everything
   * under it as wide as its bytes (x and w are fractions of the width). Boxes narrower than `minWidth` are left out
   * and counted, with all they hold.
   */
  function layout(tree, zoom, minWidth) {
    var boxes = [];
    var omitted = 0;
    var maxDepth = tree.depth[zoom];
    for (var a = tree.parent[zoom]; a >= 0; a = tree.parent[a]) {
      boxes.push({ node: a, x: 0, w: 1, faded: true });
    }
    var whole = tree.bytes[zoom];
    var stack = [[zoom, 0]];
    while (stack.length > 0) {
      var top = stack.pop();
      var node = top[0];
      var x = top[1];
      var w = node === zoom || whole <= 0 ? 1 : tree.bytes[node] / whole;
      boxes.push({ node: node, x: x, w: w, faded: false });
      if (tree.depth[node] > maxDepth) maxDepth = tree.depth[node];
      var offset = x;
      var next = [];
      for (var i = tree.childStart[node]; i < tree.childStart[node + 1]; i++) {
        var c = tree.childList[i];
        if (tree.bytes[c] <= 0) continue;
        var cw = tree.bytes[c] / whole;
        if (cw < minWidth) omitted += subtreeSize(tree, c);
        else next.push([c, offset]);
        offset += cw;
      }
      for (var j = next.length - 1; j >= 0; j--) stack.push(next[j]);
    }
    return { boxes: boxes, omitted: omitted, maxDepth: maxDepth };
  }

  /** Nodes with bytes in a subtree: what leaving out its root leaves out. */
  function subtreeSize(tree, node) {
    var n = 0;
    var stack = [node];
    while (stack.length > 0) {
      var x = stack.pop();
      n++;
      for (var i = tree.childStart[x]; i < tree.childStart[x + 1]; i++) {
        if (tree.bytes[tree.childList[i]] > 0) stack.push(tree.childList[i]);
      }
    }
    return n;
  }

  /**
   * The nodes whose label matches `re`, and the bytes under them: a match inside another is counted once, so the
   * share is what the matching functions hold together.
   */
  function search(data, tree, re) {
    var hits = data.labels.map(function (l) {
      return re.test(l);
    });
    var matched = new Uint8Array(tree.size);
    var bytes = 0;
    var stack = [[0, false]];
    while (stack.length > 0) {
      var top = stack.pop();
      var node = top[0];
      var hit = node !== 0 && hits[tree.label[node]];
      if (hit) matched[node] = 1;
      if (hit && !top[1]) bytes += tree.bytes[node];
      for (var i = tree.childStart[node]; i < tree.childStart[node + 1]; i++) {
        if (tree.bytes[tree.childList[i]] > 0) stack.push([tree.childList[i], top[1] || hit]);
      }
    }
    return { matched: matched, bytes: bytes };
  }

  // Numbers as the text reports print them, by the same functions: the page defines MemtraceFormat before this
  // script (src/sinks/format-script.ts); in Node, the tests load them from format.ts.
  var format = typeof MemtraceFormat === "object" ? MemtraceFormat : require("../format");
  var formatBytes = format.formatBytes;
  var formatCount = format.formatCount;
  var formatPercent = format.formatPercent;
  var formatDuration = format.formatDuration;
  var plural = format.plural;

  /**
   * What the graph shows, in the words of the SVG's title (headline.ts) for the whole run, and with the window's
   * edges for a part of it.
   */
  function titleOf(data, choice, tree) {
    if (data.foldedTitle !== null) return data.foldedTitle;
    var bytes = formatBytes(tree.bytes[0]);
    var allocations = " in " + plural(tree.count[0], "allocation");
    var w = choice.window;
    var between = w
      ? " between " + formatDuration(w[0] * data.bucketNs) + " and " + formatDuration((w[1] + 1) * data.bucketNs)
      : "";
    if (choice.view === "total") {
      return (
        (w ? "Allocated memory" : "Total memory") +
        data.heapScope +
        ": " +
        bytes +
        " allocated" +
        between +
        allocations +
        ", freed or not"
      );
    }
    if (choice.view === "leaks") {
      var leaked = "Leaked memory" + data.heapScope + ": " + bytes;
      if (w) return leaked + " allocated" + between + allocations + ", still live at its end";
      var end = data.warning ? "the end of the capture" : "exit";
      // As headline.ts says it: at the app's end where the processes shown recorded it.
      var shown = choice.process === -1 ? data.processes : [data.processes[choice.process]];
      var ended = shown.filter(function (p) {
        return p.kept;
      }).length;
      if (ended === 0)
        return leaked + " still live at " + end + allocations + (data.afterTeardown ? ", after node's teardown" : "");
      var others = shown.length - ended;
      return (
        leaked +
        " still live at the app's end" +
        allocations +
        ", before node's teardown" +
        (others > 0
          ? " (at " + end + " in " + plural(others, "process", "processes") + " that did not record its end)"
          : "")
      );
    }
    var at = "";
    if (tree.moments.length === 1) {
      var proc = data.processes[tree.moments[0].process];
      at = " at " + formatDuration(proc.momentNs[tree.moments[0].bucket]);
    } else if (tree.moments.length > 1) {
      at = " at each process's own peak (" + tree.moments.length + " processes)";
    }
    var peak = "Peak memory" + data.heapScope + (w ? " in the window" + between : "");
    return peak + ": " + bytes + " live" + at + allocations;
  }

  var api = {
    prepare: prepare,
    span: span,
    peakBucket: peakBucket,
    rowValues: rowValues,
    labelRanks: labelRanks,
    buildTree: buildTree,
    childrenOf: childrenOf,
    pathOf: pathOf,
    nodeAt: nodeAt,
    layout: layout,
    search: search,
    formatBytes: formatBytes,
    formatCount: formatCount,
    formatPercent: formatPercent,
    formatDuration: formatDuration,
    plural: plural,
    titleOf: titleOf,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  return api;
})();
