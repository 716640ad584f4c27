// The format's fixed names and limits, in a module of their own with no imports: the recorder's launcher needs
// them and must start fast, without loading the protobuf runtime.
export const FORMAT_NAME = "memtrace";
export const FORMAT_VERSION = 1;
/** Scopes whose events are paired (SiteTable, PairedBatch) say version 2 or above; others keep writing version 1. */
export const PAIRED_VERSION = 2;
/** Paired scopes whose frees may be steps (FreeReference). */
export const STEP_VERSION = 3;
/** The newest version read, and what the recorder's paired scopes are: stacks may give parent_distance. */
export const DISTANCE_VERSION = 4;
/** The largest Record a reader accepts by default (the format's MAX_RECORD_BYTES). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
