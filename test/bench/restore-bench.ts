/**
 * `givre restore` against `rclone copy --transfers 32` downloading the
 * same objects from the same local gateway, in the same run. In `npm run
 * bench` it restores the tree the run part archived; alone, a tree of
 * radar-like images (20-150 KB of incompressible bytes, in day folders) is
 * archived by `givre run` first. Then, in alternating rounds, rclone copies
 * the objects to a fresh folder and givre restores the files (with --to,
 * so every round starts from an empty folder). Target: givre's throughput
 * at least rclone's. Runs alone: `node --import tsx test/bench/restore-bench.ts`
 * (GIVRE_BENCH_RESTORE_FILES sets the tree size, default 4,000).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startCephGateway } from "../services/ceph-gateway.js";
import type { S3Endpoint } from "../services/ceph-gateway.js";
import { benchGateway } from "./bench-gateway.js";
import { archivedByRun } from "./run-bench.js";
import type { BenchPart } from "./bench-part.js";

const ROUNDS = 3;
const DEFAULT_FILES = 4000;
const PER_FOLDER = 250;
const MIN_SIZE = 20 * 1024;
const MAX_SIZE = 150 * 1024;
const MTIME = Date.UTC(2019, 5, 1);

interface Measure {
  wallMs: number;
}

/** What is restored: archived by givre, with the catalog its config names. */
interface Archived {
  config: string;
  bucket: string;
  /** What `givre restore` is given. */
  selection: string;
  /** Where rclone reads the same objects: `<bucket>/<prefix>`. */
  prefix: string;
  files: number;
  bytes: number;
}

/** As a part of `npm run bench`: on the bench's shared gateway. */
export const restoreBench: BenchPart = {
  name: "restore",
  async run(context) {
    const files = Number(process.env.GIVRE_BENCH_RESTORE_FILES ?? DEFAULT_FILES);
    const gateway = { s3: await benchGateway(), stop: () => {} };
    const dir = join(context.dir, "restore-bench");
    const fromRun = archivedByRun && {
      config: archivedByRun.configFile,
      bucket: archivedByRun.bucket,
      selection: "data",
      prefix: "",
      files: archivedByRun.tree.files,
      bytes: archivedByRun.tree.bytes,
    };
    const figures = await benchRestore(dir, context.givre, files, context.print, gateway, fromRun);
    return figures.ratio >= 1;
  },
};

/** Archives a tree, then times rclone and givre in alternating rounds; returns givre/rclone. */
export async function benchRestore(
  dir: string,
  givre: string,
  files: number,
  print: (line: string) => void,
  gateway?: { s3: S3Endpoint; stop: () => void },
  given?: Archived,
): Promise<{ ratio: number }> {
  const { s3, stop } = gateway ?? (await s3ForBench());
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const env = {
      ...withoutAws(),
      AWS_ACCESS_KEY_ID: s3.accessKey,
      AWS_SECRET_ACCESS_KEY: s3.secretKey,
    };
    const archive = given ?? (await archiveOwnTree(dir, givre, files, s3, env, print));
    if (given) {
      print(`restoring what the run part archived: ${given.files} files, ${mib(given.bytes)} MiB`);
    }
    const { config, bucket } = archive;
    ({ files } = archive);
    const bytes = archive.bytes;
    const rclone: Measure[] = [];
    const restore: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const rcloneTo = join(dir, `rclone-${round}`);
      rclone.push(time("rclone", rcloneArgs(s3, bucket, archive.prefix, rcloneTo), withoutAws()));
      const givreTo = join(dir, `givre-${round}`);
      restore.push(
        time(
          process.execPath,
          [givre, "--config", config, "restore", archive.selection, "--to", givreTo],
          env,
        ),
      );
      rmSync(rcloneTo, { recursive: true, force: true });
      rmSync(givreTo, { recursive: true, force: true });
    }
    const [rcloneMs, givreMs] = [median(rclone), median(restore)];
    print(`rclone copy --transfers 32: ${rate(files, bytes, rcloneMs)} (median of ${ROUNDS})`);
    print(`givre restore:              ${rate(files, bytes, givreMs)} (median of ${ROUNDS})`);
    const ratio = rcloneMs / givreMs;
    print(
      `givre / rclone throughput: ${ratio.toFixed(2)}x; target (>= 1x): ${ratio >= 1 ? "met" : "MISSED"}`,
    );
    return { ratio };
  } finally {
    stop();
  }
}

