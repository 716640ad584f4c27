// The native code is formatted by clang-format with native/.clang-format (CI installs the clang-format package).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ROOT } from "./capture";

const sources = [
  ...["native/preload", "native/addon", "native/include/memtrace", "test/fixtures/addon"].flatMap((dir) =>
    readdirSync(join(ROOT, dir)).map((f) => join(dir, f)),
  ),
].filter((f) => /\.(h|cpp)$/.test(f));

t.test("the native sources are clang-formatted", async (t) => {
  const r = spawnSync("clang-format", ["--style=file:native/.clang-format", "--dry-run", "-Werror", ...sources], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.error) {
    t.fail(`clang-format is not installed (apt-get install clang-format): ${r.error.message}`);
    return;
  }
  t.equal(r.status, 0, r.stderr.split("\n").slice(0, 10).join("\n"));
});
