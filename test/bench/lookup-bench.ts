/**
 * The lookup part of `npm run bench`: `givre serve` on a catalog of
 * 1,000,000 archived entries, loaded by wrk at 32 connections, beside a
 * bare node:http server answering 204 in the same run. Measures /auth
 * (random paths over the whole catalog, and one hot path), /fetch of a
 * small archived file, and NGINX with snippet (a) in front of /fetch.
 * /auth is loaded three ways: uniformly random paths (every request a
 * catalog read: the worst case, and the one that sets the exit status),
 * paths skewed as web traffic is, and one hot path. A bare server that
 * spins 10 µs per request shows what 0.5x leaves for givre's own work.
 * Target: /auth at least 0.5x the bare server's req/s, p99 under 5 ms.
 * Runnable alone: node --import tsx test/bench/lookup-bench.ts (GIVRE_BENCH_DIR
 * keeps the catalog between runs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import type { CephGateway, S3Endpoint } from "../services/ceph-gateway.js";
import { freePort, waitFor } from "../services/free-port.js";
import { startNginxWithSnippet } from "../support/nginx-snippets.js";
import { minioClient } from "../support/s3.js";
import { benchGateway, makeBucket, stopBenchGateway } from "./bench-gateway.js";
import type { BenchContext, BenchPart } from "./bench-part.js";
import { wrkLoad, type LoadResult } from "./wrk-load.js";

const ENTRIES = 1_000_000;
const BATCH = 100_000;
const CONNECTIONS = 32;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const ROUNDS = 3;
const MIN_RATIO = 0.5;
/**
 * CPU a request may add to the bare server's and stay near MIN_RATIO on
 * this machine: measured beside the others as a reference for the budget.
 */
const BUDGET_MICROS = 10;
const MAX_P99_MS = 5;
const SMALL_FILE = Buffer.alloc(2048, "small archived tile ");
const BUCKET = "givre-bench-lookup";

export const lookupBench: BenchPart = {
  name: "lookup",
  run: (context) => runLookupBench(context),
};

/** Runs the lookup bench under `context.dir`; resolves whether the /auth target was met. */
export async function runLookupBench(
  context: Pick<BenchContext, "dir" | "print" | "givre">,
): Promise<boolean> {
  const dir = join(context.dir, "lookup");
  mkdirSync(join(dir, "state"), { recursive: true });
  mkdirSync(join(dir, "site", "data"), { recursive: true });
  const stops: (() => unknown)[] = [];
  try {
    const gateway = await benchGateway();
    await prepareBucket(gateway);
    const started = performance.now();
    await fillCatalog(join(dir, "state", "catalog.db"));
    context.print(`catalog of ${count(ENTRIES)} entries ready in ${since(started)} s`);
    const barePort = await freePort();
    const bare = await startChild(bareServerArgs(barePort), barePort);
    stops.push(() => bare.child.kill());
    const budgetPort = await freePort();
    const budget = await startChild(bareServerArgs(budgetPort, BUDGET_MICROS), budgetPort);
    stops.push(() => budget.child.kill());
    const givre = await startGivre(context.givre, writeConfig(dir, gateway), gateway);
    stops.push(() => givre.child.kill());
    const nginx = await startNginxWithSnippet("givre-fallback.conf", join(dir, "site"), givre.port);
    stops.push(() => nginx.stop());
    context.print(machine());
    return await measure(context, dir, { bare, budget, givre, nginxUrl: nginx.url });
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

interface Servers {
  bare: Child;
  /** The bare server spending BUDGET_MICROS of CPU on each request. */
  budget: Child;
  givre: Child;
  nginxUrl: string;
}

async function measure(
  context: Pick<BenchContext, "print">,
  dir: string,
  servers: Servers,
): Promise<boolean> {
  const { bare, budget, givre } = servers;
  const script = join(dir, "load.lua");
  const load = (url: string, lua?: string, seconds = SECONDS) => {
    const server = [bare, budget, givre].find((child) => url.startsWith(child.url));
    return wrkLoad({
      url,
      connections: CONNECTIONS,
      seconds,
      script: lua,
      scriptFile: script,
      serverPid: server?.child.pid,
    });
  };
  const row = (label: string, result: LoadResult, rss?: number, base?: LoadResult) =>
    context.print(formatRow(label, result, rss, base));

  await load(bare.url, undefined, WARMUP_SECONDS);
  await load(`${givre.url}/auth`, randomAuthScript(), WARMUP_SECONDS);
  // Alternating rounds, median of each: drift on a shared machine hits both alike.
  const bareRuns: LoadResult[] = [];
  const authRuns: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await load(bare.url));
    authRuns.push(await load(`${givre.url}/auth`, randomAuthScript()));
  }
  const bareResult = median(bareRuns);
  const authRandom = median(authRuns);
  row(`bare node:http 204 (median of ${ROUNDS})`, bareResult, rssMiB(bare.child));
  // What half the bare server's rate leaves givre: the budget server's ratio.
  const budgetResult = await load(budget.url);
  row(`bare, ${BUDGET_MICROS} µs of CPU per request`, budgetResult, undefined, bareResult);
  row(`/auth, random over 1M (median of ${ROUNDS})`, authRandom, rssMiB(givre.child), bareResult);
  // Until the caches hold this load's popular paths instead of the uniform one's.
  await load(`${givre.url}/auth`, skewedAuthScript(), SECONDS);
  const authSkewed = await load(`${givre.url}/auth`, skewedAuthScript());
  row("/auth, skewed over 1M (1/rank)", authSkewed, rssMiB(givre.child), bareResult);
  const authHot = await load(`${givre.url}/auth`, hotAuthScript());
  row("/auth, one hot path", authHot, rssMiB(givre.child), bareResult);
  const fetchSmall = await load(`${givre.url}/fetch/data/bench/small.png`);
  row("/fetch of a 2 KiB archived file", fetchSmall, rssMiB(givre.child), bareResult);
  const direct = await load(await presignedUrl(givre.url));
  row("the same object, presigned, direct", direct, undefined, bareResult);
  const throughNginx = await load(`${servers.nginxUrl}/data/bench/small.png`);
  row("NGINX (a) -> givre /fetch", throughNginx, rssMiB(givre.child), bareResult);
  context.print(
    `givre peak RSS ${peakRssMiB(givre.child).toFixed(1)} MiB, the catalog's memory map included`,
  );

  const meets = (result: LoadResult) =>
    result.requestsPerSecond / bareResult.requestsPerSecond >= MIN_RATIO &&
    result.p99Ms < MAX_P99_MS &&
    result.errors === 0;
  const target = `/auth >= ${MIN_RATIO}x bare req/s, p99 < ${MAX_P99_MS} ms at ${CONNECTIONS} connections`;
  context.print(`target (${target}), one hot path: ${meets(authHot) ? "met" : "MISSED"}`);
  context.print(`target (${target}), skewed over 1M: ${meets(authSkewed) ? "met" : "MISSED"}`);
  const met = meets(authRandom);
  context.print(`target (${target}), random over 1M: ${met ? "met" : "MISSED"}`);
  return met;
}

