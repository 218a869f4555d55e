import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  GIVRE_BIN,
  cleanEnv,
  logLines,
  makeWorkspace,
  runCommand,
  runGivre,
  type GivreResult,
  type Workspace,
} from "../support/givre-process.js";
import { generatePlanSite } from "../support/plan-site.js";
import { copyExamplePolicies } from "../support/policies.js";

const AT = "2019-07-31";
/** The uid and gid of `nobody` on Debian. */
const NOBODY = "65534";

/** A workspace with the example policies and the sample site; the bucket is never used. */
function sampleWorkspace(): Workspace {
  const workspace = makeWorkspace("givre-plan-unused");
  copyExamplePolicies(workspace.policiesDir);
  generatePlanSite(workspace.dataDir);
  return workspace;
}

function plan(workspace: Workspace, ...args: string[]): Promise<GivreResult> {
  return runGivre(["--config", workspace.configFile, "plan", "--at", AT, ...args]);
}

/** Runs the built CLI as `nobody`, for whom a folder's permissions really apply. */
function runGivreAsNobody(args: readonly string[]): Promise<GivreResult> {
  const user = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];
  return runCommand("setpriv", [...user, process.execPath, GIVRE_BIN, ...args], cleanEnv());
}

const SAMPLE_PLAN = `radar (10-radar.yaml): archive to archive (STANDARD_IA), files older than 30d by path date (radar/*/{yyyy}/{mm}/{dd}/)
  to go     234 files, 4.6 MiB
  oldest    2019-05-23 00:00 UTC  radar/reflectivity/2019/05/22/reflectivity_20190522_0600.png
  newest    2019-06-30 00:00 UTC  radar/reflectivity/2019/06/29/reflectivity_20190629_0600.png
  samples   radar/reflectivity/2019/05/22/reflectivity_20190522_0600.png
            radar/reflectivity/2019/05/22/reflectivity_20190522_1200.png
            radar/reflectivity/2019/05/22/reflectivity_20190522_1800.png
  staying   80 kept, 6 not old enough
  limits    2,000,000 files, 500.0 GiB, at 80.0 MiB/s per run

tiles (20-tiles.yaml): archive to archive (STANDARD_IA), files older than 180d by mtime
  to go     4,096 files, 8.0 MiB
  oldest    2019-01-15 00:00 UTC  tiles/base/6/0/0.png
  newest    2019-01-15 00:00 UTC  tiles/base/6/0/0.png
  samples   tiles/base/6/0/0.png
            tiles/base/6/0/1.png
            tiles/base/6/0/10.png
  staying   1,365 kept
  limits    5,000,000 files per run

archives (30-archives.yaml): copy to archive (GLACIER), files older than 7d by mtime
  to go     1 file, 200.0 MiB
  oldest    2018-01-01 00:00 UTC  archives/2019/big.grib2
  newest    2018-01-01 00:00 UTC  archives/2019/big.grib2
  samples   archives/2019/big.grib2
  limits    200.0 GiB, at 50.0 MiB/s per run

scanned: 5,783 files looked at in 228 folders; 0 symbolic links not followed; 0 special files skipped
`;

