// flamegraph.pl's difference colors, for the SVG (flame.ts) and the HTML page, which inlines changeColor's own
// compiled text (colorScript) so that both draw a change in the same color.

/** Full red or blue for the largest change of any box, paler for smaller ones, near white when unchanged. */
export function changeColor(delta: number, largest: number): string {
  if (delta === 0 || largest === 0) return "rgb(250,250,250)";
  const pale = Math.round(210 * (1 - Math.abs(delta) / largest));
  return delta > 0 ? `rgb(255,${pale},${pale})` : `rgb(${pale},${pale},255)`;
}

/** The legend's entries: color and meaning. */
export const CHANGE_LEGEND: [string, string][] = [
  [changeColor(1, 1), "grew"],
  [changeColor(-1, 1), "shrank"],
  [changeColor(0, 1), "unchanged"],
];

/** changeColor as a browser script: one global function, MemtraceChangeColor. */
export function colorScript(): string {
  return `var MemtraceChangeColor = ${String(changeColor)};\n`;
}
