/**
 * The catalog: one row per file givre has taken, keyed by (root, path).
 * Two implementations (SQLite, PostgreSQL) pass one shared test suite
 * (test/catalog/catalog-contract.ts). Every method is async so that both
 * fit; SQLite answers synchronously underneath.
 */

/**
 * A file's life: uploading -> stored -> archived (local copy removed) or
 * copied (local copy kept). Restore moves archived -> restoring (a cold
 * object thawing) -> restored (bytes back on disk; the object stays).
 */
export type FileState = "uploading" | "stored" | "archived" | "copied" | "restoring" | "restored";

export const FILE_STATES: readonly FileState[] = [
  "uploading",
  "stored",
  "archived",
  "copied",
  "restoring",
  "restored",
];

/** States in which the bucket holds a proven copy of the file's bytes. */
export const IN_BUCKET: readonly FileState[] = [
  "stored",
  "archived",
  "copied",
  "restoring",
  "restored",
];

export interface CatalogEntry {
  root: string;
  /** Relative to the root, `/`-separated, no leading slash. */
  path: string;
  state: FileState;
  size: number;
  /** Modification time seen at scan, in ms since the epoch (fractional). */
  mtimeMs: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /** Hex SHA-256 of the bytes; null until stored. */
  sha256: string | null;
  target: string;
  bucket: string;
  /** The object holding the bytes; for a pack member, the pack. */
  key: string;
  /** Byte offset of a pack member's data in its pack; null for plain objects. */
  offset: number | null;
  /** Length of a pack member's data; null for plain objects. */
  length: number | null;
  /** ETag the bucket showed when the upload was proven; null until stored. */
  etag: string | null;
  storageClass: string;
  policy: string;
  runId: string;
  /** Key of the manifest segment in the bucket holding this file's line; null until uploaded. */
  manifestKey: string | null;
  /** Last state change, ms since the epoch. */
  updatedAt: number;
}

export type RunOutcome = "running" | "ok" | "failed" | "interrupted";

export interface RunRecord {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: RunOutcome;
  /** Policies this run was limited to; empty means all. */
  policies: string[];
  files: number;
  bytes: number;
  failures: number;
}

export interface EntrySelection {
  root?: string;
  policy?: string;
  /** Any of these states; absent or empty means any state. */
  states?: readonly FileState[];
  /** Paths starting with this (a folder: end it with `/`). */
  pathPrefix?: string;
  /** Original mtime bounds, ms since the epoch, inclusive. */
  mtimeFrom?: number;
  mtimeUntil?: number;
  /** Entries stored in this object (a pack's members). */
  key?: string;
}

export interface PolicySummary {
  policy: string;
  state: FileState;
  files: number;
  bytes: number;
}

/**
 * Fields that a state change may set along with the state. A field that is
 * absent or `undefined` is left as it is; `null` clears a nullable field.
 * `updatedAt` defaults to the time of the change.
 */
export type EntryUpdate = Partial<Omit<CatalogEntry, "root" | "path" | "state">>;

export interface Catalog {
  /** e.g. `sqlite /var/lib/givre/catalog.db`; never includes a password. */
  describe(): string;

  get(root: string, path: string): Promise<CatalogEntry | undefined>;
  /**
   * Inserts or replaces whole entries, in one transaction: all or none.
   * Of several entries with the same (root, path), the last one wins.
   */
  putMany(entries: readonly CatalogEntry[]): Promise<void>;
  /**
   * Sets state (and fields) on many entries in one transaction: all or
   * none. Changes apply in order, so a later change to the same entry wins
   * field by field. An entry that is not in the catalog is skipped, never
   * created.
   */
  updateMany(
    changes: readonly { root: string; path: string; state: FileState; fields?: EntryUpdate }[],
  ): Promise<void>;
  /** Removes entries in one transaction; keys that are not there are ignored. */
  deleteMany(keys: readonly { root: string; path: string }[]): Promise<void>;

  /**
   * Entries matching a selection, streamed in pages, in (root, path) order
   * where text compares as UTF-8 bytes (SQLite's BINARY, PostgreSQL's "C"),
   * never by a locale: both implementations page and sort identically.
   */
  select(selection: EntrySelection): AsyncIterable<CatalogEntry>;
  count(selection: EntrySelection): Promise<number>;
  summary(): Promise<PolicySummary[]>;

  startRun(run: RunRecord): Promise<void>;
  finishRun(
    id: string,
    fields: Pick<RunRecord, "outcome" | "files" | "bytes" | "failures">,
  ): Promise<void>;
  /** Most recent runs first. */
  runs(limit: number): Promise<RunRecord[]>;

  close(): Promise<void>;
}
