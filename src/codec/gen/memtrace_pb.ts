// memtrace capture format, versions 1 to 4.
//
// This file is the contract between every recorder and every consumer of memtrace captures. A recorder written
// in any language can produce a capture, and any consumer can read one, from this file alone. The model for how
// invariants are written down is pprof's profile.proto: each field says what it means, its unit, what 0 means,
// and what a reader may assume or must tolerate.
//
// ## Framing
//
// A capture is a stream of Records. Each Record is preceded by its encoded length as a base-128 varint: the
// standard protobuf "delimited" framing (Java's writeDelimitedTo, protobuf-es's sizeDelimitedEncode):
//
//     +--------------------+-----------------------+--------------------+-----------------------+----
//     | varint len(Record) | Record bytes          | varint len(Record) | Record bytes          | ...
//     +--------------------+-----------------------+--------------------+-----------------------+----
//
// - A capture is read strictly front to back. Nothing requires seeking, and there is no footer that must be
//   read first: a consumer can report on a capture while it is still being written.
// - A Record is at most 64 MiB (MAX_RECORD_BYTES). Writers keep Records far smaller (a recorder flushes batches
//   of a few hundred KiB); readers refuse a length prefix above the limit before buffering anything.
// - Two captures concatenated are a valid capture: each process's Header starts a new scope (see Record.pid).
// - A stream may be wrapped in zstd frames (RFC 8878; the recorder's default for a file) or LZ4 frames
//   (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md). Readers recognise them by the magic at the
//   start, zstd 28 B5 2F FD or LZ4 04 22 4D 18, and decompress before reading Records; an unwrapped stream starts
//   with the length of its first Record, which must be a Header.
// - A capture normally ends with a Trailer for each process. A process without a Trailer was cut short (the
//   recorder was killed, the disk filled): readers report what the capture holds and warn that it is truncated.
//   Bytes after the last complete Record (a partly written Record) are reported the same way.
//
// ## Scopes and id spaces
//
// Every Record carries the pid of the process it describes. All ids below (strings, functions, frames, stacks)
// live in a per-process id space, the scope, which a Header for that pid starts afresh. So the streams of a
// parent and its children can be interleaved Record by Record without rewriting any id, and two captures can be
// concatenated. Derived streams (the output of `memtrace fold`) use pid 0 for their single scope.
//
// In every id space, 0 means "none" and is never defined by a table: string 0 is "", function 0 is an unknown
// function, frame 0 is not used, and stack 0 is the empty stack (the root of every stack tree).
// Ids are assigned densely from 1 in the order the tables define them: a table's first_id equals one more than
// the number of entries of that kind defined so far in the scope. An entry is defined before any Record that
// refers to it. Readers may keep tables as arrays.
//
// ## Columns
//
// High-volume records (tables of frames and stacks, event batches, memory samples, folded batches) are columnar:
// one packed repeated field per attribute, with one entry per row. This decodes in a tight loop and compresses
// well. The rule for every such record: the first column listed as "row count" has one entry per row; any other
// column is either empty, meaning the documented default for every row, or has exactly one entry per row.
// A column of any other length makes the record invalid.
//
// ## Evolving the format
//
// - Header.version is the format's major version. It changes only for a change that an old reader would
//   misread; a reader refuses a version above the one it knows, naming both.
// - Within a version, the format grows only by adding: new fields with new numbers, new Record kinds, new enum
//   values. Field numbers and names are never reused (reserve them when removing). The meaning of an existing
//   field never changes.
// - Readers skip unknown fields and unknown Record kinds, and treat unknown enum values as "other". EventKind
//   values are partitioned (1-63 allocations, 64-127 deallocations) so that a reader can account for an event
//   kind it does not know.
// - A writer must not rely on a new field being understood: anything that changes how existing fields must be
//   read is a new major version.
// - Version 2 writes a scope's allocations and frees already paired (SiteTable, PairedBatch) instead of EventBatch
//   Records with addresses. A version-1 reader would skip those Records and see no events at all, so the version
//   says it. Everything else is as in version 1; a version-2 reader reads version-1 scopes as before, and a capture
//   may hold scopes of both versions (concatenated captures).
// - Version 3 is version 2 with PairedBatch.free_reference STEP: a free names the block it releases by its step from
//   the block the batch's free before it released, not by its age (a version-2 reader would take the steps for ages),
//   and times given where they change (time_change_row, time_change) in place of time_delta. A version-3 reader
//   reads versions 1 and 2 as before.
// - Version 4 is version 3 whose StackTables may give parent_distance in place of parent, and SiteTables stack_delta
//   in place of stack (a version-3 reader would take every parent and stack for 0). A version-4 reader reads
//   versions 1 to 3 as before.

// @generated by protoc-gen-es v2.10.0 with parameter "target=ts"
// @generated from file memtrace.proto (package memtrace.v1, syntax proto3)
/* eslint-disable */

import type { GenEnum, GenFile, GenMessage } from "@bufbuild/protobuf/codegenv2";
import { enumDesc, fileDesc, messageDesc } from "@bufbuild/protobuf/codegenv2";
import type { Message } from "@bufbuild/protobuf";

/**
 * Describes the file memtrace.proto.
 */