describe("givre plan", () => {
  let workspace: Workspace;

  beforeAll(() => {
    workspace = sampleWorkspace();
  });

  it("shows per policy what would go, what stays and the limits, and nothing on stderr", async () => {
    const result = await plan(workspace);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(SAMPLE_PLAN);
    expect(result.code).toBe(0);
  });

  it("writes one JSON object per candidate with --json", async () => {
    const result = await plan(workspace, "--json", "--policy", "archives");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      JSON.stringify({
        root: "data",
        path: "archives/2019/big.grib2",
        size: 200 * 1024 * 1024,
        mtime: "2018-01-01T00:00:00.000Z",
        mode: 0o644,
        policy: "archives",
        action: "copy",
        target: "archive",
        storage_class: "GLACIER",
        key: "data/archives/2019/big.grib2",
        dated: "2018-01-01T00:00:00.000Z",
      }),
      "",
    ]);
    const [scanned] = logLines(result.stderr);
    expect(scanned).toMatchObject({ msg: "plan scanned", folders: 3, filesSeen: 2, unreadable: 0 });
  });

  it("lists every candidate of every policy with --json", async () => {
    const result = await plan(workspace, "--json");
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const perPolicy: Record<string, number> = {};
    for (const line of lines) perPolicy[line.policy] = (perPolicy[line.policy] ?? 0) + 1;
    expect(perPolicy).toEqual({ archives: 1, radar: 234, tiles: 4096 });
  });

  it("plans the chosen policies only", async () => {
    const result = await plan(workspace, "--policy", "archives", "--policy", "radar");
    expect(result.stdout.split("\n").filter((line) => /^\S/.test(line))).toEqual([
      "radar (10-radar.yaml): archive to archive (STANDARD_IA), files older than 30d by path date (radar/*/{yyyy}/{mm}/{dd}/)",
      "archives (30-archives.yaml): copy to archive (GLACIER), files older than 7d by mtime",
      "scanned: 322 files looked at in 92 folders; 0 symbolic links not followed; 0 special files skipped",
    ]);
  });

  it("exits 2 naming the policies when --policy names none of them", async () => {
    const result = await plan(workspace, "--policy", "radr");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'givre: no policy named "radr"; the policies are radar, tiles, archives\n',
    );
  });

  it("exits 2 with the file, line and fix of a broken policy", async () => {
    const broken = makeWorkspace("givre-plan-unused");
    writeFileSync(
      join(broken.policiesDir, "10-radar.yaml"),
      "name: radar\nroot: data\nmatch: { include: [radar/**] }\nage: { older_than: 30d }\naction: archive\ntarget: glacier\n",
    );
    const result = await runGivre(["--config", broken.configFile, "plan"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `givre: ${broken.policiesDir}/10-radar.yaml:6: target: expected one of the targets in ${broken.configFile} (archive), found "glacier"\n` +
        `  fix: add "glacier" under targets: in ${broken.configFile}, or name one it has\n`,
    );
  });

  it("exits 2 when the policies folder is empty", async () => {
    const empty = makeWorkspace("givre-plan-unused");
    const result = await runGivre(["--config", empty.configFile, "plan"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `givre: policies folder ${empty.policiesDir} holds no *.yaml policy\n` +
        "  fix: add one YAML file per policy (README 'Policies' has examples)\n",
    );
  });
});

describe("givre plan over folders it may not read", () => {
  it("lists them, exits 1, and plans everything else", async () => {
    const workspace = sampleWorkspace();
    rmSync(join(workspace.dataDir, "archives"), { recursive: true });
    chmodSync(workspace.dir, 0o755);
    const hidden = join(workspace.dataDir, "radar/velocity/2019/06");
    chmodSync(hidden, 0o700);
    const secret = join(workspace.dataDir, "tiles/base/6/0/0.png");
    chmodSync(secret, 0o600);
    const result = await runGivreAsNobody(["--config", workspace.configFile, "plan", "--at", AT]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const text = result.stdout;
    // Velocity's June cannot be read: its 10 days of May go (x3 images), and
    // reflectivity's 39 aged days; the 0600 tile is left out too.
    expect(text).toContain("\n  to go     147 files, 2.9 MiB\n");
    expect(text).toContain("\n  staying   50 kept, 3 not old enough\n");
    expect(text).toContain("\n  to go     4,095 files, 8.0 MiB\n");
    expect(text.slice(text.indexOf("scanned:"))).toBe(
      "scanned: 5,661 files looked at in 196 folders; 0 symbolic links not followed; 0 special files skipped\n" +
        "unreadable, left out of this plan (2):\n" +
        `  ${hidden}: permission denied (EACCES)\n` +
        `  ${secret}: permission denied (mode 0600, owner 0:0)\n`,
    );
  });
});
