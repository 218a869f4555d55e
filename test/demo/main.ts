/**
 * `npm run demo`: the main job on a small generated sample, against a
 * local Ceph gateway started for it, with the embedded SQLite catalog.
 * Each step prints what it did; a step that fails stops the demo with a
 * non-zero exit code.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCephGateway, type CephGateway } from "../services/ceph-gateway.js";
import { generateSampleTree } from "../support/sample-tree.js";
import { minioClient } from "../support/s3.js";
import { writeDemoConfig } from "./demo-config.js";

const GIVRE = join(import.meta.dirname, "../../dist/cli/main.js");

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "givre-demo-"));
  step(`working folder ${dir}`);
  const gateway = await startCephGateway();
  try {
    step(`started ${gateway.description}`);
    await minioClient(gateway).makeBucket("givre-demo", gateway.region);
    step("created bucket givre-demo");
    const paths = writeDemoConfig(dir, gateway, "givre-demo");
    const tree = generateSampleTree(paths.dataDir);
    step(`generated ${tree.files} sample files (${tree.bytes} bytes) under ${paths.dataDir}`);
    givre(gateway, ["--config", paths.configFile, "doctor"]);
  } finally {
    gateway.stop();
    rmSync(dir, { recursive: true, force: true });
    step("stopped the gateway and removed the working folder");
  }
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
