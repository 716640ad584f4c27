// Allocations in code V8 has not optimised: a function called once, and one called in a loop too short for
// TurboFan; then a loop long enough for V8's every tier. test/record/interpreted-lines.test.ts finds each frame's
// line by the text on it.
"use strict";
const kept = [];
function keepOnce(n) {
  const note = n + 1;
  kept.push(Buffer.allocUnsafeSlow(n)); // once
  return note;
}
function caller() {
  let total = 0;
  total += keepOnce(1234567); // the call
  return total;
}
caller(); // the script's call
function inLoop(i) {
  const size = 4099 + (i & 1);
  kept.push(Buffer.allocUnsafeSlow(size)); // in the loop
}
for (let i = 0; i < 200; i++) inLoop(i); // the loop
function warming(i) {
  const size = 4101 + (i & 1);
  kept.push(Buffer.allocUnsafeSlow(size)); // warming up
  if (kept.length > 1000) kept.length = 0;
}
for (let i = 0; i < 20000; i++) warming(i); // the long loop
