import { execFileSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { GivreConfig } from "../../src/config/config.js";
import { UsageError } from "../../src/errors.js";
import { loadPolicies } from "../../src/policy/load-policies.js";
import type { Policy } from "../../src/policy/policy.js";
import type { Candidate } from "../../src/scan/candidate.js";
import { planCandidates, type PlanOptions } from "../../src/scan/plan.js";
import { writeTree } from "../support/givre-process.js";
import { generatePlanSite, sparseFile } from "../support/plan-site.js";
import { EXAMPLE_POLICIES, policyConfig, policyFolder } from "../support/policies.js";

const NOW = Date.UTC(2019, 6, 31);
const OLD = new Date(Date.UTC(2018, 0, 1));
const KiB = 1024;
const MiB = 1024 * KiB;

interface Setup {
  root: string;
  config: GivreConfig;
  policies: Policy[];
}

function setup(
  policies = EXAMPLE_POLICIES,
  root = mkdtempSync(join(tmpdir(), "givre-scan-")),
): Setup {
  const config = policyConfig(policies, root);
  return { root, config, policies: loadPolicies(config) };
}

async function plan({ config, policies }: Setup, options: PlanOptions = {}) {
  const planned = planCandidates(config, policies, { now: NOW, ...options });
  const candidates: Candidate[] = [];
  for await (const candidate of planned.candidates) candidates.push(candidate);
  return { candidates, report: planned.report };
}

function countBy(candidates: Candidate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { policy } of candidates) counts[policy.name] = (counts[policy.name] ?? 0) + 1;
  return counts;
}

function sampleSite(): Setup {
  const site = setup();
  generatePlanSite(site.root);
  return site;
}

describe("planning the example policies", () => {
  it("takes exactly the aged files of the sample site, per policy", async () => {
    const { candidates, report } = await plan(sampleSite());
    // radar: 2 products x 39 aged days x 3 images (the 00:00 one is kept);
    // tiles: zoom 6 only (0-5 are kept); archives: the one over 100 MiB.
    expect(countBy(candidates)).toEqual({ archives: 1, radar: 234, tiles: 4096 });
    expect(report).toEqual({
      // root, radar, 2 products, 2 years, 4 months, 80 days, tiles, base, 7 zooms,
      // 127 x folders, archives, archives/2019; never logs/.
      folders: 228,
      filesSeen: 320 + 5461 + 2,
      symlinks: 0,
      specialFiles: 0,
      unreadable: [],
      unreadableNotListed: 0,
      staying: {
        radar: { kept: 80, young: 6, undated: 0 },
        tiles: { kept: 1365, young: 0, undated: 0 },
        archives: { kept: 0, young: 0, undated: 0 },
      },
    });
  });

  it("describes each candidate as lstat saw it, with its policy and age date", async () => {
    const site = sampleSite();
    const { candidates } = await plan(site);
    const path = "radar/reflectivity/2019/05/22/reflectivity_20190522_0600.png";
    const first = candidates.find((candidate) => candidate.path === path)!;
    expect({ ...first, policy: first.policy.name }).toEqual({
      root: "data",
      path,
      absolutePath: join(site.root, path),
      size: 20 * KiB,
      mtimeMs: Date.UTC(2019, 4, 22, 6),
      mode: 0o644,
      policy: "radar",
      dateMs: Date.UTC(2019, 4, 23),
    });
  });

  it("walks in name order, a folder's files before its subfolders", async () => {
    const { candidates } = await plan(sampleSite());
    expect(candidates.slice(0, 4).map((candidate) => candidate.path)).toEqual([
      "archives/2019/big.grib2",
      "radar/reflectivity/2019/05/22/reflectivity_20190522_0600.png",
      "radar/reflectivity/2019/05/22/reflectivity_20190522_1200.png",
      "radar/reflectivity/2019/05/22/reflectivity_20190522_1800.png",
    ]);
  });

  it("never leaves the working folder changed, not even between two candidates", async () => {
    const site = sampleSite();
    const home = process.cwd();
    const planned = planCandidates(site.config, site.policies, { now: NOW, statThread: false });
    const seen = new Set<string>();
    for await (const _candidate of planned.candidates) seen.add(process.cwd());
    expect([...seen]).toEqual([home]);
  });

  it("gives the same plan whether lstat runs on a second thread or not", async () => {
    const site = sampleSite();
    const here = await plan(site, { statThread: false });
    const there = await plan(site, { statThread: true });
    expect(there.report).toEqual(here.report);
    expect(there.candidates.map((c) => [c.path, c.size, c.mtimeMs, c.mode, c.policy.name])).toEqual(
      here.candidates.map((c) => [c.path, c.size, c.mtimeMs, c.mode, c.policy.name]),
    );
  });
});

