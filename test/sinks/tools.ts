// Outside programs some tests use (xmllint, Debian's chromium). CI installs them (.ci/run); on a machine without
// them the test is skipped with the reason, except under CI=true, where a missing tool fails the test: CI must not
// pass by skipping.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { Test } from "tap";

export const CHROMIUM = "/usr/bin/chromium";

export function hasXmllint(): boolean {
  return spawnSync("xmllint", ["--version"]).status === 0;
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Options for t.test(): skip (with the reason) when the tool is missing, unless in CI. */
export function needs(available: boolean, what: string): { skip?: string } {
  if (available || process.env.CI) return {};
  return { skip: `${what} is not installed (apt-get install ${what === "xmllint" ? "libxml2-utils" : what})` };
}

/** xmllint's verdict on a document: "" when well-formed, else its messages. */
export function xmllint(
  t: Test,
  xml: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("xmllint", [...args, "-"], { input: xml, encoding: "utf8" });
  if (r.error) t.fail(`xmllint could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
