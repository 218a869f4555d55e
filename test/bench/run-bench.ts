/**
 * `givre run` against `rclone copy --transfers 32` into the same local
 * gateway, in the same bench run, on the same files (each gets its own
 * hard-linked copy of the tree, since givre frees what it archives).
 *
 *   run:      radar days, map tiles and a few archives of 64 MiB+, one
 *             object per file. Target: givre's wall time <= rclone's,
 *             while givre proves every upload and writes manifests.
 *   run-pack: the radar days with `pack: {group: "{dir}"}`. Targets: 3x
 *             rclone's speed, and 100x fewer objects.
 *
 * The million-file tree of the plan part would take an hour to upload at
 * rclone's pace; these parts make a smaller tree of the same shape
 * (GIVRE_BENCH_RUN_FILES, default 12,000 files).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { CephGateway } from "../services/ceph-gateway.js";
import { listObjects } from "../support/s3.js";
import { benchGateway, givreEnv, makeBucket, rclone } from "./bench-gateway.js";
import type { BenchContext, BenchPart } from "./bench-part.js";
import { makeRunTree, type RunTree } from "./run-tree.js";

const DEFAULT_FILES = 12_000;
const MiB = 1024 * 1024;

export interface ArchivedTree {
  /** The config of the givre run that archived the tree; the restore part reads its catalog. */
  configFile: string;
  bucket: string;
  tree: RunTree;
}

/** What the run part leaves for the restore part. */
export let archivedByRun: ArchivedTree | undefined;

export const runBench: BenchPart = {
  name: "run",
  async run(context) {
    const gateway = await benchGateway();
    const tree = makeRunTree(
      join(context.dir, "run-tree"),
      Number(process.env.GIVRE_BENCH_RUN_FILES ?? DEFAULT_FILES),
    );
    context.print(
      `tree: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB (radar, tiles, ${tree.archives} archives of 64 MiB+)`,
    );
    const rcloneMs = timeRclone(
      context,
      gateway,
      tree.root,
      await makeBucket(gateway, "bench-rclone"),
    );
    const bucket = await makeBucket(gateway, "bench-givre");
    const configFile = givreWorkspace(context, gateway, "run", tree.root, bucket, undefined);
    const givreMs = timeGivre(configFile, gateway);
    archivedByRun = { configFile, bucket, tree };
    report(context, "rclone copy --transfers 32", tree, rcloneMs);
    report(context, "givre run (proof + manifests)", tree, givreMs);
    const ratio = rcloneMs / givreMs;
    context.print(`givre / rclone throughput: ${ratio.toFixed(2)}x (target >= 1)`);
    return ratio >= 1;
  },
};

export const packBench: BenchPart = {
  name: "run-pack",
  async run(context) {
    const gateway = await benchGateway();
    const tree = makeRunTree(
      join(context.dir, "pack-tree"),
      Number(process.env.GIVRE_BENCH_RUN_FILES ?? DEFAULT_FILES),
      { radarOnly: true },
    );
    context.print(
      `radar tree: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB in ${tree.folders} day folders`,
    );
    const rcloneBucket = await makeBucket(gateway, "bench-rclone-radar");
    const rcloneMs = timeRclone(context, gateway, tree.root, rcloneBucket);
    const bucket = await makeBucket(gateway, "bench-givre-radar");
    const pack = `pack: { group: "{dir}", smaller_than: 1MiB, max_size: 1GiB }\n`;
    const givreMs = timeGivre(
      givreWorkspace(context, gateway, "pack", tree.root, bucket, pack),
      gateway,
    );
    const rcloneObjects = (await listObjects(rcloneBucket, "", gateway)).length;
    const givreObjects = (await listObjects(bucket, "radar/", gateway)).length;
    report(context, "rclone copy --transfers 32", tree, rcloneMs);
    report(context, "givre run, packed by day", tree, givreMs);
    const speed = rcloneMs / givreMs;
    const fewer = rcloneObjects / Math.max(givreObjects, 1);
    context.print(
      `objects: rclone ${rcloneObjects}, givre ${givreObjects} packs (${fewer.toFixed(0)}x fewer; target >= 100x)`,
    );
    context.print(`givre / rclone throughput: ${speed.toFixed(2)}x (target >= 3)`);
    const ceiling = await gatewayCeiling(context, gateway);
    const needed = (3 * tree.bytes) / MiB / (rcloneMs / 1000);
    context.print(
      `the gateway's own ceiling: ${ceiling.toFixed(1)} MiB/s for one large file (rclone, 16 parts in flight); 3x rclone needs ${needed.toFixed(1)} MiB/s`,
    );
    return speed >= 3 && fewer >= 100;
  },
};

