import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { testPolicy } from "../support/candidates.js";
import { writeTree } from "../support/givre-process.js";
import { runHarness, type RunHarness } from "../support/run-harness.js";
import { createTestBucket, listObjects, minioClient, readObject } from "../support/s3.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));
const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Buffer | string) => createHash("md5").update(bytes).digest("hex");

async function rows(harness: RunHarness): Promise<CatalogEntry[]> {
  const all: CatalogEntry[] = [];
  for await (const row of harness.catalog.select({})) all.push(row);
  return all;
}

async function manifestLines(bucket: string): Promise<Record<string, unknown>[]> {
  const segments = (await listObjects(bucket, "data/.givre/manifests/")).map((item) => item.name!);
  const lines: Record<string, unknown>[] = [];
  for (const key of segments.sort()) {
    const text = (await readObject(bucket, key)).toString();
    for (const line of text.trim().split("\n")) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  // Lines follow the order uploads were proven in, which is no contract.
  return lines.sort(byPath);
}

function byPath(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.path).localeCompare(String(b.path));
}

describe("the tiering run", () => {
  let bucket: string;
  let harness: RunHarness;

  beforeEach(async () => {
    bucket = await createTestBucket("run");
    harness = runHarness(bucket);
  });
  afterEach(() => harness.close());

  it("archives files: proven objects, manifest lines, local copies removed, rows archived", async () => {
    const files = {
      "radar/a.png": "first image",
      "radar/b.png": "second image",
      "tiles/0/0/0.png": "tile",
    };
    writeTree(harness.dataDir, files, OLD);

    const summary = await harness.run(testPolicy());

    expect(summary.outcome).toBe("ok");
    expect(summary.counts).toMatchObject({
      candidates: 3,
      stored: 3,
      archived: 3,
      copied: 0,
      failed: 0,
      bytes: 27,
    });
    for (const [path, content] of Object.entries(files)) {
      expect(existsSync(join(harness.dataDir, path))).toBe(false);
      expect((await readObject(bucket, `data/${path}`)).toString()).toBe(content);
      const stat = await minioClient().statObject(bucket, `data/${path}`);
      expect(stat.etag).toBe(md5(content));
      expect(stat.metaData).toMatchObject({
        "givre-sha256": sha256(content),
        "givre-mtime": String(OLD.getTime()),
      });
      expect(stat.metaData["content-type"]).toBe("image/png");
    }
    const catalogRows = await rows(harness);
    expect(catalogRows.map((row) => [row.path, row.state, row.sha256, row.etag])).toEqual(
      Object.entries(files).map(([path, content]) => [
        path,
        "archived",
        sha256(content),
        md5(content),
      ]),
    );
    expect(new Set(catalogRows.map((row) => row.manifestKey))).toEqual(
      new Set([`data/.givre/manifests/everything/${summary.runId}/000001.jsonl`]),
    );
    const lines = await manifestLines(bucket);
    expect(lines).toEqual(
      Object.entries(files).map(([path, content]) => ({
        root: "data",
        path,
        size: content.length,
        mtime: OLD.toISOString(),
        mode: "0644",
        sha256: sha256(content),
        target: "archive",
        bucket,
        key: `data/${path}`,
        etag: md5(content),
        storage_class: "STANDARD",
        policy: "everything",
        run: summary.runId,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      })),
    );
    const local = join(
      harness.config.stateDir,
      "manifests/everything",
      summary.runId,
      "000001.jsonl",
    );
    expect(
      readFileSync(local, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .sort(byPath),
    ).toEqual(lines);
    expect((await harness.catalog.runs(1))[0]).toMatchObject({
      id: summary.runId,
      outcome: "ok",
      files: 3,
      bytes: 27,
      failures: 0,
    });
  });

  it("keeps local copies with action copy, and leaves them alone on the next run", async () => {
    writeTree(harness.dataDir, { "archives/model.nc": "netcdf bytes" }, OLD);
    const policy = testPolicy({ action: "copy", storageClass: "STANDARD_IA" });

    const first = await harness.run(policy);
    const second = await harness.run(policy);

    expect(first.counts).toMatchObject({ stored: 1, copied: 1, archived: 0 });
    expect(second.counts).toMatchObject({ candidates: 1, alreadyStored: 1, stored: 0 });
    expect(readFileSync(join(harness.dataDir, "archives/model.nc"), "utf8")).toBe("netcdf bytes");
    expect((await rows(harness)).map((row) => [row.state, row.storageClass])).toEqual([
      ["copied", "STANDARD_IA"],
    ]);
    expect(
      (await minioClient().statObject(bucket, "data/archives/model.nc")).metaData[
        "x-amz-storage-class"
      ],
    ).toBe("STANDARD_IA");
  });

  it("round-trips names with spaces, quotes, UTF-8 and very deep paths, and empty files", async () => {
    const deep = `${Array.from({ length: 40 }, (_, i) => `level-${i}`).join("/")}/deep file.txt`;
    const files: Record<string, string> = {
      "odd names/with space 'single' \"double\".png": "quotes",
      "odd names/météo ☔ 雨 🌧.png": "utf-8",
      "odd names/percent %20 plus+ hash# question?.txt": "reserved",
      [deep]: "deep",
      "empty/nothing.dat": "",
    };
    writeTree(harness.dataDir, files, OLD);

    const summary = await harness.run(testPolicy());

    expect(summary.counts).toMatchObject({ stored: 5, archived: 5, failed: 0 });
    for (const [path, content] of Object.entries(files)) {
      expect((await readObject(bucket, `data/${path}`)).toString()).toBe(content);
      expect(existsSync(join(harness.dataDir, path))).toBe(false);
    }
    expect((await harness.catalog.get("data", "empty/nothing.dat"))?.sha256).toBe(sha256(""));
    expect((await manifestLines(bucket)).map((line) => line.path).sort()).toEqual(
      Object.keys(files).sort(),
    );
  });

  it("grows the part size so a file fits in max_parts", async () => {
    const small = runHarness(
      bucket,
      "    max_parts: 3\n    part_size: 5MiB\n    multipart_threshold: 5MiB\n",
    );
    const content = randomBytes(21 * 1024 * 1024);
    writeTree(small.dataDir, { "archives/big.grib2": content }, OLD);

    const summary = await small.run(testPolicy({ prefix: "small/" }));

    expect(summary.counts).toMatchObject({ stored: 1, archived: 1, failed: 0 });
    const stat = await minioClient().statObject(bucket, "small/archives/big.grib2");
    // 21 MiB in at most 3 parts: 7 MiB parts, exactly 3 of them.
    const partMd5s = [0, 1, 2].map((i) =>
      createHash("md5")
        .update(content.subarray((i * 7) << 20, ((i + 1) * 7) << 20))
        .digest(),
    );
    expect(stat.etag).toBe(`${createHash("md5").update(Buffer.concat(partMd5s)).digest("hex")}-3`);
    expect(stat.size).toBe(content.length);
    expect((await readObject(bucket, "small/archives/big.grib2")).equals(content)).toBe(true);
    const tags = await minioClient().getObjectTagging(bucket, "small/archives/big.grib2");
    expect(tags).toEqual([{ Key: "givre-sha256", Value: sha256(content) }]);
    expect((await small.catalog.get("data", "archives/big.grib2"))?.etag).toBe(stat.etag);
    await small.close();
  });

  it("keeps a file appended to during its upload, and takes it on a later run", async () => {
    writeTree(harness.dataDir, { "radar/growing.png": Buffer.alloc(256 * 1024, 1) }, OLD);
    const file = join(harness.dataDir, "radar/growing.png");
    // 64 KiB/s: the single PUT waits ~3 s for bandwidth, long enough to append in between.
    const slow = testPolicy({ limits: { bandwidth: 64 * 1024 } });
    const running = harness.run(slow);
    await new Promise((resolve) => setTimeout(resolve, 500));
    appendFileSync(file, "more data");
    utimesSync(file, OLD, new Date(OLD.getTime() + 1000));

    const first = await running;

    expect(first.counts).toMatchObject({ stored: 1, changed: 1, archived: 0, failed: 0 });
    expect(statSync(file).size).toBe(256 * 1024 + 9);
    expect((await harness.catalog.get("data", "radar/growing.png"))?.state).toBe("stored");

    const second = await harness.run(testPolicy());

    expect(second.counts).toMatchObject({ stored: 1, archived: 1, changed: 0 });
    expect(existsSync(file)).toBe(false);
    const object = await readObject(bucket, "data/radar/growing.png");
    expect(object.length).toBe(256 * 1024 + 9);
    expect(object.subarray(-9).toString()).toBe("more data");
    expect(await harness.catalog.get("data", "radar/growing.png")).toMatchObject({
      state: "archived",
      size: 256 * 1024 + 9,
    });
  });

  it("writes a manifest segment every flush_files lines", async () => {
    const flushing = runHarness(bucket, "", "manifests:\n  flush_files: 3\n");
    writeTree(
      flushing.dataDir,
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f/${i}.txt`, `file ${i}`])),
      OLD,
    );

    const summary = await flushing.run(testPolicy({ prefix: "flush/" }));

    const segments = (await listObjects(bucket, "flush/.givre/manifests/")).map(
      (item) => item.name,
    );
    expect(segments).toHaveLength(4);
    const local = readdirSync(
      join(flushing.config.stateDir, "manifests/everything", summary.runId),
    ).sort();
    expect(local).toEqual(["000001.jsonl", "000002.jsonl", "000003.jsonl", "000004.jsonl"]);
    expect(summary.counts.archived).toBe(10);
    await flushing.close();
  });

  it("changes nothing on a dry run", async () => {
    writeTree(harness.dataDir, { "a.txt": "a", "b.txt": "bb" }, OLD);

    const summary = await harness.run(testPolicy(), { dryRun: true });

    expect(summary.counts).toMatchObject({ candidates: 2, stored: 2, bytes: 3, archived: 0 });
    expect(summary.dryRun).toBe(true);
    expect(existsSync(join(harness.dataDir, "a.txt"))).toBe(true);
    expect(await listObjects(bucket)).toEqual([]);
    expect(await rows(harness)).toEqual([]);
    expect(await harness.catalog.runs(10)).toEqual([]);
  });

  it("defers files beyond a policy's limits and stops at the run's", async () => {
    writeTree(
      harness.dataDir,
      { "1.txt": "1", "2.txt": "22", "3.txt": "333", "4.txt": "4444" },
      OLD,
    );

    const limited = await harness.run(testPolicy({ limits: { files: 2 } }), { dryRun: true });
    const byBytes = await harness.run(testPolicy(), { dryRun: true, maxBytes: 4 });
    const byFiles = await harness.run(testPolicy(), { dryRun: true, maxFiles: 1 });

    expect(limited.counts).toMatchObject({ candidates: 4, stored: 2, deferred: 2 });
    expect(byBytes.counts).toMatchObject({ stored: 2, deferred: 2 });
    expect(byFiles.counts).toMatchObject({ stored: 1 });
  });
});
