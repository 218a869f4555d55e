/**
 * `npm run demo`: the main job on a small generated sample, against a
 * local Ceph gateway started for it, with the embedded SQLite catalog and
 * the example policies of policies/. Each step prints what it did and the
 * output of the givre command it ran (doctor, plan, run, status, ls, serve,
 * verify, restore); a step that fails stops the demo
 * with a non-zero exit code. The last line counts what really happened.
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { startCephGateway, type CephGateway } from "../services/ceph-gateway.js";
import { freePort, waitFor } from "../services/free-port.js";
import { generateSampleTree, sampleContent } from "../support/sample-tree.js";
import { minioClient } from "../support/s3.js";
import { writeDemoConfig, type DemoPaths } from "./demo-config.js";
import { verifyAndRestore } from "./restore-step.js";

const REPO = join(import.meta.dirname, "../..");
const GIVRE = join(REPO, "dist/cli/main.js");
const BUCKET = "givre-demo";

interface Tally {
  scanned: number;
  archived: number;
  verified: number;
  lookedUp: number;
  restored: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "givre-demo-"));
  step(`working folder ${dir}`);
  const gateway = await startCephGateway();
  try {
    step(`started ${gateway.description}`);
    await minioClient(gateway).makeBucket(BUCKET, gateway.region);
    step(`created bucket ${BUCKET}`);
    const paths = writeDemoConfig(dir, gateway, BUCKET);
    cpSync(join(REPO, "policies"), paths.policiesDir, { recursive: true });
    const tree = generateSampleTree(paths.dataDir);
    step(`generated ${tree.files} sample files (${tree.bytes} bytes) under ${paths.dataDir}`);
    step(
      `using the example policies: ${["10-radar.yaml", "20-tiles.yaml", "30-archives.yaml"].join(", ")}`,
    );
    const tally = await tier(gateway, paths);
    tally.lookedUp = await lookUp(gateway, paths);
    tally.restored = await verifyAndRestore((args) => givre(gateway, args), paths);
    step(
      `scanned ${tally.scanned} files, archived ${tally.archived}, checked ${tally.verified} in the bucket byte for byte, ` +
        `looked up ${tally.lookedUp} by their old URLs, restored ${tally.restored}`,
    );
  } finally {
    gateway.stop();
    rmSync(dir, { recursive: true, force: true });
    step("stopped the gateway and removed the working folder");
  }
}

async function tier(gateway: CephGateway, paths: DemoPaths): Promise<Tally> {
  const config = ["--config", paths.configFile];
  givre(gateway, [...config, "doctor"]);
  givre(gateway, [...config, "plan"]);
  const summary = JSON.parse(givre(gateway, [...config, "run", "--json"])) as {
    outcome: string;
    counts: { archived: number; failed: number };
    scan: { filesSeen: number };
  };
  if (summary.outcome !== "ok") throw new Error(`the run ended ${summary.outcome}`);
  givre(gateway, [...config, "status"]);
  givre(gateway, [...config, "ls", "data/radar/reflectivity/2019/06"]);
  const verified = await verifyArchived(gateway, paths);
  return {
    scanned: summary.scan.filesSeen,
    archived: summary.counts.archived,
    verified,
    lookedUp: 0,
    restored: 0,
  };
}

/** `givre serve` answers the old URLs of archived files with their exact bytes. */
async function lookUp(gateway: CephGateway, paths: DemoPaths): Promise<number> {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  process.stdout.write(`\n$ givre --config ${paths.configFile} serve --listen ${listen}\n`);
  const server = spawn(
    process.execPath,
    [GIVRE, "--config", paths.configFile, "serve", "--listen", listen],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: gateway.accessKey,
        AWS_SECRET_ACCESS_KEY: gateway.secretKey,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    await waitFor("givre serve", async () => (await fetch(`http://${listen}/healthz`)).ok, 15_000);
    const catalog = new SqliteCatalog(join(paths.stateDir, "catalog.db"), { readonly: true });
    let lookedUp = 0;
    for await (const entry of catalog.select({ states: ["archived"] })) {
      const url = `http://${listen}/fetch/data/${entry.path}`;
      const answer = await fetch(url);
      const bytes = Buffer.from(await answer.arrayBuffer());
      if (answer.status !== 200 || !bytes.equals(sampleContent(entry.path, entry.size))) {
        throw new Error(`GET ${url} answered ${answer.status} with other bytes than the original`);
      }
      if (lookedUp++ < 3) {
        process.stdout.write(
          `GET /fetch/data/${entry.path} -> ${answer.status}, ${bytes.length} bytes, ${answer.headers.get("content-type")}\n`,
        );
      }
    }
    await catalog.close();
    process.stdout.write(`... ${lookedUp} archived files answered with their original bytes\n`);
    return lookedUp;
  } finally {
    server.kill("SIGTERM");
  }
}

/** Every archived file is gone from disk, and the bucket holds its exact bytes (read independently). */
async function verifyArchived(gateway: CephGateway, paths: DemoPaths): Promise<number> {
  const catalog = new SqliteCatalog(join(paths.stateDir, "catalog.db"), { readonly: true });
  let verified = 0;
  try {
    for await (const entry of catalog.select({ states: ["archived"] })) {
      if (existsSync(join(paths.dataDir, entry.path))) {
        throw new Error(`${entry.path} is archived but still on disk`);
      }
      const actual = await readRange(gateway, entry.key, entry.offset ?? undefined, entry.size);
      if (!actual.equals(sampleContent(entry.path, entry.size))) {
        throw new Error(`${entry.path}: the bucket's bytes differ from the original`);
      }
      verified++;
    }
  } finally {
    await catalog.close();
  }
  return verified;
}

async function readRange(
  gateway: CephGateway,
  key: string,
  offset: number | undefined,
  length: number,
): Promise<Buffer> {
  const client = minioClient(gateway);
  const stream =
    offset === undefined
      ? await client.getObject(BUCKET, key)
      : await client.getPartialObject(BUCKET, key, offset, length);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function step(text: string): void {
  process.stdout.write(`demo: ${text}\n`);
}

function givre(gateway: CephGateway, args: string[]): string {
  process.stdout.write(`\n$ givre ${args.join(" ")}\n`);
  const output = execFileSync(process.execPath, [GIVRE, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: gateway.accessKey,
      AWS_SECRET_ACCESS_KEY: gateway.secretKey,
    },
    stdio: ["ignore", "pipe", "inherit"],
  }).toString();
  process.stdout.write(`${output}\n`);
  return output;
}

await main();