export const file_memtrace: GenFile = /*@__PURE__*/
  fileDesc("Cg5tZW10cmFjZS5wcm90bxILbWVtdHJhY2UudjEivAcKBlJlY29yZBILCgNwaWQYASABKA0SJQoGaGVhZGVyGAIgASgLMhMubWVtdHJhY2UudjEuSGVhZGVySAASKwoHc3RyaW5ncxgDIAEoCzIYLm1lbXRyYWNlLnYxLlN0cmluZ1RhYmxlSAASLwoJZnVuY3Rpb25zGAQgASgLMhoubWVtdHJhY2UudjEuRnVuY3Rpb25UYWJsZUgAEikKBmZyYW1lcxgFIAEoCzIXLm1lbXRyYWNlLnYxLkZyYW1lVGFibGVIABIpCgZzdGFja3MYBiABKAsyFy5tZW10cmFjZS52MS5TdGFja1RhYmxlSAASKQoGZXZlbnRzGAcgASgLMhcubWVtdHJhY2UudjEuRXZlbnRCYXRjaEgAEisKCXdhdGVybWFyaxgIIAEoCzIWLm1lbXRyYWNlLnYxLldhdGVybWFya0gAEiwKBm1lbW9yeRgJIAEoCzIaLm1lbXRyYWNlLnYxLk1lbW9yeVNhbXBsZXNIABIpCgZ0aHJlYWQYCiABKAsyFy5tZW10cmFjZS52MS5UaHJlYWRJbmZvSAASLAoHcHJvY2VzcxgLIAEoCzIZLm1lbXRyYWNlLnYxLlByb2Nlc3NFdmVudEgAEicKB21hcHBpbmcYDCABKAsyFC5tZW10cmFjZS52MS5NYXBwaW5nSAASJgoEY29kZRgNIAEoCzIWLm1lbXRyYWNlLnYxLkNvZGVFdmVudEgAEjIKCnJlc29sdXRpb24YDiABKAsyHC5tZW10cmFjZS52MS5GcmFtZVJlc29sdXRpb25IABIiCgJnYxgPIAEoCzIULm1lbXRyYWNlLnYxLkdjRXZlbnRIABIqCgZmb2xkZWQYECABKAsyGC5tZW10cmFjZS52MS5Gb2xkZWRCYXRjaEgAEicKB3RyYWlsZXIYESABKAsyFC5tZW10cmFjZS52MS5UcmFpbGVySAASMQoNb3RoZXJfbWVhc3VyZRgSIAEoCzIYLm1lbXRyYWNlLnYxLkZvbGRlZEJhdGNoSAASJwoFc2l0ZXMYEyABKAsyFi5tZW10cmFjZS52MS5TaXRlVGFibGVIABIqCgZwYWlyZWQYFCABKAsyGC5tZW10cmFjZS52MS5QYWlyZWRCYXRjaEgAEikKCHRpbWVsaW5lGBUgASgLMhUubWVtdHJhY2UudjEuVGltZWxpbmVIABIyCgtjb2RlX2V2ZW50cxgWIAEoCzIbLm1lbXRyYWNlLnYxLkNvZGVFdmVudEJhdGNoSABCBgoEYm9keSKhAwoGSGVhZGVyEg4KBmZvcm1hdBgBIAEoCRIPCgd2ZXJzaW9uGAIgASgNEiUKB2NvbnRlbnQYAyABKA4yFC5tZW10cmFjZS52MS5Db250ZW50Eg4KBndyaXRlchgEIAEoCRIMCgRwcGlkGAUgASgNEgwKBGFyZ3YYBiADKAkSEQoJZXhlY19hcmd2GAcgAygJEhQKDG5vZGVfdmVyc2lvbhgIIAEoCRIQCghob3N0bmFtZRgJIAEoCRIQCghwbGF0Zm9ybRgKIAEoCRIMCgRhcmNoGAsgASgJEhoKEnN0YXJ0X3RpbWVfdW5peF9ucxgMIAEoBBInCghzZXR0aW5ncxgNIAEoCzIVLm1lbXRyYWNlLnYxLlNldHRpbmdzEiwKC2V2ZW50X29yZGVyGA4gASgOMhcubWVtdHJhY2UudjEuRXZlbnRPcmRlchIjCgRmb2xkGA8gASgLMhUubWVtdHJhY2UudjEuRm9sZEluZm8SEgoKdjhfdmVyc2lvbhgQIAEoCRINCgVhZ2VudBgRIAEoCRINCgVub3RlcxgSIAMoCSKcAgoIU2V0dGluZ3MSFwoPbWF4X3N0YWNrX2RlcHRoGAEgASgNEiAKGGpzX3NhbXBsZV9pbnRlcnZhbF9ieXRlcxgCIAEoBBIbChNqc19wb2xsX2ludGVydmFsX25zGAMgASgEEhoKEm1lbW9yeV9pbnRlcnZhbF9ucxgEIAEoBBIOCgZuYXRpdmUYBSABKAgSEAoIY2hpbGRyZW4YBiABKAgSGwoTY2xvY2tfcmVzb2x1dGlvbl9ucxgHIAEoBBIZChFqc19rZWVwX2NvbGxlY3RlZBgIIAEoCBIfChdhbGxvY2F0aW9uX3RpbWVfbGVhZF9ucxgJIAEoBBIhChlkZWFsbG9jYXRpb25fdGltZV9sZWFkX25zGAogASgEIi8KC1N0cmluZ1RhYmxlEhAKCGZpcnN0X2lkGAEgASgNEg4KBnZhbHVlcxgCIAMoCSJLCg1GdW5jdGlvblRhYmxlEhAKCGZpcnN0X2lkGAEgASgNEigKCWZ1bmN0aW9ucxgCIAMoCzIVLm1lbXRyYWNlLnYxLkZ1bmN0aW9uIt8BCghGdW5jdGlvbhIMCgRuYW1lGAEgASgNEgwKBGZpbGUYAiABKA0SDgoGbW9kdWxlGAMgASgNEgwKBGxpbmUYBCABKA0SDgoGY29sdW1uGAUgASgNEicKBGtpbmQYBiABKA4yGS5tZW10cmFjZS52MS5GdW5jdGlvbktpbmQSFgoOZ2VuZXJhdGVkX2ZpbGUYByABKA0SFgoOZ2VuZXJhdGVkX2xpbmUYCCABKA0SGAoQZ2VuZXJhdGVkX2NvbHVtbhgJIAEoDRIWCg5nZW5lcmF0ZWRfbmFtZRgKIAEoDSJfCgpGcmFtZVRhYmxlEhAKCGZpcnN0X2lkGAEgASgNEhAKCGZ1bmN0aW9uGAIgAygNEg8KB2FkZHJlc3MYAyADKAQSDAoEbGluZRgEIAMoDRIOCgZjb2x1bW4YBSADKA0iVgoKU3RhY2tUYWJsZRIQCghmaXJzdF9pZBgBIAEoDRIOCgZwYXJlbnQYAiADKA0SDQoFZnJhbWUYAyADKA0SFwoPcGFyZW50X2Rpc3RhbmNlGAQgAygNIp0BCgpFdmVudEJhdGNoEgsKA3RpZBgBIAEoDRIPCgd0aW1lX25zGAIgASgEEgwKBGtpbmQYAyADKA0SEgoKdGltZV9kZWx0YRgEIAMoBBIVCg1hZGRyZXNzX2RlbHRhGAUgAygSEgwKBHNpemUYBiADKAQSDQoFc3RhY2sYByADKA0SDQoFY291bnQYCCADKAQSDAoEdGlkcxgJIAMoDSJsCglTaXRlVGFibGUSEAoIZmlyc3RfaWQYASABKA0SDAoEa2luZBgCIAMoDRIMCgRzaXplGAMgAygEEg0KBXN0YWNrGAQgAygNEg0KBWNvdW50GAUgAygEEhMKC3N0YWNrX2RlbHRhGAYgAygSIrkCCgtQYWlyZWRCYXRjaBIPCgd0aW1lX25zGAEgASgEEgoKAm9wGAIgAygEEhIKCnRpbWVfZGVsdGEYAyADKAQSEQoJdGlkX2RlbHRhGAQgAygSEhEKCWZyZWVfa2luZBgFIAMoDRIPCgdhZGRyZXNzGAYgAygEEhQKDHVubWFwX2xlbmd0aBgHIAMoBBIRCglleHRyYV9yb3cYCCADKA0SEQoJZXh0cmFfYWdlGAkgAygEEhIKCmV4dHJhX2tpbmQYCiADKA0SMgoOZnJlZV9yZWZlcmVuY2UYCyABKA4yGi5tZW10cmFjZS52MS5GcmVlUmVmZXJlbmNlEhcKD3RpbWVfY2hhbmdlX3JvdxgMIAMoDRITCgt0aW1lX2NoYW5nZRgNIAMoBBIQCghsYXRlX2FnZRgOIAMoBCIcCglXYXRlcm1hcmsSDwoHdGltZV9ucxgBIAEoBCKlAQoNTWVtb3J5U2FtcGxlcxILCgN0aWQYASABKA0SDwoHdGltZV9ucxgCIAMoBBILCgNyc3MYAyADKAQSFAoManNfaGVhcF91c2VkGAQgAygEEhUKDWpzX2hlYXBfdG90YWwYBSADKAQSEAoIZXh0ZXJuYWwYBiADKAQSFQoNYXJyYXlfYnVmZmVycxgHIAMoBBITCgtuYXRpdmVfbGl2ZRgIIAMoBCKBAQoKVGhyZWFkSW5mbxILCgN0aWQYASABKA0SDAoEbmFtZRgCIAEoCRIlCgRyb2xlGAMgASgOMhcubWVtdHJhY2UudjEuVGhyZWFkUm9sZRIRCgl3b3JrZXJfaWQYBCABKA0SDwoHdGltZV9ucxgFIAEoBBINCgVlbmRlZBgGIAEoCCKdAQoMUHJvY2Vzc0V2ZW50EisKBGtpbmQYASABKA4yHS5tZW10cmFjZS52MS5Qcm9jZXNzRXZlbnRLaW5kEg8KB3RpbWVfbnMYAiABKAQSEQoJY2hpbGRfcGlkGAMgASgNEhEKCWV4aXRfY29kZRgEIAEoBRIOCgZzaWduYWwYBSABKA0SDAoEYXJndhgGIAMoCRILCgN0aWQYByABKA0ikAEKB01hcHBpbmcSDQoFc3RhcnQYASABKAQSCwoDZW5kGAIgASgEEhMKC2ZpbGVfb2Zmc2V0GAMgASgEEgwKBHBhdGgYBCABKAkSEAoIYnVpbGRfaWQYBSABKAkSEgoKZXhlY3V0YWJsZRgGIAEoCBIPCgd0aW1lX25zGAcgASgEEg8KB3JlbW92ZWQYCCABKAgiiAEKCUNvZGVFdmVudBIoCgRraW5kGAEgASgOMhoubWVtdHJhY2UudjEuQ29kZUV2ZW50S2luZBIPCgd0aW1lX25zGAIgASgEEg0KBXN0YXJ0GAMgASgEEgwKBHNpemUYBCABKAQSEQoJbmV3X3N0YXJ0GAUgASgEEhAKCGZ1bmN0aW9uGAYgASgNIrMBCg5Db2RlRXZlbnRCYXRjaBIoCgRraW5kGAEgAygOMhoubWVtdHJhY2UudjEuQ29kZUV2ZW50S2luZBIPCgd0aW1lX25zGAIgASgEEhIKCnRpbWVfZGVsdGEYAyADKBISEwoLc3RhcnRfZGVsdGEYBCADKBISDAoEc2l6ZRgFIAMoBBIXCg9uZXdfc3RhcnRfZGVsdGEYBiADKBISFgoOZnVuY3Rpb25fZGVsdGEYByADKBIiggEKD0ZyYW1lUmVzb2x1dGlvbhINCgVmcmFtZRgBIAMoDRIQCghmdW5jdGlvbhgCIAMoDRIMCgRsaW5lGAMgAygNEg4KBmNvbHVtbhgEIAMoDRIWCg5nZW5lcmF0ZWRfbGluZRgFIAMoDRIYChBnZW5lcmF0ZWRfY29sdW1uGAYgAygNIogBCgdHY0V2ZW50EgsKA3RpZBgBIAEoDRIPCgd0aW1lX25zGAIgASgEEhMKC2R1cmF0aW9uX25zGAMgASgEEiEKBGtpbmQYBCABKA4yEy5tZW10cmFjZS52MS5HY0tpbmQSEwoLaGVhcF9iZWZvcmUYBSABKAQSEgoKaGVhcF9hZnRlchgGIAEoBCLwAgoIRm9sZEluZm8SJQoHbWVhc3VyZRgBIAEoDjIULm1lbXRyYWNlLnYxLk1lYXN1cmUSLQoJcHJvY2Vzc2VzGAIgAygLMhoubWVtdHJhY2UudjEuUHJvY2Vzc1RvdGFscxIRCgl0cnVuY2F0ZWQYAyABKAgSGwoTdGVtcG9yYXJ5X3RocmVzaG9sZBgEIAEoDRIQCghpbnZlcnRlZBgFIAEoCBIXCg9zcGxpdF9wcm9jZXNzZXMYBiABKAgSFQoNc3BsaXRfdGhyZWFkcxgHIAEoCBIfCgRoZWFwGAggASgOMhEubWVtdHJhY2UudjEuSGVhcBIWCg5hZnRlcl90ZWFyZG93bhgJIAEoCBImCghtZWFzdXJlcxgKIAMoDjIULm1lbXRyYWNlLnYxLk1lYXN1cmUSEwoLc2l6ZV9jb3VudHMYCyADKAQSEgoKc2l6ZV9ieXRlcxgMIAMoBBISCgpqc19zYW1wbGVzGA0gASgEIqQDCg1Qcm9jZXNzVG90YWxzEgsKA3BpZBgBIAEoDRITCgthbGxvY2F0aW9ucxgCIAEoBBIXCg9hbGxvY2F0ZWRfYnl0ZXMYAyABKAQSFQoNZGVhbGxvY2F0aW9ucxgEIAEoBBIfChd1bm1hdGNoZWRfZGVhbGxvY2F0aW9ucxgFIAEoBBIfChdvdmVyd3JpdHRlbl9hbGxvY2F0aW9ucxgGIAEoBBISCgpwZWFrX2J5dGVzGAcgASgEEhQKDHBlYWtfdGltZV9ucxgIIAEoBBIUCgxsZWFrZWRfYnl0ZXMYCSABKAQSFAoMbGVha2VkX2NvdW50GAogASgEEhMKC2VuZF90aW1lX25zGAsgASgEEhcKD3dpbmRvd19zdGFydF9ucxgMIAEoBBIVCg13aW5kb3dfZW5kX25zGA0gASgEEhQKDGFwcF9lbmRlZF9ucxgOIAEoBBIXCgprZXB0X2J5dGVzGA8gASgESACIAQESFwoKa2VwdF9jb3VudBgQIAEoBEgBiAEBQg0KC19rZXB0X2J5dGVzQg0KC19rZXB0X2NvdW50IowBCgtGb2xkZWRCYXRjaBIlCgdtZWFzdXJlGAEgASgOMhQubWVtdHJhY2UudjEuTWVhc3VyZRINCgVzdGFjaxgCIAMoDRINCgVieXRlcxgDIAMoBBINCgVjb3VudBgEIAMoBBIMCgRwaWRzGAUgAygNEgwKBHRpZHMYBiADKA0SDQoFa2luZHMYByADKA0i2QEKB1RyYWlsZXISDwoHdGltZV9ucxgBIAEoBBITCgthbGxvY2F0aW9ucxgCIAEoBBIVCg1kZWFsbG9jYXRpb25zGAMgASgEEhcKD2FsbG9jYXRlZF9ieXRlcxgEIAEoBBITCgtsb3N0X2V2ZW50cxgFIAEoBBIYChB0cnVuY2F0ZWRfc3RhY2tzGAYgASgEEhUKDWJyb2tlbl9zdGFja3MYByABKAQSGQoRdW5yZXNvbHZlZF9mcmFtZXMYCCABKAQSFwoPcmVlbnRyYW50X2NhbGxzGAkgASgEIqgCCghUaW1lbGluZRILCgNwaWQYASABKA0SEQoJYnVja2V0X25zGAIgASgEEgwKBGhpZ2gYAyADKAQSDwoHaGlnaF9qcxgEIAMoBBIRCgltb21lbnRfbnMYBSADKAQSDwoHcm93X3RpZBgGIAMoDRIQCghyb3dfa2luZBgHIAMoDRIRCglyb3dfc3RhY2sYCCADKA0SEAoIaGFzX2tlcHQYCSABKAgSEgoKa2VwdF9ieXRlcxgKIAMoEhISCgprZXB0X2NvdW50GAsgAygSEisKB2NoYW5nZXMYDCABKAsyGi5tZW10cmFjZS52MS5UaW1lbGluZVRhYmxlEi0KCWxpZmV0aW1lcxgNIAEoCzIaLm1lbXRyYWNlLnYxLlRpbWVsaW5lVGFibGUiWgoNVGltZWxpbmVUYWJsZRIRCglyb3dfZGVsdGEYASADKA0SDAoEZnJvbRgCIAMoDRIKCgJ0bxgDIAMoDRINCgVieXRlcxgEIAMoEhINCgVjb3VudBgFIAMoEio3CgdDb250ZW50EhcKE0NPTlRFTlRfVU5TUEVDSUZJRUQQABIHCgNSQVcQARIKCgZGT0xERUQQAiozCgpFdmVudE9yZGVyEhQKEE9SREVSX1BFUl9USFJFQUQQABIPCgtPUkRFUl9UT1RBTBABKk4KDEZ1bmN0aW9uS2luZBIOCgpLSU5EX09USEVSEAASCwoHS0lORF9KUxABEg8KC0tJTkRfTkFUSVZFEAISEAoMS0lORF9CVUlMVElOEAMqsgIKCUV2ZW50S2luZBIaChZFVkVOVF9LSU5EX1VOU1BFQ0lGSUVEEAASCgoGTUFMTE9DEAESCgoGQ0FMTE9DEAISCwoHUkVBTExPQxADEhIKDlBPU0lYX01FTUFMSUdOEAQSEQoNQUxJR05FRF9BTExPQxAFEgwKCE1FTUFMSUdOEAYSCgoGVkFMTE9DEAcSCwoHUFZBTExPQxAIEgcKA05FVxAJEg0KCU5FV19BUlJBWRAKEggKBE1NQVAQCxIKCgZNUkVNQVAQDBINCglKU19TQU1QTEUQDRIICgRGUkVFEEASEAoMUkVBTExPQ19GUkVFEEESCgoGREVMRVRFEEISEAoMREVMRVRFX0FSUkFZEEMSCgoGTVVOTUFQEEQSEwoPSlNfU0FNUExFX0ZSRUVEEEUqIgoNRnJlZVJlZmVyZW5jZRIHCgNBR0UQABIICgRTVEVQEAEqNwoMRXh0cmFSZWxlYXNlEgkKBUVBUkxZEAASDwoLT1ZFUldSSVRURU4QARILCgdBV0FJVEVEEAIqSwoKVGhyZWFkUm9sZRIOCgpST0xFX09USEVSEAASDQoJUk9MRV9NQUlOEAESDwoLUk9MRV9XT1JLRVIQAhINCglST0xFX1BPT0wQAypxChBQcm9jZXNzRXZlbnRLaW5kEh0KGVBST0NFU1NfRVZFTlRfVU5TUEVDSUZJRUQQABIKCgZGT1JLRUQQARILCgdTUEFXTkVEEAISCgoGRVhFQ0VEEAMSCgoGRVhJVEVEEAQSDQoJQVBQX0VOREVEEAUqTgoNQ29kZUV2ZW50S2luZBIaChZDT0RFX0VWRU5UX1VOU1BFQ0lGSUVEEAASCQoFQURERUQQARIJCgVNT1ZFRBACEgsKB1JFTU9WRUQQAyqWAQoGR2NLaW5kEgwKCEdDX09USEVSEAASDwoLR0NfU0NBVkVOR0UQARIZChVHQ19NQVJLX1NXRUVQX0NPTVBBQ1QQAhIaChZHQ19JTkNSRU1FTlRBTF9NQVJLSU5HEAMSHQoZR0NfUFJPQ0VTU19XRUFLX0NBTExCQUNLUxAEEhcKE0dDX01JTk9SX01BUktfU1dFRVAQBSoyCgRIZWFwEgwKCEhFQVBfQUxMEAASDwoLSEVBUF9OQVRJVkUQARILCgdIRUFQX0pTEAIqeQoHTWVhc3VyZRIXChNNRUFTVVJFX1VOU1BFQ0lGSUVEEAASCAoEUEVBSxABEgkKBUxFQUtTEAISCQoFVE9UQUwQAxINCglURU1QT1JBUlkQBBIGCgJBVBAFEgsKB0JFVFdFRU4QBhIRCg1CRVRXRUVOX0xFQUtTEAdiBnByb3RvMw");

