// A compute-heavy loop through small helpers, the code TurboFan inlines the most: vector arithmetic on plain
// objects, a string key per step, and a Map lookup. Allocates little native memory.
"use strict";
const rounds = Number(process.argv[2] || 40);

function vec(x, y) {
  return { x, y };
}
function add(a, b) {
  return vec(a.x + b.x, a.y + b.y);
}
function scale(a, k) {
  return vec(a.x * k, a.y * k);
}
function length(a) {
  return Math.sqrt(a.x * a.x + a.y * a.y);
}
function bucket(a) {
  return `${Math.round(a.x) & 15}:${Math.round(a.y) & 15}`;
}

let checksum = 0;
for (let r = 0; r < rounds; r++) {
  const counts = new Map();
  let p = vec(1, 2);
  for (let i = 0; i < 100000; i++) {
    p = add(scale(p, 0.99), vec(Math.sin(i), Math.cos(i)));
    const key = bucket(p);
    counts.set(key, (counts.get(key) || 0) + length(p));
  }
  checksum += counts.size;
}
console.log(checksum);
