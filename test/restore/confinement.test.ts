import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { archivedRow, insertRows } from "../support/catalog-rows.js";
import { makeWorkspace, runGivre, type Workspace } from "../support/givre-process.js";
import { createTestBucket, minioClient } from "../support/s3.js";
import { buildTar } from "../support/tar-pack.js";

const BYTES = Buffer.from("hostile payload");
const SHA = createHash("sha256").update(BYTES).digest("hex");

/** Catalog paths a forged manifest (or a tampered catalog) could carry. */
const HOSTILE: [string, string][] = [
  ["../escape.txt", "it has a . or .. segment"],
  ["a/../../escape2.txt", "it has a . or .. segment"],
  ["/tmp/givre-absolute.txt", "it is absolute"],
  ["nul\0byte.txt", "it contains a NUL byte"],
  ["./dot.txt", "it has a . or .. segment"],
  ["a//b.txt", "it has an empty segment"],
];

describe("givre restore --to confinement", () => {
  let bucket: string;
  let workspace: Workspace;
  let to: string;

  beforeEach(async () => {
    bucket = await createTestBucket("confine");
    workspace = makeWorkspace(bucket);
    to = join(workspace.dir, "out", "target");
    mkdirSync(to, { recursive: true });
    await minioClient().putObject(bucket, "data/payload", BYTES);
  });

  const restore = (...args: string[]) =>
    runGivre(["--config", workspace.configFile, "restore", "--json", ...args]);

  it("refuses every hostile catalog path, naming it, and writes nothing outside the folder", async () => {
    const plain = HOSTILE.map(([path]) =>
      archivedRow({ path, size: BYTES.length, sha256: SHA, bucket, key: "data/payload" }),
    );
    const pack = await buildTar([
      { name: "innocent.txt", content: BYTES, mtime: new Date(0), mode: 0o644 },
    ]);
    await minioClient().putObject(bucket, "data/pack.tar", pack.tar);
    const member = archivedRow({
      path: "../../pack-escape.txt",
      size: BYTES.length,
      sha256: SHA,
      bucket,
      key: "data/pack.tar",
      offset: pack.members[0]!.offset,
      length: BYTES.length,
    });
    await insertRows(workspace, [...plain, member]);

    const result = await restore("data", "--to", to);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { failures: { path: string; reason: string }[] };
    const expected = [...HOSTILE, ["../../pack-escape.txt", "it has a . or .. segment"]].map(
      ([path, reason]) => ({
        path: `data/${path}`,
        reason: `refused to restore ${JSON.stringify(path)}: ${reason}`,
      }),
    );
    expect(report.failures.sort(byPath)).toEqual(expected.sort(byPath));
    expect(readdirSync(join(workspace.dir, "out"))).toEqual(["target"]);
    expect(readdirSync(to)).toEqual([]);
    expect(existsSync("/tmp/givre-absolute.txt")).toBe(false);
    expect(existsSync(join(workspace.dir, "escape.txt"))).toBe(false);
  });

  it("refuses a file whose folder is a symbolic link leading out of the target folder", async () => {
    const outside = join(workspace.dir, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(to, "radar"));
    await insertRows(workspace, [
      archivedRow({
        path: "radar/x.png",
        size: BYTES.length,
        sha256: SHA,
        bucket,
        key: "data/payload",
      }),
    ]);

    const result = await restore("data/radar", "--to", to);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { failures: { path: string; reason: string }[] };
    expect(report.failures).toEqual([
      {
        path: "data/radar/x.png",
        reason: `refused to restore "radar/x.png": its folder leads to ${outside}, outside ${to}`,
      },
    ]);
    expect(readdirSync(outside)).toEqual([]);
  });
});

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
