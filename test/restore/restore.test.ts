import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { createTestBucket, minioClient } from "../support/s3.js";

const JUNE = new Date(Date.UTC(2019, 5, 10, 6, 30, 12, 345));
const JULY = new Date(Date.UTC(2019, 6, 2, 18, 5, 0, 0));

interface Original {
  content: Buffer;
  mtimeMs: number;
  mode: number;
}

/** Every regular file under a folder (relative path -> bytes, mtime, mode). */
function snapshot(dir: string): Map<string, Original> {
  const files = new Map<string, Original>();
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const file = join(folder, name);
      const stats = statSync(file);
      if (stats.isDirectory()) walk(file, `${prefix}${name}/`);
      else {
        files.set(`${prefix}${name}`, {
          content: readFileSync(file),
          mtimeMs: stats.mtimeMs,
          mode: stats.mode & 0o7777,
        });
      }
    }
  };
  if (existsSync(dir)) walk(dir, "");
  return files;
}

/** Byte for byte, mtime (to the µs: a double in seconds cannot carry ns) and mode. */
function expectSameFiles(restored: Map<string, Original>, originals: Map<string, Original>) {
  expect([...restored.keys()]).toEqual([...originals.keys()]);
  for (const [path, original] of originals) {
    const file = restored.get(path)!;
    expect(file.content.equals(original.content), path).toBe(true);
    expect(Math.abs(file.mtimeMs - original.mtimeMs), path).toBeLessThan(0.001);
    expect(file.mode, path).toBe(original.mode);
  }
}

function pick(all: Map<string, Original>, paths: string[]): Map<string, Original> {
  return new Map(paths.map((path) => [path, all.get(path)!]));
}

async function rowsOf(workspace: Workspace): Promise<CatalogEntry[]> {
  const catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"), { readonly: true });
  const rows: CatalogEntry[] = [];
  for await (const row of catalog.select({})) rows.push(row);
  await catalog.close();
  return rows;
}

const TREE = {
  "radar/reflectivity/2019/06/10/img_0630.png": Buffer.alloc(20_000, 7),
  "radar/reflectivity/2019/06/10/img_0635.png": Buffer.from("second image"),
  "radar/velocity/2019/06/10/img_0630.png": Buffer.from("velocity image"),
  "tiles/base/3/1/2.png": Buffer.from("tile"),
  "archives/empty.nc": Buffer.alloc(0),
  "deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/leaf.txt": Buffer.from("deep"),
};

