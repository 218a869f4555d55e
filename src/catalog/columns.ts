import type { CatalogEntry, EntrySelection, RunRecord } from "./catalog.js";

/** Entry field -> column; the same names in SQLite and PostgreSQL. */
export const ENTRY_COLUMNS = {
  root: "root",
  path: "path",
  state: "state",
  size: "size",
  mtimeMs: "mtime_ms",
  mode: "mode",
  sha256: "sha256",
  target: "target",
  bucket: "bucket",
  key: "object_key",
  offset: "pack_offset",
  length: "pack_length",
  etag: "etag",
  storageClass: "storage_class",
  policy: "policy",
  runId: "run_id",
  manifestKey: "manifest_key",
  updatedAt: "updated_at",
} as const satisfies Record<keyof CatalogEntry, string>;

export const ENTRY_FIELDS = Object.keys(ENTRY_COLUMNS) as (keyof CatalogEntry)[];

export type EntryRow = Record<string, unknown>;

/** A database row back into an entry; numbers may arrive as strings from pg's bigint. */
export function rowToEntry(row: EntryRow): CatalogEntry {
  const entry: Record<string, unknown> = {};
  for (const field of ENTRY_FIELDS) entry[field] = row[ENTRY_COLUMNS[field]];
  for (const field of ["size", "mtimeMs", "mode", "updatedAt"] as const) {
    entry[field] = Number(entry[field]);
  }
  for (const field of ["offset", "length"] as const) {
    entry[field] =
      entry[field] === null || entry[field] === undefined ? null : Number(entry[field]);
  }
  return entry as unknown as CatalogEntry;
}

export function rowToRun(row: EntryRow): RunRecord {
  return {
    id: String(row.id),
    host: String(row.host),
    pid: Number(row.pid),
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    outcome: row.outcome as RunRecord["outcome"],
    policies: JSON.parse(String(row.policies)) as string[],
    files: Number(row.files),
    bytes: Number(row.bytes),
    failures: Number(row.failures),
  };
}

/**
 * A WHERE clause for a selection. `param(value)` returns the placeholder
 * for the dialect (`?` or `$n`) and records the value.
 */
export function selectionWhere(
  selection: EntrySelection,
  param: (value: unknown) => string,
): string {
  const clauses: string[] = [];
  if (selection.root !== undefined) clauses.push(`root = ${param(selection.root)}`);
  if (selection.policy !== undefined) clauses.push(`policy = ${param(selection.policy)}`);
  if (selection.key !== undefined) clauses.push(`object_key = ${param(selection.key)}`);
  if (selection.states?.length) {
    clauses.push(`state IN (${selection.states.map((state) => param(state)).join(", ")})`);
  }
  if (selection.pathPrefix) {
    // A range instead of LIKE: no escaping of % and _, and it uses the primary key.
    clauses.push(`path >= ${param(selection.pathPrefix)}`);
    clauses.push(`path < ${param(prefixUpperBound(selection.pathPrefix))}`);
  }
  if (selection.mtimeFrom !== undefined) clauses.push(`mtime_ms >= ${param(selection.mtimeFrom)}`);
  if (selection.mtimeUntil !== undefined) {
    clauses.push(`mtime_ms <= ${param(selection.mtimeUntil)}`);
  }
  return clauses.length ? clauses.join(" AND ") : "TRUE";
}

/** The smallest string greater than every string starting with `prefix`. */
function prefixUpperBound(prefix: string): string {
  return prefix + "\u{10FFFF}";
}
