import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { catalogRows } from "../support/catalog-rows.js";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { createTestBucket, minioClient } from "../support/s3.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));
const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Plain files, a day of small images packed together, and one multipart file. */
async function archivedWorkspace(): Promise<{ workspace: Workspace; bucket: string }> {
  const bucket = await createTestBucket("verify");
  const workspace = makeWorkspace(
    bucket,
    "",
    "    multipart_threshold: 5MiB\n    part_size: 5MiB\n",
  );
  const plain: Record<string, Buffer> = {
    "archives/model-1.nc": Buffer.alloc(6 * MiB + 123, "grib"),
    "radar/velocity/a.png": Buffer.alloc(20_000, "v"),
    "radar/velocity/b.png": Buffer.alloc(30_000, "w"),
    "radar/velocity/c.png": Buffer.from("c"),
  };
  writeTree(workspace.dataDir, plain, OLD);
  await archiveWorkspace(workspace, testPolicy({ include: ["archives/**", "radar/velocity/**"] }));
  const day: Record<string, Buffer> = {};
  for (let i = 0; i < 20; i++) day[`radar/refl/2019/06/01/img_${i}.png`] = Buffer.alloc(900 + i, i);
  writeTree(workspace.dataDir, day, OLD);
  const packed = testPolicy({
    name: "packed",
    include: ["radar/refl/**"],
    pack: { group: "{dir}", smallerThan: 64 * 1024, maxSize: 1024 ** 3, maxFiles: 10_000 },
  });
  await archiveWorkspace(workspace, packed);
  return { workspace, bucket };
}

describe("givre verify", () => {
  let workspace: Workspace;
  let bucket: string;

  const verify = (...args: string[]) =>
    runGivre(["--config", workspace.configFile, "verify", ...args]);

  beforeAll(async () => {
    ({ workspace, bucket } = await archivedWorkspace());
  });

  it("says all good, checking each pack once and the multipart object's tag", async () => {
    const rows = await catalogRows(workspace);
    expect(rows).toHaveLength(24);

    const result = await verify();

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "checked 24 files in 5 objects (0 listings, 5 HEADs, 1 tag reads, 0 GETs): all good\n",
    );
  });

  it("--deep re-hashes every file and every pack member's range", async () => {
    const result = await verify("--deep");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "checked 24 files in 5 objects (0 listings, 5 HEADs, 1 tag reads, 5 GETs): all good\n",
    );
  });

  it("--deep finds a pack member whose bytes no longer match its SHA-256", async () => {
    const catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
    const member = (await catalog.get("data", "radar/refl/2019/06/01/img_3.png"))!;
    await catalog.updateMany([
      { root: "data", path: member.path, state: member.state, fields: { sha256: "0".repeat(64) } },
    ]);
    await catalog.close();
    try {
      expect((await verify()).code).toBe(0);

      const deep = await verify("--deep");

      expect(deep.code).toBe(1);
      expect(deep.stdout.split("\n")[0]).toBe(
        `corrupt    data/${member.path} (object ${member.key}): SHA-256 of the bytes is ${member.sha256}, catalog ${"0".repeat(64)}`,
      );
    } finally {
      const restore = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
      await restore.updateMany([
        { root: "data", path: member.path, state: member.state, fields: { sha256: member.sha256 } },
      ]);
      await restore.close();
    }
  });

  it("--sample checks that many files", async () => {
    const result = await verify("--sample", "3", "--json");

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ entries: 3, problems: [] });
  });

  it("finds a deleted object and a truncated one, naming each, and exits 1", async () => {
    await minioClient().removeObject(bucket, "data/radar/velocity/a.png");
    await minioClient().putObject(bucket, "data/radar/velocity/b.png", Buffer.alloc(15_000, "w"));

    const result = await verify();

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toEqual([
      "missing    data/radar/velocity/a.png (object data/radar/velocity/a.png): not in bucket " +
        bucket,
      "mismatch   data/radar/velocity/b.png (object data/radar/velocity/b.png): size: catalog 30000 bytes, bucket 15000",
      expect.stringMatching(
        /^mismatch {3}data\/radar\/velocity\/b\.png \(object data\/radar\/velocity\/b\.png\): ETag: catalog [0-9a-f]{32}, bucket [0-9a-f]{32}$/,
      ),
      `mismatch   data/radar/velocity/b.png (object data/radar/velocity/b.png): metadata: givre-sha256 is absent, catalog ${sha256(Buffer.alloc(30_000, "w"))}`,
      "checked 24 files in 5 objects (0 listings, 5 HEADs, 1 tag reads, 0 GETs): 4 problems",
    ]);

    const quick = await verify("--quick");

    expect(quick.code).toBe(1);
    expect(quick.stdout.trim().split("\n").slice(0, 3)).toEqual(lines.slice(0, 3));
    expect(quick.stdout).toContain("(3 listings, 1 HEADs, 0 tag reads, 0 GETs): 3 problems");
  });
});
