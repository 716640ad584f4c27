// speedscope export: valid against the JSON schema that the speedscope package ships (checked with ajv), with the
// numbers of the folded profile, and opened by the speedscope app itself in headless Chromium.
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import t from "tap";
import { SPEEDSCOPE_SCHEMA, speedscope } from "../../src/sinks/speedscope";
import { deepRecursion, handComputed, hostileNames, HOSTILE_NAMES, multiProcess } from "../fixtures/captures";
import { openInSpeedscope } from "./export-browser";
import { hasChromium, needs } from "./tools";
import { runSink } from "./export-helpers";

interface File {
  $schema: string;
  exporter: string;
  name: string;
  activeProfileIndex: number;
  shared: { frames: { name: string; file?: string; line?: number; col?: number }[] };
  profiles: {
    type: string;
    name: string;
    unit: string;
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }[];
}

const schemaPath = join(
  dirname(require.resolve("speedscope/package.json")),
  "dist",
  "release",
  "file-format-schema.json",
);
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(schemaPath, "utf8")));

async function exported(
  bytes: Uint8Array,
  measure?: "peak" | "leaks" | "total",
): Promise<{ text: string; file: File }> {
  const text = (await runSink(speedscope, bytes, { measure })).toString("utf8");
  return { text, file: JSON.parse(text) as File };
}

/** Weights by the frame names of samples, root first, joined by " > " (two mains of two files add up). */
function weightsByPath(file: File, profile: number): Record<string, number> {
  const p = file.profiles[profile];
  const out: Record<string, number> = {};
  p.samples.forEach((s, i) => {
    const path = s.map((f) => file.shared.frames[f].name).join(" > ");
    out[path] = (out[path] ?? 0) + p.weights[i];
  });
  return out;
}

t.test(
  "given every fixture and measure, when exported, then the file is valid against speedscope's schema",
  async (t) => {
    const fixtures = { multi: multiProcess(), deep: deepRecursion(), hostile: hostileNames(), numbers: handComputed() };
    for (const [name, capture] of Object.entries(fixtures)) {
      for (const measure of ["peak", "leaks", "total"] as const) {
        const { file } = await exported(capture.bytes(), measure);
        t.ok(validate(file), `${name} --${measure}: ${JSON.stringify(validate.errors)}`);
        t.equal(file.$schema, SPEEDSCOPE_SCHEMA);
      }
    }
    // The check can fail: a unit speedscope does not know is refused.
    const { file } = await exported(handComputed().bytes());
    t.notOk(validate({ ...file, profiles: [{ ...file.profiles[0], unit: "kilobytes" }] }));
  },
);

t.test(
  "given the hand-computed capture, when exported, then a bytes profile and a count profile hold the peak",
  async (t) => {
    const { file } = await exported(handComputed().bytes());
    t.equal(file.exporter, "memtrace@" + (require("../../package.json") as { version: string }).version);
    t.match(file.name, /^node \/app\/numbers\.js \(pid 10\) and 1 more process: Peak memory/);
    t.same(
      file.profiles.map((p) => [p.type, p.unit, p.name]),
      [
        ["sampled", "bytes", "Peak memory (live at the high-water mark): bytes"],
        ["sampled", "none", "Peak memory (live at the high-water mark): allocations"],
      ],
    );
    // The peak rows of test/transforms/numbers.test.ts, merged per stack.
    t.same(weightsByPath(file, 0), {
      "main > phi": 3000,
      "main > gamma": 300,
      "uv_worker > beta": 200,
      "uv_worker > delta": 16384,
    });
    t.same(weightsByPath(file, 1), {
      "main > phi": 2,
      "main > gamma": 1,
      "uv_worker > beta": 1,
      "uv_worker > delta": 1,
    });
    t.same(
      file.profiles.map((p) => [p.startValue, p.endValue]),
      [
        [0, 19884],
        [0, 5],
      ],
      "each profile spans its total",
    );
    // Frames are shared, with file and 1-based line for JS, the module for native code.
    const gamma = file.shared.frames.find((f) => f.name === "gamma")!;
    t.same(gamma, { name: "gamma", file: "/app/numbers.js", line: 30, col: 1 });
    t.same(
      file.shared.frames.find((f) => f.name === "uv_worker"),
      { name: "uv_worker", file: "/usr/bin/node" },
    );
    t.equal(
      new Set(file.shared.frames.map((f) => JSON.stringify(f))).size,
      file.shared.frames.length,
      "no frame twice",
    );
  },
);

t.test("given --leaks, when exported, then the names say leaked memory", async (t) => {
  const { file } = await exported(handComputed().bytes(), "leaks");
  t.match(file.name, /Leaked memory/);
  t.ok(file.profiles.every((p) => p.name.startsWith("Leaked memory (live at exit): ")));
  t.same(weightsByPath(file, 0), {
    "main > phi": 2000,
    "main > gamma": 1100,
    "uv_worker > delta": 12288,
  });
});

t.test("given hostile names, when exported, then they are intact after JSON parsing", async (t) => {
  const { text, file } = await exported(hostileNames().bytes());
  const names = new Set(file.shared.frames.map((f) => f.name));
  for (const name of HOSTILE_NAMES) t.ok(names.has(name), JSON.stringify(name));
  t.match(file.name, /^node <script>\.js --title="x"&y 💥/);
  t.notOk(text.includes("\u0000"), "control characters are escaped in the text");
  t.ok(text.includes("nul\\u0000byte"), "as JSON escapes");
});

t.test(
  "given the realistic capture's export, when speedscope opens it in Chromium, then it shows the frames without an error",
  needs(hasChromium(), "chromium"),
  async (t) => {
    const { text } = await exported(multiProcess().bytes());
    const opened = await openInSpeedscope("multi.speedscope.json", text);
    t.same(opened.errors, []);
    t.equal(
      opened.title,
      "node --max-old-space-size=512 /app/server.js (pid 4100) and 1 more process: Peak memory (live at the high-water mark) - speedscope",
    );
    t.match(opened.text, "Peak memory (live at the high-water mark): bytes (1/2)", "the bytes profile is shown first");
    for (const name of [
      "crunch",
      "cacheSet",
      "renderTemplate",
      "processTicksAndRejections",
      "[libz.so.1.2.13+0xd113]",
    ]) {
      t.match(opened.text, name);
    }
  },
);

t.test(
  "given hostile names, when speedscope opens the export in Chromium, then they show as text",
  needs(hasChromium(), "chromium"),
  async (t) => {
    const { text } = await exported(hostileNames().bytes());
    const opened = await openInSpeedscope("hostile.speedscope.json", text);
    t.same(opened.errors, []);
    for (const name of ["<script>alert(1)</script>", 'say "hi"', "&amp; &lt;b&gt;", "内存分配器", "💥 emoji 🧠"]) {
      t.match(opened.text, name);
    }
  },
);

t.test(
  "given a file that is not a profile, when speedscope opens it in Chromium, then the check sees the failure",
  needs(hasChromium(), "chromium"),
  async (t) => {
    const opened = await openInSpeedscope("broken.speedscope.json", '{"$schema":"nothing like it"');
    t.not(opened.errors.length, 0, "an error or an alert is reported");
    t.equal(opened.title, "speedscope", "no profile was loaded");
  },
);

t.test("given the same capture, when exported twice, then the bytes are the same", async (t) => {
  t.equal((await exported(multiProcess().bytes())).text, (await exported(multiProcess().bytes())).text);
});
