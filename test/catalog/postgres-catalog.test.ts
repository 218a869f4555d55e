import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCatalog } from "../../src/catalog/postgres-catalog.js";
import { GivreError } from "../../src/errors.js";
import { freePort } from "../services/free-port.js";
import {
  createTestDatabase,
  createTestSchema,
  postgresUnderTest,
  queryOnce,
  withDatabase,
  type TestDatabase,
} from "../support/postgres.js";
import { defineCatalogContract } from "./catalog-contract.js";
import { entry } from "./contract/fixtures.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("contract");
});

afterAll(async () => {
  await database.drop();
});

defineCatalogContract("PostgreSQL", {
  freshLocation: () => createTestSchema(database.url),
  open: (url) => PostgresCatalog.open(url),
});

describe("PostgreSQL catalog", () => {
  it("runs the contract in a database that sorts like a dictionary by default", async () => {
    const rows = await queryOnce(
      database.url,
      "SELECT x FROM unnest(ARRAY['b', 'a_b', 'A', 'a-b']) AS x ORDER BY x",
    );
    // Byte order is A, a-b, a_b, b (- is 0x2D, _ is 0x5F): what the catalog must show instead.
    expect(rows.map((row) => row.x)).toEqual(["A", "a_b", "a-b", "b"]);
  });

  it("describes itself by user, host, port and database, never the password", async () => {
    const url = new URL(await createTestSchema(database.url));
    url.password = "s3cret";
    url.searchParams.set("password", "s3cret");
    const catalog = await PostgresCatalog.open(url.toString());
    const server = new URL(postgresUnderTest());
    expect(catalog.describe()).toBe(`postgres postgres@${server.host}/${database.name}`);
    await catalog.close();
  });

  it("records each migration once, however many instances open a fresh schema at once", async () => {
    const url = await createTestSchema(database.url);
    const instances = await Promise.all(Array.from({ length: 8 }, () => PostgresCatalog.open(url)));
    await Promise.all(instances.map((catalog) => catalog.close()));
    const applied = await queryOnce(url, "SELECT version FROM schema_migrations");
    expect(applied).toEqual([{ version: 1 }]);
  });

  it("refuses a schema written by a newer givre", async () => {
    const url = await createTestSchema(database.url);
    await (await PostgresCatalog.open(url)).close();
    await queryOnce(url, "INSERT INTO schema_migrations (version) VALUES (2)");
    const server = new URL(postgresUnderTest());
    await expect(PostgresCatalog.open(url)).rejects.toMatchObject({
      code: "CATALOG_TOO_NEW",
      exitCode: 2,
      message: `catalog postgres postgres@${server.host}/${database.name} has schema version 2; this givre knows versions up to 1`,
    });
  });

  it("lets a role that may only read use an up-to-date catalog", async () => {
    const url = await createTestSchema(database.url);
    const writer = await PostgresCatalog.open(url);
    await writer.putMany([entry("radar/a.png")]);
    const schema = new URL(url).searchParams.get("options")!.split("=")[1]!;
    const role = `reader_${schema}`;
    await queryOnce(url, `CREATE ROLE ${role} LOGIN`);
    await queryOnce(url, `GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await queryOnce(url, `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    const readerUrl = new URL(url);
    readerUrl.username = role;
    try {
      const reader = await PostgresCatalog.open(readerUrl.toString());
      expect(await reader.get("data", "radar/a.png")).toStrictEqual(entry("radar/a.png"));
      await expect(reader.putMany([entry("radar/b.png")])).rejects.toMatchObject({
        code: "CATALOG_NOT_PERMITTED",
        exitCode: 2,
        message: `catalog postgres ${role}@${new URL(url).host}/${database.name}: permission denied for table files`,
      });
      await Promise.all([reader.close(), writer.close()]);
    } finally {
      // Roles outlive the test database: this one goes now.
      await queryOnce(url, `DROP OWNED BY ${role}`);
      await queryOnce(url, `DROP ROLE ${role}`);
    }
  });

  it("read-only, it refuses a schema without a catalog and creates nothing in it", async () => {
    const url = await createTestSchema(database.url);
    const server = new URL(postgresUnderTest());
    await expect(PostgresCatalog.open(url, { readonly: true })).rejects.toMatchObject({
      code: "CATALOG_NOT_FOUND",
      message: `postgres postgres@${server.host}/${database.name} holds no givre catalog`,
    });
    const tables = await queryOnce(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    );
    expect(tables).toEqual([]);
  });

  it("read-only, it reads an up-to-date catalog", async () => {
    const url = await createTestSchema(database.url);
    const writer = await PostgresCatalog.open(url);
    await writer.putMany([entry("radar/a.png")]);
    const reader = await PostgresCatalog.open(url, { readonly: true });
    expect(await reader.get("data", "radar/a.png")).toStrictEqual(entry("radar/a.png"));
    await Promise.all([reader.close(), writer.close()]);
  });

  it("reconnects after the server closed its idle connections", async () => {
    const url = await createTestSchema(database.url);
    const catalog = await PostgresCatalog.open(url);
    await catalog.putMany([entry("radar/a.png")]);
    await queryOnce(
      database.url,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'givre' AND datname = $1`,
      [database.name],
    );
    // The pool learns of the closed connections from the socket; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await catalog.get("data", "radar/a.png")).toStrictEqual(entry("radar/a.png"));
    await catalog.close();
  });

  it("fails with exit 4 naming host and port, never the password, when nothing listens", async () => {
    const port = await freePort();
    const failure = await PostgresCatalog.open(
      `postgres://givre:s3cret@127.0.0.1:${port}/givre`,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GivreError);
    expect(failure).toMatchObject({
      code: "CATALOG_UNREACHABLE",
      exitCode: 4,
      message: `catalog postgres givre@127.0.0.1:${port}/givre: unreachable (ECONNREFUSED)`,
      hint: "check that PostgreSQL is up and accepts connections there, and the catalog URL",
    });
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain("s3cret");
  });

  it("fails with exit 2 naming the database when it does not exist", async () => {
    const url = withDatabase(postgresUnderTest(), "givre_missing");
    const server = new URL(postgresUnderTest());
    await expect(PostgresCatalog.open(url)).rejects.toMatchObject({
      code: "CATALOG_NO_DATABASE",
      exitCode: 2,
      message: `catalog postgres postgres@${server.host}/givre_missing: database "givre_missing" does not exist`,
      hint: "create it first, e.g. createdb -O <givre role> givre_missing",
    });
  });
});
