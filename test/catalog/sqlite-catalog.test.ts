import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { defineCatalogContract } from "./catalog-contract.js";

const dir = mkdtempSync(join(tmpdir(), "givre-sqlite-catalog-"));
let files = 0;
const freshFile = () => join(dir, `catalog-${++files}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineCatalogContract("SQLite", {
  freshLocation: async () => freshFile(),
  open: async (file) => new SqliteCatalog(file),
});

describe("SQLite catalog", () => {
  it("describes itself by its file", async () => {
    const file = freshFile();
    const catalog = new SqliteCatalog(file);
    expect(catalog.describe()).toBe(`sqlite ${file}`);
    await catalog.close();
  });

  it("several processes creating the same catalog file at once all succeed", async () => {
    const file = freshFile();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openInChild(file)));
    expect(results).toEqual(Array(6).fill("opened\n"));
    const catalog = new SqliteCatalog(file);
    expect(await catalog.count({})).toBe(0);
    await catalog.close();
  });

  it("refuses a catalog file written by a newer givre", async () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma("user_version = 99");
    db.close();
    expect(() => new SqliteCatalog(file)).toThrow(
      `catalog sqlite ${file} has schema version 99; this givre knows versions up to 1`,
    );
  });

  it("read-only, it neither creates a file nor accepts one without a catalog", async () => {
    const missing = freshFile();
    expect(() => new SqliteCatalog(missing, { readonly: true })).toThrow(
      "unable to open database file",
    );
    const empty = freshFile();
    new Database(empty).close();
    expect(() => new SqliteCatalog(empty, { readonly: true })).toThrow(
      `sqlite ${empty} holds no givre catalog`,
    );
  });
});

const SOURCE = fileURLToPath(new URL("../../src/catalog/sqlite-catalog.ts", import.meta.url));

/** Opens the catalog in another Node process, as `givre serve` and `givre run` would. */
function openInChild(file: string): Promise<string> {
  const script = `
    const { SqliteCatalog } = await import(${JSON.stringify(SOURCE)});
    const catalog = new SqliteCatalog(${JSON.stringify(file)});
    await catalog.count({});
    await catalog.close();
    process.stdout.write("opened\\n");`;
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", fail);
    child.on("close", () => done(out));
  });
}
