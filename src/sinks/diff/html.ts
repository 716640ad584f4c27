// memtrace diff --html: the differential flame graph as the HTML flame graph's page in its diff mode
// (PageData.diff): NEW's widths, each box colored by its change from BASE as in the SVG (color.ts), with the
// page's search, zoom, inversion and "Every frame" checkbox. A diff has no time axis: the page's rows carry each
// run's folded values, as a stream folded before does, BASE's beside NEW's.
//
// Both views are embedded, as on the flame graph's page: the two runs compared with every frame and in the app
// view (the same rows of each run, so that each row has a node in both), merged into one label trie.
import { ROOT, type CallTree } from "../../model/calltree";
import { headline } from "../headline";
import { LabelTrie } from "../html/trie";
import { renderPage } from "../html/page";
import { stackColumns, type PageData } from "../html/page-data";
import { CHANGE_LEGEND } from "./color";
import type { ProfileDiff } from "./compare";
import { diffSubtitle, diffTitle } from "./flame";
import type { DiffReportOptions } from "./report";

/** The two runs compared in both views; the app view's profiles have the rows of the others, in their order. */
export interface DiffViews {
  all: ProfileDiff;
  app: ProfileDiff;
}

export interface DiffHtmlOptions extends DiffReportOptions {
  /** --title, which replaces the computed title. */
  title?: string;
  /** The page's first view: inverted, every frame (the page's controls switch both). */
  inverted?: boolean;
  allFrames?: boolean;
}

/** Each node of a diff's tree as a node of the page's trie. */
function pageNodes(trie: LabelTrie, tree: CallTree): Int32Array {
  const nodes = new Int32Array(tree.size);
  // Parents come before their children in a diff's tree.
  for (let n = 1; n < tree.size; n++) nodes[n] = trie.child(nodes[tree.parent[n]], tree.labelOf(n), tree.kind[n]);
  return nodes;
}

export function diffPageData(views: DiffViews, options: DiffHtmlOptions): PageData {
  const { all, app } = views;
  const trie = new LabelTrie();
  const allNodes = pageNodes(trie, all.nextTree);
  const appNodes = pageNodes(trie, app.nextTree);
  const rows = { tid: [] as number[], node: [] as number[], app: [] as number[] };
  const runs = [
    { bytes: [] as number[], count: [] as number[] },
    { bytes: [] as number[], count: [] as number[] },
  ];
  const index = new Map<string, number>();
  const profiles = [all.base, all.next];
  for (let run = 0; run < 2; run++) {
    const [allRows, appRows] = [all.rowNodes[run], app.rowNodes[run]];
    const profile = profiles[run];
    for (let i = 0; i < allRows.length; i++) {
      if (allRows[i] < 0) continue;
      const [node, appNode] = [allNodes[allRows[i]], appNodes[appRows[i]]];
      const key = `${node}:${appNode}`;
      let row = index.get(key);
      if (row === undefined) {
        row = rows.node.length;
        index.set(key, row);
        rows.tid.push(0);
        rows.node.push(node);
        rows.app.push(appNode);
        for (const r of runs) {
          r.bytes.push(0);
          r.count.push(0);
        }
      }
      runs[run].bytes[row] += profile.bytes.data[i];
      runs[run].count[row] += profile.count.data[i];
    }
  }
  const runLine = (which: string, name: string, diff: ProfileDiff["base"]) =>
    `${which} (${name}): ${headline(diff).title}`;
  return {
    title: options.title ?? null,
    who: diffSubtitle(all, options),
    shape: null,
    warning: null,
    processLines: [runLine("BASE", options.baseName, all.base), runLine("NEW", options.nextName, all.next)],
    heapScope: "",
    foldedTitle: diffTitle(all),
    view: "total",
    window: null,
    inverted: options.inverted ?? false,
    allFrames: options.allFrames ?? false,
    bucketNs: 1,
    buckets: 1,
    ...stackColumns(trie),
    processes: [
      {
        pid: 0,
        command: `${options.baseName} to ${options.nextName}`,
        threads: [[0, "all threads"]],
        allocations: all.nextTree.count[ROOT],
        peakBytes: 0,
        peakTimeNs: 0,
        leakedBytes: 0,
        live: [0],
        liveJs: [0],
        momentNs: [0],
        rss: [],
        heap: [],
        rows,
        changes: null,
        lifetimes: null,
        values: runs[1],
        baseValues: runs[0],
      },
    ],
    diff: { baseName: options.baseName, nextName: options.nextName, legend: CHANGE_LEGEND },
  };
}

export function renderDiffHtml(views: DiffViews, options: DiffHtmlOptions): string {
  return renderPage(diffPageData(views, options));
}