/** The run with the median req/s. */
function median(results: readonly LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function presignedUrl(givreUrl: string): Promise<string> {
  const report = await (await fetch(`${givreUrl}/v1/files/data/bench/small.png?url`)).json();
  return (report as { url: string }).url;
}

function formatRow(
  label: string,
  result: LoadResult,
  rss: number | undefined,
  base?: LoadResult,
): string {
  const rate = Math.round(result.requestsPerSecond).toLocaleString("en-US").padStart(7);
  const parts = [
    `${rate} req/s`,
    `p50 ${result.p50Ms.toFixed(2)} ms`,
    `p99 ${result.p99Ms.toFixed(2)} ms`,
  ];
  if (result.cpuMicrosPerRequest !== undefined) {
    parts.push(`${result.cpuMicrosPerRequest.toFixed(0)} µs CPU/request`);
  }
  if (rss !== undefined) parts.push(`anon RSS ${rss.toFixed(1)} MiB`);
  if (base) parts.push(`${(result.requestsPerSecond / base.requestsPerSecond).toFixed(2)}x bare`);
  if (result.errors) parts.push(`${result.errors} errors`);
  return `${label.padEnd(38)} ${parts.join(", ")}`;
}

/** The catalog path of entry i, spread like radar images over products and days. */
function entryPath(i: number): string {
  return `radar/p${i % 6}/${Math.floor(i / 1000)}/img_${i}.png`;
}

function randomAuthScript(): string {
  return `math.randomseed(42)
request = function()
  local i = math.random(0, ${ENTRIES - 1})
  local path = string.format("/data/radar/p%d/%d/img_%d.png", i % 6, math.floor(i / 1000), i)
  return wrk.format("GET", "/auth", { ["X-Original-URI"] = path })
end
`;
}

/**
 * Web traffic is skewed: a few files take most requests. Rank r is asked
 * with a probability near 1/r (ENTRIES^u for a uniform u), and ranks are
 * spread over the tree by a multiplier prime to ENTRIES.
 */
function skewedAuthScript(): string {
  return `math.randomseed(42)
request = function()
  local i = (math.floor(${ENTRIES} ^ math.random()) - 1) * 7919 % ${ENTRIES}
  local path = string.format("/data/radar/p%d/%d/img_%d.png", i % 6, math.floor(i / 1000), i)
  return wrk.format("GET", "/auth", { ["X-Original-URI"] = path })
end
`;
}

function hotAuthScript(): string {
  return `wrk.headers["X-Original-URI"] = "/data/${entryPath(4242)}"\n`;
}

/** Makes the catalog, or keeps the one an earlier bench run left (same rows). */
async function fillCatalog(file: string): Promise<void> {
  const catalog = new SqliteCatalog(file);
  try {
    if ((await catalog.count({})) === ENTRIES + 1) return;
    // In key order, so SQLite appends to its B-tree instead of splitting pages.
    const paths = Array.from({ length: ENTRIES }, (_, i) => entryPath(i)).sort();
    for (let start = 0; start < ENTRIES; start += BATCH) {
      const batch = paths.slice(start, start + BATCH).map((path) => entry(path, 20_000));
      await catalog.putMany(batch);
    }
    await catalog.putMany([entry("bench/small.png", SMALL_FILE.length)]);
  } finally {
    await catalog.close();
  }
}

function entry(path: string, size: number): CatalogEntry {
  return {
    root: "data",
    path,
    state: "archived",
    size,
    mtimeMs: Date.UTC(2019, 5, 1),
    mode: 0o644,
    sha256: "0".repeat(64),
    target: "archive",
    bucket: BUCKET,
    key: `data/${path}`,
    offset: null,
    length: null,
    etag: null,
    storageClass: "STANDARD",
    policy: "radar",
    runId: "bench",
    manifestKey: null,
    updatedAt: Date.UTC(2019, 6, 1),
  };
}

/** A bucket of its own on the bench's gateway, holding the one small archived object. */
async function prepareBucket(gateway: CephGateway): Promise<void> {
  const client = minioClient(gateway);
  if (!(await client.bucketExists(BUCKET))) await makeBucket(gateway, BUCKET);
  await client.putObject(BUCKET, "data/bench/small.png", SMALL_FILE, SMALL_FILE.length);
}

function writeConfig(dir: string, s3: S3Endpoint): string {
  const file = join(dir, "givre.yaml");
  writeFileSync(
    file,
    `state_dir: ${join(dir, "state")}
roots:
  data: ${join(dir, "site", "data")}
targets:
  archive:
    endpoint: ${s3.endpoint}
    region: ${s3.region}
    bucket: ${BUCKET}
serve:
  prefixes: { /data/: data }
`,
  );
  return file;
}

interface Child {
  child: ChildProcess;
  url: string;
  port: number;
}

/** The bare server; with `workMicros`, it spins that long on each request first. */
function bareServerArgs(port: number, workMicros = 0): string[] {
  const work = `const end = performance.now() + ${workMicros / 1000}; while (performance.now() < end);`;
  const code = `require("node:http").createServer((req, res) => { ${workMicros ? work : ""} res.writeHead(204); res.end(); }).listen(${port}, "127.0.0.1");`;
  return ["-e", code];
}

async function startChild(
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Child> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, async () => (await fetch(url)).status > 0, 20_000);
  return { child, url, port };
}