/**
 * One framed message of the stream.
 *
 * @generated from message memtrace.v1.Record
 */
export type Record = Message<"memtrace.v1.Record"> & {
  /**
   * The process this Record belongs to, and so the scope of every id in it. 0 only in derived streams.
   *
   * @generated from field: uint32 pid = 1;
   */
  pid: number;

  /**
   * @generated from oneof memtrace.v1.Record.body
   */
  body: {
    /**
     * @generated from field: memtrace.v1.Header header = 2;
     */
    value: Header;
    case: "header";
  } | {
    /**
     * @generated from field: memtrace.v1.StringTable strings = 3;
     */
    value: StringTable;
    case: "strings";
  } | {
    /**
     * @generated from field: memtrace.v1.FunctionTable functions = 4;
     */
    value: FunctionTable;
    case: "functions";
  } | {
    /**
     * @generated from field: memtrace.v1.FrameTable frames = 5;
     */
    value: FrameTable;
    case: "frames";
  } | {
    /**
     * @generated from field: memtrace.v1.StackTable stacks = 6;
     */
    value: StackTable;
    case: "stacks";
  } | {
    /**
     * @generated from field: memtrace.v1.EventBatch events = 7;
     */
    value: EventBatch;
    case: "events";
  } | {
    /**
     * @generated from field: memtrace.v1.Watermark watermark = 8;
     */
    value: Watermark;
    case: "watermark";
  } | {
    /**
     * @generated from field: memtrace.v1.MemorySamples memory = 9;
     */
    value: MemorySamples;
    case: "memory";
  } | {
    /**
     * @generated from field: memtrace.v1.ThreadInfo thread = 10;
     */
    value: ThreadInfo;
    case: "thread";
  } | {
    /**
     * @generated from field: memtrace.v1.ProcessEvent process = 11;
     */
    value: ProcessEvent;
    case: "process";
  } | {
    /**
     * @generated from field: memtrace.v1.Mapping mapping = 12;
     */
    value: Mapping;
    case: "mapping";
  } | {
    /**
     * @generated from field: memtrace.v1.CodeEvent code = 13;
     */
    value: CodeEvent;
    case: "code";
  } | {
    /**
     * @generated from field: memtrace.v1.FrameResolution resolution = 14;
     */
    value: FrameResolution;
    case: "resolution";
  } | {
    /**
     * @generated from field: memtrace.v1.GcEvent gc = 15;
     */
    value: GcEvent;
    case: "gc";
  } | {
    /**
     * @generated from field: memtrace.v1.FoldedBatch folded = 16;
     */
    value: FoldedBatch;
    case: "folded";
  } | {
    /**
     * @generated from field: memtrace.v1.Trailer trailer = 17;
     */
    value: Trailer;
    case: "trailer";
  } | {
    /**
     * Rows of a measure other than the folded stream's own (FoldInfo.measures lists which): one fold writes every
     * measure one pass over the events computes, so that any report can show any of them without the events.
     * A reader that does not know this kind skips it and reads the stream's own measure, as before.
     *
     * @generated from field: memtrace.v1.FoldedBatch other_measure = 18;
     */
    value: FoldedBatch;
    case: "otherMeasure";
  } | {
    /**
     * Version 2 and 3 scopes only: the sites their PairedBatches name, and the paired events.
     *
     * @generated from field: memtrace.v1.SiteTable sites = 19;
     */
    value: SiteTable;
    case: "sites";
  } | {
    /**
     * @generated from field: memtrace.v1.PairedBatch paired = 20;
     */
    value: PairedBatch;
    case: "paired";
  } | {
    /**
     * In a folded stream written by `fold --timeline`: one per raw process, the process's memory over time and
     * what the HTML flame graph needs to re-fold any window of its buckets. A reader that does not know this kind
     * skips it: the stream's rows are complete without it.
     *
     * @generated from field: memtrace.v1.Timeline timeline = 21;
     */
    value: Timeline;
    case: "timeline";
  } | {
    /**
     * Code events in columns: the recorder writes these in place of CodeEvent Records (CodeEvent stays valid, and
     * a stream may hold both). A reader that does not know this kind skips it and loses only the code events,
     * which no report needs: frames are named by FrameResolution.
     *
     * @generated from field: memtrace.v1.CodeEventBatch code_events = 22;
     */
    value: CodeEventBatch;
    case: "codeEvents";
  } | { case: undefined; value?: undefined };
};

/**
 * Describes the message memtrace.v1.Record.
 * Use `create(RecordSchema)` to create a new message.
 */
export const RecordSchema: GenMessage<Record> = /*@__PURE__*/
  messageDesc(file_memtrace, 0);

/**
 * Opens a scope: the first Record of every process (and of a derived stream). A second Header for a pid that
 * already has one starts a new, empty scope for that pid (a concatenated capture, or a reused pid).
 *
 * @generated from message memtrace.v1.Header
 */
export type Header = Message<"memtrace.v1.Header"> & {
  /**
   * Always "memtrace". A stream whose first Record is not a Header with this name is not a memtrace capture.
   *
   * @generated from field: string format = 1;
   */
  format: string;

  /**
   * The format's major version of this scope: 2 to 4 when its events are paired (PairedBatch, and no EventBatch; 3
   * and 4 when their frees may be written as steps, PairedBatch.free_reference; 4 when its stacks and sites may give
   * StackTable.parent_distance and SiteTable.stack_delta), else 1.
   *
   * @generated from field: uint32 version = 2;
   */
  version: number;

  /**
   * What the scope holds.
   *
   * @generated from field: memtrace.v1.Content content = 3;
   */
  content: Content;

  /**
   * The program that wrote this scope and its version, e.g. "memtrace-recorder 0.1.0" or "memtrace fold 0.1.0".
   *
   * @generated from field: string writer = 4;
   */
  writer: string;

  /**
   * The process. Empty in derived streams.
   *
   * @generated from field: uint32 ppid = 5;
   */
  ppid: number;

  /**
   * The process's command line (argv[0] first) and Node's own options (process.execArgv), where known.
   *
   * @generated from field: repeated string argv = 6;
   */
  argv: string[];

  /**
   * @generated from field: repeated string exec_argv = 7;
   */
  execArgv: string[];

  /**
   * process.version, e.g. "v20.20.2". Empty if the process is not a Node.js process.
   *
   * @generated from field: string node_version = 8;
   */
  nodeVersion: string;

  /**
   * os.hostname(), os.platform() and os.arch() of the machine that recorded: a capture is read elsewhere.
   *
   * @generated from field: string hostname = 9;
   */
  hostname: string;

  /**
   * @generated from field: string platform = 10;
   */
  platform: string;

  /**
   * @generated from field: string arch = 11;
   */
  arch: string;

  /**
   * Wall-clock time of time 0 of this scope, in nanoseconds since the Unix epoch. Every other time in the scope
   * is in nanoseconds since time 0 on a monotonic clock (CLOCK_MONOTONIC on Linux).
   *
   * @generated from field: uint64 start_time_unix_ns = 12;
   */
  startTimeUnixNs: bigint;

  /**
   * @generated from field: memtrace.v1.Settings settings = 13;
   */
  settings?: Settings;

  /**
   * How events of this scope are ordered in the stream; see EventOrder.
   *
   * @generated from field: memtrace.v1.EventOrder event_order = 14;
   */
  eventOrder: EventOrder;

  /**
   * For content FOLDED: how the folded batches were made.
   *
   * @generated from field: memtrace.v1.FoldInfo fold = 15;
   */
  fold?: FoldInfo;

  /**
   * V8's version as the process's V8 gives it (v8::V8::GetVersion(), e.g. "13.6.233.17-node.37"). A recorder
   * fills it in every Node.js process it records; empty in a process that is not a Node.js (a shell, a compiler
   * the app runs) and in derived streams.
   *
   * @generated from field: string v8_version = 16;
   */
  v8Version: string;

  /**
   * The agent that names this process's JS frames and samples its JS heap, with its version and the V8 line it
   * was built for, e.g. "memtrace-agent 0.1.0 for V8 13.6". Empty when none was chosen (not a Node.js, a V8
   * line the recorder has no agent for, recorded without one): then JS frames are unnamed code addresses and
   * there are no JS_SAMPLE events, CodeEvents or GcEvents. Non-empty says which agent was chosen, not that
   * it started; its CodeEvents are what show it ran.
   *
   * @generated from field: string agent = 17;
   */
  agent: string;

  /**
   * What this recording could not do, one sentence each for a person to read (e.g. "no memtrace agent for
   * V8 15.1 (this Node.js is newer than memtrace): JS frames are not named and the JS heap is not sampled;
   * native allocations are recorded"). Empty when it did everything it was asked. Readers show them as they
   * are and must not parse them.
   *
   * @generated from field: repeated string notes = 18;
   */
  notes: string[];
};

/**
 * Describes the message memtrace.v1.Header.
 * Use `create(HeaderSchema)` to create a new message.
 */
export const HeaderSchema: GenMessage<Header> = /*@__PURE__*/
  messageDesc(file_memtrace, 1);

/**
 * What the recorder was asked to record. A field left 0 means "off" or "not applicable" as stated.
 *
 * @generated from message memtrace.v1.Settings
 */