/** Alone: a tree of the bench's own, archived by givre run. */
async function archiveOwnTree(
  dir: string,
  givre: string,
  files: number,
  s3: S3Endpoint,
  env: Record<string, string>,
  print: (line: string) => void,
): Promise<Archived> {
  const bucket = `givre-bench-restore-${randomBytes(4).toString("hex")}`;
  await createBucket(s3, bucket);
  const bytes = writeTree(join(dir, "data"), files);
  const config = writeConfig(dir, s3, bucket);
  const archived = time(process.execPath, [givre, "--config", config, "run"], env);
  print(`tree: ${files} files, ${mib(bytes)} MiB, ${PER_FOLDER} per folder, 20-150 KB each`);
  print(`givre run archived it in ${(archived.wallMs / 1000).toFixed(1)} s`);
  return { config, bucket, selection: "data/radar", prefix: "data/radar", files, bytes };
}

async function s3ForBench(): Promise<{ s3: S3Endpoint; stop: () => void }> {
  const endpoint = process.env.GIVRE_TEST_S3_ENDPOINT;
  if (endpoint) {
    const s3 = {
      endpoint,
      region: process.env.GIVRE_TEST_S3_REGION ?? "us-east-1",
      accessKey: process.env.GIVRE_TEST_S3_ACCESS_KEY ?? "",
      secretKey: process.env.GIVRE_TEST_S3_SECRET_KEY ?? "",
      description: endpoint,
    };
    return { s3, stop: () => {} };
  }
  const gateway = await startCephGateway();
  return { s3: gateway, stop: () => gateway.stop() };
}

async function createBucket(s3: S3Endpoint, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** Incompressible files in day folders; returns the total bytes. */
function writeTree(root: string, files: number): number {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const day = String(1 + Math.floor(i / PER_FOLDER)).padStart(3, "0");
    const folder = join(root, "radar/reflectivity", day);
    if (i % PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    const size = MIN_SIZE + ((i * 7919) % (MAX_SIZE - MIN_SIZE));
    const file = join(folder, `img_${String(i).padStart(6, "0")}.png`);
    writeFileSync(file, randomBytes(size));
    utimesSync(file, new Date(MTIME), new Date(MTIME));
    bytes += size;
  }
  return bytes;
}

function writeConfig(dir: string, s3: S3Endpoint, bucket: string): string {
  const policies = join(dir, "policies");
  mkdirSync(policies, { recursive: true });
  writeFileSync(
    join(policies, "10-radar.yaml"),
    `name: radar\nroot: data\nmatch:\n  include: [radar/**]\nage:\n  older_than: 1d\naction: archive\ntarget: archive\n`,
  );
  const config = join(dir, "givre.yaml");
  writeFileSync(
    config,
    `state_dir: ${join(dir, "state")}\npolicies: ${policies}\nroots:\n  data: ${join(dir, "data")}\n` +
      `targets:\n  archive:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    bucket: ${bucket}\n`,
  );
  return config;
}

/** rclone, told the endpoint explicitly (never a default that would reach AWS). */
function rcloneArgs(s3: S3Endpoint, bucket: string, prefix: string, to: string): string[] {
  return [
    "copy",
    `:s3:${bucket}/${prefix}`,
    to,
    // The same objects givre restores: not the manifests.
    "--exclude",
    ".givre/**",
    "--transfers",
    "32",
    "--s3-provider",
    "Ceph",
    "--s3-endpoint",
    s3.endpoint,
    "--s3-region",
    s3.region,
    "--s3-access-key-id",
    s3.accessKey,
    "--s3-secret-access-key",
    s3.secretKey,
    "--s3-force-path-style=true",
    "--s3-env-auth=false",
    "--config",
    "/dev/null",
  ];
}

/**
 * The environment without AWS_* (this machine's AWS_CA_BUNDLE makes
 * rclone refuse to start, and nothing here should reach AWS anyway).
 */
function withoutAws(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(AWS_|GIVRE_)/.test(name)) env[name] = value;
  }
  return env;
}

function time(command: string, args: string[], env: Record<string, string>): Measure {
  const started = performance.now();
  const result = spawnSync(command, args, {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 26,
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.slice(0, 4).join(" ")} exited ${result.status}: ${result.stderr}`,
    );
  }
  return { wallMs };
}

function median(measures: Measure[]): number {
  const walls = measures.map((measure) => measure.wallMs).sort((a, b) => a - b);
  return walls[Math.floor(walls.length / 2)]!;
}

function rate(files: number, bytes: number, wallMs: number): string {
  const seconds = wallMs / 1000;
  return `${seconds.toFixed(2)} s, ${Math.round(files / seconds)} files/s, ${(bytes / 1048576 / seconds).toFixed(1)} MiB/s`;
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const files = Number(process.env.GIVRE_BENCH_RESTORE_FILES ?? DEFAULT_FILES);
  const givre = join(import.meta.dirname, "../../dist/cli/main.js");
  const dir = join(process.env.GIVRE_BENCH_DIR ?? "/tmp/givre-bench", "restore-bench");
  const { ratio } = await benchRestore(dir, givre, files, (line) =>
    console.log(`restore: ${line}`),
  );
  if (ratio < 1) process.exitCode = 1;
}
