// `memtrace flame --html` as a Transform: Messages in, the page out at the end.
//
// It reads the capture itself (the definition's input is "capture" under --html): a raw capture is folded with its
// timeline (transforms/timeline/), so that the page can re-fold any time window; a stream folded before with its
// timeline (`fold --timeline`) carries the same Timeline Records and gives the same page. One folded without it has
// lost its lifetimes: the page shows its rows without a time window, and says so. Which one the input is shows
// before any event: fold's output starts with its processes' own headers, tables and
// samples, then its folded header; a raw capture's first events come before any folded header. Until then the
// Messages wait (a few records, not events).
import type { Transform } from "node:stream";
import { UsageError } from "../../errors";
import { Content, type Message, type Timeline } from "../../codec/model";
import { ProfileBuilder } from "../../model/profile";
import { Folder, type FoldOptions } from "../../transforms/fold";
import { resolveTime } from "../../transforms/measures";
import { stageTransform } from "../../streams/stage";
import { foldedPageData, timelinePageData, type PageOptions, type ViewName } from "./page-data";
import { renderPage } from "./page";
import type { FramesView } from "../../transforms/app-view/view";

export interface HtmlFlameOptions {
  title?: string;
  fold?: FoldOptions;
  /** The page's first view of the stacks: the app view, or every frame (its checkbox switches, and remembers). */
  frames?: FramesView;
}

/** The page's first view and window from the measure options: the views are peak, leaks and total. */
function initialView(fold: FoldOptions): { view: ViewName; window?: FoldOptions["window"] } {
  const measure = fold.measure ?? "peak";
  switch (measure) {
    case "peak":
    case "leaks":
    case "total":
      return { view: measure };
    case "between":
      return { view: "total", window: fold.window };
    case "between-leaks":
      return { view: "leaks", window: fold.window };
    default:
      throw new UsageError(
        `--${fold.measure} is not a view of the HTML flame graph: it shows what was live at a window's ` +
          "high-water mark (--peak), allocated in it and still live at its end (--leaks), or allocated in it " +
          "(--total); choose the window with --between or in the page",
      );
  }
}

interface Mode {
  push(m: Message): void;
  render(): string;
}

export function htmlFlameSink(options: HtmlFlameOptions): Transform {
  const fold = options.fold ?? {};
  if (fold.splitProcesses || fold.splitThreads) {
    throw new UsageError(
      "the HTML flame graph has its own process and thread menus: leave out --split-processes and --split-threads",
    );
  }
  const { view, window } = initialView(fold);
  const pageOptions: PageOptions = {
    title: options.title,
    view,
    inverted: fold.inverted ?? false,
    afterTeardown: fold.afterTeardown,
    allFrames: options.frames === "all",
  };

  // Both fold with the timeline: a raw capture here, a folded one (fold --timeline) where it was folded, whose
  // Timeline Records pass through. The stacks stay as recorded: the page inverts them itself.
  const folding = (foldOptions: FoldOptions): Mode => {
    const builder = new ProfileBuilder();
    const timelines: Timeline[] = [];
    const folder = new Folder((m) => (m.type === "timeline" ? timelines.push(m.timeline) : builder.push(m)), {
      ...foldOptions,
      inverted: false,
      timeline: true,
    });
    return {
      push: (m) => folder.push(m),
      render: () => {
        folder.end();
        const profile = builder.finish();
        if (timelines.length === 0 && profile.info.processes.length > 0) {
          if (window)
            throw new UsageError(
              "this folded capture has no timeline, so no time window: fold the raw capture with --timeline, or give flame --html the raw capture",
            );
          return renderPage(foldedPageData(profile, pageOptions));
        }
        // A time given as a percentage is a share of the first process's run, as the chart shows it.
        const first = profile.info.processes.find((p) => p.pid === timelines[0]?.pid);
        const duration = fold.durations?.get(first?.pid ?? -1) ?? first?.endTimeNs;
        const times = window?.map((t) => resolveTime(t, duration) ?? 0) as [number, number] | undefined;
        if (times && times[1] < times[0]) throw new UsageError("the window ends before it starts");
        return renderPage(timelinePageData(profile, timelines, { ...pageOptions, window: times }));
      },
    };
  };
  const raw = () => folding({ heap: fold.heap, onWarning: fold.onWarning });
  // A folded capture is read by the view's measure; its window, if any, comes from its timeline.
  const folded = () => folding({ ...fold, measure: window ? undefined : fold.measure, window: undefined });

  return stageTransform<Message, string>(
    (emit) => {
      let mode: Mode | undefined;
      const waiting: Message[] = [];
      return {
        push(m) {
          if (!mode) {
            if (m.type === "events") mode = raw();
            else if (m.type === "header" && m.header.content === Content.FOLDED) mode = folded();
            else {
              waiting.push(m);
              return;
            }
            for (const w of waiting.splice(0)) mode.push(w);
          }
          mode.push(m);
        },
        end() {
          // A capture without events (nothing allocated, or headers only) is a raw one.
          mode ??= raw();
          for (const w of waiting.splice(0)) mode.push(w);
          emit(mode.render());
        },
      };
    },
    { objectInput: true, objectOutput: false },
  );
}
