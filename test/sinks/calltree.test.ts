import t from "tap";
import { Readable } from "node:stream";
import { createDecodeStream } from "../../src/codec/decoder";
import { buildCallTree, NO_STACK_LABEL, ROOT, type CallTree } from "../../src/model/calltree";
import { locationsOf } from "../../src/model/locations";
import { ProfileBuilder, type Profile } from "../../src/model/profile";
import { fold } from "../../src/transforms/fold";
import { capture, js, native, type Step } from "./capture";

async function profileOf(steps: Step[], shape: Parameters<typeof fold>[0] = { measure: "total" }): Promise<Profile> {
  const builder = new ProfileBuilder();
  const stream = Readable.from([capture(steps)])
    .pipe(createDecodeStream())
    .pipe(fold(shape));
  for await (const m of stream) builder.push(m);
  return builder.finish();
}

const labels = (tree: CallTree, node: number) => [...tree.children(node)].map((c) => tree.labelOf(c));
const find = (tree: CallTree, node: number, label: string) =>
  [...tree.children(node)].find((c) => tree.labelOf(c) === label)!;

t.test("given frames that differ only by address, when built into a tree, then they are one node", async (t) => {
  const a = { ...native("malloc"), address: 0x1000 };
  const b = { ...native("malloc"), address: 0x2000 };
  const tree = buildCallTree(
    await profileOf([
      { frames: [js("main", 1), a], size: 10 },
      { frames: [js("main", 1), b], size: 5 },
    ]),
  );
  const main = find(tree, ROOT, "main (app.js:1)");
  t.same(labels(tree, main), ["malloc"]);
  const malloc = tree.children(main)[0];
  t.same([tree.bytes[malloc], tree.count[malloc], tree.selfBytes[malloc]], [15, 2, 15]);
  t.same([tree.bytes[ROOT], tree.selfBytes[ROOT], tree.depth[malloc]], [15, 0, 2]);
});

t.test(
  "given a node with many children, when built, then every child is found again and sorted by label",
  async (t) => {
    const main = js("main", 1);
    const steps: Step[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++)
        steps.push({ frames: [main, js(`f${String(39 - i).padStart(2, "0")}`, 2)], size: 1 + i });
    }
    steps.push({ frames: [], size: 7 });
    const tree = buildCallTree(await profileOf(steps));
    const node = find(tree, ROOT, "main (app.js:1)");
    const names = labels(tree, node);
    t.equal(names.length, 40, "the second round found the first round's nodes");
    t.same(names, [...names].sort());
    t.equal(tree.selfBytes[find(tree, node, "f39 (app.js:2)")], 2, "1 byte in each round");
    t.same(labels(tree, ROOT), [NO_STACK_LABEL, "main (app.js:1)"]);
    t.equal(tree.bytes[ROOT], (2 * (40 * 41)) / 2 + 7);
  },
);

t.test(
  "given recursion, when located, then the total counts each allocation once and own only at the leaf",
  async (t) => {
    const r = js("r", 5);
    const tree = buildCallTree(
      await profileOf([
        { frames: [r, r, r], size: 8 },
        { frames: [r], size: 2 },
      ]),
    );
    t.same(
      locationsOf(tree).map((l) => [l.label, l.ownBytes, l.totalBytes, l.ownCount, l.totalCount]),
      [["r (app.js:5)", 10, 10, 2, 2]],
    );
  },
);
