// Frame colors of the flame graph: the hue says what kind of code a frame is, and a hash of its label picks the shade
// within the hue, so that neighbours differ and a function has the same color in every graph and every run (golden
// files stay stable, and two graphs can be compared by eye).
//
// The hues follow flamegraph.pl's palettes for mixed stacks (--colors=java, --colors=js), where managed code is
// green and C/C++ is warm:
// - JavaScript: green, the code the user wrote and can change;
// - native (C, C++, Rust: node, libuv, addons): orange-yellow, as C++ is in flamegraph.pl's mixed palettes;
// - builtin (V8 builtins and stubs, node:internal modules): aqua, the runtime's own code, apart from both;
// - other (unknown kind, unresolved addresses, and the "all" root): grey, nothing to act on.
// Magenta is kept for search matches, which no kind uses.
import { FunctionKind } from "../../codec/model";

export const SEARCH_COLOR = "rgb(230,0,230)";

/** Two independent shades in [0, 1) from a label: 32-bit FNV-1a over its UTF-16 code units, split in halves. */
function shades(label: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 0;
  return [(h & 0xffff) / 0x10000, (h >>> 16) / 0x10000];
}

export function frameColor(kind: FunctionKind, label: string): string {
  const [a, b] = shades(label);
  const n = (base: number, range: number, v: number) => base + Math.floor(range * v);
  switch (kind) {
    case FunctionKind.KIND_JS:
      return `rgb(${n(50, 70, a)},${n(185, 55, b)},${n(50, 50, a)})`;
    case FunctionKind.KIND_NATIVE:
      return `rgb(${n(225, 30, b)},${n(130, 90, a)},${n(30, 40, b)})`;
    case FunctionKind.KIND_BUILTIN:
      return `rgb(${n(60, 60, a)},${n(180, 50, b)},${n(200, 55, b)})`;
    default: {
      const v = n(175, 45, a);
      return `rgb(${v},${v},${n(v, 15, b)})`;
    }
  }
}

/** The kind's name, as the graph's legend shows it. */
export function kindName(kind: FunctionKind): string {
  switch (kind) {
    case FunctionKind.KIND_JS:
      return "JavaScript";
    case FunctionKind.KIND_NATIVE:
      return "native";
    case FunctionKind.KIND_BUILTIN:
      return "builtin";
    default:
      return "other";
  }
}