describe("givre restore", () => {
  let bucket: string;
  let workspace: Workspace;
  let originals: Map<string, Original>;

  beforeEach(async () => {
    bucket = await createTestBucket("restore");
    workspace = makeWorkspace(bucket);
    writeTree(workspace.dataDir, TREE, JUNE);
    writeTree(workspace.dataDir, { "radar/reflectivity/2019/07/02/img_1805.png": "july" }, JULY);
    chmodSync(join(workspace.dataDir, "tiles/base/3/1/2.png"), 0o600);
    chmodSync(join(workspace.dataDir, "archives/empty.nc"), 0o755);
    originals = snapshot(workspace.dataDir);
    await archiveWorkspace(workspace, testPolicy());
    expect(snapshot(workspace.dataDir).size).toBe(0);
  });

  const restore = (...args: string[]) =>
    runGivre(["--config", workspace.configFile, "restore", ...args]);

  it("restores one file with its bytes, mtime and mode; its row becomes restored", async () => {
    const path = "radar/reflectivity/2019/06/10/img_0630.png";

    const result = await restore(`data/${path}`);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^restored {3}1 file, 19\.5 KiB \(1 reads\) in \d+\.\d s\n$/);
    expectSameFiles(snapshot(workspace.dataDir), pick(originals, [path]));
    const rows = await rowsOf(workspace);
    expect(rows.filter((row) => row.state === "restored").map((row) => row.path)).toEqual([path]);
    const restoredRow = rows.find((row) => row.path === path)!;
    expect(restoredRow.mtimeMs).toBe(statSync(join(workspace.dataDir, path)).mtimeMs);
    // The object stays in the bucket.
    await expect(minioClient().statObject(bucket, `data/${path}`)).resolves.toBeTruthy();
  });

  it("restores a glob, an empty file and a deep tree", async () => {
    const result = await restore("data/radar/*/2019/06/**", "data/archives", "data/deep");

    expect(result.code).toBe(0);
    expectSameFiles(
      snapshot(workspace.dataDir),
      pick(originals, [
        "archives/empty.nc",
        "deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/leaf.txt",
        "radar/reflectivity/2019/06/10/img_0630.png",
        "radar/reflectivity/2019/06/10/img_0635.png",
        "radar/velocity/2019/06/10/img_0630.png",
      ]),
    );
  });

  it("restores June 2019 of the reflectivity radar and nothing else", async () => {
    const result = await restore(
      "data/radar/reflectivity",
      "--since",
      "2019-06",
      "--until",
      "2019-06",
    );

    expect(result.code).toBe(0);
    expectSameFiles(
      snapshot(workspace.dataDir),
      pick(originals, [
        "radar/reflectivity/2019/06/10/img_0630.png",
        "radar/reflectivity/2019/06/10/img_0635.png",
      ]),
    );
  });

  it("--dry-run lists what would come back and writes nothing", async () => {
    const result = await restore("data/radar", "--dry-run");

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^would restore 4 files, /);
    expect(snapshot(workspace.dataDir).size).toBe(0);
    expect((await rowsOf(workspace)).every((row) => row.state === "archived")).toBe(true);
  });

  it("refuses an object overwritten behind givre's back, naming the path, writing nothing", async () => {
    const path = "radar/reflectivity/2019/06/10/img_0635.png";
    await minioClient().putObject(bucket, `data/${path}`, Buffer.from("tampered image"));

    const result = await restore("data/radar/reflectivity/2019/06/10");

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `failed     data/${path}: data/${path} (object data/${path}): the object has 14 bytes, the catalog says 12; nothing written`,
    );
    const folder = join(workspace.dataDir, "radar/reflectivity/2019/06/10");
    expect(readdirSync(folder)).toEqual(["img_0630.png"]);
    const row = (await rowsOf(workspace)).find((entry) => entry.path === path)!;
    expect(row.state).toBe("archived");
  });

  it("refuses same-size corruption by its SHA-256", async () => {
    const path = "radar/reflectivity/2019/06/10/img_0635.png";
    await minioClient().putObject(bucket, `data/${path}`, Buffer.from("second imagE"));

    const result = await restore(`data/${path}`);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `failed {5}data/${path}: .*have SHA-256 [0-9a-f]{64}, the catalog says [0-9a-f]{64}; nothing written`,
      ),
    );
    expect(snapshot(workspace.dataDir).size).toBe(0);
  });

  it("reports a different local file instead of overwriting it, and replaces it with --force", async () => {
    const path = "radar/velocity/2019/06/10/img_0630.png";
    writeTree(workspace.dataDir, { [path]: "edited locally" });

    const refused = await restore(`data/${path}`);

    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `conflict   data/${path}: ${join(workspace.dataDir, path)}: the local file is newer; --force overwrites it`,
    );
    expect(readFileSync(join(workspace.dataDir, path), "utf8")).toBe("edited locally");

    const forced = await restore(`data/${path}`, "--force");

    expect(forced.code).toBe(0);
    expectSameFiles(snapshot(workspace.dataDir), pick(originals, [path]));
  });

  it("counts a file already restored as done, and restores it again once deleted", async () => {
    const path = "tiles/base/3/1/2.png";
    expect((await restore(`data/${path}`)).code).toBe(0);

    const again = await restore(`data/${path}`);

    expect(again.code).toBe(0);
    expect(again.stdout).toContain("restored   0 files, 0 B (0 reads)");
    expect(again.stdout).toContain("unchanged  1 file already on disk");
  });

  it("--to restores under another folder with the same layout and leaves rows archived", async () => {
    const to = join(workspace.dir, "elsewhere");

    const result = await restore("data/radar/velocity", "--to", to);

    expect(result.code).toBe(0);
    expectSameFiles(snapshot(to), pick(originals, ["radar/velocity/2019/06/10/img_0630.png"]));
    expect(snapshot(workspace.dataDir).size).toBe(0);
    expect((await rowsOf(workspace)).every((row) => row.state === "archived")).toBe(true);
  });
});
