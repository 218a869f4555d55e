import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { archiveWorkspace } from "../support/archive-tree.js";
import { testPolicy } from "../support/candidates.js";
import { catalogRows } from "../support/catalog-rows.js";
import {
  GIVRE_BIN,
  cleanEnv,
  makeWorkspace,
  runGivre,
  writeTree,
  type Workspace,
} from "../support/givre-process.js";
import { createTestBucket, s3Env } from "../support/s3.js";
import { sampleContent } from "../support/sample-tree.js";

const FOLDERS = 30;
const PER_FOLDER = 50;
const SIZE = 32 * 1024;
const MTIME = new Date(Date.UTC(2019, 5, 3, 4, 5, 6, 789));

function pathOf(folder: number, file: number): string {
  return `radar/rainrate/2019/06/${String(folder).padStart(2, "0")}/img_${file}.png`;
}

/** Relative paths of every file under `dir` (temp files included). */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

describe("givre restore after kill -9", () => {
  let workspace: Workspace;

  beforeAll(async () => {
    workspace = makeWorkspace(await createTestBucket("resume"));
    const tree: Record<string, Buffer> = {};
    for (let folder = 1; folder <= FOLDERS; folder++) {
      for (let file = 0; file < PER_FOLDER; file++) {
        tree[pathOf(folder, file)] = sampleContent(pathOf(folder, file), SIZE);
      }
    }
    writeTree(workspace.dataDir, tree, MTIME);
    await archiveWorkspace(workspace, testPolicy());
  }, 300_000);

  it("resumes: the second run finishes, sweeps the killed run's temp files, and every file is exact", async () => {
    const child = spawn(
      process.execPath,
      [GIVRE_BIN, "--config", workspace.configFile, "restore", "data/radar"],
      {
        env: { ...cleanEnv(), ...s3Env() },
        stdio: "ignore",
      },
    );
    const radar = join(workspace.dataDir, "radar");
    while (countFiles(radar) < 200) await sleep(5);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const afterKill = countFiles(radar);
    expect(afterKill).toBeLessThan(FOLDERS * PER_FOLDER);
    // A killed restore may or may not be caught mid-file; plant one temp file of a dead process for sure.
    const deadPid = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    const stale = join(
      radar,
      "rainrate/2019/06/01",
      `.img_0.png.givre-restore-${deadPid}-0badcafe`,
    );
    writeFileSync(stale, "half a file");

    const resumed = await runGivre(["--config", workspace.configFile, "restore", "data/radar"]);

    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^restored {3}\d+ files, /);
    expect(resumed.stdout).toMatch(/\nunchanged {2}\d+ files already on disk\n/);
    expect(resumed.stdout).toMatch(/\ncleaned {4}\d+ temp files of an interrupted restore\n$/);
    const expected: string[] = [];
    for (let folder = 1; folder <= FOLDERS; folder++) {
      for (let file = 0; file < PER_FOLDER; file++) expected.push(pathOf(folder, file));
    }
    expect(filesUnder(workspace.dataDir)).toEqual(expected.sort());
    for (const path of expected) {
      const file = join(workspace.dataDir, path);
      expect(readFileSync(file).equals(sampleContent(path, SIZE)), path).toBe(true);
      expect(Math.abs(statSync(file).mtimeMs - MTIME.getTime())).toBeLessThan(0.001);
    }
    const rows = await catalogRows(workspace);
    expect(rows.map((row) => row.state)).toEqual(expected.map(() => "restored"));
  });
});

function countFiles(dir: string): number {
  try {
    return (readdirSync(dir, { recursive: true }) as string[]).filter((name) =>
      name.endsWith(".png"),
    ).length;
  } catch {
    return 0;
  }
}
