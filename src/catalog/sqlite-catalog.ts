import Database from "better-sqlite3";
import type {
  Catalog,
  CatalogEntry,
  EntrySelection,
  EntryUpdate,
  FileState,
  PolicySummary,
  RunRecord,
} from "./catalog.js";
import { catalogTooNew, notACatalog } from "./catalog-errors.js";
import {
  ENTRY_COLUMNS,
  ENTRY_FIELDS,
  changedFields,
  finishRunStatement,
  rowToEntry,
  rowToRun,
  selectionPageQuery,
  selectionWhere,
  startRunStatement,
  type EntryRow,
} from "./columns.js";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.js";

/** Rows fetched per page by select(); keeps memory flat on millions of rows. */
const PAGE_SIZE = 1000;
/** How long a writer waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 30_000;
/**
 * Reads through a memory map instead of a read() call per page: a random
 * lookup in a catalog of millions of rows went from ~35 µs to a few µs,
 * which is most of what the lookup server spends per request. Pages stay
 * in the kernel's page cache, shared by every process reading the file.
 */
const MMAP_BYTES = 1 << 30;

/**
 * The embedded default catalog: one SQLite file in WAL mode, so `givre
 * serve` reads while `givre run` writes. synchronous=NORMAL is durable
 * across process crashes (kill -9); only a power loss can drop the last
 * transactions, and the run's recovery re-checks those rows in the bucket.
 */