export type Settings = Message<"memtrace.v1.Settings"> & {
  /**
   * Maximum number of frames walked per native stack (deeper stacks are cut at the root end and counted in
   * Trailer.truncated_stacks).
   *
   * @generated from field: uint32 max_stack_depth = 1;
   */
  maxStackDepth: number;

  /**
   * The average number of bytes between V8 heap samples; 0 when the JS heap was not sampled.
   *
   * @generated from field: uint64 js_sample_interval_bytes = 2;
   */
  jsSampleIntervalBytes: bigint;

  /**
   * How often the JS heap sampler was polled, in nanoseconds; 0 when not sampled.
   *
   * @generated from field: uint64 js_poll_interval_ns = 3;
   */
  jsPollIntervalNs: bigint;

  /**
   * Interval of MemorySamples, in nanoseconds; 0 when memory was not sampled.
   *
   * @generated from field: uint64 memory_interval_ns = 4;
   */
  memoryIntervalNs: bigint;

  /**
   * Whether native allocations (malloc and friends, operator new, mmap) were recorded.
   *
   * @generated from field: bool native = 5;
   */
  native: boolean;

  /**
   * Whether child processes were recorded into the same capture.
   *
   * @generated from field: bool children = 6;
   */
  children: boolean;

  /**
   * The resolution of event timestamps in nanoseconds (e.g. 1, or 4000000 for a coarse clock): how far an
   * event's time may be from when it happened. A recorder that stamps most events with a reading of its clock
   * shared between threads and refreshed every so often says how old that reading may be (memtrace's: its
   * writer's tick, 10 ms, unless recorded with --exact-times). Two events closer than this in different
   * threads have no order by their times, except that an event that happened before another never has a
   * later time (up to the leads below).
   *
   * @generated from field: uint64 clock_resolution_ns = 7;
   */
  clockResolutionNs: bigint;

  /**
   * Whether the JS heap sampler kept samples of collected objects (the total-allocation view: no free events).
   *
   * @generated from field: bool js_keep_collected = 8;
   */
  jsKeepCollected: boolean;

  /**
   * How much earlier than its true place an allocation's time may read, in nanoseconds; 0 when every event's
   * time is ordered. A recorder may read its clock on allocations without a fence (memtrace's does: the fence
   * was the largest single cost of an event). Then a block freed in one thread and handed out again by malloc
   * in another can show its new allocation a little before the free of the old one: an allocation at an
   * address that is still live. A reader that pairs frees with allocations takes the old block as freed
   * there, and the next free of that address from another thread, no later than the allocation's time plus
   * this lead, as that block's free (not the new block's); if none comes, the old block's free was never seen
   * (an overwritten allocation). Watermarks already allow for the lead.
   *
   * @generated from field: uint64 allocation_time_lead_ns = 9;
   */
  allocationTimeLeadNs: bigint;

  /**
   * How much earlier than its true place a free's time (kinds FREE to DELETE_ARRAY) may read, in nanoseconds;
   * 0 when frees are ordered (as they were in captures before this field). Then a block allocated in one
   * thread and freed at once in another can show its free a little before its allocation: a free of an
   * address that is not live. A reader that pairs frees with allocations holds such a free, and if an
   * allocation of that address from another thread comes no later than the free's time plus this lead, takes
   * the free as that block's, right after it; if none comes, the free is unmatched (of memory allocated before
   * recording started). A free's time never reads later than its true place, so a block freed and then
   * handed out again keeps the free first, up to allocation_time_lead_ns. Watermarks already allow for the
   * lead.
   *
   * @generated from field: uint64 deallocation_time_lead_ns = 10;
   */
  deallocationTimeLeadNs: bigint;
};

/**
 * Describes the message memtrace.v1.Settings.
 * Use `create(SettingsSchema)` to create a new message.
 */
export const SettingsSchema: GenMessage<Settings> = /*@__PURE__*/
  messageDesc(file_memtrace, 2);

/**
 * Interned strings, ids first_id, first_id+1, ... in order. Strings are UTF-8.
 *
 * @generated from message memtrace.v1.StringTable
 */
export type StringTable = Message<"memtrace.v1.StringTable"> & {
  /**
   * @generated from field: uint32 first_id = 1;
   */
  firstId: number;

  /**
   * @generated from field: repeated string values = 2;
   */
  values: string[];
};

/**
 * Describes the message memtrace.v1.StringTable.
 * Use `create(StringTableSchema)` to create a new message.
 */
export const StringTableSchema: GenMessage<StringTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 3);

/**
 * Interned functions, ids first_id, first_id+1, ...
 *
 * @generated from message memtrace.v1.FunctionTable
 */
export type FunctionTable = Message<"memtrace.v1.FunctionTable"> & {
  /**
   * @generated from field: uint32 first_id = 1;
   */
  firstId: number;

  /**
   * @generated from field: repeated memtrace.v1.Function functions = 2;
   */
  functions: Function[];
};

/**
 * Describes the message memtrace.v1.FunctionTable.
 * Use `create(FunctionTableSchema)` to create a new message.
 */
export const FunctionTableSchema: GenMessage<FunctionTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 4);

/**
 * @generated from message memtrace.v1.Function
 */
export type Function = Message<"memtrace.v1.Function"> & {
  /**
   * String ids. name is the function's display name: a demangled C++ name, a JS function name, or a builtin's
   * name; 0 when the function has no name (an anonymous JS function).
   *
   * @generated from field: uint32 name = 1;
   */
  name: number;

  /**
   * The JS script (URL or path) or native source file, when known.
   *
   * @generated from field: uint32 file = 2;
   */
  file: number;

  /**
   * The binary or shared object the code lives in (for native and builtin functions), when known.
   *
   * @generated from field: uint32 module = 3;
   */
  module: number;

  /**
   * 1-based line and column of the function's start in file; 0 when unknown.
   *
   * @generated from field: uint32 line = 4;
   */
  line: number;

  /**
   * @generated from field: uint32 column = 5;
   */
  column: number;

  /**
   * @generated from field: memtrace.v1.FunctionKind kind = 6;
   */
  kind: FunctionKind;

  /**
   * Set for a JS function that a source map placed in its original source: then name (where the map names it),
   * file, line and column above are the original's, and these fields are what V8 ran: the script (string id),
   * the function's 1-based line and column in it, and V8's name for it (0 when it is the same as name). All 0
   * for a function whose fields are the script's own. A reader that does not know them shows the original.
   *
   * @generated from field: uint32 generated_file = 7;
   */
  generatedFile: number;

  /**
   * @generated from field: uint32 generated_line = 8;
   */
  generatedLine: number;

  /**
   * @generated from field: uint32 generated_column = 9;
   */
  generatedColumn: number;

  /**
   * @generated from field: uint32 generated_name = 10;
   */
  generatedName: number;
};

/**
 * Describes the message memtrace.v1.Function.
 * Use `create(FunctionSchema)` to create a new message.
 */
export const FunctionSchema: GenMessage<Function> = /*@__PURE__*/
  messageDesc(file_memtrace, 5);

/**
 * Interned frames, ids first_id, first_id+1, ... A frame is one position in a call stack.
 *
 * @generated from message memtrace.v1.FrameTable
 */
export type FrameTable = Message<"memtrace.v1.FrameTable"> & {
  /**
   * @generated from field: uint32 first_id = 1;
   */
  firstId: number;

  /**
   * Row count. Function id of each frame; 0 when the frame is not (yet) resolved, see FrameResolution.
   *
   * @generated from field: repeated uint32 function = 2;
   */
  function: number[];

  /**
   * Optional. The instruction address of the frame: the return address for callers, the program counter for
   * the innermost frame. 0 when not known (frames of JS heap samples have no address).
   *
   * @generated from field: repeated uint64 address = 3;
   */
  address: bigint[];

  /**
   * Optional. 1-based line and column of the position within the function's file; 0 when unknown.
   *
   * @generated from field: repeated uint32 line = 4;
   */
  line: number[];

  /**
   * @generated from field: repeated uint32 column = 5;
   */
  column: number[];
};

/**
 * Describes the message memtrace.v1.FrameTable.
 * Use `create(FrameTableSchema)` to create a new message.
 */
export const FrameTableSchema: GenMessage<FrameTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 6);

/**
 * Interned stacks, as a tree: stack id = (parent stack, innermost frame). Stack 0 is the empty stack, so a stack
 * of depth one has parent 0. A stack's frames, innermost first, are frame[id], frame[parent[id]], ... until the
 * parent is 0. A stack that repeats costs its id alone in every event.
 *
 * @generated from message memtrace.v1.StackTable
 */
export type StackTable = Message<"memtrace.v1.StackTable"> & {
  /**
   * @generated from field: uint32 first_id = 1;
   */
  firstId: number;

  /**
   * Row count (or parent_distance is). Each parent is smaller than the stack's own id (it is defined earlier, or
   * is 0).
   *
   * @generated from field: repeated uint32 parent = 2;
   */
  parent: number[];

  /**
   * One entry per row: the innermost frame of the stack. Never 0.
   *
   * @generated from field: repeated uint32 frame = 3;
   */
  frame: number[];

  /**
   * Version 4 scopes only, in place of parent (a table has one or the other): the stack's own id minus its
   * parent, from 1 (the stack just before) to the id itself (parent 0). Row count when given.
   *
   * @generated from field: repeated uint32 parent_distance = 4;
   */
  parentDistance: number[];
};

/**
 * Describes the message memtrace.v1.StackTable.
 * Use `create(StackTableSchema)` to create a new message.
 */
export const StackTableSchema: GenMessage<StackTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 7);

/**
 * A batch of events of one process, in time order within each thread.
 *
 * Addresses and times are delta-coded within the batch so that most values take one to three bytes:
 *   time[i]    = time_ns + time_delta[0] + ... + time_delta[i]
 *   address[i] = address_delta[0] + ... + address_delta[i]        (zigzag-coded, may go down)
 *
 * @generated from message memtrace.v1.EventBatch
 */
export type EventBatch = Message<"memtrace.v1.EventBatch"> & {
  /**
   * The thread of every event, unless the tids column is present.
   *
   * @generated from field: uint32 tid = 1;
   */
  tid: number;

  /**
   * Base time of the batch, in nanoseconds since the scope's time 0.
   *
   * @generated from field: uint64 time_ns = 2;
   */
  timeNs: bigint;

  /**
   * Row count. EventKind of each event.
   *
   * @generated from field: repeated uint32 kind = 3;
   */
  kind: number[];

  /**
   * Time since the previous event (since time_ns for the first). Within one thread, events never go back in time.
   *
   * @generated from field: repeated uint64 time_delta = 4;
   */
  timeDelta: bigint[];

  /**
   * Address (or sample id) of each event, delta-coded as above. Allocations of size 0 may share addresses.
   *
   * @generated from field: repeated sint64 address_delta = 5;
   */
  addressDelta: bigint[];

  /**
   * Allocations: the size in bytes requested (for JS_SAMPLE, the estimated bytes). Deallocations: 0 for "the
   * whole block", except for MUNMAP, where it is the length of the range unmapped.
   *
   * @generated from field: repeated uint64 size = 6;
   */
  size: bigint[];

  /**
   * Optional. Stack id of each event: the stack of the allocation, or 0 for none. Deallocations usually have none.
   *
   * @generated from field: repeated uint32 stack = 7;
   */
  stack: number[];

  /**
   * Optional. The number of objects each event stands for (JS samples); 1 when the column is empty.
   *
   * @generated from field: repeated uint64 count = 8;
   */
  count: bigint[];

  /**
   * Optional. Thread of each event, for batches that merge threads (a filtered stream in ORDER_TOTAL).
   *
   * @generated from field: repeated uint32 tids = 9;
   */
  tids: number[];
};

/**
 * Describes the message memtrace.v1.EventBatch.
 * Use `create(EventBatchSchema)` to create a new message.
 */
export const EventBatchSchema: GenMessage<EventBatch> = /*@__PURE__*/
  messageDesc(file_memtrace, 8);

/**
 * What an allocation of a paired (version 2 or 3) scope is, save its time and thread. Ids first_id, first_id+1, ... in the scope
 * (site 0 is not used); a site is defined before the first PairedBatch that names it. A writer defines each distinct
 * (kind, size, stack, count) once.
 *
 * @generated from message memtrace.v1.SiteTable
 */
export type SiteTable = Message<"memtrace.v1.SiteTable"> & {
  /**
   * @generated from field: uint32 first_id = 1;
   */
  firstId: number;

  /**
   * Row count. The allocation's EventKind (1-63).
   *
   * @generated from field: repeated uint32 kind = 2;
   */
  kind: number[];

  /**
   * One entry per row: the size in bytes, as EventBatch.size.
   *
   * @generated from field: repeated uint64 size = 3;
   */
  size: bigint[];

  /**
   * Optional: the allocation's stack (0 for none).
   *
   * @generated from field: repeated uint32 stack = 4;
   */
  stack: number[];

  /**
   * Optional: the number of objects (JS samples); 1 for every row when empty.
   *
   * @generated from field: repeated uint64 count = 5;
   */
  count: bigint[];

  /**
   * Version 4 scopes only, in place of stack (a table has one or the other), optional: each row's stack minus the
   * stack of the row before (0 before the first row).
   *
   * @generated from field: repeated sint64 stack_delta = 6;
   */
  stackDelta: bigint[];
};

