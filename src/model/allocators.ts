// Allocator (EventKind) names, as reports print them and as users type them (`--allocator malloc,new`).
import { EventKind } from "../codec/model";

/** Human names of allocators (EventKind), as reports print them. */
export function allocatorName(kind: number): string {
  switch (kind) {
    case EventKind.MALLOC:
      return "malloc";
    case EventKind.CALLOC:
      return "calloc";
    case EventKind.REALLOC:
      return "realloc";
    case EventKind.POSIX_MEMALIGN:
      return "posix_memalign";
    case EventKind.ALIGNED_ALLOC:
      return "aligned_alloc";
    case EventKind.MEMALIGN:
      return "memalign";
    case EventKind.VALLOC:
      return "valloc";
    case EventKind.PVALLOC:
      return "pvalloc";
    case EventKind.NEW:
      return "new";
    case EventKind.NEW_ARRAY:
      return "new[]";
    case EventKind.MMAP:
      return "mmap";
    case EventKind.MREMAP:
      return "mremap";
    case EventKind.JS_SAMPLE:
      return "js";
    case EventKind.FREE:
      return "free";
    case EventKind.REALLOC_FREE:
      return "realloc (old block)";
    case EventKind.DELETE:
      return "delete";
    case EventKind.DELETE_ARRAY:
      return "delete[]";
    case EventKind.MUNMAP:
      return "munmap";
    case EventKind.JS_SAMPLE_FREED:
      return "js (collected)";
    default:
      return kind < 64 ? `allocator ${kind}` : `deallocator ${kind}`;
  }
}

/** The allocators a user can name, by name. */
export const ALLOCATORS_BY_NAME: Record<string, EventKind> = {
  malloc: EventKind.MALLOC,
  calloc: EventKind.CALLOC,
  realloc: EventKind.REALLOC,
  posix_memalign: EventKind.POSIX_MEMALIGN,
  aligned_alloc: EventKind.ALIGNED_ALLOC,
  memalign: EventKind.MEMALIGN,
  valloc: EventKind.VALLOC,
  pvalloc: EventKind.PVALLOC,
  new: EventKind.NEW,
  "new[]": EventKind.NEW_ARRAY,
  mmap: EventKind.MMAP,
  mremap: EventKind.MREMAP,
  js: EventKind.JS_SAMPLE,
};
