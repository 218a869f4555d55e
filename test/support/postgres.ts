import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** postgres://postgres@127.0.0.1:PORT/givre, from the global setup. */
export function postgresUnderTest(): string {
  return inject("postgresUrl");
}

export interface TestDatabase {
  /** A URL naming the new database on the server under test. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the server under test. Its default collation
 * is linguistic (ICU en-US, PostgreSQL 15 and newer), where `A`, `a_b` and
 * `a-b` sort as a dictionary would: a test that finds byte order in it
 * shows that the catalog imposes that order, not the server.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `givre_${label}_${randomBytes(4).toString("hex")}`;
  const server = postgresUnderTest();
  const version = await queryOnce(server, "SELECT current_setting('server_version_num')::int AS n");
  const icu = Number(version[0]!.n) >= 150_000;
  const locale = icu ? "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'" : "";
  await queryOnce(server, `CREATE DATABASE ${name} ENCODING 'UTF8' ${locale}`);
  return {
    url: withDatabase(server, name),
    name,
    drop: async () => {
      await queryOnce(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A new schema in a database; the URL puts it first in the search_path. */
export async function createTestSchema(databaseUrl: string, label = "s"): Promise<string> {
  const schema = `${label}_${randomBytes(4).toString("hex")}`;
  await queryOnce(databaseUrl, `CREATE SCHEMA ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

/** The server's URL pointing at another database. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** One statement on its own short-lived connection: for setting up and checking tests. */
export async function queryOnce(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(text, values)).rows;
  } finally {
    await client.end();
  }
}
