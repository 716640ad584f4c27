// peekHeaderNotes reads a Header's notes off the wire as the codec writes them, and nothing from anything else.
import t from "tap";
import { encodeAll } from "../../src/codec/encoder";
import { peekHeaderNotes } from "../../src/codec/header-peek";
import { newHeader, newTrailer } from "../../src/codec/model";

const NOTES = ["no memtrace agent for V8 15.1 (this Node.js is newer than memtrace): …", "ünïcode <b>and</b> HTML"];

t.test("given a Header with notes and a start time past 2^53, then its notes, in order", async (t) => {
  const header = newHeader({ startTimeUnixNs: 1796641683960787909n, v8Version: "15.1.20", notes: NOTES });
  const bytes = encodeAll([
    { type: "header", pid: 7, header },
    { type: "trailer", pid: 7, trailer: newTrailer() },
  ]);
  t.same(peekHeaderNotes(bytes), NOTES);
});

t.test("given a Header without notes, then none", async (t) => {
  t.same(peekHeaderNotes(encodeAll([{ type: "header", pid: 7, header: newHeader() }])), []);
});

t.test("given a first Record that is not a Header, or bytes cut short, or not a capture, then none", async (t) => {
  const trailer = encodeAll([{ type: "trailer", pid: 7, trailer: newTrailer() }]);
  t.same(peekHeaderNotes(trailer), [], "a Trailer");
  const header = encodeAll([{ type: "header", pid: 7, header: newHeader({ notes: NOTES }) }]);
  t.same(peekHeaderNotes(header.subarray(0, header.length - 3)), [], "cut short");
  t.same(peekHeaderNotes(Buffer.from("#!/bin/sh\necho hello\n")), [], "a shell script");
  t.same(peekHeaderNotes(new Uint8Array()), [], "nothing");
});
