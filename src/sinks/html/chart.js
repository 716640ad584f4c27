// The HTML flame graph's memory chart: memory over time for the processes shown, and the time window.
// - The recorded bytes, per bucket at its high point (its moment): native allocations and JS heap samples, stacked,
//   as steps: what the flame graph counts. RSS and the V8 heap, from the capture's memory samples, as lines. A
//   legend entry hides or shows its series (RSS can dwarf what was recorded).
// - Drag across the chart to choose a window (snapped to whole buckets); a double click or "Whole run" resets it;
//   with the chart focused, the arrow keys move the window's end and Shift with them its start.
// - In the peak view, a dashed line marks each process's moment: when the window's high-water mark was reached.
// For a stream folded before there are no recorded series and no window, only the samples.
/* exported MemtraceChart */
var MemtraceChart = (function () {
  "use strict";

  /**
   * The chart of a page. `page`: { data, model (MemtraceModel), $ (an element by id), element (a new element with
   * text), state() (the choices: process, view, window), moments() (the buckets the peak view shows), setWindow(w) }.
   */
  function create(page) {
    var data = page.data;
    var M = page.model;
    var temporal = data.foldedTitle === null;

    var CHART_HEIGHT = 150;
    var PAD = { left: 70, right: 12, top: 10, bottom: 22 };
    var SERIES = {
      native: { color: "rgb(232,150,48)", label: "native live (recorded)" },
      js: { color: "rgb(80,170,80)", label: "JS heap samples live (recorded)" },
      rss: { color: "rgb(70,70,70)", label: "RSS" },
      heap: { color: "rgb(50,110,200)", label: "V8 heap used" },
    };

    var SVG_NS = "http://www.w3.org/2000/svg";
    function svgElement(tag, attributes) {
      var e = document.createElementNS(SVG_NS, tag);
      Object.keys(attributes).forEach(function (k) {
        e.setAttribute(k, String(attributes[k]));
      });
      return e;
    }

    /** The chosen processes' series, summed bucket by bucket (null where none of them has a value). */
    function chartSeries() {
      var n = data.buckets;
      var out = { native: new Array(n).fill(0), js: new Array(n).fill(0), rss: [], heap: [] };
      out.rss = new Array(n).fill(null);
      out.heap = new Array(n).fill(null);
      data.processes.forEach(function (proc, p) {
        if (page.state().process !== -1 && page.state().process !== p) return;
        for (var k = 0; k < n; k++) {
          out.native[k] += proc.live[k] - proc.liveJs[k];
          out.js[k] += proc.liveJs[k];
          if (proc.rss[k] !== null && proc.rss[k] !== undefined) out.rss[k] = (out.rss[k] || 0) + proc.rss[k];
          if (proc.heap[k] !== null && proc.heap[k] !== undefined) out.heap[k] = (out.heap[k] || 0) + proc.heap[k];
        }
      });
      return out;
    }

    var chartGeometry = null;
    /** Series the user hid (by their legend). */
    var hidden = {};

    function drawChart() {
      var svg = page.$("chart");
      var width = svg.clientWidth || 1000;
      var n = data.buckets;
      var s = chartSeries();
      Object.keys(hidden).forEach(function (key) {
        if (!hidden[key]) return;
        s[key] = s[key].map(function () {
          return key === "native" || key === "js" ? 0 : null;
        });
      });
      var top = 1;
      for (var k = 0; k < n; k++) {
        top = Math.max(top, s.native[k] + s.js[k], s.rss[k] || 0, s.heap[k] || 0);
      }
      var plotW = Math.max(1, width - PAD.left - PAD.right);
      var plotH = CHART_HEIGHT - PAD.top - PAD.bottom;
      var x = function (bucket) {
        return PAD.left + (bucket / n) * plotW;
      };
      var y = function (v) {
        return PAD.top + plotH - (v / top) * plotH;
      };
      chartGeometry = { plotW: plotW };
      svg.setAttribute("viewBox", "0 0 " + width + " " + CHART_HEIGHT);
      svg.setAttribute("height", String(CHART_HEIGHT));
      var parts = [];
      parts.push(svgElement("rect", { class: "plot", x: PAD.left, y: PAD.top, width: plotW, height: plotH }));
      // Recorded bytes as steps (each bucket at its high point): native at the bottom, JS heap samples on top.
      if (temporal) {
        parts.push(area(s.native, null, x, y, SERIES.native.color));
        if (s.js.some(Boolean)) parts.push(area(s.js, s.native, x, y, SERIES.js.color));
      }
      parts.push(line(s.rss, x, y, SERIES.rss.color, ""));
      parts.push(line(s.heap, x, y, SERIES.heap.color, "5 3"));
      // The window: everything outside it greyed.
      if (page.state().window) {
        var w0 = x(page.state().window[0]);
        var w1 = x(page.state().window[1] + 1);
        parts.push(
          svgElement("rect", { class: "outside", x: PAD.left, y: PAD.top, width: w0 - PAD.left, height: plotH }),
        );
        parts.push(svgElement("rect", { class: "outside", x: w1, y: PAD.top, width: x(n) - w1, height: plotH }));
      }
      // The moments the graph shows, for the peak view.
      if (temporal && page.state().view === "peak") {
        page.moments().forEach(function (m) {
          var t = data.processes[m.process].momentNs[m.bucket];
          var mx = PAD.left + (t / (n * data.bucketNs)) * plotW;
          parts.push(svgElement("line", { class: "moment", x1: mx, x2: mx, y1: PAD.top, y2: PAD.top + plotH }));
        });
      }
      parts.push(axisLabel(PAD.left - 6, PAD.top + 10, M.formatBytes(top), "end"));
      parts.push(axisLabel(PAD.left - 6, PAD.top + plotH, "0 B", "end"));
      var ticks = 5;
      for (var i = 0; i <= ticks; i++) {
        var tx = PAD.left + (i / ticks) * plotW;
        var label = M.formatDuration((i / ticks) * n * data.bucketNs);
        parts.push(axisLabel(tx, CHART_HEIGHT - 6, label, i === 0 ? "start" : i === ticks ? "end" : "middle"));
        parts.push(svgElement("line", { class: "tick", x1: tx, x2: tx, y1: PAD.top + plotH, y2: PAD.top + plotH + 4 }));
      }
      parts.push(svgElement("rect", { id: "brush", class: "brush", x: 0, y: PAD.top, width: 0, height: plotH }));
      svg.replaceChildren.apply(svg, parts.filter(Boolean));
      showWindow();
    }

    function area(values, base, x, y, color) {
      var points = [];
      var n = values.length;
      for (var k = 0; k < n; k++) {
        var v = values[k] + (base ? base[k] : 0);
        points.push(x(k) + "," + y(v), x(k + 1) + "," + y(v));
      }
      for (var j = n - 1; j >= 0; j--) {
        var b = base ? base[j] : 0;
        points.push(x(j + 1) + "," + y(b), x(j) + "," + y(b));
      }
      return svgElement("polygon", { points: points.join(" "), fill: color, "fill-opacity": 0.55, stroke: color });
    }

    function line(values, x, y, color, dash) {
      var points = [];
      for (var k = 0; k < values.length; k++) {
        if (values[k] !== null) points.push(x(k + 0.5) + "," + y(values[k]));
      }
      if (points.length === 0) return null;
      if (points.length === 1) points.push(points[0]);
      return svgElement("polyline", {
        points: points.join(" "),
        fill: "none",
        stroke: color,
        "stroke-width": 1.5,
        "stroke-dasharray": dash || "none",
      });
    }

    function axisLabel(x, y, text, anchor) {
      var t = svgElement("text", { x: x, y: y, "text-anchor": anchor });
      t.textContent = text;
      return t;
    }

    function showWindow() {
      var w = page.state().window;
      var text;
      if (!temporal) {
        text = "Memory samples over the run";
      } else if (!w) {
        text = "Window: the whole run (drag across the chart to choose a part of it)";
      } else {
        text =
          "Window: " +
          M.formatDuration(w[0] * data.bucketNs) +
          " to " +
          M.formatDuration((w[1] + 1) * data.bucketNs) +
          " (in steps of " +
          M.formatDuration(data.bucketNs) +
          ")";
      }
      page.$("window").textContent = text;
      page.$("reset-window").disabled = !w;
    }

    function setUpChart() {
      var svg = page.$("chart");
      var legend = page.$("legend");
      var s = chartSeries();
      var has = function (values) {
        return values.some(function (v) {
          return v !== null && v > 0;
        });
      };
      // Only the series that the capture has: a capture without memory samples has no RSS line.
      var present = { native: temporal, js: temporal && has(s.js), rss: has(s.rss), heap: has(s.heap) };
      // Each series's legend is a button that hides or shows it (RSS can dwarf what was recorded).
      Object.keys(SERIES).forEach(function (key) {
        if (!present[key]) return;
        var item = page.element("button", "item");
        item.type = "button";
        item.setAttribute("aria-pressed", "true");
        item.title = "Show or hide this series";
        var swatch = page.element("span", "swatch " + key);
        swatch.style.backgroundColor = SERIES[key].color;
        item.append(swatch, document.createTextNode(SERIES[key].label));
        item.addEventListener("click", function () {
          hidden[key] = !hidden[key];
          item.setAttribute("aria-pressed", hidden[key] ? "false" : "true");
          drawChart();
        });
        legend.appendChild(item);
      });
      if (!temporal) {
        page.$("reset-window").hidden = true;
        page.$("note").textContent =
          "This graph comes from a stream folded before (memtrace fold | memtrace flame --html): choosing a time " +
          "window needs the raw capture, or one folded with --timeline, so the chart shows the memory samples only.";
        return;
      }
      var start = -1;
      var bucketAt = function (clientX) {
        var r = svg.getBoundingClientRect();
        var k = Math.floor(((clientX - r.left - PAD.left) / chartGeometry.plotW) * data.buckets);
        return Math.max(0, Math.min(data.buckets - 1, k));
      };
      var brush = function (a, b) {
        var x0 = PAD.left + (Math.min(a, b) / data.buckets) * chartGeometry.plotW;
        var x1 = PAD.left + ((Math.max(a, b) + 1) / data.buckets) * chartGeometry.plotW;
        var rect = page.$("brush");
        rect.setAttribute("x", String(x0));
        rect.setAttribute("width", String(x1 - x0));
      };
      svg.addEventListener("pointerdown", function (e) {
        start = bucketAt(e.clientX);
        svg.setPointerCapture(e.pointerId);
        brush(start, start);
      });
      svg.addEventListener("pointermove", function (e) {
        if (start >= 0) brush(start, bucketAt(e.clientX));
      });
      svg.addEventListener("pointerup", function (e) {
        if (start < 0) return;
        var end = bucketAt(e.clientX);
        var w = [Math.min(start, end), Math.max(start, end)];
        start = -1;
        page.setWindow(w);
      });
      svg.addEventListener("dblclick", function () {
        page.setWindow(null);
      });
      // The keyboard moves the window's edges: arrows the end, Shift+arrows the start.
      svg.addEventListener("keydown", function (e) {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        var w = page.state().window ? page.state().window.slice() : [0, data.buckets - 1];
        var step = e.key === "ArrowLeft" ? -1 : 1;
        var edge = e.shiftKey ? 0 : 1;
        w[edge] = Math.max(0, Math.min(data.buckets - 1, w[edge] + step));
        if (w[0] <= w[1]) page.setWindow(w);
      });
    }

    return { setUp: setUpChart, draw: drawChart };
  }

  return { create: create };
})();