/**
 * Describes the message memtrace.v1.SiteTable.
 * Use `create(SiteTableSchema)` to create a new message.
 */
export const SiteTableSchema: GenMessage<SiteTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 9);

/**
 * The events of one process's threads, paired (versions 2 and 3 only): in one time order across its threads whatever
 * Header.event_order says (which tells how the recorder's threads wrote; the writer merged them as a reader of
 * ORDER_PER_THREAD events merges them at Watermarks, ties in arrival order), each allocation as a site and each
 * deallocation as the allocation whose block it releases. The writer paired them by address as
 * src/transforms/live.ts does (the Settings' time leads, frees of memory allocated before recording) and writes what
 * it found; mappings keep their addresses, since a munmap may release part of a mapping or several.
 *
 * The allocations of a scope are numbered 0, 1, 2, ... in stream order across its PairedBatches (the serial). Every
 * allocation row has a serial, mappings and samples too. A block's age at a row is (allocations before the row) -
 * (its serial): 1 for the latest allocation. A release names a live block (allocated, not yet released).
 *
 * Columns: `op` is the row count; the others have the lengths stated.
 *
 * @generated from message memtrace.v1.PairedBatch
 */
export type PairedBatch = Message<"memtrace.v1.PairedBatch"> & {
  /**
   * The time of the first row, in nanoseconds since the scope's time 0.
   *
   * @generated from field: uint64 time_ns = 1;
   */
  timeNs: bigint;

  /**
   * Row count. An allocation: site << 1. A deallocation: v << 1 | 1, where v = 0: it released no block (an unmatched
   * free, a free held within Settings.deallocation_time_lead_ns that an allocation may still take (see extra_kind
   * EARLY), or a MUNMAP, which a reader pairs with its mappings itself); v = 1: the free of a block already released
   * at an allocation of its address (see extra_kind AWAITED: it releases nothing more and is not unmatched);
   * v >= 2: it releases a whole block, named as free_reference says (AGE: the block of age v - 1).
   *
   * @generated from field: repeated uint64 op = 2;
   */
  op: bigint[];

  /**
   * One per row: time since the row before (since time_ns for the first). Never negative. Empty when the times are
   * given as changes (time_change_row, time_change), as version 3 writes them.
   *
   * @generated from field: repeated uint64 time_delta = 3;
   */
  timeDelta: bigint[];

  /**
   * One per row: the row's thread minus the row before's (0 before the first), zigzag-coded.
   *
   * @generated from field: repeated sint64 tid_delta = 4;
   */
  tidDelta: bigint[];

  /**
   * One per deallocation row, in row order: its EventKind (64-127).
   *
   * @generated from field: repeated uint32 free_kind = 5;
   */
  freeKind: number[];

  /**
   * One per mapping row (allocations of kind MMAP or MREMAP, deallocations of kind MUNMAP), in row order: the address.
   *
   * @generated from field: repeated uint64 address = 6;
   */
  address: bigint[];

  /**
   * One per MUNMAP row, in row order: the length of the range unmapped.
   *
   * @generated from field: repeated uint64 unmap_length = 7;
   */
  unmapLength: bigint[];

  /**
   * Allocations that release a block at once (rare), one entry each: the row, delta-coded from the previous entry's
   * row (from 0); the age of the block released (0: the allocation's own block); and why, an ExtraRelease.
   *
   * @generated from field: repeated uint32 extra_row = 8;
   */
  extraRow: number[];

  /**
   * @generated from field: repeated uint64 extra_age = 9;
   */
  extraAge: bigint[];

  /**
   * @generated from field: repeated uint32 extra_kind = 10;
   */
  extraKind: number[];

  /**
   * How a deallocation row with v >= 2 names the block it releases. STEP in version 3 scopes, AGE before.
   *
   * @generated from field: memtrace.v1.FreeReference free_reference = 11;
   */
  freeReference: FreeReference;

  /**
   * The times where they change, in place of time_delta (version 3 writes them so: a recorder reads the clock once
   * every few events, so most rows have the time of the row before): the rows whose time differs from the row
   * before's, delta-coded from the previous entry's row (from 0), and by how much (from time_ns for row 0). A row
   * between two entries has the time of the row before. Equal lengths; never both these and time_delta.
   *
   * @generated from field: repeated uint32 time_change_row = 12;
   */
  timeChangeRow: number[];

  /**
   * @generated from field: repeated uint64 time_change = 13;
   */
  timeChange: bigint[];

  /**
   * One per late free (v = 1), in row order: the age of the block it frees (counted as v >= 2 frees count it under
   * AGE, whatever free_reference says), the one an AWAITED release took as freed (its address, which a reader does
   * not have, is what ties them). A reader that only folds may ignore it; filter needs it to keep a late free with
   * its block. Absent in captures written before it.
   *
   * @generated from field: repeated uint64 late_age = 14;
   */
  lateAge: bigint[];
};

/**
 * Describes the message memtrace.v1.PairedBatch.
 * Use `create(PairedBatchSchema)` to create a new message.
 */
export const PairedBatchSchema: GenMessage<PairedBatch> = /*@__PURE__*/
  messageDesc(file_memtrace, 10);

/**
 * Every event of this scope with a time before time_ns has been written before this Record. Recorders with
 * per-thread buffers write one after each complete flush of all threads; readers merging threads by time may
 * release everything before it.
 *
 * @generated from message memtrace.v1.Watermark
 */
export type Watermark = Message<"memtrace.v1.Watermark"> & {
  /**
   * @generated from field: uint64 time_ns = 1;
   */
  timeNs: bigint;
};

/**
 * Describes the message memtrace.v1.Watermark.
 * Use `create(WatermarkSchema)` to create a new message.
 */
export const WatermarkSchema: GenMessage<Watermark> = /*@__PURE__*/
  messageDesc(file_memtrace, 11);

/**
 * Memory figures over time. Row count: time_ns; every other column optional.
 *
 * @generated from message memtrace.v1.MemorySamples
 */
export type MemorySamples = Message<"memtrace.v1.MemorySamples"> & {
  /**
   * 0 for process-wide figures (RSS); otherwise the thread whose V8 isolate the heap figures describe.
   *
   * @generated from field: uint32 tid = 1;
   */
  tid: number;

  /**
   * @generated from field: repeated uint64 time_ns = 2;
   */
  timeNs: bigint[];

  /**
   * Resident set size of the whole process, in bytes.
   *
   * @generated from field: repeated uint64 rss = 3;
   */
  rss: bigint[];

  /**
   * V8 heap figures of the isolate (v8::HeapStatistics / process.memoryUsage()), in bytes.
   *
   * @generated from field: repeated uint64 js_heap_used = 4;
   */
  jsHeapUsed: bigint[];

  /**
   * @generated from field: repeated uint64 js_heap_total = 5;
   */
  jsHeapTotal: bigint[];

  /**
   * @generated from field: repeated uint64 external = 6;
   */
  external: bigint[];

  /**
   * 0 when the recorder could not read it. (Array buffers' backing stores are also native allocations.)
   *
   * @generated from field: repeated uint64 array_buffers = 7;
   */
  arrayBuffers: bigint[];

  /**
   * Bytes held by native allocations the recorder saw (allocated and not freed), when it keeps that figure.
   *
   * @generated from field: repeated uint64 native_live = 8;
   */
  nativeLive: bigint[];
};

/**
 * Describes the message memtrace.v1.MemorySamples.
 * Use `create(MemorySamplesSchema)` to create a new message.
 */
export const MemorySamplesSchema: GenMessage<MemorySamples> = /*@__PURE__*/
  messageDesc(file_memtrace, 12);

/**
 * A thread of the process: written when the recorder first sees the thread, again when its name or role
 * changes, and when it ends.
 *
 * @generated from message memtrace.v1.ThreadInfo
 */
export type ThreadInfo = Message<"memtrace.v1.ThreadInfo"> & {
  /**
   * OS thread id (gettid on Linux). The main thread's tid equals the pid.
   *
   * @generated from field: uint32 tid = 1;
   */
  tid: number;

  /**
   * A worker's `name` option where its isolate can read it (Node 22 and later), in full; else the OS thread name
   * (at most 15 bytes), or what memtrace calls threads that all carry the process's name ("libuv worker").
   *
   * @generated from field: string name = 2;
   */
  name: string;

  /**
   * @generated from field: memtrace.v1.ThreadRole role = 3;
   */
  role: ThreadRole;

  /**
   * Node's worker_threads threadId for workers (0 for the main thread).
   *
   * @generated from field: uint32 worker_id = 4;
   */
  workerId: number;

  /**
   * @generated from field: uint64 time_ns = 5;
   */
  timeNs: bigint;

  /**
   * True in the Record written when the thread ended.
   *
   * @generated from field: bool ended = 6;
   */
  ended: boolean;
};

/**
 * Describes the message memtrace.v1.ThreadInfo.
 * Use `create(ThreadInfoSchema)` to create a new message.
 */
export const ThreadInfoSchema: GenMessage<ThreadInfo> = /*@__PURE__*/
  messageDesc(file_memtrace, 13);

/**
 * Something that happened to a process: written in the scope of the process it concerns.
 *
 * @generated from message memtrace.v1.ProcessEvent
 */
export type ProcessEvent = Message<"memtrace.v1.ProcessEvent"> & {
  /**
   * @generated from field: memtrace.v1.ProcessEventKind kind = 1;
   */
  kind: ProcessEventKind;

  /**
   * @generated from field: uint64 time_ns = 2;
   */
  timeNs: bigint;

  /**
   * For FORKED and SPAWNED: the new child's pid (whose own Header follows in its own scope when it is recorded).
   *
   * @generated from field: uint32 child_pid = 3;
   */
  childPid: number;

  /**
   * For EXITED: the exit status, or the signal number that ended the process (then exit_code is 0).
   *
   * @generated from field: int32 exit_code = 4;
   */
  exitCode: number;

  /**
   * @generated from field: uint32 signal = 5;
   */
  signal: number;

  /**
   * For SPAWNED and EXECED: the new program's command line.
   *
   * @generated from field: repeated string argv = 6;
   */
  argv: string[];

  /**
   * For APP_ENDED: the thread whose JavaScript ended (the main thread's tid equals the pid; a worker's is its
   * own; a reader takes 0 as the main thread's). 0 in other kinds.
   *
   * @generated from field: uint32 tid = 7;
   */
  tid: number;
};

/**
 * Describes the message memtrace.v1.ProcessEvent.
 * Use `create(ProcessEventSchema)` to create a new message.
 */
export const ProcessEventSchema: GenMessage<ProcessEvent> = /*@__PURE__*/
  messageDesc(file_memtrace, 14);

/**
 * A mapping of a file (or of anonymous memory holding code) into the process, written as it is made, so that
 * addresses resolve against the mappings that existed when they were recorded.
 *
 * @generated from message memtrace.v1.Mapping
 */
export type Mapping = Message<"memtrace.v1.Mapping"> & {
  /**
   * @generated from field: uint64 start = 1;
   */
  start: bigint;

  /**
   * One past the last byte.
   *
   * @generated from field: uint64 end = 2;
   */
  end: bigint;

  /**
   * Offset in the file of the byte at start.
   *
   * @generated from field: uint64 file_offset = 3;
   */
  fileOffset: bigint;

  /**
   * @generated from field: string path = 4;
   */
  path: string;

  /**
   * GNU build id of the file, hex, when it has one.
   *
   * @generated from field: string build_id = 5;
   */
  buildId: string;

  /**
   * @generated from field: bool executable = 6;
   */
  executable: boolean;

  /**
   * @generated from field: uint64 time_ns = 7;
   */
  timeNs: bigint;

  /**
   * True when the mapping was removed (unmapped) at time_ns.
   *
   * @generated from field: bool removed = 8;
   */
  removed: boolean;
};

/**
 * Describes the message memtrace.v1.Mapping.
 * Use `create(MappingSchema)` to create a new message.
 */
