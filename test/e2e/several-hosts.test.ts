import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, GIVRE_BIN, makeWorkspace, writeTree } from "../support/givre-process.js";
import { createTestBucket, s3Env } from "../support/s3.js";
import { startServeProcess, type ServeProcess } from "../support/serve-process.js";
import { createTestDatabase } from "../support/postgres.js";

const OLD = new Date(Date.UTC(2019, 5, 1));
const FILES = 12;
// Slow enough that the run is still going while the fronts are asked.
const POLICY = `name: radar
root: data
match: { include: ["radar/**"] }
age: { older_than: 30d }
action: archive
target: archive
prefix: site/
limits: { bandwidth: 150KiB/s }
`;

describe("several web fronts on one PostgreSQL catalog", () => {
  const fronts: ServeProcess[] = [];
  afterAll(async () => {
    for (const front of fronts) await front.stop();
  });

  it("both answer for files as a concurrent run archives them, with the same bytes", async () => {
    const bucket = await createTestBucket("hosts");
    const catalog = (await createTestDatabase("hosts")).url;
    const serve = "serve:\n  prefixes: { /data/: data }\n  negative_ttl: 100ms\n";
    // Small manifest segments: files are freed, and archived, all along the run.
    const manifests = "manifests: { flush_files: 2, flush_interval: 200ms }\n";
    const workspace = makeWorkspace(bucket, `catalog: ${catalog}\n${serve}${manifests}`);
    writeFileSync(join(workspace.policiesDir, "10-radar.yaml"), POLICY);
    const files = Object.fromEntries(
      Array.from({ length: FILES }, (_, i) => [`radar/img_${i}.png`, randomBytes(40_000)]),
    );
    writeTree(workspace.dataDir, files, OLD);
    fronts.push(
      await startServeProcess(workspace.configFile),
      await startServeProcess(workspace.configFile),
    );

    const run = spawn(process.execPath, [GIVRE_BIN, "--config", workspace.configFile, "run"], {
      env: { ...cleanEnv(), ...s3Env() },
    });
    const exited = new Promise<number | null>((resolve) => run.on("close", resolve));
    const seenDuringRun = new Set<string>();
    let finished = false;
    void exited.then(() => (finished = true));
    while (!finished) {
      for (const path of Object.keys(files)) {
        const answers = await Promise.all(
          fronts.map((front) => fetch(`${front.url}/v1/files/data/${path}`)),
        );
        const states = await Promise.all(
          answers.map(async (answer) =>
            answer.ok ? ((await answer.json()) as { state: string }).state : "",
          ),
        );
        if (states.every((state) => state === "archived")) seenDuringRun.add(path);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await exited).toBe(0);
    // Files were seen archived on both fronts while the run was still going.
    expect(seenDuringRun.size).toBeGreaterThan(0);
    expect(seenDuringRun.size).toBeLessThanOrEqual(FILES);
    for (const [path, bytes] of Object.entries(files)) {
      expect(existsSync(join(workspace.dataDir, path))).toBe(false);
      for (const front of fronts) {
        const answer = await fetch(`${front.url}/fetch/data/${path}`);
        expect(answer.status).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
      }
    }
  });
});
