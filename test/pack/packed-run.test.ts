import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { testPolicy } from "../support/candidates.js";
import { writeTree } from "../support/givre-process.js";
import { runHarness, type RunHarness } from "../support/run-harness.js";
import { createTestBucket, listObjects, minioClient, readObject } from "../support/s3.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const packed = (overrides = {}) =>
  testPolicy({
    pack: {
      group: "{dir}",
      smallerThan: 64 * 1024,
      maxSize: 1024 ** 3,
      maxFiles: 10_000,
      ...overrides,
    },
  });

function radarDay(day: string, count: number, size = 3000): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    files[`radar/refl/2019/06/${day}/img_${String(i).padStart(4, "0")}.png`] = Buffer.alloc(
      size + i,
      i % 251,
    );
  }
  return files;
}

async function rows(harness: RunHarness): Promise<CatalogEntry[]> {
  const all: CatalogEntry[] = [];
  for await (const row of harness.catalog.select({})) all.push(row);
  return all;
}

async function readRange(
  bucket: string,
  key: string,
  offset: number,
  length: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await minioClient().getPartialObject(bucket, key, offset, length)) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

describe("a packed run", () => {
  let bucket: string;
  let harness: RunHarness;

  beforeEach(async () => {
    bucket = await createTestBucket("pack");
    harness = runHarness(bucket);
  });
  afterEach(() => harness.close());

  it("stores small files of a folder as one tar that GNU tar extracts to the original bytes", async () => {
    const files = {
      ...radarDay("01", 40),
      ...radarDay("02", 30),
      "archives/big.nc": Buffer.alloc(100 * 1024, 9),
    };
    writeTree(harness.dataDir, files, OLD);

    const summary = await harness.run(packed());

    expect(summary.counts).toMatchObject({ stored: 71, packs: 2, archived: 71, failed: 0 });
    const objects = (await listObjects(bucket, "data/"))
      .map((item) => item.name!)
      .filter((key) => !key.includes(".givre/"));
    const packs = objects.filter((key) => key.endsWith(".tar")).sort();
    expect(packs).toEqual([
      `data/radar/refl/2019/06/01/${summary.runId}-000001.tar`,
      `data/radar/refl/2019/06/02/${summary.runId}-000002.tar`,
    ]);
    expect(objects.filter((key) => !key.endsWith(".tar"))).toEqual(["data/archives/big.nc"]);
    const dir = mkdtempSync(join(tmpdir(), "givre-untar-"));
    for (const key of packs) {
      writeFileSync(join(dir, "pack.tar"), await readObject(bucket, key));
      execFileSync("tar", ["-xf", "pack.tar", "--no-same-owner"], { cwd: dir });
    }
    for (const [path, content] of Object.entries(files)) {
      if (path.startsWith("radar/")) {
        expect(readFileSync(join(dir, path)).equals(content)).toBe(true);
      }
      expect(existsSync(join(harness.dataDir, path))).toBe(false);
    }
  });

  it("records each member's offset and length: one ranged GET returns exactly the member", async () => {
    const files = radarDay("03", 25);
    writeTree(harness.dataDir, files, OLD);

    await harness.run(packed());

    const members = await rows(harness);
    expect(members).toHaveLength(25);
    for (const member of members) {
      const original = files[member.path]!;
      expect(member).toMatchObject({
        state: "archived",
        length: original.length,
        size: original.length,
        sha256: sha256(original),
      });
      expect(
        (await readRange(bucket, member.key, member.offset!, member.length!)).equals(original),
      ).toBe(true);
    }
    const packKey = members[0]!.key;
    expect(await harness.catalog.count({ key: packKey })).toBe(25);
    const stat = await minioClient().statObject(bucket, packKey);
    expect(stat.etag).toBe(members[0]!.etag);
  });

  it("writes manifest lines with the pack key, offset and length", async () => {
    const files = radarDay("04", 3);
    writeTree(harness.dataDir, files, OLD);

    const summary = await harness.run(packed());

    const [segment] = (await listObjects(bucket, "data/.givre/manifests/")).map(
      (item) => item.name!,
    );
    const lines = (await readObject(bucket, segment!))
      .toString()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const catalog = new Map((await rows(harness)).map((row) => [row.path, row]));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const row = catalog.get(String(line.path))!;
      expect(line).toMatchObject({
        key: `data/radar/refl/2019/06/04/${summary.runId}-000001.tar`,
        offset: row.offset,
        length: row.length,
        etag: row.etag,
      });
    }
  });

  it("closes a pack at max_files and sends files over smaller_than alone", async () => {
    const files = {
      ...radarDay("05", 5),
      "radar/refl/2019/06/05/big.png": Buffer.alloc(70 * 1024, 1),
    };
    writeTree(harness.dataDir, files, OLD);

    const summary = await harness.run(packed({ maxFiles: 2 }));

    expect(summary.counts).toMatchObject({ stored: 6, packs: 3, archived: 6 });
    const keys = (await rows(harness)).map((row) => row.key);
    expect(new Set(keys.filter((key) => key.endsWith(".tar"))).size).toBe(3);
    expect(keys).toContain("data/radar/refl/2019/06/05/big.png");
  });

  it("leaves every member on disk and no pack behind when the run is stopped mid-pack, and a rerun completes it", async () => {
    const files = radarDay("06", 60, 20_000);
    writeTree(harness.dataDir, files, OLD);
    const stop = new AbortController();
    // 200 KiB/s: the pack is still streaming when the run is stopped.
    const slow = packed();
    slow.limits = { bandwidth: 200 * 1024 };
    const running = harness.run(slow, { signal: stop.signal });
    setTimeout(() => stop.abort(), 1500);

    const stopped = await running;

    expect(stopped.outcome).toBe("interrupted");
    expect(stopped.counts.archived).toBe(0);
    for (const path of Object.keys(files)) {
      expect(existsSync(join(harness.dataDir, path))).toBe(true);
    }
    expect((await listObjects(bucket, "data/radar/")).length).toBe(0);
    expect(await rows(harness)).toEqual([]);

    const rerun = await harness.run(packed());

    expect(rerun.counts).toMatchObject({ stored: 60, packs: 1, archived: 60, failed: 0 });
  });
});
