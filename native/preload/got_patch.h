// Hooks installed at run time, without LD_PRELOAD: the GOT slots through which each loaded object calls a
// hooked function (its JUMP_SLOT and GLOB_DAT relocations) are overwritten with the hook's address, and put
// back at the end.
//
// A call from node to malloc goes through node's PLT, which jumps to the address in node's GOT; libc and
// libstdc++ call their own malloc through their GOTs too, so that an allocator can be interposed. Writing our
// wrapper's address into those slots sends every such call through the wrapper, as LD_PRELOAD would have
// bound them from the start. The dynamic loader's own GOT and this library's are left alone.
#ifndef MEMTRACE_PRELOAD_GOT_PATCH_H_
#define MEMTRACE_PRELOAD_GOT_PATCH_H_

#include <stddef.h>

namespace memtrace::got {

struct Hook {
  // The symbol's name as relocations give it ("malloc", "_Znwm").
  const char* name;
  // The wrapper written into the slots.
  void* hook;
  // What the slots hold when nothing is hooked (the global definition), written back on removal.
  void* original;
};

struct PatchCounts {
  // Slots written.
  size_t patched = 0;
  // Slots of a hooked name that held neither the original nor a lazy-binding stub (an object bound to
  // another definition, e.g. by RTLD_DEEPBIND): left alone.
  size_t foreign = 0;
  // Slots that could not be made writable.
  size_t failed = 0;
};

// The definition of `name` that the loader binds calls to: the first loaded object (in load order, this
// library aside) whose dynamic symbols define it, at its default version. Not dlsym(RTLD_DEFAULT): a
// non-PIE executable that takes a function's address "defines" it as its own PLT entry (a canonical PLT
// address), which calls back through the GOT slot that the hook replaces.
void* find_definition(const char* name);

// Writes each hook into the slots of every loaded object that hold the hook's original or a lazy-binding
// stub of their own object. Slots already hooked are left as they are: call again after a dlopen.
PatchCounts install(const Hook* hooks, size_t count);
// Writes the originals back into every slot that holds a hook.
PatchCounts remove(const Hook* hooks, size_t count);

}  // namespace memtrace::got

#endif  // MEMTRACE_PRELOAD_GOT_PATCH_H_
