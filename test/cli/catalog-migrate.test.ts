import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry, RunRecord } from "../../src/catalog/catalog.js";
import { PostgresCatalog } from "../../src/catalog/postgres-catalog.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { collect, entry, numberedEntries, run } from "../catalog/contract/fixtures.js";
import { freePort } from "../services/free-port.js";
import { logLines, runGivre } from "../support/givre-process.js";
import {
  createTestDatabase,
  createTestSchema,
  queryOnce,
  type TestDatabase,
} from "../support/postgres.js";

/** Tiles in the source: with the three radar entries, 12,000 entries, three copy batches. */
const TILES = 11_997;

const SUMMARY = [
  "radar   archived   2      40960",
  "radar   uploading  1      100",
  "tiles   stored     11997  24569856",
];

describe("givre catalog migrate", () => {
  let dir: string;
  let sourceFile: string;
  let database: TestDatabase;
  let sourceEntries: CatalogEntry[];
  let sourceRuns: RunRecord[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "givre-migrate-"));
    sourceFile = join(dir, "catalog.db");
    const source = new SqliteCatalog(sourceFile);
    await source.putMany(siteEntries());
    await source.startRun(run("run-1", { startedAt: 1000, finishedAt: 2000, outcome: "ok" }));
    await source.startRun(run("run-2", { startedAt: 3000 }));
    sourceEntries = await collect(source.select({}));
    sourceRuns = await source.runs(10);
    await source.close();
    database = await createTestDatabase("migrate");
  });

  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const where = () => {
    const url = new URL(database.url);
    return `postgres ${url.username}@${url.host}/${database.name}`;
  };

  const migrate = (...args: string[]) => runGivre(["catalog", "migrate", ...args]);

  it("copies every entry and run from SQLite into an empty PostgreSQL catalog", async () => {
    const target = await createTestSchema(database.url, "m");
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", target);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      lines(
        `from  sqlite ${sourceFile}`,
        `to    ${where()}`,
        "copied 12000 entries and 2 runs",
        "",
        "policy  state      files  bytes     target files  target bytes",
        ...SUMMARY.map(withTarget),
        "counts match",
      ),
    );
    expect(logLines(result.stderr)).toMatchObject([
      { msg: "catalog migrated", from: `sqlite ${sourceFile}`, to: where(), entries: 12000 },
    ]);
    const copy = await PostgresCatalog.open(target);
    expect(await collect(copy.select({}))).toStrictEqual(sourceEntries);
    expect(await copy.runs(10)).toStrictEqual(sourceRuns);
    await copy.close();
  });

  it("--dry-run shows what would be copied and leaves the target untouched", async () => {
    const target = await createTestSchema(database.url, "d");
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", target, "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      lines(
        `from  sqlite ${sourceFile}`,
        `to    ${where()} (not opened: dry run)`,
        "would copy 12000 entries and 2 runs",
        "",
        "policy  state      files  bytes",
        ...SUMMARY,
      ),
    );
    expect(await tablesIn(target)).toBe(0);
  });

  it("refuses a target that holds entries, and with --force finishes an interrupted copy", async () => {
    const target = await createTestSchema(database.url, "f");
    const partial = await PostgresCatalog.open(target);
    await partial.putMany(sourceEntries.slice(0, 100));
    await partial.startRun(sourceRuns[1]!);
    await partial.close();

    const refused = await migrate("--from", `sqlite:${sourceFile}`, "--to", target);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      lines(
        `givre: target catalog ${where()} already holds 100 entries and 1 run`,
        "  fix: copy into an empty catalog, or pass --force to copy into this one (same root and path: replaced)",
      ),
    );

    const forced = await migrate("--from", `sqlite:${sourceFile}`, "--to", target, "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("copied 12000 entries and 1 run; 1 run already there\n");
    expect(forced.stdout).toContain("counts match\n");
    const copy = await PostgresCatalog.open(target);
    expect(await collect(copy.select({}))).toStrictEqual(sourceEntries);
    expect(await copy.runs(10)).toStrictEqual(sourceRuns);
    await copy.close();
  });

  it("exits 1 showing the counts that differ when the target holds entries the source lacks", async () => {
    const target = await createTestSchema(database.url, "x");
    const other = await PostgresCatalog.open(target);
    await other.putMany([entry("radar/only-in-target.png")]);
    await other.close();
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", target, "--force");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      lines(
        "policy  state      files  bytes     target files  target bytes",
        "radar   archived   2      40960     3             61440         <- differs",
        withTarget(SUMMARY[1]!),
        withTarget(SUMMARY[2]!),
      ),
    );
    expect(result.stdout).not.toContain("counts match");
    expect(result.stderr).toBe(
      lines(
        "givre: after copying, the target differs from the source: radar/archived",
        "  fix: stop every givre process using either catalog; the target may also hold entries the source lacks: copy into an empty one",
      ),
    );
  });

  it("copies a PostgreSQL catalog back into a new SQLite file", async () => {
    const source = await createTestSchema(database.url, "b");
    const filled = await PostgresCatalog.open(source);
    await filled.putMany(sourceEntries);
    for (const record of [...sourceRuns].reverse()) await filled.startRun(record);
    await filled.close();
    const file = join(dir, "back.db");
    const result = await migrate("--from", source, "--to", `sqlite:${file}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`to    sqlite ${file}\ncopied 12000 entries and 2 runs\n`);
    const copy = new SqliteCatalog(file);
    expect(await collect(copy.select({}))).toStrictEqual(sourceEntries);
    expect(await copy.runs(10)).toStrictEqual(sourceRuns);
    await copy.close();
  });

  it("refuses a SQLite source that is not there, and does not create it", async () => {
    const missing = join(dir, "missing.db");
    const target = await createTestSchema(database.url, "n");
    const result = await migrate("--from", `sqlite:${missing}`, "--to", target);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      lines(
        `givre: cannot open catalog ${missing}: unable to open database file`,
        "  fix: check the path given to --from",
      ),
    );
    expect(existsSync(missing)).toBe(false);
  });

  it("refuses a PostgreSQL source with no catalog, and creates nothing in it", async () => {
    const empty = await createTestSchema(database.url, "e");
    const result = await migrate("--from", empty, "--to", `sqlite:${join(dir, "unused.db")}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      lines(
        `givre: ${where()} holds no givre catalog`,
        "  fix: check the path or URL; a catalog is created by opening it for writing",
      ),
    );
    expect(await tablesIn(empty)).toBe(0);
    expect(existsSync(join(dir, "unused.db"))).toBe(false);
  });

  it("refuses the same catalog as source and target", async () => {
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", `sqlite:${sourceFile}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      lines(
        `givre: --from and --to name the same catalog (sqlite ${sourceFile})`,
        "  fix: name the catalog to copy with --from and a new one with --to",
      ),
    );
  });

  it("refuses a location that is neither sqlite:PATH nor a postgres URL, hiding its password", async () => {
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", "mysql://u:pw@db/x");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      lines(
        'givre: --to: expected sqlite:PATH or a postgres:// URL, found "mysql..."',
        "  fix: e.g. --to sqlite:/var/lib/givre/catalog.db",
      ),
    );
  });

  it("exits 4 naming host and port, never the password, when PostgreSQL is unreachable", async () => {
    const port = await freePort();
    const target = `postgres://givre:s3cret@127.0.0.1:${port}/givre`;
    const result = await migrate("--from", `sqlite:${sourceFile}`, "--to", target);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      lines(
        `givre: catalog postgres givre@127.0.0.1:${port}/givre: unreachable (ECONNREFUSED)`,
        "  fix: check that PostgreSQL is up and accepts connections there, and the catalog URL",
      ),
    );
    expect(result.stdout).not.toContain("s3cret");
  });
});

