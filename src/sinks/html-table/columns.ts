// The table page's columns and paging, which its script (table.js) reads from the page's data.

/** Columns of the page, in order: the key of the row field, its header, and whether it is a number. */
export const PAGE_COLUMNS = [
  { key: "pid", header: "PID", numeric: true },
  { key: "tid", header: "TID", numeric: true },
  { key: "thread", header: "Thread", numeric: false },
  { key: "allocator", header: "Allocator", numeric: false },
  { key: "bytes", header: "Bytes", numeric: true },
  { key: "share", header: "% of total", numeric: true },
  { key: "count", header: "Allocations", numeric: true },
  { key: "location", header: "Location", numeric: false },
] as const;

/** Numbers per row in the data's flat `rows` array: pid, tid, thread, allocator, bytes, count, location. */
export const ROW_WIDTH = 7;

/** Rows drawn at first, and added by each "Show more". */
export const PAGE_ROWS = 500;