async function startGivre(givre: string, config: string, s3: S3Endpoint): Promise<Child> {
  const port = await freePort();
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_SECRET_ACCESS_KEY: s3.secretKey,
  };
  const args = [
    givre,
    "serve",
    "--config",
    config,
    "--listen",
    `127.0.0.1:${port}`,
    "--log-level",
    "warn",
  ];
  return startChild(args, port, env);
}

/**
 * Private memory: the catalog's memory map also counts in VmRSS, but those
 * pages are the kernel's page cache, shared and given back under pressure.
 */
function rssMiB(child: ChildProcess): number {
  return statusKiB(child, "RssAnon") / 1024;
}

function peakRssMiB(child: ChildProcess): number {
  return statusKiB(child, "VmHWM") / 1024;
}

function statusKiB(child: ChildProcess, field: string): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? NaN);
}

function machine(): string {
  const cpu = cpus();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return `machine: ${cpu.length} x ${cpu[0]?.model.trim()}, node ${process.version}, wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, load average ${load}`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function since(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const dir = process.env.GIVRE_BENCH_DIR ?? mkdtempSync(join(tmpdir(), "givre-bench-"));
  const givre = resolve(import.meta.dirname, "../../dist/cli/main.js");
  try {
    const print = (line: string) => console.log(`lookup: ${line}`);
    process.exitCode = (await runLookupBench({ dir, givre, print })) ? 0 : 1;
  } finally {
    await stopBenchGateway();
  }
}