export class SqliteCatalog implements Catalog {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #getStatement: Database.Statement;
  readonly #putStatement: Database.Statement;
  readonly #updateStatements = new Map<string, Database.Statement>();

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.#file = file;
    this.#db = new Database(file, {
      readonly: options.readonly ?? false,
      timeout: BUSY_TIMEOUT_MS,
    });
    this.#db.pragma(`mmap_size = ${MMAP_BYTES}`);
    if (options.readonly) {
      this.#checkReadableVersion();
    } else {
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
      this.#migrate();
    }
    const columns = ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field]);
    this.#getStatement = this.#db.prepare("SELECT * FROM files WHERE root = ? AND path = ?");
    this.#putStatement = this.#db.prepare(
      `INSERT OR REPLACE INTO files (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
    );
  }

  describe(): string {
    return `sqlite ${this.#file}`;
  }

  /** Synchronous lookup for the lookup server's hot path. */
  getNow(root: string, path: string): CatalogEntry | undefined {
    const row = this.#getStatement.get(root, path) as EntryRow | undefined;
    return row ? rowToEntry(row) : undefined;
  }

  async get(root: string, path: string): Promise<CatalogEntry | undefined> {
    return this.getNow(root, path);
  }

  async putMany(entries: readonly CatalogEntry[]): Promise<void> {
    const put = this.#db.transaction((batch: readonly CatalogEntry[]) => {
      for (const entry of batch) this.#putStatement.run(entryParams(entry));
    });
    put(entries);
  }

  async updateMany(
    changes: readonly { root: string; path: string; state: FileState; fields?: EntryUpdate }[],
  ): Promise<void> {
    const update = this.#db.transaction(() => {
      for (const change of changes) {
        const fields = changedFields(change.fields, Date.now());
        const names = Object.keys(fields).sort() as (keyof EntryUpdate)[];
        const params: Record<string, unknown> = {
          root: change.root,
          path: change.path,
          state: change.state,
        };
        for (const name of names) params[ENTRY_COLUMNS[name]] = fields[name];
        this.#updateStatement(names).run(params);
      }
    });
    update();
  }

  async deleteMany(keys: readonly { root: string; path: string }[]): Promise<void> {
    const remove = this.#db.prepare("DELETE FROM files WHERE root = ? AND path = ?");
    this.#db.transaction(() => keys.forEach((key) => remove.run(key.root, key.path)))();
  }

  async *select(selection: EntrySelection): AsyncIterable<CatalogEntry> {
    let after: [string, string] | undefined;
    for (;;) {
      const values: unknown[] = [];
      const param = (value: unknown) => (values.push(value), "?");
      const sql = selectionPageQuery(selection, after, PAGE_SIZE, param);
      const rows = this.#db.prepare(sql).all(...values) as EntryRow[];
      for (const row of rows) yield rowToEntry(row);
      if (rows.length < PAGE_SIZE) return;
      const last = rows[rows.length - 1]!;
      after = [String(last.root), String(last.path)];
    }
  }

  async count(selection: EntrySelection): Promise<number> {
    const values: unknown[] = [];
    const where = selectionWhere(selection, (value) => (values.push(value), "?"));
    const row = this.#db
      .prepare(`SELECT count(*) AS n FROM files WHERE ${where}`)
      .get(...values) as { n: number };
    return row.n;
  }

  async summary(): Promise<PolicySummary[]> {
    const rows = this.#db
      .prepare(
        `SELECT policy, state, count(*) AS files, coalesce(sum(size), 0) AS bytes
         FROM files GROUP BY policy, state ORDER BY policy, state`,
      )
      .all() as PolicySummary[];
    return rows.map((row) => ({ ...row, files: Number(row.files), bytes: Number(row.bytes) }));
  }

  async startRun(run: RunRecord): Promise<void> {
    const [sql, values] = startRunStatement(run, () => "?");
    this.#db.prepare(sql).run(...values);
  }

  async finishRun(
    id: string,
    fields: Pick<RunRecord, "outcome" | "files" | "bytes" | "failures">,
  ): Promise<void> {
    const [sql, values] = finishRunStatement(id, fields, () => "?");
    this.#db.prepare(sql).run(...values);
  }

  async runs(limit: number): Promise<RunRecord[]> {
    const rows = this.#db
      .prepare("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?")
      .all(limit);
    return (rows as EntryRow[]).map(rowToRun);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  /**
   * Brings the schema up to date. Several processes may open a new file at
   * once (serve and run starting together): IMMEDIATE takes the write lock
   * before the version is read, so only the first one migrates and the
   * others wait (busy timeout), then find nothing left to do.
   */
  #migrate(): void {
    this.#db
      .transaction(() => {
        const version = this.#version();
        if (version > SQLITE_MIGRATIONS.length) {
          throw catalogTooNew(this.describe(), version, SQLITE_MIGRATIONS.length);
        }
        for (let next = version; next < SQLITE_MIGRATIONS.length; next++) {
          this.#db.exec(SQLITE_MIGRATIONS[next]!);
        }
        this.#db.pragma(`user_version = ${SQLITE_MIGRATIONS.length}`);
      })
      .immediate();
  }

  /** A read-only open cannot migrate, so it refuses what it cannot read. */
  #checkReadableVersion(): void {
    const version = this.#version();
    if (version === 0) throw notACatalog(this.describe());
    if (version > SQLITE_MIGRATIONS.length) {
      throw catalogTooNew(this.describe(), version, SQLITE_MIGRATIONS.length);
    }
  }

  #version(): number {
    return this.#db.pragma("user_version", { simple: true }) as number;
  }

  #updateStatement(names: readonly (keyof EntryUpdate)[]): Database.Statement {
    const signature = names.join(",");
    let statement = this.#updateStatements.get(signature);
    if (!statement) {
      const sets = [
        "state = @state",
        ...names.map((name) => `${ENTRY_COLUMNS[name]} = @${ENTRY_COLUMNS[name]}`),
      ];
      statement = this.#db.prepare(
        `UPDATE files SET ${sets.join(", ")} WHERE root = @root AND path = @path`,
      );
      this.#updateStatements.set(signature, statement);
    }
    return statement;
  }
}

function entryParams(entry: CatalogEntry): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of ENTRY_FIELDS) params[ENTRY_COLUMNS[field]] = entry[field];
  return params;
}
