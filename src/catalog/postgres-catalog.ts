import pg from "pg";
import type { Catalog, CatalogEntry, EntrySelection, PolicySummary, RunRecord } from "./catalog.js";
import {
  finishRunStatement,
  rowToEntry,
  rowToRun,
  selectionPageQuery,
  selectionWhere,
  startRunStatement,
  type EntryRow,
} from "./columns.js";
import { catalogDatabaseFailure, isCatalogDatabaseProblem } from "./postgres-errors.js";
import { postgresLocation } from "./postgres-location.js";
import { checkPostgresSchema, migratePostgres } from "./postgres-migrations.js";
import {
  GET_ENTRY,
  deleteStatements,
  putStatements,
  updateStatements,
  type EntryChange,
  type Statement,
} from "./postgres-statements.js";

/** Rows fetched per page by select(); keeps memory flat on millions of rows. */
const PAGE_SIZE = 1000;

/**
 * Connections kept by one process. A primary-key lookup takes well under a
 * millisecond, so a few connections carry thousands of lookups a second;
 * 10 absorbs a storm's spikes, and ten web fronts plus workers still fit
 * PostgreSQL's default max_connections of 100.
 */
const DEFAULT_POOL_SIZE = 10;
/** How long a query waits for a connection (new, or free in the pool), in ms. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresCatalogOptions {
  /** Connections kept by this process. Default DEFAULT_POOL_SIZE (10). */
  poolSize?: number;
  /** How long to wait for a connection, in ms. Default 10,000. */
  connectTimeout?: number;
  /**
   * Never create or migrate the schema; refuse a database without an
   * up-to-date givre catalog. For reading a catalog that must not change
   * (the source of `catalog migrate`). Default false.
   */
  readonly?: boolean;
}

/** An idle connection is closed after this long, in ms; reopened on demand. */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * The shared catalog for several hosts: web fronts and workers read and
 * write one PostgreSQL database through a connection pool. Batches are
 * one statement per 5,000 rows inside one transaction; lookups by (root,
 * path) are a prepared primary-key read.
 */
export class PostgresCatalog implements Catalog {
  readonly #pool: pg.Pool;
  /** user@host:port/database; never the password. */
  readonly #where: string;

  private constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.#where = where;
  }

  /** Connects, migrates the schema, and fails with a GivreError naming the server. */
  static async open(url: string, options: PostgresCatalogOptions = {}): Promise<PostgresCatalog> {
    const where = postgresLocation(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      keepAlive: true,
      application_name: "givre",
    });
    // An idle connection that breaks (server restart) is dropped by the
    // pool and reported here; without a listener it would kill the
    // process. The next query opens a fresh one, or fails and says why.
    pool.on("error", () => undefined);
    try {
      const client = await pool.connect();
      try {
        if (options.readonly) await checkPostgresSchema(client, where);
        else await migratePostgres(client, where);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw catalogDatabaseFailure(where, error);
    }
    return new PostgresCatalog(pool, where);
  }

  describe(): string {
    return `postgres ${this.#where}`;
  }

  async get(root: string, path: string): Promise<CatalogEntry | undefined> {
    const rows = await this.#query({ ...GET_ENTRY, values: [root, path] });
    return rows[0] ? rowToEntry(rows[0]) : undefined;
  }

  async putMany(entries: readonly CatalogEntry[]): Promise<void> {
    await this.#writeAll(putStatements(entries));
  }

  async updateMany(changes: readonly EntryChange[]): Promise<void> {
    await this.#writeAll(updateStatements(changes, Date.now()));
  }

  async deleteMany(keys: readonly { root: string; path: string }[]): Promise<void> {
    await this.#writeAll(deleteStatements(keys));
  }

  async *select(selection: EntrySelection): AsyncIterable<CatalogEntry> {
    let after: [string, string] | undefined;
    for (;;) {
      const values: unknown[] = [];
      const param = (value: unknown) => (values.push(value), `$${values.length}`);
      const text = selectionPageQuery(selection, after, PAGE_SIZE, param);
      const rows = await this.#query({ text, values });
      for (const row of rows) yield rowToEntry(row);
      if (rows.length < PAGE_SIZE) return;
      const last = rows[rows.length - 1]!;
      after = [String(last.root), String(last.path)];
    }
  }

  async count(selection: EntrySelection): Promise<number> {
    const values: unknown[] = [];
    const where = selectionWhere(selection, (value) => (values.push(value), `$${values.length}`));
    const rows = await this.#query({
      text: `SELECT count(*) AS n FROM files WHERE ${where}`,
      values,
    });
    return Number(rows[0]!.n);
  }

  async summary(): Promise<PolicySummary[]> {
    const rows = await this.#query({
      text: `SELECT policy, state, count(*) AS files, coalesce(sum(size), 0) AS bytes
             FROM files GROUP BY policy, state ORDER BY policy, state`,
      values: [],
    });
    return rows.map((row) => ({
      policy: String(row.policy),
      state: row.state as PolicySummary["state"],
      files: Number(row.files),
      bytes: Number(row.bytes),
    }));
  }

  async startRun(run: RunRecord): Promise<void> {
    const [text, values] = startRunStatement(run, (index) => `$${index + 1}`);
    await this.#query({ text, values });
  }

  async finishRun(
    id: string,
    fields: Pick<RunRecord, "outcome" | "files" | "bytes" | "failures">,
  ): Promise<void> {
    const [text, values] = finishRunStatement(id, fields, (index) => `$${index + 1}`);
    await this.#query({ text, values });
  }

  async runs(limit: number): Promise<RunRecord[]> {
    const rows = await this.#query({
      text: "SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT $1",
      values: [limit],
    });
    return rows.map(rowToRun);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #query(statement: Statement): Promise<EntryRow[]> {
    try {
      return (await this.#pool.query<EntryRow>(statement)).rows;
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** One statement is atomic alone; several share a transaction: all or none. */
  async #writeAll(statements: readonly Statement[]): Promise<void> {
    if (statements.length === 0) return;
    if (statements.length === 1) {
      await this.#query(statements[0]!);
      return;
    }
    const client = await this.#connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      for (const statement of statements) await client.query(statement);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      throw this.#failure(error);
    } finally {
      // A connection that could not even roll back is discarded, not reused.
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /**
   * Trouble with the server, the login or the role's rights becomes a
   * GivreError naming the server; a query's own error (a constraint) stays
   * as it is.
   */
  #failure(error: unknown): unknown {
    return isCatalogDatabaseProblem(error) ? catalogDatabaseFailure(this.#where, error) : error;
  }
}
