// Whose code a frame is: the app's own, a dependency's (node_modules), node's JavaScript internals (node:), an
// addon's, another native library's, or the runtime's (node's binary, V8's builtins, the C and C++ libraries). Read
// from the frame's typed fields (kind, file, module), never from the shape of its label.
import { basename, dirname, join, sep } from "node:path";
import { FunctionKind } from "../../codec/model";
import type { FrameDetails } from "../../model/scope";
import { THREAD_KINDS } from "./threads";

export type Origin = "app" | "dependency" | "node" | "addon" | "library" | "runtime";

/** The app's own JavaScript, a dependency's, or an addon: what the app view keeps and gives own bytes to. */
export function isAppOrigin(o: Origin): boolean {
  return o === "app" || o === "dependency" || o === "addon";
}

/** JavaScript frames: the app's, its dependencies' and node's own modules. */
export function isScriptOrigin(o: Origin): boolean {
  return o === "app" || o === "dependency" || o === "node";
}

// memtrace's own code (dist/src/ as built, and src/ where source maps put it, or where the tests run it): the
// agent and the in-process helpers run it on the app's stack, and it is not the app's.
const SOURCES = join(__dirname, "..", "..");
const PACKAGE_ROOT = basename(dirname(SOURCES)) === "dist" ? dirname(dirname(SOURCES)) : dirname(SOURCES);
const OWN_CODE = [join(PACKAGE_ROOT, "src") + sep, join(PACKAGE_ROOT, "dist", "src") + sep];

// The runtime's own shared objects: what node links and what memtrace preloads. Any other .so is a library.
const RUNTIME_MODULE =
  /^(node|nodejs|node\d+|libnode\.so.*|libc\.so.*|libc-.*|libm\.so.*|libstdc\+\+\.so.*|libgcc_s\.so.*|libpthread\.so.*|libdl\.so.*|ld-linux.*|ld-musl.*|libmemtrace.*|memtrace-agent.*)$/;

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function originOf(d: FrameDetails): Origin {
  if (d.file.startsWith("node:")) return "node";
  if (d.kind === FunctionKind.KIND_JS) {
    if (OWN_CODE.some((dir) => d.file.startsWith(dir))) return "runtime";
    return packageOf(d.file) === undefined ? "app" : "dependency";
  }
  // V8's builtins and stubs (JSEntry, CallApiCallback, InterpreterEntryTrampoline...).
  if (d.kind === FunctionKind.KIND_BUILTIN) return "runtime";
  const module = baseName(d.module);
  if (module === "" || RUNTIME_MODULE.test(module)) return "runtime";
  if (module.endsWith(".node")) return "addon";
  return "library";
}

/** The package of a file under node_modules ("lodash", "@scope/name"), undefined for the app's own files. */
export function packageOf(file: string): string | undefined {
  const at = file.lastIndexOf("/node_modules/");
  if (at < 0) return undefined;
  const parts = file.slice(at + "/node_modules/".length).split("/");
  if (parts[0].startsWith("@") && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0] : undefined;
}

/**
 * What `--by package` groups a frame under: "(app)", a dependency by name, "(node)", an addon or library by its
 * file, else "(runtime)"; the app view's thread roots keep their names.
 */
export function packageLabel(d: FrameDetails): string {
  const origin = originOf(d);
  if (origin === "runtime" && (THREAD_KINDS as readonly string[]).includes(d.name)) return d.name;
  switch (origin) {
    case "app":
      return "(app)";
    case "dependency":
      return packageOf(d.file)!;
    case "node":
      return "(node)";
    case "addon":
    case "library":
      return baseName(d.module);
    default:
      return "(runtime)";
  }
}
