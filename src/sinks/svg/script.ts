// The SVG flame graph's script (svg/flame.js), with what it shares with the renderer: the layout and fitText.
import { inlineScript, readAsset } from "../assets";
import { SEARCH_COLOR } from "./palette";

export interface ScriptLayout {
  /** Left and right padding, px. */
  xpad: number;
  /** Estimated width of one character of frame text, px (font size times average glyph width). */
  charWidth: number;
}

/** Truncates a label to fit `width` px: flamegraph.pl's rule, shared by the renderer and the script. */
export function fitText(label: string, width: number, charWidth: number): string {
  const chars = Math.floor(width / charWidth);
  if (chars < 3) return "";
  // Code points, not UTF-16 units: never cut a character in half.
  const points = Array.from(label);
  return points.length <= chars ? label : `${points.slice(0, chars - 2).join("")}..`;
}

/** The script of the flame graph: its layout, fitText, and svg/flame.js, which reads them. */
export function flameScript(layout: ScriptLayout): string {
  const settings = { ...layout, searchColor: SEARCH_COLOR };
  return inlineScript(
    `(function () {\nvar FLAME_LAYOUT = ${JSON.stringify(settings)};\n${String(fitText)}\n${readAsset("svg/flame.js")}})();\n`,
  );
}