export const MappingSchema: GenMessage<Mapping> = /*@__PURE__*/
  messageDesc(file_memtrace, 15);

/**
 * A range of generated code (V8's JIT code, its builtins' copies, regexp code): added, moved or removed. V8 does
 * not report the code it collects: code ADDED, or MOVED to new_start, takes the place of every older range it
 * overlaps (as in V8's own CPU profiler). REMOVED ranges went away with the isolate that had them (a worker that
 * ended). A recorder names each frame by the code that held its address when the frame was first seen, and
 * defines a new frame for an address once other code took its place: a frame never names two functions.
 *
 * @generated from message memtrace.v1.CodeEvent
 */
export type CodeEvent = Message<"memtrace.v1.CodeEvent"> & {
  /**
   * @generated from field: memtrace.v1.CodeEventKind kind = 1;
   */
  kind: CodeEventKind;

  /**
   * @generated from field: uint64 time_ns = 2;
   */
  timeNs: bigint;

  /**
   * @generated from field: uint64 start = 3;
   */
  start: bigint;

  /**
   * @generated from field: uint64 size = 4;
   */
  size: bigint;

  /**
   * For MOVED: where the code moved to.
   *
   * @generated from field: uint64 new_start = 5;
   */
  newStart: bigint;

  /**
   * The function this code belongs to (ADDED only).
   *
   * @generated from field: uint32 function = 6;
   */
  function: number;
};

/**
 * Describes the message memtrace.v1.CodeEvent.
 * Use `create(CodeEventSchema)` to create a new message.
 */
export const CodeEventSchema: GenMessage<CodeEvent> = /*@__PURE__*/
  messageDesc(file_memtrace, 16);

/**
 * CodeEvents in columns (see "Columns" above), as a writer's round gathers them; row count: kind. Each row
 * reads as the CodeEvent of the same fields. Deltas make them small: code is allocated in runs.
 *
 * @generated from message memtrace.v1.CodeEventBatch
 */
export type CodeEventBatch = Message<"memtrace.v1.CodeEventBatch"> & {
  /**
   * @generated from field: repeated memtrace.v1.CodeEventKind kind = 1;
   */
  kind: CodeEventKind[];

  /**
   * From the batch's time_ns, then from the row before; zigzag, since code events of different isolates may come
   * out of time order.
   *
   * @generated from field: uint64 time_ns = 2;
   */
  timeNs: bigint;

  /**
   * @generated from field: repeated sint64 time_delta = 3;
   */
  timeDelta: bigint[];

  /**
   * From the end (start + size) of the row before; from 0 in the first row.
   *
   * @generated from field: repeated sint64 start_delta = 4;
   */
  startDelta: bigint[];

  /**
   * @generated from field: repeated uint64 size = 5;
   */
  size: bigint[];

  /**
   * MOVED rows: new_start - start; 0 in every other row (whose new_start is 0). Empty: no row moved.
   *
   * @generated from field: repeated sint64 new_start_delta = 6;
   */
  newStartDelta: bigint[];

  /**
   * From the last non-zero function of the rows before (0 before the first); 0 in rows without a function.
   *
   * @generated from field: repeated sint64 function_delta = 7;
   */
  functionDelta: bigint[];
};

/**
 * Describes the message memtrace.v1.CodeEventBatch.
 * Use `create(CodeEventBatchSchema)` to create a new message.
 */
export const CodeEventBatchSchema: GenMessage<CodeEventBatch> = /*@__PURE__*/
  messageDesc(file_memtrace, 17);

/**
 * Names frames that a FrameTable defined with function 0: a recorder may define frames from raw addresses on its
 * hot path and resolve them later, off it. Row count: frame. A frame is resolved at most once; a reader keeps the
 * first resolution. Frames never resolved are shown by address and module.
 *
 * @generated from message memtrace.v1.FrameResolution
 */
export type FrameResolution = Message<"memtrace.v1.FrameResolution"> & {
  /**
   * @generated from field: repeated uint32 frame = 1;
   */
  frame: number[];

  /**
   * One entry per row: the function of each frame (a FunctionTable defines it first).
   *
   * @generated from field: repeated uint32 function = 2;
   */
  function: number[];

  /**
   * Optional: 1-based line and column within the function's file of the instruction executing in the frame (the
   * call, for a caller's frame); 0 when unknown (a reader shows the function's own line).
   *
   * @generated from field: repeated uint32 line = 3;
   */
  line: number[];

  /**
   * @generated from field: repeated uint32 column = 4;
   */
  column: number[];

  /**
   * Optional: for a frame of a function that a source map placed (Function.generated_file), the position of line
   * and column in the script V8 ran. line and column above are then the original's, or 0 when the map has no
   * position there in the function's original file.
   *
   * @generated from field: repeated uint32 generated_line = 5;
   */
  generatedLine: number[];

  /**
   * @generated from field: repeated uint32 generated_column = 6;
   */
  generatedColumn: number[];
};

/**
 * Describes the message memtrace.v1.FrameResolution.
 * Use `create(FrameResolutionSchema)` to create a new message.
 */
export const FrameResolutionSchema: GenMessage<FrameResolution> = /*@__PURE__*/
  messageDesc(file_memtrace, 18);

/**
 * A garbage collection of a V8 isolate.
 *
 * @generated from message memtrace.v1.GcEvent
 */
export type GcEvent = Message<"memtrace.v1.GcEvent"> & {
  /**
   * @generated from field: uint32 tid = 1;
   */
  tid: number;

  /**
   * @generated from field: uint64 time_ns = 2;
   */
  timeNs: bigint;

  /**
   * @generated from field: uint64 duration_ns = 3;
   */
  durationNs: bigint;

  /**
   * @generated from field: memtrace.v1.GcKind kind = 4;
   */
  kind: GcKind;

  /**
   * Used heap bytes of the isolate before and after.
   *
   * @generated from field: uint64 heap_before = 5;
   */
  heapBefore: bigint;

  /**
   * @generated from field: uint64 heap_after = 6;
   */
  heapAfter: bigint;
};

/**
 * Describes the message memtrace.v1.GcEvent.
 * Use `create(GcEventSchema)` to create a new message.
 */
export const GcEventSchema: GenMessage<GcEvent> = /*@__PURE__*/
  messageDesc(file_memtrace, 19);

/**
 * How a folded stream was made (Header.fold).
 *
 * @generated from message memtrace.v1.FoldInfo
 */
export type FoldInfo = Message<"memtrace.v1.FoldInfo"> & {
  /**
   * @generated from field: memtrace.v1.Measure measure = 1;
   */
  measure: Measure;

  /**
   * One entry per process of the input, in the order their Headers came.
   *
   * @generated from field: repeated memtrace.v1.ProcessTotals processes = 2;
   */
  processes: ProcessTotals[];

  /**
   * Some process of the input had no Trailer: the input was cut short.
   *
   * @generated from field: bool truncated = 3;
   */
  truncated: boolean;

  /**
   * For TEMPORARY: an allocation is temporary if it is freed before this many other allocations happen in its
   * thread (1: freed before any other allocation, as heaptrack and Memray define it).
   *
   * @generated from field: uint32 temporary_threshold = 4;
   */
  temporaryThreshold: number;

  /**
   * Stacks run from the allocating frame outwards (root = the innermost frame), so that every call into one
   * allocator sums in one place.
   *
   * @generated from field: bool inverted = 5;
   */
  inverted: boolean;

  /**
   * Every stack starts with a synthetic frame naming its process, then one naming its thread (KIND_OTHER).
   *
   * @generated from field: bool split_processes = 6;
   */
  splitProcesses: boolean;

  /**
   * @generated from field: bool split_threads = 7;
   */
  splitThreads: boolean;

  /**
   * Which heap the folded rows describe: the native heap (malloc and friends, operator new, mmap), the JS heap
   * (JS_SAMPLE events: estimates, see Settings.js_sample_interval_bytes), or both.
   *
   * @generated from field: memtrace.v1.Heap heap = 8;
   */
  heap: Heap;

  /**
   * For LEAKS: the rows are what was live at the end of the input, after the runtime's teardown, also in processes
   * that recorded APP_ENDED (what even teardown did not free). False: at the app's end where it was recorded (see
   * Measure.LEAKS). False in streams folded before this field, whose inputs had no APP_ENDED.
   *
   * @generated from field: bool after_teardown = 9;
   */
  afterTeardown: boolean;

  /**
   * Every measure the stream holds rows of: its own (`measure`, in FoldedBatch Records) first, then the others (in
   * Record.other_measure). Empty in streams folded before this field, which hold their own measure alone.
   *
   * @generated from field: repeated memtrace.v1.Measure measures = 10;
   */
  measures: Measure[];

  /**
   * The sizes of the native allocations folded, by powers of two: entry 0 counts allocations of 0 bytes, entry k
   * (k >= 1) those of 2^(k-1) to 2^k - 1 bytes; size_bytes sums their sizes. JS heap samples are counted apart
   * (their size is an estimate). Empty in streams folded before these fields: the sizes are not known.
   *
   * @generated from field: repeated uint64 size_counts = 11;
   */
  sizeCounts: bigint[];

  /**
   * @generated from field: repeated uint64 size_bytes = 12;
   */
  sizeBytes: bigint[];

  /**
   * @generated from field: uint64 js_samples = 13;
   */
  jsSamples: bigint;
};

/**
 * Describes the message memtrace.v1.FoldInfo.
 * Use `create(FoldInfoSchema)` to create a new message.
 */
export const FoldInfoSchema: GenMessage<FoldInfo> = /*@__PURE__*/
  messageDesc(file_memtrace, 20);

/**
 * What fold saw of one process, whatever the measure. Live bytes are paired per process: a free in one process
 * never releases an allocation of another.
 *
 * @generated from message memtrace.v1.ProcessTotals
 */
export type ProcessTotals = Message<"memtrace.v1.ProcessTotals"> & {
  /**
   * @generated from field: uint32 pid = 1;
   */
  pid: number;

  /**
   * @generated from field: uint64 allocations = 2;
   */
  allocations: bigint;

  /**
   * @generated from field: uint64 allocated_bytes = 3;
   */
  allocatedBytes: bigint;

  /**
   * @generated from field: uint64 deallocations = 4;
   */
  deallocations: bigint;

  /**
   * Deallocations whose allocation was not in the input (made before recording began, or filtered out).
   * Counted here, never subtracted from anything.
   *
   * @generated from field: uint64 unmatched_deallocations = 5;
   */
  unmatchedDeallocations: bigint;

  /**
   * Allocations at an address that was already live: the free in between was never seen. The older block is
   * treated as freed at that moment.
   *
   * @generated from field: uint64 overwritten_allocations = 6;
   */
  overwrittenAllocations: bigint;

  /**
   * The high-water mark of this process's live bytes and when it was first reached (time since the process's
   * time 0). PEAK folds each process at its own high-water mark.
   *
   * @generated from field: uint64 peak_bytes = 7;
   */
  peakBytes: bigint;

  /**
   * @generated from field: uint64 peak_time_ns = 8;
   */
  peakTimeNs: bigint;

  /**
   * Bytes and blocks still live at the end of the input.
   *
   * @generated from field: uint64 leaked_bytes = 9;
   */
  leakedBytes: bigint;

  /**
   * @generated from field: uint64 leaked_count = 10;
   */
  leakedCount: bigint;

  /**
   * The time of the last event seen.
   *
   * @generated from field: uint64 end_time_ns = 11;
   */
  endTimeNs: bigint;

  /**
   * For AT: the moment folded; for BETWEEN and BETWEEN_LEAKS: the window [window_start_ns, window_end_ns]
   * (times since the process's time 0; a time given as a percentage resolves per process).
   *
   * @generated from field: uint64 window_start_ns = 12;
   */
  windowStartNs: bigint;

  /**
   * @generated from field: uint64 window_end_ns = 13;
   */
  windowEndNs: bigint;

  /**
   * When the app's code ended in this process: the time of its main thread's APP_ENDED (since the process's time
   * 0); 0 when the input has none for it (see ProcessEventKind.APP_ENDED), and in streams folded before this field.
   *
   * @generated from field: uint64 app_ended_ns = 14;
   */
  appEndedNs: bigint;

  /**
   * Bytes and blocks live when the app's code ended, whatever the measure: each thread's blocks at the moment
   * Measure.LEAKS takes for it. Absent when equal to leaked_bytes and leaked_count (as when the process recorded
   * no APP_ENDED, and in every stream folded before these fields): read those then.
   *
   * @generated from field: optional uint64 kept_bytes = 15;
   */
  keptBytes?: bigint;

  /**
   * @generated from field: optional uint64 kept_count = 16;
   */
  keptCount?: bigint;
};