/** Two archived radar images (one UTF-8), one upload in flight, and a pack of tiles. */
function siteEntries(): CatalogEntry[] {
  const tiles = numberedEntries(TILES, "tiles/base", {
    root: "maps",
    policy: "tiles",
    state: "stored",
    size: 2048,
    key: "tiles/.givre/packs/pack-1.tar",
    length: 2048,
  }).map((tile, i) => ({ ...tile, offset: 512 + i * 2560 }));
  return [
    entry("radar/a.png"),
    entry("radar/réflectivité/été.png", { mtimeMs: 1_561_896_300_123 + 1 / 3 }),
    entry("radar/new.png", { state: "uploading", size: 100, sha256: null, etag: null }),
    ...tiles,
  ];
}

/** A summary row of the source, with the same files and bytes in the target columns. */
function withTarget(row: string): string {
  const [policy, state, files, bytes] = row.split(/ +/) as [string, string, string, string];
  return `${policy.padEnd(6)}  ${state.padEnd(9)}  ${files.padEnd(5)}  ${bytes.padEnd(8)}  ${files.padEnd(12)}  ${bytes}`;
}

function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join("");
}

async function tablesIn(url: string): Promise<number> {
  const rows = await queryOnce(
    url,
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()",
  );
  return Number(rows[0]!.n);
}
