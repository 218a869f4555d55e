import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { copyExamplePolicies } from "../support/policies.js";

const AT = "2019-07-31";

function withExamples(): Workspace {
  const workspace = makeWorkspace("givre-check-unused");
  copyExamplePolicies(workspace.policiesDir);
  return workspace;
}

describe("givre policy check", () => {
  let workspace: Workspace;

  beforeAll(() => {
    workspace = withExamples();
    const day = "radar/reflectivity/2019/06/28";
    writeTree(
      workspace.dataDir,
      { [`${day}/reflectivity_20190628_1200.png`]: "x".repeat(100) },
      new Date(Date.UTC(2019, 5, 28, 12)),
    );
    symlinkSync("reflectivity_20190628_1200.png", join(workspace.dataDir, day, "latest.png"));
  });

  const check = (...args: string[]) =>
    runGivre(["--config", workspace.configFile, "policy", "check", "--at", AT, ...args]);

  it("lists every valid policy and exits 0", async () => {
    const result = await check();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "ok  10-radar.yaml: radar, root data: archive to archive (STANDARD_IA), files older than 30d by path date (radar/*/{yyyy}/{mm}/{dd}/)\n" +
        "ok  20-tiles.yaml: tiles, root data: archive to archive (STANDARD_IA), files older than 180d by mtime\n" +
        "ok  30-archives.yaml: archives, root data: copy to archive (GLACIER), files older than 7d by mtime\n" +
        `3 policies valid in ${workspace.policiesDir}\n`,
    );
  });

  it("explains which policy takes a file on disk, and why", async () => {
    const file = join(
      workspace.dataDir,
      "radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png",
    );
    const result = await check("--explain", file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "data: radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png (100 bytes, mtime 2019-06-28 12:00 UTC)\n" +
        "  radar (10-radar.yaml): matches include radar/**/*.png\n" +
        "  radar (10-radar.yaml): dated 2019-06-29 00:00 UTC by its path, 32d old, older than 30d\n" +
        "radar takes it: archive to target archive as data/radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png\n",
    );
  });

  it("explains a path given as ROOT:PATH, for a file that is not here", async () => {
    const result = await check("--explain", "data:tiles/base/12/2048/1361.png");
    expect(result.stdout).toBe(
      "data: tiles/base/12/2048/1361.png (no such file here: size and mtime unknown)\n" +
        "  radar (10-radar.yaml): no include glob matches (radar/**/*.png)\n" +
        "  tiles (20-tiles.yaml): matches include tiles/**/*.png\n" +
        "tiles takes it once older than 180d; no such file, so its mtime is unknown\n",
    );
  });

  it("explains why no policy takes a path", async () => {
    const result = await check("--explain", "data:logs/2019/access.log");
    expect(result.stdout).toBe(
      "data: logs/2019/access.log (no such file here: size and mtime unknown)\n" +
        "  radar (10-radar.yaml): no include glob matches (radar/**/*.png)\n" +
        "  tiles (20-tiles.yaml): no include glob matches (tiles/**/*.png)\n" +
        "  archives (30-archives.yaml): no include glob matches (archives/**/*.{nc,grib2,tar})\n" +
        "no policy takes it: none of the 3 policies of root data matches\n",
    );
  });

  it("says a symbolic link is never taken", async () => {
    const link = join(workspace.dataDir, "radar/reflectivity/2019/06/28/latest.png");
    const result = await check("--explain", link);
    expect(result.stdout).toBe(
      "data: radar/reflectivity/2019/06/28/latest.png\n" +
        "no policy takes it: it is a symbolic link, never followed\n",
    );
  });

  it("exits 2 for a path under no root", async () => {
    const result = await check("--explain", "/etc/passwd");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `givre: /etc/passwd is under no root (data: ${workspace.dataDir})\n` +
        "  fix: give a path inside a root, or ROOT:PATH such as data:radar/x.png\n",
    );
  });

  it("lists every broken policy file with its line, and exits 2", async () => {
    const broken = withExamples();
    const radar = join(broken.policiesDir, "10-radar.yaml");
    const tiles = join(broken.policiesDir, "20-tiles.yaml");
    writeFileSync(
      radar,
      "name: radar\nroot: data\nmatch: { include: [radar/**] }\nage: { older_than: 30 days }\naction: archive\ntarget: archive\n",
    );
    writeFileSync(
      tiles,
      "name: tiles\nroot: data\nmatch: { include: [tiles/**] }\nage: { older_than: 90d }\naction: archive\ntarget: archive\nretention: 1y\n",
    );
    const result = await runGivre(["--config", broken.configFile, "policy", "check"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `givre: ${radar}:4: age.older_than: expected a duration such as 500ms, 90s, 12h, 30d or 2w, found "30 days"\n` +
        `givre: ${tiles}:7: unknown key "retention" at the top level; expected one of name, root, match, age, keep, action, target, prefix, storage_class, pack, limits\n` +
        `givre: 2 of 3 policy files in ${broken.policiesDir} have errors (above)\n`,
    );
  });
});
