import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  cleanEnv,
  GIVRE_BIN,
  logLines,
  makeWorkspace,
  runGivre,
  writeTree,
  type Workspace,
} from "../support/givre-process.js";
import { createTestBucket, listObjects, readObject, s3Env } from "../support/s3.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));

const ARCHIVE_ALL = `name: everything
root: data
match:
  include: ["**"]
age:
  older_than: 30d
action: archive
target: archive
prefix: site/
`;

function workspaceWith(bucket: string, policy = ARCHIVE_ALL): Workspace {
  const workspace = makeWorkspace(bucket);
  writeFileSync(join(workspace.policiesDir, "10-everything.yaml"), policy);
  return workspace;
}

describe("givre run", () => {
  let bucket: string;
  let workspace: Workspace;

  beforeEach(async () => {
    bucket = await createTestBucket("cli-run");
    workspace = workspaceWith(bucket);
  });

  it("archives aged files, prints a summary and logs one JSON line per event, the last a summary", async () => {
    writeTree(workspace.dataDir, { "radar/a.png": "a", "radar/b.png": "bb" }, OLD);
    writeTree(workspace.dataDir, { "radar/new.png": "fresh" });

    const result = await runGivre(["--config", workspace.configFile, "run"]);

    expect(result.code).toBe(0);
    const runId = /^run (\S+): ok$/m.exec(result.stdout)![1]!;
    expect(result.stdout).toContain(
      `run ${runId}: ok\n  took 2 files, 3 B\n  archived 2, copied 0, changed during upload 0\n`,
    );
    expect(existsSync(join(workspace.dataDir, "radar/a.png"))).toBe(false);
    expect(existsSync(join(workspace.dataDir, "radar/new.png"))).toBe(true);
    expect((await readObject(bucket, "site/radar/b.png")).toString()).toBe("bb");
    const lines = logLines(result.stderr);
    expect(lines.map((line) => line.msg)).toEqual(["run started", "run finished"]);
    expect(lines.at(-1)).toMatchObject({
      level: 30,
      run: runId,
      outcome: "ok",
      counts: { stored: 2, archived: 2, failed: 0 },
    });
  });

  it("changes nothing on --dry-run and says so", async () => {
    writeTree(workspace.dataDir, { "a.txt": "a" }, OLD);

    const result = await runGivre(["--config", workspace.configFile, "run", "--dry-run"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /: ok \(dry run: nothing changed\)\n {2}would take 1 files, 1 B\n/,
    );
    expect(existsSync(join(workspace.dataDir, "a.txt"))).toBe(true);
    expect(await listObjects(bucket)).toEqual([]);
  });

  it("lists an unreadable file as failed, exits 1, and archives the others", async () => {
    writeTree(
      workspace.dataDir,
      { "ok/one.txt": "one", "ok/two.txt": "two", "secret/locked.txt": "locked" },
      OLD,
    );
    const locked = join(workspace.dataDir, "secret/locked.txt");
    // givre runs as nobody, as it would as its own user; the file stays root's, mode 0600.
    openTo("nobody", workspace);
    chownSync(locked, 0, 0);
    chmodSync(locked, 0o600);

    const result = await runGivreAs("nobody", ["--config", workspace.configFile, "run"]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: failed\n/);
    expect(result.stdout).toContain(
      `  1 failed:\n    ${locked}: permission denied (mode 0600, owner 0:0)\n`,
    );
    expect(existsSync(join(workspace.dataDir, "ok/one.txt"))).toBe(false);
    expect(statSync(locked).size).toBe(6);
    expect(
      (await listObjects(bucket, "site/"))
        .map((item) => item.name)
        .filter((key) => !key!.includes(".givre/")),
    ).toEqual(["site/ok/one.txt", "site/ok/two.txt"]);
  });

  it("keeps a second run out with exit 3, naming the holder", async () => {
    const slow = ARCHIVE_ALL + "limits: { bandwidth: 100KiB/s }\n";
    writeFileSync(join(workspace.policiesDir, "10-everything.yaml"), slow);
    writeTree(workspace.dataDir, { "big.bin": Buffer.alloc(400 * 1024) }, OLD);
    const first = spawn(process.execPath, [GIVRE_BIN, "--config", workspace.configFile, "run"], {
      env: { ...cleanEnv(), ...s3Env() },
    });
    await waitForFile(join(workspace.stateDir, "run.lock"));

    const second = await runGivre(["--config", workspace.configFile, "run"]);

    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      new RegExp(
        `^givre: another run holds ${workspace.stateDir}/run.lock: pid ${first.pid} on \\S+, started \\S+ \\(run \\S+\\)\\n`,
      ),
    );
    first.kill("SIGTERM");
    const code = await new Promise((resolve) => first.on("close", resolve));
    expect(code).toBe(1);
    expect(existsSync(join(workspace.stateDir, "run.lock"))).toBe(false);
    expect(existsSync(join(workspace.dataDir, "big.bin"))).toBe(true);
  });

  it("exits 2 naming the file and line of a broken policy, and touches nothing", async () => {
    const broken = ARCHIVE_ALL.replace("name: everything", "name: broken").replace(
      "  include:",
      "  incldue:",
    );
    writeFileSync(join(workspace.policiesDir, "20-broken.yaml"), broken);
    writeTree(workspace.dataDir, { "a.txt": "a" }, OLD);

    const result = await runGivre(["--config", workspace.configFile, "run"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(workspace.policiesDir, "20-broken.yaml")}:4: unknown key "incldue" in match`,
    );
    expect(existsSync(join(workspace.dataDir, "a.txt"))).toBe(true);
  });

  it("exits 4 when the bucket is missing, before touching any file", async () => {
    const missing = workspaceWith("givre-no-such-bucket");
    writeTree(missing.dataDir, { "a.txt": "a" }, OLD);

    const result = await runGivre(["--config", missing.configFile, "run"]);

    expect(result.code).toBe(4);
    expect(result.stderr).toContain("the bucket does not exist");
    expect(readdirSync(missing.stateDir)).not.toContain("run.lock");
  });
});

describe("givre status and givre ls", () => {
  it("report what the catalog holds, per policy and per folder", async () => {
    const bucket = await createTestBucket("cli-status");
    const workspace = workspaceWith(bucket);
    writeTree(
      workspace.dataDir,
      { "radar/2019/a.png": "aaaa", "radar/2019/b.png": "bb", "tiles/0.png": "t" },
      OLD,
    );
    await runGivre(["--config", workspace.configFile, "run"]);

    const status = await runGivre(["--config", workspace.configFile, "status"]);
    const ls = await runGivre(["--config", workspace.configFile, "ls", "data/radar"]);
    const deep = await runGivre([
      "--config",
      workspace.configFile,
      "ls",
      "-R",
      join(workspace.dataDir, "radar"),
    ]);

    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /^policy everything\n {2}archived {12}3 files {2}7 B\n\nrecent runs\n {2}\S+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}ok in \d+ s: 3 files, 7 B, 0 failed\n$/,
    );
    expect(ls.stdout).toBe("folder            6 B                    2 files  radar/2019/\n");
    expect(deep.stdout).toBe(
      "archived          4 B  2019-06-01 12:00:00  radar/2019/a.png\n" +
        "archived          2 B  2019-06-01 12:00:00  radar/2019/b.png\n",
    );
  });
});

/** Lets `user` walk and write the workspace, as the givre user would own its folders. */
function openTo(user: string, workspace: Workspace): void {
  const uid = Number(execFileSync("id", ["-u", user]).toString());
  const walk = (path: string) => {
    chownSync(path, uid, uid);
    if (statSync(path).isDirectory()) {
      chmodSync(path, 0o755);
      for (const name of readdirSync(path)) walk(join(path, name));
    }
  };
  chmodSync(workspace.dir, 0o755);
  walk(workspace.dataDir);
  walk(workspace.stateDir);
  walk(workspace.policiesDir);
  chownSync(workspace.configFile, uid, uid);
}

function runGivreAs(user: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("runuser", ["-u", user, "--", process.execPath, GIVRE_BIN, ...args], {
      env: { ...cleanEnv(), ...s3Env() },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!existsSync(path)) throw new Error(`${path} never appeared`);
}
