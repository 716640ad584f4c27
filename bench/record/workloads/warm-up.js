// An app warming up: 400 distinct functions (as an app's modules would have), each doing a little of what apps do
// (string building, object literals, array methods, a Map), called with falling frequency: a few thousands of
// times for the most used, a few times for most. Most of its time is spent in code that V8 has not optimised
// yet, which its Sparkplug and Maglev tiers are for. Prints a checksum.
"use strict";
const fns = [];
for (let k = 0; k < 400; k++) {
  // new Function gives each its own code, as distinct functions in an app would have.
  fns.push(
    new Function(
      "input",
      `const out = { id: input.id + ${k}, tags: [] };
       for (let i = 0; i < input.items.length; i++) {
         const item = input.items[i];
         if ((item.n + ${k}) % 3 === 0) out.tags.push("t" + item.name + ${k});
         else out.id += item.n * ${k % 7};
       }
       const seen = new Map();
       for (const t of out.tags) seen.set(t, (seen.get(t) || 0) + 1);
       out.summary = JSON.stringify({ k: ${k}, size: seen.size }).length;
       return out;`,
    ),
  );
}
const input = { id: 1, items: Array.from({ length: 40 }, (_, i) => ({ n: i, name: `item${i}` })) };
let checksum = 0;
const rounds = Number(process.argv[2] || 3);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < fns.length; k++) {
    const calls = Math.ceil(3000 / (k + 1)); // 3000 calls of the first, 8 of the last
    for (let c = 0; c < calls; c++) checksum += fns[k](input).summary;
  }
}
console.log(checksum);