describe("the walk", () => {
  it("counts symbolic links and never follows them, loops included", async () => {
    const site = setup();
    const day = join(site.root, "radar/hail/2019/06/28");
    writeTree(day, { "hail_20190628_1200.png": "x" }, OLD);
    symlinkSync("../../../..", join(site.root, "radar/hail/2019/06/28/up.png"));
    symlinkSync("..", join(site.root, "radar/hail/loop"));
    symlinkSync("self", join(day, "self"));
    symlinkSync("hail_20190628_1200.png", join(day, "hail_20190628_1300.png"));
    const { candidates, report } = await plan(site);
    expect(candidates.map((candidate) => candidate.path)).toEqual([
      "radar/hail/2019/06/28/hail_20190628_1200.png",
    ]);
    expect([report.symlinks, report.folders]).toEqual([4, 6]);
  });

  it("skips sockets and FIFOs, counting them", async () => {
    const site = setup();
    writeTree(site.root, { "tiles/base/9/1/1.png": "t" }, OLD);
    execFileSync("mkfifo", [join(site.root, "tiles/base/9/1/2.png")]);
    const server = createServer().listen(join(site.root, "tiles/base/9/1/3.png"));
    await new Promise((resolved) => server.once("listening", resolved));
    try {
      const { candidates, report } = await plan(site);
      expect(candidates.map((candidate) => candidate.path)).toEqual(["tiles/base/9/1/1.png"]);
      expect(report.specialFiles).toBe(2);
    } finally {
      server.close();
    }
  });

  it("reports a folder it cannot read, with the reason, and plans the rest", async () => {
    const site = setup();
    writeTree(site.root, { "tiles/base/9/1/1.png": "t" }, OLD);
    // Past PATH_MAX (4096 bytes with its NUL) not even root can read a folder by its path.
    const part = "p".repeat(250);
    const script = `cd "$1" && for i in $(seq 20); do mkdir ${part} && cd ${part}; done`;
    execFileSync("bash", ["-c", script, "-", join(site.root, "tiles")]);
    let tooLong = join(site.root, "tiles");
    while (tooLong.length < 4096) tooLong = join(tooLong, part);
    const { candidates, report } = await plan(site);
    expect(candidates.map((candidate) => candidate.path)).toEqual(["tiles/base/9/1/1.png"]);
    expect(report.unreadable).toEqual([{ path: tooLong, reason: "name too long (ENAMETOOLONG)" }]);
  });

  it("reports a file whose name is not UTF-8, and plans the rest", async () => {
    const site = setup();
    const day = join(site.root, "radar/hail/2019/06/28");
    writeTree(day, { "hail_20190628_1200.png": "x" }, OLD);
    const latin1 = Buffer.concat([
      Buffer.from(`${day}/h`),
      Buffer.from([0xe9]),
      Buffer.from(".png"),
    ]);
    writeFileSync(latin1, "y");
    const { candidates, report } = await plan(site);
    expect(candidates.map((candidate) => candidate.path)).toEqual([
      "radar/hail/2019/06/28/hail_20190628_1200.png",
    ]);
    expect(report.unreadable).toEqual([
      { path: `${day}/h\uFFFD.png`, reason: "its name is not valid UTF-8" },
    ]);
  });

  it("reports a root that is not there and goes on", async () => {
    const site = setup(EXAMPLE_POLICIES, join(tmpdir(), "givre-no-such-root"));
    const { candidates, report } = await plan(site);
    expect(candidates).toEqual([]);
    expect(report.unreadable).toEqual([
      {
        path: join(tmpdir(), "givre-no-such-root"),
        reason: "no such file or directory (ENOENT)",
      },
    ]);
  });

  it("reads no folder until asked, and stops where the consumer stops", async () => {
    const site = sampleSite();
    const planned = planCandidates(site.config, site.policies, { now: NOW, statThread: false });
    expect(planned.report.folders).toBe(0);
    for await (const candidate of planned.candidates) {
      expect(candidate.path).toBe("archives/2019/big.grib2");
      break;
    }
    expect(planned.report.folders).toBeLessThan(228);
    const after = planned.report.folders;
    expect(await planned.candidates[Symbol.asyncIterator]().next()).toEqual({
      done: true,
      value: undefined,
    });
    expect(planned.report.folders).toBe(after);
  });

  it("stops with the signal's reason when aborted", async () => {
    const site = sampleSite();
    const controller = new AbortController();
    const planned = planCandidates(site.config, site.policies, {
      now: NOW,
      signal: controller.signal,
    });
    const iterator = planned.candidates[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error("shutting down"));
    await expect(iterator.next()).rejects.toThrow("shutting down");
  });
});

describe("choosing policies", () => {
  const small = `name: small
root: data
match: { include: ["**/*.bin"], size: { max: 1MiB } }
age: { older_than: 1d }
action: archive
target: archive
`;
  const all = `name: all
root: data
match: { include: ["**"] }
age: { older_than: 1d }
keep: ["keep/**"]
action: copy
target: archive
`;

  it("plans only the chosen policies, which still lose files to earlier ones", async () => {
    const site = setup(policyFolder({ "10-small.yaml": small, "20-all.yaml": all }));
    writeTree(site.root, { "a/small.bin": "s", "a/notes.txt": "n", "keep/k.txt": "k" }, OLD);
    sparseFile(join(site.root, "a/big.bin"), 2 * MiB, OLD);
    const { candidates, report } = await plan(site, { policies: ["all"] });
    expect(candidates.map((c) => [c.path, c.policy.name])).toEqual([
      ["a/big.bin", "all"],
      ["a/notes.txt", "all"],
    ]);
    expect(report.staying).toEqual({ all: { kept: 1, young: 0, undated: 0 } });
  });

  it("refuses a policy name that does not exist", () => {
    const site = setup();
    expect(() => planCandidates(site.config, site.policies, { policies: ["radr"] })).toThrow(
      new UsageError(
        "POLICY_UNKNOWN",
        'no policy named "radr"; the policies are radar, tiles, archives',
      ),
    );
  });
});
