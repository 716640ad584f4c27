// The live view's controller: the viewer's choices, the keys that change them, the latest snapshot and the
// screen. Snapshots come from a SnapshotSource (the fold worker in this process, or a recorder over TCP); this
// file never folds and never blocks: a key or a snapshot redraws the screen at once.
import type { SnapshotSource } from "./fold-thread";
import { renderScreen, type ViewChoices } from "./screen";
import type { AppStatus, LiveRequest, LiveSnapshot } from "./snapshot";
import type { TerminalScreen } from "./terminal";

export interface ViewerOptions {
  color: boolean;
  /** Ctrl-C: what it does (stop the app); undefined: Ctrl-C quits, as q does. */
  onInterrupt?: () => void;
  /** What q says it does while the app still runs. */
  quitWords?: string;
}

/** Rows asked for by each sort: a screen's worth, so that re-sorting needs no new snapshot. */
const MAX_ROWS = 200;

export class Viewer {
  private snapshot: LiveSnapshot | undefined;
  private readonly choices: ViewChoices = { sort: "own", measure: "live", merged: false, paused: false };
  private pid: number | undefined;
  private tid: number | undefined;
  private app: AppStatus | undefined;
  private notice = "";
  /** After a change of selection, the next snapshot is shown even when paused. */
  private takeNext = false;
  private quitResolve!: () => void;
  readonly quit = new Promise<void>((resolve) => (this.quitResolve = resolve));
  private source: SnapshotSource | undefined;

  constructor(
    private readonly screen: TerminalScreen,
    private readonly options: ViewerOptions,
  ) {}

  start(): void {
    this.screen.start(
      (key) => this.key(key),
      () => this.draw(),
    );
    this.draw();
  }

  /** Shows snapshots from `source` from now on (a reconnected recorder is a new source). */
  attach(source: SnapshotSource): void {
    this.source = source;
    source.onSnapshot((s) => this.receive(s));
    source.request(this.request());
  }

  /** What the side that runs the app knows of it. */
  setApp(app: AppStatus): void {
    this.app = app;
    this.draw();
  }

  setNotice(notice: string): void {
    this.notice = notice;
    this.draw();
  }

  get current(): LiveSnapshot | undefined {
    return this.snapshot;
  }

  private receive(s: LiveSnapshot): void {
    if (this.choices.paused && !this.takeNext && this.snapshot) return;
    this.takeNext = false;
    this.snapshot = s;
    this.draw();
  }

  private request(): LiveRequest {
    return {
      pid: this.pid,
      tid: this.tid,
      merged: this.choices.merged,
      measure: this.choices.measure,
      rows: Math.min(MAX_ROWS, Math.max(10, this.screen.height)),
    };
  }

  private ask(): void {
    this.takeNext = true;
    this.source?.request(this.request());
  }

  key(key: string): void {
    const c = this.choices;
    switch (key) {
      case "q":
      case "Q":
        this.quitResolve();
        return;
      case "\x03":
        if (this.options.onInterrupt && this.app?.running !== false) this.options.onInterrupt();
        else this.quitResolve();
        return;
      case "t":
        c.sort = "total";
        break;
      case "o":
        c.sort = "own";
        break;
      case "a":
        c.sort = "count";
        break;
      case " ":
        c.paused = !c.paused;
        break;
      case "m":
        c.merged = !c.merged;
        this.ask();
        break;
      case "l":
      case "p":
      case "r":
        c.measure = key === "l" ? "live" : key === "p" ? "peak" : "recent";
        this.ask();
        break;
      case ">":
      case "\x1b[C":
        this.step(1);
        break;
      case "<":
      case "\x1b[D":
        this.step(-1);
        break;
      default:
        return;
    }
    this.draw();
  }

  /**
   * The next or previous thread (or process, when threads are merged), in the order the snapshot lists them, from
   * the one last asked for (keys may come faster than snapshots).
   */
  private step(by: number): void {
    const s = this.snapshot;
    if (!s || s.pid === undefined) return;
    const pid = this.pid ?? s.pid;
    if (this.choices.merged) {
      const pids = s.processes.map((p) => p.pid);
      const at = pids.indexOf(pid);
      this.pid = pids[(at + by + pids.length) % pids.length];
      this.tid = undefined;
    } else {
      const tid = this.tid ?? s.tid ?? pid;
      const at = s.threads.findIndex((t) => t.pid === pid && t.tid === tid);
      const next = s.threads[(at + by + s.threads.length) % s.threads.length];
      this.pid = next.pid;
      this.tid = next.tid;
    }
    this.ask();
  }

  draw(): void {
    const s = this.snapshot ? { ...this.snapshot, app: this.app ?? this.snapshot.app } : undefined;
    const size = { width: this.screen.width, height: this.screen.height, color: this.options.color };
    this.screen.draw(renderScreen(s, this.choices, size, this.footerNotice(s)));
  }

  private footerNotice(s: LiveSnapshot | undefined): string {
    if (this.notice) return this.notice;
    const app = s?.app;
    if (app && !app.running) return `The app ended${app.logFile ? `; its output is in ${app.logFile}` : ""}. q quits.`;
    if (app?.running && this.options.quitWords) {
      return `${app.logFile ? `The app's output: ${app.logFile}. ` : ""}${this.options.quitWords}`;
    }
    return "";
  }

  stop(): void {
    this.source?.close();
    this.screen.stop();
  }
}