/**
 * Describes the message memtrace.v1.ProcessTotals.
 * Use `create(ProcessTotalsSchema)` to create a new message.
 */
export const ProcessTotalsSchema: GenMessage<ProcessTotals> = /*@__PURE__*/
  messageDesc(file_memtrace, 21);

/**
 * Aggregated allocations: stack -> bytes and count under one measure. Row count: stack.
 *
 * @generated from message memtrace.v1.FoldedBatch
 */
export type FoldedBatch = Message<"memtrace.v1.FoldedBatch"> & {
  /**
   * @generated from field: memtrace.v1.Measure measure = 1;
   */
  measure: Measure;

  /**
   * Stack id in this scope's tables.
   *
   * @generated from field: repeated uint32 stack = 2;
   */
  stack: number[];

  /**
   * One entry per row.
   *
   * @generated from field: repeated uint64 bytes = 3;
   */
  bytes: bigint[];

  /**
   * @generated from field: repeated uint64 count = 4;
   */
  count: bigint[];

  /**
   * Optional columns, present when the fold kept them apart: the process, thread and allocator of each row.
   *
   * @generated from field: repeated uint32 pids = 5;
   */
  pids: number[];

  /**
   * @generated from field: repeated uint32 tids = 6;
   */
  tids: number[];

  /**
   * @generated from field: repeated uint32 kinds = 7;
   */
  kinds: number[];
};

/**
 * Describes the message memtrace.v1.FoldedBatch.
 * Use `create(FoldedBatchSchema)` to create a new message.
 */
export const FoldedBatchSchema: GenMessage<FoldedBatch> = /*@__PURE__*/
  messageDesc(file_memtrace, 22);

/**
 * The last Record of a process's scope.
 *
 * @generated from message memtrace.v1.Trailer
 */
export type Trailer = Message<"memtrace.v1.Trailer"> & {
  /**
   * @generated from field: uint64 time_ns = 1;
   */
  timeNs: bigint;

  /**
   * What the recorder saw, including anything it could not write (JS heap samples count as allocations and their
   * frees as deallocations, with their estimated bytes).
   *
   * @generated from field: uint64 allocations = 2;
   */
  allocations: bigint;

  /**
   * @generated from field: uint64 deallocations = 3;
   */
  deallocations: bigint;

  /**
   * @generated from field: uint64 allocated_bytes = 4;
   */
  allocatedBytes: bigint;

  /**
   * Events lost: not written because a buffer could not be flushed (the reader went away, the disk was full).
   *
   * @generated from field: uint64 lost_events = 5;
   */
  lostEvents: bigint;

  /**
   * Stacks cut at Settings.max_stack_depth.
   *
   * @generated from field: uint64 truncated_stacks = 6;
   */
  truncatedStacks: bigint;

  /**
   * Stack walks that stopped early on a frame that failed validation.
   *
   * @generated from field: uint64 broken_stacks = 7;
   */
  brokenStacks: bigint;

  /**
   * Frames never resolved to a function.
   *
   * @generated from field: uint64 unresolved_frames = 8;
   */
  unresolvedFrames: bigint;

  /**
   * Allocation calls made while the recorder itself was busy in the same thread (not recorded).
   *
   * @generated from field: uint64 reentrant_calls = 9;
   */
  reentrantCalls: bigint;
};

/**
 * Describes the message memtrace.v1.Trailer.
 * Use `create(TrailerSchema)` to create a new message.
 */
export const TrailerSchema: GenMessage<Trailer> = /*@__PURE__*/
  messageDesc(file_memtrace, 23);

/**
 * One process's memory over time, folded (fold --timeline): the data of Memray's temporal flame graph in a size
 * bounded by rows times buckets, never by events. Written in a folded scope (Record.pid 0), after its rows.
 *
 * Time is cut into buckets of `bucket_ns` (a power of two): bucket k holds [k * bucket_ns, (k + 1) * bucket_ns),
 * at most 256 of them. Each bucket has its high point (its "moment"): the most live bytes reached in it, by the
 * first event that reached them. Events sit at positions, two per bucket: 2k for "in bucket k, at or before its
 * moment", 2k + 1 for "after it". What was live at bucket k's moment is exact: the sum of a row's changes at
 * positions <= 2k.
 *
 * @generated from message memtrace.v1.Timeline
 */
export type Timeline = Message<"memtrace.v1.Timeline"> & {
  /**
   * The process (its Header, threads, memory samples and ProcessTotals are in the same stream).
   *
   * @generated from field: uint32 pid = 1;
   */
  pid: number;

  /**
   * The width of a bucket, ns: a power of two.
   *
   * @generated from field: uint64 bucket_ns = 2;
   */
  bucketNs: bigint;

  /**
   * Per bucket: live bytes at its moment, all of them and those of JS heap samples, and the moment's time (the
   * bucket's start when nothing in it rose above the state it started with).
   *
   * @generated from field: repeated uint64 high = 3;
   */
  high: bigint[];

  /**
   * @generated from field: repeated uint64 high_js = 4;
   */
  highJs: bigint[];

  /**
   * @generated from field: repeated uint64 moment_ns = 5;
   */
  momentNs: bigint[];

  /**
   * The rows the tables refer to (by index, from 0): thread, allocator (EventKind) and stack of the folded scope.
   *
   * @generated from field: repeated uint32 row_tid = 6;
   */
  rowTid: number[];

  /**
   * @generated from field: repeated uint32 row_kind = 7;
   */
  rowKind: number[];

  /**
   * @generated from field: repeated uint32 row_stack = 8;
   */
  rowStack: number[];

  /**
   * Whether the process recorded the end of its app's code (APP_ENDED): then kept_* hold, per row, what was live
   * when its thread's app code ended (fold's --leaks), the whole run's leaks view. Empty otherwise.
   *
   * @generated from field: bool has_kept = 9;
   */
  hasKept: boolean;

  /**
   * @generated from field: repeated sint64 kept_bytes = 10;
   */
  keptBytes: bigint[];

  /**
   * @generated from field: repeated sint64 kept_count = 11;
   */
  keptCount: bigint[];

  /**
   * Live bytes and blocks gained (allocations, positive) or lost (frees, negative) by (row, position `from`).
   *
   * @generated from field: memtrace.v1.TimelineTable changes = 12;
   */
  changes?: TimelineTable;

  /**
   * Bytes and blocks by (row, bucket allocated `from`, bucket freed `to` + 1, or 0 when never freed).
   *
   * @generated from field: memtrace.v1.TimelineTable lifetimes = 13;
   */
  lifetimes?: TimelineTable;
};

/**
 * Describes the message memtrace.v1.Timeline.
 * Use `create(TimelineSchema)` to create a new message.
 */
export const TimelineSchema: GenMessage<Timeline> = /*@__PURE__*/
  messageDesc(file_memtrace, 24);

/**
 * Sums by row and bucket positions, as columns of equal length, sorted by row, then from, then to.
 *
 * @generated from message memtrace.v1.TimelineTable
 */
export type TimelineTable = Message<"memtrace.v1.TimelineTable"> & {
  /**
   * Each entry's row index minus the previous entry's (the first one's minus 0).
   *
   * @generated from field: repeated uint32 row_delta = 1;
   */
  rowDelta: number[];

  /**
   * @generated from field: repeated uint32 from = 2;
   */
  from: number[];

  /**
   * Empty in `changes`.
   *
   * @generated from field: repeated uint32 to = 3;
   */
  to: number[];

  /**
   * @generated from field: repeated sint64 bytes = 4;
   */
  bytes: bigint[];

  /**
   * @generated from field: repeated sint64 count = 5;
   */
  count: bigint[];
};

/**
 * Describes the message memtrace.v1.TimelineTable.
 * Use `create(TimelineTableSchema)` to create a new message.
 */
export const TimelineTableSchema: GenMessage<TimelineTable> = /*@__PURE__*/
  messageDesc(file_memtrace, 25);

/**
 * @generated from enum memtrace.v1.Content
 */
export enum Content {
  /**
   * @generated from enum value: CONTENT_UNSPECIFIED = 0;
   */
  CONTENT_UNSPECIFIED = 0,

  /**
   * A recording: tables, events, samples and resolution records.
   *
   * @generated from enum value: RAW = 1;
   */
  RAW = 1,

  /**
   * The output of fold: tables and FoldedBatches (and the memory samples, threads and processes passed through).
   *
   * @generated from enum value: FOLDED = 2;
   */
  FOLDED = 2,
}

/**
 * Describes the enum memtrace.v1.Content.
 */
export const ContentSchema: GenEnum<Content> = /*@__PURE__*/
  enumDesc(file_memtrace, 0);

/**
 * @generated from enum memtrace.v1.EventOrder
 */
export enum EventOrder {
  /**
   * Events are in time order within each thread, and Watermark Records bound the disorder between threads:
   * a reader that needs one global order (to pair a free in one thread with an allocation in another) merges
   * buffered events by time up to each Watermark. This is what a recorder with per-thread buffers writes.
   *
   * @generated from enum value: ORDER_PER_THREAD = 0;
   */
  ORDER_PER_THREAD = 0,

  /**
   * The stream order of events is their time order across all threads of the scope.
   *
   * @generated from enum value: ORDER_TOTAL = 1;
   */
  ORDER_TOTAL = 1,
}

/**
 * Describes the enum memtrace.v1.EventOrder.
 */
export const EventOrderSchema: GenEnum<EventOrder> = /*@__PURE__*/
  enumDesc(file_memtrace, 1);

/**
 * @generated from enum memtrace.v1.FunctionKind
 */
export enum FunctionKind {
  /**
   * Unknown kind (treat as native).
   *
   * @generated from enum value: KIND_OTHER = 0;
   */
  KIND_OTHER = 0,

  /**
   * JavaScript: interpreted, baseline or optimised code of a JS function.
   *
   * @generated from enum value: KIND_JS = 1;
   */
  KIND_JS = 1,

  /**
   * Native code: C, C++ or Rust in node, its libraries, or an addon.
   *
   * @generated from enum value: KIND_NATIVE = 2;
   */
  KIND_NATIVE = 2,

  /**
   * V8's builtins, bytecode handlers and stubs, and Node's built-in modules (node:internal/...).
   *
   * @generated from enum value: KIND_BUILTIN = 3;
   */
  KIND_BUILTIN = 3,
}

/**
 * Describes the enum memtrace.v1.FunctionKind.
 */
export const FunctionKindSchema: GenEnum<FunctionKind> = /*@__PURE__*/
  enumDesc(file_memtrace, 2);

/**
 * Allocation and deallocation events.
 *
 * Values 1-63 are allocations, 64-127 deallocations; readers count unknown values in those ranges as such.
 *
 * @generated from enum memtrace.v1.EventKind
 */
export enum EventKind {
  /**
   * @generated from enum value: EVENT_KIND_UNSPECIFIED = 0;
   */
  EVENT_KIND_UNSPECIFIED = 0,

  /**
   * @generated from enum value: MALLOC = 1;
   */
  MALLOC = 1,

  /**
   * @generated from enum value: CALLOC = 2;
   */
  CALLOC = 2,

  /**
   * The new block of a realloc (or reallocarray). When the block moves or grows in place, a REALLOC_FREE of the
   * old block comes first, in the same thread, with the same timestamp or earlier.
   *
   * @generated from enum value: REALLOC = 3;
   */
  REALLOC = 3,

  /**
   * @generated from enum value: POSIX_MEMALIGN = 4;
   */
  POSIX_MEMALIGN = 4,

  /**
   * @generated from enum value: ALIGNED_ALLOC = 5;
   */
  ALIGNED_ALLOC = 5,

