// The app view's locations, largest first: each allocation under the innermost app frame of its stack (the frame
// the summary's own bytes go to). The in-process helpers' messages name these.
import { buildCallTree, compareLabels } from "../../model/calltree";
import { locationsOf } from "../../model/locations";
import type { Profile } from "../../model/profile";
import { appView } from "./view";

export interface AppLocation {
  label: string;
  bytes: number;
  count: number;
}

/** The `top` locations holding the most own bytes in the app view (ties by label). */
export function appLocations(profile: Profile, top: number): AppLocation[] {
  const view = profile.view === "app" ? profile : appView(profile);
  const info = view.info;
  const locations = locationsOf(buildCallTree(view), {
    inverted: info.inverted,
    syntheticDepth: (info.splitProcesses ? 1 : 0) + (info.splitThreads ? 1 : 0),
  });
  return locations
    .filter((l) => l.ownBytes > 0)
    .map((l) => ({ label: l.label, bytes: l.ownBytes, count: l.ownCount }))
    .sort((a, b) => b.bytes - a.bytes || compareLabels(a.label, b.label))
    .slice(0, top);
}
