// What the runtime's frames below the app's code were doing, in one name: the frame the app view puts in their
// place. The rules were read off real captures (docs/app-view.md lists them with the stacks they come from): each
// names what the memory is, and the first rule that matches any frame of the tail wins, so the specific ones come
// first. A tail no rule knows is named by the library it ran in, or by the runtime (V8, node, libc) it was in.
import type { Origin } from "./origin";
import { baseName } from "./origin";

export interface TailFrame {
  /** The function's name (demangled for C++), without file or line. */
  name: string;
  module: string;
  origin: Origin;
  /** The label the report would show for it. */
  label: string;
  /** One of V8's builtins (Map.prototype.set, JSEntry, CallApiCallback...). */
  builtin: boolean;
}

interface Rule {
  what: string;
  test: (f: TailFrame) => boolean;
}

const named = (re: RegExp) => (f: TailFrame) => re.test(f.name);

const RULES: Rule[] = [
  // zlib's and Brotli's state, made by the stream's init (deflateInit2_ from node::zlib::...::Init).
  { what: "zlib deflate state", test: named(/^deflate|ZlibContext::(InitZlib|Init)\b.*DEFLATE/) },
  { what: "zlib inflate state", test: named(/^inflate/) },
  { what: "Brotli state", test: named(/Brotli(Encoder|Decoder)/) },
  { what: "zlib stream state", test: named(/^node::zlib::/) },
  // OpenSSL allocates through CRYPTO_malloc; its functions carry OpenSSL's prefixes.
  {
    what: "OpenSSL",
    test: (f) =>
      /^(CRYPTO_|OPENSSL_|ossl_|EVP_|SSL_|X509|BN_|ASN1_|PEM_|RSA_|EC_|OBJ_)/.test(f.name) ||
      /^node::crypto::/.test(f.name) ||
      /^lib(crypto|ssl)\.so/.test(baseName(f.module)),
  },
  // A worker's postMessage copies what it sends (the structured clone) into a buffer of its own.
  { what: "postMessage copy", test: named(/^v8::(internal::)?ValueSerializer::|^node::worker::Message::Serialize/) },
  { what: "JSON.parse", test: named(/^v8::internal::JsonParser</) },
  { what: "JSON.stringify", test: named(/^v8::internal::JsonStringifier::|^v8::internal::JsonStringify\b/) },
  // Buffers are ArrayBuffers made by node::Buffer; their bytes come from node's ArrayBuffer allocator.
  { what: "Buffer backing store", test: named(/^node::Buffer::/) },
  {
    what: "ArrayBuffer backing store",
    test: named(/^v8::internal::BackingStore::|^node::NodeArrayBufferAllocator::|^v8::ArrayBuffer::|JSArrayBuffer::/),
  },
  // Pages of V8's heap and code space, and the memory reserved for an isolate.
  {
    what: "V8 heap pages",
    test: named(
      /^v8::internal::(MemoryAllocator|PagePool|CodeRange|IsolateAllocator|VirtualMemory|MemoryChunk|LargeObjectSpace|PagedSpace|SemiSpace)|^v8::base::OS::(Allocate|RemapPages|SetPermissions)|^v8::base::(BoundedPageAllocator|PageAllocator)/,
    ),
  },
  {
    what: "V8 garbage collector",
    test: named(
      /^v8::internal::(Scavenger|ScavengerCollector|MarkCompactCollector|MinorMarkCompactCollector|MinorMarkSweepCollector|ConcurrentMarking|Sweeper|Heap::CollectGarbage|Heap::PerformGarbageCollection|IncrementalMarking)|^heap::base::|^cppgc::/,
    ),
  },
  // Parsing, compiling and caching code: node's built-in modules at start-up, the app's modules, optimisation.
  {
    what: "V8 compiler",
    test: named(
      /^v8::internal::(Compiler|Parser|ParserBase|parsing|interpreter|baseline|compiler|maglev|turboshaft|wasm|CodeSerializer|Serializer|ScannerStream|Scanner|DeclarationScope|Scope::|UnoptimizedCompil|ReusableUnoptimizedCompileState|OptimizingCompileDispatcher|Runtime_CompileLazy|Runtime_CompileOptimized|NewAssemblerBuffer)|^node::builtins::BuiltinLoader::/,
    ),
  },
  // The isolate's own tables, made when it starts from the snapshot.
  {
    what: "V8 isolate set-up",
    test: named(
      /^v8::internal::(Snapshot|Deserializer|StartupDeserializer|SharedHeapDeserializer|ContextDeserializer|Isolate::Init|Isolate::New|StringTable)/,
    ),
  },
  { what: "V8 zone memory", test: named(/^v8::internal::(Zone::|AccountingAllocator::)/) },
  // Buffers node reads a stream into before it hands the data to JavaScript.
  { what: "stream read buffers", test: named(/^node::LibuvStreamWrap::|OnStreamRead|^node::.*OnUvAlloc|^uv__read/) },
  // Node's start-up before any JavaScript: static initialisers, options, the environment.
  {
    what: "node start-up",
    test: named(
      /^(__static_initialization_and_destruction|__libc_csu_init|_GLOBAL__sub_I)|^node::(options_parser::|InitializeOncePerProcess|CreateEnvironment|CreateIsolateData|IsolateData::|Environment::Environment|NodeMainInstance::NodeMainInstance|NodeMainInstance::CreateMainEnvironment|Realm::DeserializeProperties)|^icu_|^u(hash|res)_/,
    ),
  },
];

// The allocators themselves and the C++ library's containers: they say nothing about what the memory is for.
const PLUMBING =
  /^(malloc|calloc|realloc|free|operator new|operator delete|posix_memalign|aligned_alloc|mmap|std::|void std::|__gnu_cxx::|\[)/;

// JavaScript's own constructors, as V8 names their builtins.
const JS_CONSTRUCTORS =
  /^(Array|ArrayBuffer|SharedArrayBuffer|DataView|(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float16|Float32|Float64|BigInt64|BigUint64)Array|Map|Set|WeakMap|WeakSet|WeakRef|Promise|Object|String|Number|Boolean|Symbol|BigInt|RegExp|Date|Error|Function|Proxy)$/;

/** The name of the frame that replaces a tail (innermost first). */
export function describeTail(tail: TailFrame[]): string {
  for (const rule of RULES) if (tail.some(rule.test)) return rule.what;
  // The first function of a library the app's code reached (outermost in the tail).
  for (let i = tail.length - 1; i >= 0; i--) {
    if (tail[i].origin === "library") return tail[i].label;
  }
  const inner = tail.find((f) => !PLUMBING.test(f.name));
  if (inner === undefined) return "native runtime";
  // A builtin that JavaScript calls by name (a JS heap sample in Map.prototype.set is named "set"), or one of the
  // constructors JavaScript calls (Node 26's Buffer.from makes its Uint8Array in the builtin "Uint8Array"). Other
  // capitalised builtins are V8's glue (JSEntry, CallApiCallbackGeneric, InterpreterEntryTrampoline).
  if (inner.builtin && (/^[a-z]\w*$/.test(inner.name) || JS_CONSTRUCTORS.test(inner.name))) {
    return `${inner.name} (V8 builtin)`;
  }
  if (/^(v8::|\(anonymous namespace\)::v8|Builtins_|Runtime_)/.test(inner.name)) return "V8 runtime";
  if (inner.name.startsWith("node::")) return "node runtime";
  if (/^uv_|^uv__/.test(inner.name)) return "libuv";
  return "native runtime";
}
