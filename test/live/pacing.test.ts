// The fold worker's pacing: a whole snapshot at every interval while the table is cheap or the fold keeps up; a
// starved fold that is behind refreshes the header at every interval and the table about once a second.
import t from "tap";
import { Pacing } from "../../src/live/pacing";

t.test(
  "given a cheap table or a fold that keeps up, when a round is due, then the table is computed again",
  async (t) => {
    const p = new Pacing(200);
    t.ok(p.due(0), "the first round at once");
    t.ok(p.whole(0, undefined, true, true), "no table yet");
    t.ok(p.whole(100, { at: 0, took: 50 }, true, true), "a table that took a quarter of the interval");
    t.ok(p.whole(100, { at: 0, took: 400 }, false, true), "not behind: the table is what changes");
    t.ok(p.whole(100, { at: 0, took: 400 }, true, false), "another view asked for");
    p.sent(1000, 1010);
    t.notOk(p.due(1199), "an interval after the round's start");
    t.ok(p.due(1200));
  },
);

t.test("given a starved fold that is behind, then the header every interval and the table once a second", async (t) => {
  const p = new Pacing(200);
  // A whole snapshot from 0 that took 300 ms (a starved thread's wall time).
  p.sent(0, 300);
  t.notOk(p.due(399), "the fold first gets half an interval");
  t.ok(p.due(400));
  const last = { at: 0, took: 300 };
  t.notOk(p.whole(400, last, true, true), "the header's figures only");
  p.sent(400, 401);
  t.ok(p.due(600), "the next header an interval later");
  t.notOk(p.whole(800, last, true, true));
  t.ok(p.whole(1000, last, true, true), "the table once a second");
  t.ok(p.whole(1000, { at: 0, took: 700 }, true, false), "another view is always whole");
  t.notOk(p.whole(1000, { at: 0, took: 700 }, true, true), "a table that took 700 ms: not before 1.4 s");
  t.ok(p.whole(1400, { at: 0, took: 700 }, true, true));
});
