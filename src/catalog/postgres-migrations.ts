import type { ClientBase } from "pg";
import { UsageError } from "../errors.js";
import { catalogTooNew, notACatalog } from "./catalog-errors.js";

/**
 * Schema versions, applied in order; each applied version is a row of
 * `schema_migrations`. Never edit a released migration; add the next one.
 *
 * Table and column names are those of SQLite (see columns.ts). Every text
 * column is COLLATE "C": comparisons and ORDER BY are then by UTF-8 bytes,
 * as in SQLite, whatever locale the database was created with, so both
 * catalogs page through select() and sort summary() identically, and the
 * pathPrefix range stays on the primary key.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE files (
     root text COLLATE "C" NOT NULL,
     path text COLLATE "C" NOT NULL,
     state text COLLATE "C" NOT NULL,
     size bigint NOT NULL,
     mtime_ms double precision NOT NULL,
     mode integer NOT NULL,
     sha256 text COLLATE "C",
     target text COLLATE "C" NOT NULL,
     bucket text COLLATE "C" NOT NULL,
     object_key text COLLATE "C" NOT NULL,
     pack_offset bigint,
     pack_length bigint,
     etag text COLLATE "C",
     storage_class text COLLATE "C" NOT NULL,
     policy text COLLATE "C" NOT NULL,
     run_id text COLLATE "C" NOT NULL,
     manifest_key text COLLATE "C",
     updated_at bigint NOT NULL,
     PRIMARY KEY (root, path)
   );
   CREATE INDEX files_unfinished ON files (state) WHERE state IN ('uploading', 'stored', 'restoring');
   CREATE INDEX files_object ON files (object_key);
   CREATE INDEX files_policy ON files (policy, state);
   CREATE TABLE runs (
     id text COLLATE "C" PRIMARY KEY,
     host text COLLATE "C" NOT NULL,
     pid integer NOT NULL,
     started_at bigint NOT NULL,
     finished_at bigint,
     outcome text COLLATE "C" NOT NULL,
     policies text COLLATE "C" NOT NULL,
     files bigint NOT NULL DEFAULT 0,
     bytes bigint NOT NULL DEFAULT 0,
     failures bigint NOT NULL DEFAULT 0
   );`,
];

/**
 * Key of the advisory lock that serialises migrations: "givr" in ASCII.
 * Advisory locks are per database, so this only ever meets another givre.
 */
const MIGRATION_LOCK = 0x67697672;

/**
 * Brings the schema in the connection's search_path up to date. Web fronts
 * and workers may start at once: the first takes the advisory lock and
 * migrates in one transaction, the others wait for it, then find the work
 * done. An up-to-date catalog is only read, so a role with no CREATE right
 * (a read-only web front) can open it.
 */
export async function migratePostgres(client: ClientBase, where: string): Promise<void> {
  if ((await appliedVersion(client, where)) === POSTGRES_MIGRATIONS.length) return;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const version = await appliedVersion(client, where);
    for (let next = version; next < POSTGRES_MIGRATIONS.length; next++) {
      await client.query(POSTGRES_MIGRATIONS[next]!);
      await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [next + 1]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** For a read-only open: the schema must be there and up to date, as nothing may change it. */
export async function checkPostgresSchema(client: ClientBase, where: string): Promise<void> {
  const version = await appliedVersion(client, where);
  if (version === 0) throw notACatalog(`postgres ${where}`);
  if (version < POSTGRES_MIGRATIONS.length) {
    throw new UsageError(
      "CATALOG_NOT_MIGRATED",
      `catalog postgres ${where} has schema version ${version}; this givre needs ${POSTGRES_MIGRATIONS.length}`,
      { hint: "open it once for writing (e.g. givre doctor with this catalog) to migrate it" },
    );
  }
}

/** The highest applied version; 0 when there is no schema yet. */
async function appliedVersion(client: ClientBase, where: string): Promise<number> {
  const exists = await client.query<{ table: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS table",
  );
  if (exists.rows[0]?.table === null) return 0;
  const result = await client.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  const version = result.rows[0]?.version ?? 0;
  if (version > POSTGRES_MIGRATIONS.length) {
    throw catalogTooNew(`postgres ${where}`, version, POSTGRES_MIGRATIONS.length);
  }
  return version;
}
