// `memtrace flame --html` as a Transform: Messages in, the page out at the end.
//
// It reads the capture itself (the definition's input is "capture" under --html): a raw capture is folded over time
// (timeline.ts), so that the page can re-fold any time window; a stream folded before (`fold | flame --html`) has
// lost its lifetimes, so it is folded as every report folds it and the page has no time window, which it says.
// Which one the input is shows before any event: fold's output starts with its processes' own headers, tables and
// samples, then its folded header; a raw capture's first events come before any folded header. Until then the
// Messages wait (a few records, not events).
import type { Transform } from "node:stream";
import { UsageError } from "../../errors";
import { Content, type Message } from "../../codec/model";
import { ProfileBuilder } from "../../model/profile";
import { Folder, type FoldOptions } from "../../transforms/fold";
import { resolveTime } from "../../transforms/measures";
import { stageTransform } from "../../streams/stage";
import { foldedPageData, timelinePageData, type PageOptions, type ViewName } from "./page-data";
import { renderPage } from "./page";
import { TimelineFolder } from "./folder";
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

  const raw = (): Mode => {
    const timeline = new TimelineFolder({ onWarning: fold.onWarning, heap: fold.heap });
    return {
      push: (m) => timeline.push(m),
      render: () => {
        const processes = timeline.finish();
        // A time given as a percentage is a share of the first process's run, as the chart shows it.
        const duration = fold.durations?.get(processes[0]?.pid ?? -1) ?? processes[0]?.endTime;
        const times = window?.map((t) => resolveTime(t, duration) ?? 0) as [number, number] | undefined;
        if (times && times[1] < times[0]) throw new UsageError("the window ends before it starts");
        return renderPage(timelinePageData(processes, timeline.truncated, { ...pageOptions, window: times }));
      },
    };
  };
  const folded = (): Mode => {
    const builder = new ProfileBuilder();
    // The page inverts stacks itself: --inverted only sets its first view, and the stream is folded as it was.
    const folder = new Folder((m) => builder.push(m), { ...fold, inverted: false });
    return {
      push: (m) => folder.push(m),
      render: () => {
        folder.end();
        return renderPage(foldedPageData(builder.finish(), pageOptions));
      },
    };
  };

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
