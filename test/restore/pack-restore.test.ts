import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { archivedRow, catalogRows, insertRows } from "../support/catalog-rows.js";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { createTestBucket, minioClient } from "../support/s3.js";
import { buildTar, type PackMember } from "../support/tar-pack.js";

const PACK_KEY = "data/.packs/radar-hail-20190610.tar";
const FOLDER = "radar/hail/2019/06/10";

/** 48 images of one day (one empty), sizes from 0 to ~9 KiB, a few modes. */
function dayOfImages(): PackMember[] {
  return Array.from({ length: 48 }, (_, i) => ({
    name: `${FOLDER}/hail_${String(i).padStart(4, "0")}.png`,
    content: Buffer.alloc(i * 197, `image ${i};`),
    mtime: new Date(Date.UTC(2019, 5, 10, 0, i * 30, 7, 250)),
    mode: i % 5 === 0 ? 0o600 : 0o644,
  }));
}

describe("givre restore of pack members", () => {
  let bucket: string;
  let workspace: Workspace;
  let members: PackMember[];

  beforeEach(async () => {
    bucket = await createTestBucket("pack");
    workspace = makeWorkspace(bucket);
    members = dayOfImages();
    const pack = await buildTar(members);
    await minioClient().putObject(bucket, PACK_KEY, pack.tar);
    const etag = createHash("md5").update(pack.tar).digest("hex");
    await insertRows(
      workspace,
      pack.members.map((placed, i) =>
        archivedRow({
          path: placed.name,
          size: placed.length,
          mtimeMs: members[i]!.mtime.getTime(),
          mode: members[i]!.mode,
          sha256: placed.sha256,
          bucket,
          key: PACK_KEY,
          offset: placed.offset,
          length: placed.length,
          etag,
        }),
      ),
    );
    // The pack is a plain tar: GNU tar lists exactly these members.
    writeFileSync(join(workspace.dir, "pack.tar"), pack.tar);
    const listed = execFileSync("tar", ["-tf", join(workspace.dir, "pack.tar")]).toString();
    expect(listed.trim().split("\n")).toEqual(members.map((member) => member.name));
  });

  const restore = (...args: string[]) =>
    runGivre(["--config", workspace.configFile, "restore", "--json", ...args]);

  it("restores a whole pack group with one GET, each member byte for byte with mtime and mode", async () => {
    const result = await restore(`data/${FOLDER}`);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { counts: Record<string, number> };
    expect(report.counts).toMatchObject({ selected: 48, restored: 48, failed: 0, reads: 1 });
    const folder = join(workspace.dataDir, FOLDER);
    expect(readdirSync(folder)).toEqual(members.map((member) => member.name.split("/").pop()));
    for (const member of members) {
      const file = join(workspace.dataDir, member.name);
      expect(readFileSync(file).equals(member.content), member.name).toBe(true);
      const stats = statSync(file);
      expect(Math.abs(stats.mtimeMs - member.mtime.getTime())).toBeLessThan(0.001);
      expect(stats.mode & 0o7777).toBe(member.mode);
    }
    expect((await catalogRows(workspace)).every((row) => row.state === "restored")).toBe(true);
  });

  it("restores only the selected members, still with one GET of the span covering them", async () => {
    const result = await restore(`data/${FOLDER}/hail_001*.png`);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { counts: Record<string, number> };
    expect(report.counts).toMatchObject({ selected: 10, restored: 10, reads: 1 });
    const names = readdirSync(join(workspace.dataDir, FOLDER));
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `hail_001${i}.png`));
  });

  it("refuses a member whose bytes in the pack changed, and restores the others", async () => {
    const pack = await buildTar(
      members.map((m, i) => (i === 7 ? { ...m, content: Buffer.alloc(m.content.length, "x") } : m)),
    );
    await minioClient().putObject(bucket, PACK_KEY, pack.tar);

    const result = await restore(`data/${FOLDER}`);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      counts: Record<string, number>;
      failures: { path: string; reason: string }[];
    };
    expect(report.counts).toMatchObject({ restored: 47, failed: 1, reads: 1 });
    expect(report.failures).toEqual([
      {
        path: `data/${FOLDER}/hail_0007.png`,
        reason: expect.stringMatching(
          /have SHA-256 [0-9a-f]{64}, the catalog says [0-9a-f]{64}; nothing written$/,
        ),
      },
    ]);
    expect(readdirSync(join(workspace.dataDir, FOLDER))).not.toContain("hail_0007.png");
  });
});

describe("givre restore of a pack written by givre's own run", () => {
  it("restores a day of images packed by the run with one GET of the pack", async () => {
    const workspace = makeWorkspace(await createTestBucket("runpack"));
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 60; i++) {
      files[`radar/refl/2019/06/11/img_${String(i).padStart(4, "0")}.png`] = Buffer.alloc(
        1500 + i * 13,
        `px${i}`,
      );
    }
    const mtime = new Date(Date.UTC(2019, 5, 11, 1, 2, 3, 456));
    writeTree(workspace.dataDir, files, mtime);
    const policy = testPolicy({
      pack: { group: "{dir}", smallerThan: 64 * 1024, maxSize: 1024 ** 3, maxFiles: 10_000 },
    });
    await archiveWorkspace(workspace, policy);
    const rows = await catalogRows(workspace);
    expect(new Set(rows.map((row) => row.key)).size).toBe(1);
    expect(rows.every((row) => row.offset !== null && row.state === "archived")).toBe(true);

    const result = await runGivre([
      "--config",
      workspace.configFile,
      "restore",
      "--json",
      "data/radar",
    ]);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { counts: Record<string, number> };
    expect(report.counts).toMatchObject({ selected: 60, restored: 60, failed: 0, reads: 1 });
    for (const [path, content] of Object.entries(files)) {
      const file = join(workspace.dataDir, path);
      expect(readFileSync(file).equals(content), path).toBe(true);
      expect(Math.abs(statSync(file).mtimeMs - mtime.getTime())).toBeLessThan(0.001);
    }
  });
});
