import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { catalogRows } from "../support/catalog-rows.js";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { createTestBucket, listObjects, minioClient } from "../support/s3.js";
import { startServeProcess } from "../support/serve-process.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0, 321));

/**
 * A bucket written by three policies: plain archived files, a packed day
 * of radar images, and tiles copied (kept on disk).
 */
async function populated(): Promise<{ workspace: Workspace; bucket: string }> {
  const bucket = await createTestBucket("rebuild");
  const workspace = makeWorkspace(bucket, "serve:\n  prefixes: { /data/: data }\n");
  writeTree(
    workspace.dataDir,
    {
      "archives/model-1.nc": Buffer.alloc(70_000, "nc"),
      "archives/model-2.nc": Buffer.alloc(0),
      "radar/velocity/2019/06/01/a.png": "velocity a",
    },
    OLD,
  );
  await archiveWorkspace(
    workspace,
    testPolicy({ name: "plain", include: ["archives/**", "radar/velocity/**"] }),
  );
  const day: Record<string, Buffer> = {};
  for (let i = 0; i < 25; i++) day[`radar/refl/2019/06/01/img_${i}.png`] = Buffer.alloc(700 + i, i);
  writeTree(workspace.dataDir, day, OLD);
  await archiveWorkspace(
    workspace,
    testPolicy({
      name: "packed",
      include: ["radar/refl/**"],
      pack: { group: "{dir}", smallerThan: 64 * 1024, maxSize: 1024 ** 3, maxFiles: 10_000 },
    }),
  );
  writeTree(workspace.dataDir, { "tiles/base/0/0/0.png": "t0", "tiles/base/1/0/1.png": "t1" }, OLD);
  await archiveWorkspace(
    workspace,
    testPolicy({ name: "kept", include: ["tiles/**"], action: "copy" }),
  );
  writePolicies(workspace);
  return { workspace, bucket };
}

/** The same three policies as YAML, as the server's policies folder would hold them. */
function writePolicies(workspace: Workspace): void {
  const common = "root: data\nage:\n  older_than: 1d\ntarget: archive\n";
  writeFileSync(
    join(workspace.policiesDir, "10-plain.yaml"),
    `name: plain\n${common}match:\n  include: [archives/**, radar/velocity/**]\naction: archive\n`,
  );
  writeFileSync(
    join(workspace.policiesDir, "20-packed.yaml"),
    `name: packed\n${common}match:\n  include: [radar/refl/**]\naction: archive\npack: { group: "{dir}", smaller_than: 64KiB }\n`,
  );
  writeFileSync(
    join(workspace.policiesDir, "30-kept.yaml"),
    `name: kept\n${common}match:\n  include: [tiles/**]\naction: copy\n`,
  );
}

function deleteCatalog(workspace: Workspace): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    rmSync(join(workspace.stateDir, `catalog.db${suffix}`), { force: true });
  }
}

interface Answers {
  ls: string;
  status: string;
  rows: number;
  /** What `givre serve` answers on /v1/files for each cataloged path and one unknown path. */
  lookups: Record<string, { status: number; body: unknown }>;
}

/** Asks a fresh `givre serve` about every path of the catalog, plus one it never held. */
async function lookupAnswers(workspace: Workspace): Promise<Answers["lookups"]> {
  const paths = (await catalogRows(workspace)).map((row) => row.path).sort();
  const serve = await startServeProcess(workspace.configFile);
  try {
    const lookups: Answers["lookups"] = {};
    for (const path of [...paths, "radar/refl/2019/06/02/never.png"]) {
      const response = await fetch(`${serve.url}/v1/files/data/${encodeURI(path)}`);
      lookups[path] = { status: response.status, body: await response.json() };
    }
    return lookups;
  } finally {
    await serve.stop();
  }
}

describe("givre catalog rebuild", () => {
  let workspace: Workspace;
  let bucket: string;
  let before: Answers;

  const givre = (...args: string[]) => runGivre(["--config", workspace.configFile, ...args]);

  async function answers(): Promise<Answers> {
    const ls = await givre("ls", "-R", "data");
    const status = await givre("status", "--runs", "0");
    expect(ls.code).toBe(0);
    expect(status.code).toBe(0);
    return {
      ls: ls.stdout,
      status: status.stdout,
      rows: (await catalogRows(workspace)).length,
      lookups: await lookupAnswers(workspace),
    };
  }

  beforeAll(async () => {
    ({ workspace, bucket } = await populated());
    const restored = await givre(
      "restore",
      "data/archives/model-1.nc",
      "data/radar/refl/2019/06/01/img_3.png",
    );
    expect(restored.code).toBe(0);
    before = await answers();
    expect(before.rows).toBe(30);
    expect(before.status).toContain("restored");
    expect(Object.values(before.lookups).map((answer) => answer.status)).toEqual([
      ...Array<number>(30).fill(200),
      404,
    ]);
  });

  it("refuses to fill a catalog that holds entries without --force", async () => {
    const result = await givre("catalog", "rebuild");

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`holds 30 entries; a rebuild fills an empty catalog`);
  });

  it("--dry-run reads the bucket and writes nothing", async () => {
    const result = await givre("catalog", "rebuild", "--dry-run", "--force");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "would catalog 30 files from manifests, 0 from objects no manifest names",
    );
    expect((await catalogRows(workspace)).length).toBe(30);
  });

  it("after the catalog is deleted, gives the same answers to ls, status and the lookup server", async () => {
    deleteCatalog(workspace);

    const result = await givre("catalog", "rebuild");

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "read 3 manifest segments, 30 lines (0 refused)",
        "cataloged 30 files from manifests, 0 from objects no manifest names",
        "catalog   archived 26, copied 2, restored 2",
        "",
      ].join("\n"),
    );
    expect(await answers()).toEqual(before);
  });

  it("with a manifest segment lost, catalogs its files from the objects' metadata", async () => {
    const segments = (await listObjects(bucket, "data/.givre/manifests/plain/")).map(
      (item) => item.name!,
    );
    expect(segments).toHaveLength(1);
    await minioClient().removeObject(bucket, segments[0]!);
    deleteCatalog(workspace);

    const result = await givre("catalog", "rebuild");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "cataloged 27 files from manifests, 3 from objects no manifest names",
    );
    expect(await answers()).toEqual(before);
  });

  it("a manifest line whose path would leave its root is refused and named", async () => {
    const line = {
      root: "data",
      path: "../../etc/cron.d/evil",
      size: 1,
      mtime: "2019-06-01T00:00:00.000Z",
      mode: "0644",
      sha256: "0".repeat(64),
      target: "archive",
      bucket,
      key: "data/x",
      etag: "0".repeat(32),
      storage_class: "STANDARD",
      policy: "plain",
      run: "forged",
      time: "2030-01-01T00:00:00.000Z",
    };
    const key = "data/.givre/manifests/plain/forged/000001.jsonl";
    await minioClient().putObject(bucket, key, Buffer.from(`${JSON.stringify(line)}\n`));

    const result = await givre("catalog", "rebuild", "--force");

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `refused   ${key} line 1: path "../../etc/cron.d/evil": it has a . or .. segment`,
    );
    expect(await answers()).toEqual(before);
  });
});
