// The app view of a folded profile, for the test helpers' messages: every allocation is put under the innermost
// frame of the app's own code, a JavaScript frame whose file is not Node.js's (node:), nor a dependency's
// (node_modules), nor memtrace's. An allocation with no such frame goes under its innermost named frame.
import { join, sep } from "node:path";
import { FunctionKind } from "../codec/model";
import type { Profile } from "../model/profile";

export interface AppLocation {
  label: string;
  bytes: number;
  count: number;
}

// memtrace's own code: src/ in the repository (this file is src/track/app-view.ts), dist/src/ once built.
const OWN_CODE = join(__dirname, "..") + sep;

function isAppFile(file: string): boolean {
  return (
    file !== "" && !file.startsWith("node:") && !file.includes(`${sep}node_modules${sep}`) && !file.startsWith(OWN_CODE)
  );
}

/** The `top` locations holding the most bytes, largest first (ties by label). */
export function appLocations(profile: Profile, top: number): AppLocation[] {
  const scope = profile.scope;
  const byLabel = new Map<string, AppLocation>();
  const labelOfStack = new Map<number, string>();
  for (let row = 0; row < profile.rows; row++) {
    const stack = profile.stack.data[row];
    let label = labelOfStack.get(stack);
    if (label === undefined) {
      const frames = scope.stackFrames(stack);
      const app = frames.find((f) => {
        const d = scope.frame(f);
        return d.kind === FunctionKind.KIND_JS && isAppFile(d.file);
      });
      const named = app ?? frames.find((f) => scope.frame(f).resolved);
      label = named === undefined ? "(no stack)" : scope.label(named);
      labelOfStack.set(stack, label);
    }
    let location = byLabel.get(label);
    if (!location) byLabel.set(label, (location = { label, bytes: 0, count: 0 }));
    location.bytes += profile.bytes.data[row];
    location.count += profile.count.data[row];
  }
  return [...byLabel.values()]
    .filter((l) => l.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    .slice(0, top);
}
