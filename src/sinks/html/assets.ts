// The HTML flame graph's script and style sheet: files beside this one (see ../assets.ts).
import { readAsset } from "../assets";

export function asset(name: "model.js" | "chart.js" | "app.js" | "style.css"): string {
  return readAsset(`html/${name}`);
}
