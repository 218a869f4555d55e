import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import {
  cleanEnv,
  GIVRE_BIN,
  makeWorkspace,
  runGivre,
  writeTree,
  type Workspace,
} from "../support/givre-process.js";
import { createTestBucket, listObjects, minioClient, readObject, s3Env } from "../support/s3.js";

const ROUNDS = 20;
const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));
const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

// Small files go in packs; the rest alone; two go multipart. Slow enough
// (bandwidth) that every round is killed somewhere in the middle.
const POLICIES = {
  "10-radar.yaml": `name: radar
root: data
match: { include: ["radar/**"] }
age: { older_than: 30d }
action: archive
target: archive
prefix: site/
pack: { group: "{dir}", smaller_than: 16KiB, max_files: 9 }
limits: { bandwidth: 400KiB/s }
`,
  "20-rest.yaml": `name: rest
root: data
match: { include: ["**"] }
age: { older_than: 30d }
action: archive
target: archive
prefix: site/
limits: { bandwidth: 1MiB/s }
`,
};
const TARGET = "    multipart_threshold: 5MiB\n    part_size: 5MiB\n    concurrency: 4\n";
const MANIFESTS = "manifests:\n  flush_files: 5\n  flush_interval: 300ms\n";

/** A seeded generator, so a failing round can be replayed: the seed is in the test name. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function makeTree(workspace: Workspace): Map<string, string> {
  const files: Record<string, Buffer> = {};
  for (let day = 1; day <= 3; day++) {
    for (let i = 0; i < 20; i++) {
      files[`radar/2019/06/0${day}/img_${i}.png`] = Buffer.alloc(2000 + i * 300, day * 31 + i);
    }
  }
  for (let i = 0; i < 25; i++) files[`tiles/${i % 5}/${i}.png`] = Buffer.alloc(40_000 + i, i);
  files["archives/run-a.nc"] = Buffer.alloc(6 * MiB + 123, 7);
  files["archives/run-b.nc"] = Buffer.alloc(11 * MiB, 8);
  files["odd/météo ☔.png"] = Buffer.from("utf-8 name");
  files["odd/empty.dat"] = Buffer.alloc(0);
  writeTree(workspace.dataDir, files, OLD);
  return new Map(Object.entries(files).map(([path, bytes]) => [path, sha256(bytes)]));
}

async function manifestLines(bucket: string): Promise<Map<string, Record<string, unknown>>> {
  const lines = new Map<string, Record<string, unknown>>();
  for (const item of await listObjects(bucket, "site/.givre/manifests/")) {
    for (const text of (await readObject(bucket, item.name!)).toString().trim().split("\n")) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.set(String(line.path), line);
    }
  }
  return lines;
}

async function bytesInBucket(bucket: string, line: Record<string, unknown>): Promise<Buffer> {
  if (line.offset === undefined) return readObject(bucket, String(line.key));
  const chunks: Buffer[] = [];
  const stream = await minioClient().getPartialObject(
    bucket,
    String(line.key),
    Number(line.offset),
    Number(line.length),
  );
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function catalogRows(workspace: Workspace): Promise<Map<string, CatalogEntry>> {
  const file = join(workspace.stateDir, "catalog.db");
  if (!existsSync(file)) return new Map();
  const catalog = new SqliteCatalog(file, { readonly: true });
  const rows = new Map<string, CatalogEntry>();
  for await (const row of catalog.select({})) rows.set(row.path, row);
  await catalog.close();
  return rows;
}

/**
 * The invariant, checked after every kill: each original file is either on
 * disk unchanged, or its manifest line is in the bucket and the bucket's
 * bytes hash to the original. A row says archived only for a file gone
 * from disk, and never for a file whose bytes the bucket does not hold.
 */
async function checkNothingLost(
  workspace: Workspace,
  bucket: string,
  originals: Map<string, string>,
): Promise<number> {
  const lines = await manifestLines(bucket);
  const rows = await catalogRows(workspace);
  let gone = 0;
  for (const [path, digest] of originals) {
    const local = join(workspace.dataDir, path);
    if (existsSync(local)) {
      expect(sha256(readFileSync(local)), `${path} on disk`).toBe(digest);
      expect(rows.get(path)?.state, `${path} is on disk`).not.toBe("archived");
      continue;
    }
    gone++;
    const line = lines.get(path);
    expect(line, `${path} is gone from disk but has no manifest line in the bucket`).toBeDefined();
    expect(line!.sha256).toBe(digest);
    expect(sha256(await bytesInBucket(bucket, line!)), `${path} bytes in the bucket`).toBe(digest);
  }
  return gone;
}

function killAfter(workspace: Workspace, ms: number): Promise<void> {
  const child = spawn(process.execPath, [GIVRE_BIN, "--config", workspace.configFile, "run"], {
    env: { ...cleanEnv(), ...s3Env() },
    stdio: "ignore",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  return new Promise((resolve) =>
    child.on("close", () => {
      clearTimeout(timer);
      resolve();
    }),
  );
}

const SEED = Number(process.env.GIVRE_CRASH_SEED ?? 20261203);

describe("a run killed with -9 at random moments", () => {
  it(`never loses a byte over ${ROUNDS} rounds, and the next run finishes (seed ${SEED})`, async () => {
    const bucket = await createTestBucket("crash");
    const workspace = makeWorkspace(bucket, MANIFESTS, TARGET);
    for (const [name, text] of Object.entries(POLICIES)) {
      writeFileSync(join(workspace.policiesDir, name), text);
    }
    const originals = makeTree(workspace);
    const next = random(SEED);
    const progress: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      await killAfter(workspace, 150 + Math.floor(next() * 2500));
      progress.push(await checkNothingLost(workspace, bucket, originals));
    }
    const final = await runGivre(["--config", workspace.configFile, "run"]);

    expect(final.stderr.split("\n").filter((line) => line.includes('"level":50'))).toEqual([]);
    expect(final.code, final.stderr + final.stdout).toBe(0);
    expect(await checkNothingLost(workspace, bucket, originals)).toBe(originals.size);
    const rows = await catalogRows(workspace);
    expect([...rows.keys()].sort()).toEqual([...originals.keys()].sort());
    expect(new Set([...rows.values()].map((row) => row.state))).toEqual(new Set(["archived"]));
    for (const row of rows.values()) expect(row.sha256).toBe(originals.get(row.path));
    // Rounds made progress, and no round went backwards.
    expect(progress.some((gone) => gone > 0)).toBe(true);
    progress.forEach((gone, i) => expect(gone).toBeGreaterThanOrEqual(progress[i - 1] ?? 0));
    // No unfinished multipart upload is left behind.
    const uploads = [];
    for await (const upload of minioClient().listIncompleteUploads(bucket, "", true)) {
      uploads.push(upload);
    }
    expect(uploads).toEqual([]);
  }, 600_000);
});