  /**
   * @generated from enum value: MEMALIGN = 6;
   */
  MEMALIGN = 6,

  /**
   * @generated from enum value: VALLOC = 7;
   */
  VALLOC = 7,

  /**
   * @generated from enum value: PVALLOC = 8;
   */
  PVALLOC = 8,

  /**
   * C++ operator new and operator new[] (every variant: nothrow, aligned).
   *
   * @generated from enum value: NEW = 9;
   */
  NEW = 9,

  /**
   * @generated from enum value: NEW_ARRAY = 10;
   */
  NEW_ARRAY = 10,

  /**
   * An anonymous or file mapping made by mmap. size is the length of the mapping.
   *
   * @generated from enum value: MMAP = 11;
   */
  MMAP = 11,

  /**
   * The new range of an mremap; the old range is released by a MUNMAP event just before.
   *
   * @generated from enum value: MREMAP = 12;
   */
  MREMAP = 12,

  /**
   * A sample of V8's sampling heap profiler: size is the estimated bytes the sample stands for, count (if the
   * column is present) the estimated number of objects. The address is the sample's id, not a memory address:
   * unique among the process's samples, and paired only with JS_SAMPLE_FREED (never with native frees). Samples
   * are taken about every Settings.js_sample_interval_bytes of JS allocations and written when the recorder
   * polls the profiler (every Settings.js_poll_interval_ns, all at the poll's time), so objects born and collected
   * between two polls are missing unless Settings.js_keep_collected. The stack holds JS frames only.
   *
   * @generated from enum value: JS_SAMPLE = 13;
   */
  JS_SAMPLE = 13,

  /**
   * @generated from enum value: FREE = 64;
   */
  FREE = 64,

  /**
   * The old block of a realloc, released before its REALLOC.
   *
   * @generated from enum value: REALLOC_FREE = 65;
   */
  REALLOC_FREE = 65,

  /**
   * @generated from enum value: DELETE = 66;
   */
  DELETE = 66,

  /**
   * @generated from enum value: DELETE_ARRAY = 67;
   */
  DELETE_ARRAY = 67,

  /**
   * Unmaps [address, address + size): a whole mapping or any part of one (a partial munmap leaves the rest live).
   *
   * @generated from enum value: MUNMAP = 68;
   */
  MUNMAP = 68,

  /**
   * The object of a JS_SAMPLE was collected: address is the sample id.
   *
   * @generated from enum value: JS_SAMPLE_FREED = 69;
   */
  JS_SAMPLE_FREED = 69,
}

/**
 * Describes the enum memtrace.v1.EventKind.
 */
export const EventKindSchema: GenEnum<EventKind> = /*@__PURE__*/
  enumDesc(file_memtrace, 3);

/**
 * @generated from enum memtrace.v1.FreeReference
 */
export enum FreeReference {
  /**
   * The block of age v - 1.
   *
   * @generated from enum value: AGE = 0;
   */
  AGE = 0,

  /**
   * The block whose serial is one more than the serial released by the batch's previous row with v >= 2, plus
   * zigzag-decoded (v - 2); before the batch's first such row, the serial released counts as the batch's first
   * allocation's serial - 1 (the last serial before the batch). The block named must be allocated before the row.
   * Blocks are mostly freed in bursts in the order they were allocated, so (v - 2) is mostly 0, which compresses
   * better than ages.
   *
   * @generated from enum value: STEP = 1;
   */
  STEP = 1,
}

/**
 * Describes the enum memtrace.v1.FreeReference.
 */
export const FreeReferenceSchema: GenEnum<FreeReference> = /*@__PURE__*/
  enumDesc(file_memtrace, 4);

/**
 * Why an allocation of a PairedBatch released a block at once.
 *
 * @generated from enum memtrace.v1.ExtraRelease
 */
export enum ExtraRelease {
  /**
   * Its own block (age 0), freed by a free of another thread that came just before it within
   * Settings.deallocation_time_lead_ns: that free (a v = 0 row) was not unmatched after all.
   *
   * @generated from enum value: EARLY = 0;
   */
  EARLY = 0,

  /**
   * An older block at its address, whose free was never seen (ProcessTotals.overwritten_allocations).
   *
   * @generated from enum value: OVERWRITTEN = 1;
   */
  OVERWRITTEN = 1,

  /**
   * An older heap block at its address, taken as freed by another thread whose free may still come within
   * Settings.allocation_time_lead_ns (a v = 1 row). Counted as overwritten unless that free comes.
   *
   * @generated from enum value: AWAITED = 2;
   */
  AWAITED = 2,
}

/**
 * Describes the enum memtrace.v1.ExtraRelease.
 */
export const ExtraReleaseSchema: GenEnum<ExtraRelease> = /*@__PURE__*/
  enumDesc(file_memtrace, 5);

/**
 * @generated from enum memtrace.v1.ThreadRole
 */
export enum ThreadRole {
  /**
   * @generated from enum value: ROLE_OTHER = 0;
   */
  ROLE_OTHER = 0,

  /**
   * The thread running the process's main JS isolate.
   *
   * @generated from enum value: ROLE_MAIN = 1;
   */
  ROLE_MAIN = 1,

  /**
   * A worker_threads Worker.
   *
   * @generated from enum value: ROLE_WORKER = 2;
   */
  ROLE_WORKER = 2,

  /**
   * A thread of a pool that runs native work: libuv's threadpool, V8's platform workers.
   *
   * @generated from enum value: ROLE_POOL = 3;
   */
  ROLE_POOL = 3,
}

/**
 * Describes the enum memtrace.v1.ThreadRole.
 */
export const ThreadRoleSchema: GenEnum<ThreadRole> = /*@__PURE__*/
  enumDesc(file_memtrace, 6);

/**
 * @generated from enum memtrace.v1.ProcessEventKind
 */
export enum ProcessEventKind {
  /**
   * @generated from enum value: PROCESS_EVENT_UNSPECIFIED = 0;
   */
  PROCESS_EVENT_UNSPECIFIED = 0,

  /**
   * @generated from enum value: FORKED = 1;
   */
  FORKED = 1,

  /**
   * @generated from enum value: SPAWNED = 2;
   */
  SPAWNED = 2,

  /**
   * @generated from enum value: EXECED = 3;
   */
  EXECED = 3,

  /**
   * @generated from enum value: EXITED = 4;
   */
  EXITED = 4,

  /**
   * The app's own code in one isolate (ProcessEvent.tid's) has finished, and the runtime's teardown of that
   * isolate, which frees what the app kept, has not begun. For Node.js: right after the isolate's 'exit'
   * listeners ran, whether its event loop emptied, the app called process.exit(), or an uncaught exception
   * ended it. At most one per thread. Events of the process with a time before time_ns happened before it; events
   * at or after time_ns, after it (up to Settings' leads). It comes in the stream before any Watermark later than
   * time_ns, so a reader that merges threads by Watermarks sees it before any event after it. The main thread's
   * marks the end of the process's app code; a reader measuring what the app kept (FoldInfo, LEAKS) takes each
   * thread's blocks at its own APP_ENDED, or at the main thread's if that comes first or the thread has none.
   * Absent when the isolate never finished by itself: a process killed by a signal (whose default action ends it
   * without teardown, so nothing is freed after the app), a worker terminated from outside (worker.terminate(),
   * or still running when the process ended), a process that is not Node.js or was recorded without memtrace's
   * agent (--native-only), and captures written before this kind: readers then measure at the end of the input,
   * as before.
   *
   * @generated from enum value: APP_ENDED = 5;
   */
  APP_ENDED = 5,
}

/**
 * Describes the enum memtrace.v1.ProcessEventKind.
 */
export const ProcessEventKindSchema: GenEnum<ProcessEventKind> = /*@__PURE__*/
  enumDesc(file_memtrace, 7);

/**
 * @generated from enum memtrace.v1.CodeEventKind
 */
export enum CodeEventKind {
  /**
   * @generated from enum value: CODE_EVENT_UNSPECIFIED = 0;
   */
  CODE_EVENT_UNSPECIFIED = 0,

  /**
   * @generated from enum value: ADDED = 1;
   */
  ADDED = 1,

  /**
   * @generated from enum value: MOVED = 2;
   */
  MOVED = 2,

  /**
   * @generated from enum value: REMOVED = 3;
   */
  REMOVED = 3,
}

/**
 * Describes the enum memtrace.v1.CodeEventKind.
 */
export const CodeEventKindSchema: GenEnum<CodeEventKind> = /*@__PURE__*/
  enumDesc(file_memtrace, 8);

/**
 * @generated from enum memtrace.v1.GcKind
 */
export enum GcKind {
  /**
   * @generated from enum value: GC_OTHER = 0;
   */
  GC_OTHER = 0,

  /**
   * @generated from enum value: GC_SCAVENGE = 1;
   */
  GC_SCAVENGE = 1,

  /**
   * @generated from enum value: GC_MARK_SWEEP_COMPACT = 2;
   */
  GC_MARK_SWEEP_COMPACT = 2,

  /**
   * @generated from enum value: GC_INCREMENTAL_MARKING = 3;
   */
  GC_INCREMENTAL_MARKING = 3,

  /**
   * @generated from enum value: GC_PROCESS_WEAK_CALLBACKS = 4;
   */
  GC_PROCESS_WEAK_CALLBACKS = 4,

  /**
   * @generated from enum value: GC_MINOR_MARK_SWEEP = 5;
   */
  GC_MINOR_MARK_SWEEP = 5,
}

/**
 * Describes the enum memtrace.v1.GcKind.
 */
export const GcKindSchema: GenEnum<GcKind> = /*@__PURE__*/
  enumDesc(file_memtrace, 9);

/**
 * @generated from enum memtrace.v1.Heap
 */
export enum Heap {
  /**
   * @generated from enum value: HEAP_ALL = 0;
   */
  ALL = 0,

  /**
   * @generated from enum value: HEAP_NATIVE = 1;
   */
  NATIVE = 1,

  /**
   * @generated from enum value: HEAP_JS = 2;
   */
  JS = 2,
}

/**
 * Describes the enum memtrace.v1.Heap.
 */
export const HeapSchema: GenEnum<Heap> = /*@__PURE__*/
  enumDesc(file_memtrace, 10);

/**
 * @generated from enum memtrace.v1.Measure
 */
export enum Measure {
  /**
   * @generated from enum value: MEASURE_UNSPECIFIED = 0;
   */
  MEASURE_UNSPECIFIED = 0,

  /**
   * What was live at the moment live bytes reached their highest point, per process.
   *
   * @generated from enum value: PEAK = 1;
   */
  PEAK = 1,

  /**
   * What the app kept to its end: what was still live when the app's code ended, before the runtime's teardown
   * freed it. Each thread's blocks (by the thread that allocated them) are taken at that thread's APP_ENDED, or
   * at the main thread's if that comes first or the thread has none; a process without APP_ENDED (see there), at
   * the end of the input (process exit for a complete capture), as every capture was read before APP_ENDED.
   * With FoldInfo.after_teardown, at the end of the input in every process.
   *
   * @generated from enum value: LEAKS = 2;
   */
  LEAKS = 2,

  /**
   * Everything allocated, freed or not.
   *
   * @generated from enum value: TOTAL = 3;
   */
  TOTAL = 3,

  /**
   * Allocations freed soon after they were made (see FoldInfo.temporary_threshold): churn, not growth.
   *
   * @generated from enum value: TEMPORARY = 4;
   */
  TEMPORARY = 4,

  /**
   * What was live at one moment (ProcessTotals.window_end_ns).
   *
   * @generated from enum value: AT = 5;
   */
  AT = 5,

  /**
   * Everything allocated within a window of time.
   *
   * @generated from enum value: BETWEEN = 6;
   */
  BETWEEN = 6,

  /**
   * What was allocated within a window and was still live at its end.
   *
   * @generated from enum value: BETWEEN_LEAKS = 7;
   */
  BETWEEN_LEAKS = 7,
}

/**
 * Describes the enum memtrace.v1.Measure.
 */
export const MeasureSchema: GenEnum<Measure> = /*@__PURE__*/
  enumDesc(file_memtrace, 11);

