import type { CatalogEntry, EntryUpdate, FileState } from "./catalog.js";
import { ENTRY_COLUMNS, ENTRY_FIELDS, changedFields } from "./columns.js";

/**
 * The PostgreSQL statements that write many rows at once. A batch is sent
 * as one array per column and spread back into rows by `unnest`, so a
 * batch of thousands of entries is one statement with a fixed number of
 * parameters (PostgreSQL allows at most 65,535 per statement), parsed once,
 * not one round trip per row.
 */

export interface Statement {
  /** Named statements are prepared once per connection, then only executed. */
  name?: string;
  text: string;
  values: unknown[];
}

export interface EntryChange {
  root: string;
  path: string;
  state: FileState;
  fields?: EntryUpdate;
}

/** Rows per statement: bounds the size of one message, not the transaction. */
export const ROWS_PER_STATEMENT = 5_000;

const COLUMN_TYPES = {
  root: "text",
  path: "text",
  state: "text",
  size: "bigint",
  mtimeMs: "double precision",
  mode: "integer",
  sha256: "text",
  target: "text",
  bucket: "text",
  key: "text",
  offset: "bigint",
  length: "bigint",
  etag: "text",
  storageClass: "text",
  policy: "text",
  runId: "text",
  manifestKey: "text",
  updatedAt: "bigint",
} as const satisfies Record<keyof CatalogEntry, string>;

type Field = keyof CatalogEntry;

const COLUMNS = ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field]);

export const GET_ENTRY = {
  name: "givre_catalog_get",
  text: "SELECT * FROM files WHERE root = $1 AND path = $2",
};

const PUT_ENTRIES = `INSERT INTO files (${COLUMNS.join(", ")})
  SELECT * FROM ${unnest(ENTRY_FIELDS)}
  ON CONFLICT (root, path) DO UPDATE SET
  ${COLUMNS.filter((c) => c !== "root" && c !== "path")
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(", ")}`;

const DELETE_ENTRIES = `DELETE FROM files AS f USING ${unnest(["root", "path"])}
  WHERE f.root = c.root AND f.path = c.path`;

/**
 * Statements that insert or replace entries. ON CONFLICT may touch a row
 * only once per statement, so of duplicate keys only the last is sent,
 * which is what "the last one wins" means in the contract.
 */
export function putStatements(entries: readonly CatalogEntry[]): Statement[] {
  const last = new Map<string, CatalogEntry>();
  for (const entry of entries) last.set(entryKey(entry), entry);
  return chunks([...last.values()]).map((chunk) => ({
    name: "givre_catalog_put",
    text: PUT_ENTRIES,
    values: columnArrays(chunk, ENTRY_FIELDS),
  }));
}

/**
 * Statements that apply state changes. UPDATE ... FROM joins each row at
 * most once, so changes to one entry are first merged in order (later
 * fields win), then grouped by the set of fields they change: usually one
 * group, so one statement per batch.
 */
export function updateStatements(changes: readonly EntryChange[], now: number): Statement[] {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of mergeChanges(changes, now).values()) {
    const signature = Object.keys(row).sort().join(",");
    const group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, [row]);
  }
  return [...groups].flatMap(([signature, rows]) => {
    const fields = signature.split(",") as Field[];
    const text = updateText(fields);
    return chunks(rows).map((chunk) => ({ text, values: columnArrays(chunk, fields) }));
  });
}

export function deleteStatements(keys: readonly { root: string; path: string }[]): Statement[] {
  return chunks(keys).map((chunk) => ({
    name: "givre_catalog_delete",
    text: DELETE_ENTRIES,
    values: columnArrays(chunk, ["root", "path"]),
  }));
}

function mergeChanges(
  changes: readonly EntryChange[],
  now: number,
): Map<string, Record<string, unknown>> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const change of changes) {
    const key = entryKey(change);
    const row = { ...changedFields(change.fields, now), state: change.state };
    merged.set(key, { ...merged.get(key), ...row, root: change.root, path: change.path });
  }
  return merged;
}

function updateText(fields: readonly Field[]): string {
  const sets = fields
    .filter((field) => field !== "root" && field !== "path")
    .map((field) => `${ENTRY_COLUMNS[field]} = c.${ENTRY_COLUMNS[field]}`);
  return `UPDATE files AS f SET ${sets.join(", ")} FROM ${unnest(fields)}
    WHERE f.root = c.root AND f.path = c.path`;
}

/** `unnest($1::text[], $2::bigint[], ...) AS c(root, size, ...)` for these fields. */
function unnest(fields: readonly Field[]): string {
  const arrays = fields.map((field, i) => `$${i + 1}::${COLUMN_TYPES[field]}[]`);
  const names = fields.map((field) => ENTRY_COLUMNS[field]);
  return `unnest(${arrays.join(", ")}) AS c(${names.join(", ")})`;
}

function columnArrays(rows: readonly object[], fields: readonly Field[]): unknown[][] {
  return fields.map((field) => rows.map((row) => (row as Record<string, unknown>)[field]));
}

function chunks<T>(rows: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    result.push(rows.slice(start, start + ROWS_PER_STATEMENT));
  }
  return result;
}

/** NUL cannot occur in a root name or a path, so it separates them unambiguously. */
function entryKey(key: { root: string; path: string }): string {
  return `${key.root}\0${key.path}`;
}