const CEILING_BYTES = 512 * MiB;

/**
 * What the gateway ingests at best: one large file of random bytes copied
 * by rclone with many parts in flight, so no per-object cost counts. A
 * packed run cannot go faster than this, whatever it packs.
 */
async function gatewayCeiling(context: BenchContext, gateway: CephGateway): Promise<number> {
  const dir = join(context.dir, "ceiling");
  const file = join(dir, "stream.bin");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const chunk = Buffer.alloc(16 * MiB);
    const fd = openSync(file, "w");
    for (let written = 0; written < CEILING_BYTES; written += chunk.length) {
      writeSync(fd, randomFillSync(chunk));
    }
    closeSync(fd);
  }
  const bucket = await makeBucket(gateway, "bench-ceiling");
  const started = performance.now();
  rclone(gateway, context.dir, [
    "copy",
    "--s3-upload-concurrency",
    "16",
    "--s3-chunk-size",
    "16M",
    dir,
    `gateway:${bucket}`,
  ]);
  return CEILING_BYTES / MiB / ((performance.now() - started) / 1000);
}

function timeRclone(
  context: BenchContext,
  gateway: CephGateway,
  root: string,
  bucket: string,
): number {
  const started = performance.now();
  rclone(gateway, context.dir, ["copy", "--transfers", "32", root, `gateway:${bucket}`]);
  return performance.now() - started;
}

/** A config and one policy taking every file under the root (hard-linked copy, so the tree stays). */
function givreWorkspace(
  context: BenchContext,
  gateway: CephGateway,
  name: string,
  tree: string,
  bucket: string,
  pack: string | undefined,
): string {
  const dir = join(context.dir, `givre-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "policies"), { recursive: true });
  execFileSync("cp", ["-al", tree, join(dir, "data")]);
  writeFileSync(
    join(dir, "policies", "10-all.yaml"),
    `name: all\nroot: data\nmatch: { include: ["**"] }\nage: { older_than: 1d }\naction: archive\ntarget: archive\nprefix: ""\n${pack ?? ""}`,
  );
  const configFile = join(dir, "givre.yaml");
  writeFileSync(
    configFile,
    `state_dir: ${join(dir, "state")}
policies: ${join(dir, "policies")}
roots:
  data: ${join(dir, "data")}
targets:
  archive:
    endpoint: ${gateway.endpoint}
    region: ${gateway.region}
    bucket: ${bucket}
`,
  );
  return configFile;
}

function timeGivre(configFile: string, gateway: CephGateway): number {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, "../../dist/cli/main.js"), "--config", configFile, "run"],
    {
      env: givreEnv(gateway),
      encoding: "utf8",
    },
  );
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`givre run exited ${result.status}: ${result.stdout}${result.stderr}`);
  }
  if (!existsSync(configFile)) throw new Error("the bench workspace vanished");
  return elapsed;
}

function report(context: BenchContext, label: string, tree: RunTree, ms: number): void {
  const seconds = ms / 1000;
  const files = Math.round(tree.files / seconds);
  const mib = (tree.bytes / MiB / seconds).toFixed(1);
  context.print(`${label}: ${seconds.toFixed(1)} s, ${files} files/s, ${mib} MiB/s`);
}
