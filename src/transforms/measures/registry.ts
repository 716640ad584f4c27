// Every measure, in the order `--help` lists them. Adding a measure: one file in this folder exporting a
// MeasureDefinition, and one line here.
import type { Measure } from "../../codec/model";
import { at } from "./at";
import { between } from "./between";
import { betweenLeaks } from "./between-leaks";
import { leaks } from "./leaks";
import type { MeasureDefinition } from "./measure";
import { peak } from "./peak";
import { temporary } from "./temporary";
import { total } from "./total";

export const MEASURE_DEFINITIONS: readonly MeasureDefinition[] = [
  peak,
  leaks,
  total,
  temporary,
  at,
  between,
  betweenLeaks,
];

/** The measures every fold computes in one pass, and writes to every folded capture. */
export const ONE_PASS_MEASURES = MEASURE_DEFINITIONS.filter((d) => d.onePass);

export function definitionOf(measure: Measure): MeasureDefinition | undefined {
  return MEASURE_DEFINITIONS.find((d) => d.measure === measure);
}
