import type { CatalogEntry, EntrySelection, EntryUpdate, RunRecord } from "./catalog.js";

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

/**
 * A database row back into an entry; numbers may arrive as strings from
 * pg's bigint. Written out as one literal so every entry has the same
 * shape: the lookup server's hot path reads these fields on each request.
 */
export function rowToEntry(row: EntryRow): CatalogEntry {
  return {
    root: row.root as string,
    path: row.path as string,
    state: row.state as CatalogEntry["state"],
    size: Number(row.size),
    mtimeMs: Number(row.mtime_ms),
    mode: Number(row.mode),
    sha256: row.sha256 as string | null,
    target: row.target as string,
    bucket: row.bucket as string,
    key: row.object_key as string,
    offset: nullableNumber(row.pack_offset),
    length: nullableNumber(row.pack_length),
    etag: row.etag as string | null,
    storageClass: row.storage_class as string,
    policy: row.policy as string,
    runId: row.run_id as string,
    manifestKey: row.manifest_key as string | null,
    updatedAt: Number(row.updated_at),
  };
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

const RUN_COLUMNS = [
  "id",
  "host",
  "pid",
  "started_at",
  "finished_at",
  "outcome",
  "policies",
  "files",
  "bytes",
  "failures",
] as const;

type Placeholder = (index: number) => string;
type RunTotals = Pick<RunRecord, "outcome" | "files" | "bytes" | "failures">;

/** The statement and values that record a run's start; `param(i)` is the dialect's `?` or `$n`. */
export function startRunStatement(run: RunRecord, param: Placeholder): [string, unknown[]] {
  const places = RUN_COLUMNS.map((_, index) => param(index)).join(", ");
  return [
    `INSERT INTO runs (${RUN_COLUMNS.join(", ")}) VALUES (${places})`,
    [
      ...[run.id, run.host, run.pid, run.startedAt, run.finishedAt, run.outcome],
      ...[JSON.stringify(run.policies), run.files, run.bytes, run.failures],
    ],
  ];
}

/** The statement and values that record a run's end, now. */
export function finishRunStatement(
  id: string,
  totals: RunTotals,
  param: Placeholder,
): [string, unknown[]] {
  const names = ["finished_at", "outcome", "files", "bytes", "failures"];
  const sets = names.map((name, index) => `${name} = ${param(index)}`).join(", ");
  return [
    `UPDATE runs SET ${sets} WHERE id = ${param(names.length)}`,
    [Date.now(), totals.outcome, totals.files, totals.bytes, totals.failures, id],
  ];
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
    const upper = prefixUpperBound(selection.pathPrefix);
    if (upper !== undefined) clauses.push(`path < ${param(upper)}`);
  }
  if (selection.mtimeFrom !== undefined) clauses.push(`mtime_ms >= ${param(selection.mtimeFrom)}`);
  if (selection.mtimeUntil !== undefined) {
    clauses.push(`mtime_ms <= ${param(selection.mtimeUntil)}`);
  }
  return clauses.length ? clauses.join(" AND ") : "TRUE";
}

/**
 * One page of a selection in key order, after `after` (the last key of the
 * page before): keyset paging, so each page is a range scan of the primary
 * key however deep into millions of rows it starts.
 */
export function selectionPageQuery(
  selection: EntrySelection,
  after: readonly [string, string] | undefined,
  pageSize: number,
  param: (value: unknown) => string,
): string {
  let where = selectionWhere(selection, param);
  if (after) where += ` AND (root, path) > (${param(after[0])}, ${param(after[1])})`;
  return `SELECT * FROM files WHERE ${where} ORDER BY root, path LIMIT ${pageSize}`;
}

const MAX_CODE_POINT = 0x10ffff;
const SURROGATES = { first: 0xd800, last: 0xdfff };

/**
 * The smallest string greater than every string starting with `prefix`,
 * in code point order (which is UTF-8 byte order): the prefix with its last
 * code point raised by one, so `radar/` gives `radar0`. Appending U+10FFFF
 * instead would miss paths that continue with U+10FFFF itself. Undefined
 * when the prefix is all U+10FFFF: then nothing bounds it from above.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last === MAX_CODE_POINT) continue;
    // Surrogates are not characters: UTF-8 cannot hold them.
    const next = last + 1 === SURROGATES.first ? SURROGATES.last + 1 : last + 1;
    return codePoints.join("") + String.fromCodePoint(next);
  }
  return undefined;
}

/**
 * The columns a change sets besides its state: the fields given (an
 * `undefined` one is not given), and `updatedAt`, which defaults to `now`.
 */
export function changedFields(fields: EntryUpdate | undefined, now: number): EntryUpdate {
  const changed: Record<string, unknown> = { updatedAt: now };
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value !== undefined) changed[name] = value;
  }
  return changed as EntryUpdate;
}
