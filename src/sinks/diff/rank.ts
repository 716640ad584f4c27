// What a diff report lists first: the largest growth, then the largest shrinkage, ties by name, so that the order
// never depends on the input's.
import { compareLabels } from "../../model/calltree";
import { change, type Amount } from "./compare";

export interface Ranked<T> {
  grew: T[];
  shrank: T[];
}

/** Rows that grew (largest growth first) and rows that shrank (largest shrinkage first); unchanged rows go. */
export function rank<T extends { base: Amount; next: Amount }>(rows: T[], name: (row: T) => string): Ranked<T> {
  const keyed = rows.map((row) => ({ row, delta: change(row), name: name(row) }));
  const order = (a: (typeof keyed)[number], b: (typeof keyed)[number]) =>
    b.delta.bytes - a.delta.bytes || b.delta.count - a.delta.count || compareLabels(a.name, b.name);
  const grew = keyed.filter((k) => k.delta.bytes > 0 || (k.delta.bytes === 0 && k.delta.count > 0)).sort(order);
  const shrank = keyed
    .filter((k) => k.delta.bytes < 0 || (k.delta.bytes === 0 && k.delta.count < 0))
    .sort((a, b) => a.delta.bytes - b.delta.bytes || a.delta.count - b.delta.count || compareLabels(a.name, b.name));
  return { grew: grew.map((k) => k.row), shrank: shrank.map((k) => k.row) };
}

/** "+1.5 MiB", "-512 B", "0 B". */
export function signedBytes(bytes: number, format: (n: number) => string): string {
  return bytes > 0 ? `+${format(bytes)}` : format(bytes);
}
