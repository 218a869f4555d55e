import { describe, expect, it } from "vitest";
import { RootRules } from "../../src/policy/compile-policy.js";
import { decide, type FileFacts } from "../../src/policy/evaluate.js";
import { explainPath } from "../../src/policy/explain.js";
import { loadPolicies } from "../../src/policy/load-policies.js";
import type { Policy } from "../../src/policy/policy.js";
import { EXAMPLE_POLICIES, policyConfig, policyFolder } from "../support/policies.js";

const NOW = Date.UTC(2019, 6, 31);
const DAY = 86_400_000;
const MiB = 1024 * 1024;

function policiesIn(folder: string): Policy[] {
  return loadPolicies(policyConfig(folder));
}

/** Who owns a file and what it does with it: `policy:outcome`, or `none`. */
function verdict(rules: RootRules, path: string, facts: FileFacts): string {
  const decision = decide(rules.rules, rules.subject(path), () => facts, NOW);
  return decision ? `${decision.owner.policy.name}:${decision.outcome}` : "none";
}

const old = { size: 40 * 1024, mtimeMs: Date.UTC(2018, 0, 1) };
const recent = { size: 40 * 1024, mtimeMs: NOW - DAY };

/** Crafted paths with what lstat would say, and which example policy does what with them. */
const CRAFTED: [string, FileFacts, string][] = [
  ["radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png", recent, "radar:take"],
  ["radar/reflectivity/2019/06/29/reflectivity_20190629_2355.png", recent, "radar:take"],
  ["radar/reflectivity/2019/06/30/reflectivity_20190630_0005.png", old, "radar:young"],
  ["radar/reflectivity/2019/06/28/reflectivity_20190628_0000.png", old, "radar:keep"],
  ["radar/velocity/2019/02/29/velocity_20190229_1200.png", old, "radar:undated"],
  ["radar/velocity/2019/06/velocity_201906.png", old, "radar:undated"],
  ["radar/velocity/latest.png", old, "none"],
  ["radar/velocity/2019/06/28/latest_small.png", old, "none"],
  ["radar/velocity/2019/06/28/README.txt", old, "none"],
  ["radar/.partial/2019/06/28/x.png", old, "none"],
  ["tiles/base/12/2048/1361.png", { size: 4096, mtimeMs: Date.UTC(2019, 0, 31) }, "tiles:take"],
  ["tiles/base/12/2048/1361.png", { size: 4096, mtimeMs: Date.UTC(2019, 1, 2) }, "tiles:young"],
  ["tiles/base/3/1/2.png", old, "tiles:keep"],
  ["tiles/base/12/1/x.webp", old, "none"],
  [
    "archives/2019/06/gfs_20190601.nc",
    { size: 300 * MiB, mtimeMs: Date.UTC(2019, 5, 1) },
    "archives:take",
  ],
  ["archives/2019/06/gfs_20190601.nc", { size: MiB, mtimeMs: Date.UTC(2019, 5, 1) }, "none"],
  ["archives/2019/07/gfs.grib2", { size: 300 * MiB, mtimeMs: NOW - 2 * DAY }, "archives:young"],
  ["archives/bundle.tar", { size: 5 * 1024 * MiB, mtimeMs: Date.UTC(2019, 0, 1) }, "archives:take"],
  ["archives/bundle.zip", { size: 5 * 1024 * MiB, mtimeMs: Date.UTC(2019, 0, 1) }, "none"],
  ["logs/access.log", old, "none"],
];

describe("the example policies", () => {
  const rules = new RootRules("data", policiesIn(EXAMPLE_POLICIES));

  it("take, keep or leave each crafted path as documented", () => {
    const got = CRAFTED.map(([path, facts]) => [path, verdict(rules, path, facts)]);
    expect(got).toEqual(CRAFTED.map(([path, , expected]) => [path, expected]));
  });

  it("are explained exactly as they are decided", () => {
    for (const [path, facts] of CRAFTED) {
      const explained = explainPath(rules, path, facts, NOW).decision;
      const decided = decide(rules.rules, rules.subject(path), () => facts, NOW);
      expect([path, explained?.owner.policy.name, explained?.outcome]).toEqual([
        path,
        decided?.owner.policy.name,
        decided?.outcome,
      ]);
    }
  });
});

describe("first match", () => {
  const small = `name: small
root: data
match: { include: ["**"], size: { max: 1MiB } }
age: { older_than: 30d }
keep: ["keep/**"]
action: archive
target: archive
`;
  const everything = `name: everything
root: data
match: { include: ["**"] }
age: { older_than: 1d }
action: archive
target: archive
`;

  it("gives a file to the first policy in file-name order", () => {
    const first = new RootRules(
      "data",
      policiesIn(policyFolder({ "10-a.yaml": small, "20-b.yaml": everything })),
    );
    expect(verdict(first, "x/a.bin", old)).toBe("small:take");
    const swapped = new RootRules(
      "data",
      policiesIn(policyFolder({ "10-a.yaml": everything, "20-b.yaml": small })),
    );
    expect(verdict(swapped, "x/a.bin", old)).toBe("everything:take");
  });

  it("passes a file whose size does not fit on to the next policy", () => {
    const rules = new RootRules(
      "data",
      policiesIn(policyFolder({ "10-a.yaml": small, "20-b.yaml": everything })),
    );
    expect(verdict(rules, "x/big.bin", { size: 2 * MiB, mtimeMs: old.mtimeMs })).toBe(
      "everything:take",
    );
    expect(verdict(rules, "x/edge.bin", { size: MiB, mtimeMs: old.mtimeMs })).toBe("small:take");
  });

  it("lets keep beat match: a kept file stays, and no later policy takes it", () => {
    const rules = new RootRules(
      "data",
      policiesIn(policyFolder({ "10-a.yaml": small, "20-b.yaml": everything })),
    );
    expect(verdict(rules, "keep/a.bin", old)).toBe("small:keep");
  });

  it("keeps a file too young for its policy, even when a later one would take it", () => {
    const rules = new RootRules(
      "data",
      policiesIn(policyFolder({ "10-a.yaml": small, "20-b.yaml": everything })),
    );
    expect(verdict(rules, "x/a.bin", { size: 10, mtimeMs: NOW - 10 * DAY })).toBe("small:young");
  });

  it("counts older_than strictly: at exactly that age a file stays", () => {
    const rules = new RootRules("data", policiesIn(policyFolder({ "10-a.yaml": small })));
    expect(verdict(rules, "x/a.bin", { size: 10, mtimeMs: NOW - 30 * DAY })).toBe("small:young");
    expect(verdict(rules, "x/a.bin", { size: 10, mtimeMs: NOW - 30 * DAY - 1 })).toBe("small:take");
  });
});

describe("explanations", () => {
  const rules = new RootRules("data", policiesIn(EXAMPLE_POLICIES));
  const explain = (path: string, facts: FileFacts | undefined) => {
    const { steps, verdict } = explainPath(rules, path, facts, NOW);
    return [...steps, verdict];
  };

  it("say which policy takes a file and why", () => {
    expect(explain("radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png", old)).toEqual([
      "radar (10-radar.yaml): matches include radar/**/*.png",
      "radar (10-radar.yaml): dated 2019-06-29 00:00 UTC by its path, 32d old, older than 30d",
      "radar takes it: archive to target archive as data/radar/reflectivity/2019/06/28/reflectivity_20190628_1200.png",
    ]);
  });

  it("say why a matched file stays", () => {
    expect(explain("radar/reflectivity/2019/06/28/reflectivity_20190628_0000.png", old)).toEqual([
      "radar (10-radar.yaml): matches include radar/**/*.png",
      "radar (10-radar.yaml): keep glob radar/**/*_0000.png holds it local",
      "stays local: radar keeps it",
    ]);
    expect(explain("radar/reflectivity/2019/07/15/reflectivity_20190715_1200.png", old)).toEqual([
      "radar (10-radar.yaml): matches include radar/**/*.png",
      "radar (10-radar.yaml): dated 2019-07-16 00:00 UTC by its path, 15d old, not older than 30d",
      "stays local for now: radar takes it after 2019-08-15 00:00 UTC",
    ]);
    expect(explain("radar/reflectivity/2019/02/29/x.png", old)).toEqual([
      "radar (10-radar.yaml): matches include radar/**/*.png",
      "radar (10-radar.yaml): 2019-02-29 is not a date, so it has no date",
      "stays local: radar dates files by path and this path has no date",
    ]);
  });

  it("say why no policy takes a file, policy by policy", () => {
    expect(explain("archives/2019/06/gfs.nc", { size: MiB, mtimeMs: old.mtimeMs })).toEqual([
      "radar (10-radar.yaml): no include glob matches (radar/**/*.png)",
      "tiles (20-tiles.yaml): no include glob matches (tiles/**/*.png)",
      "archives (30-archives.yaml): matches include archives/**/*.{nc,grib2,tar} but size 1048576 B is under match.size.min 104857600 B",
      "no policy takes it: none of the 3 policies of root data matches",
    ]);
    expect(explain("radar/velocity/latest.png", old)).toEqual([
      "radar (10-radar.yaml): matches include radar/**/*.png but exclude radar/**/latest*.png",
      "tiles (20-tiles.yaml): no include glob matches (tiles/**/*.png)",
      "archives (30-archives.yaml): no include glob matches (archives/**/*.{nc,grib2,tar})",
      "no policy takes it: none of the 3 policies of root data matches",
    ]);
  });

  it("say what they cannot know about a file that is not there", () => {
    expect(explain("tiles/base/12/1/1.png", undefined)).toEqual([
      "radar (10-radar.yaml): no include glob matches (radar/**/*.png)",
      "tiles (20-tiles.yaml): matches include tiles/**/*.png",
      "tiles takes it once older than 180d; no such file, so its mtime is unknown",
    ]);
    expect(explain("archives/2019/06/gfs.nc", undefined)).toEqual([
      "radar (10-radar.yaml): no include glob matches (radar/**/*.png)",
      "tiles (20-tiles.yaml): no include glob matches (tiles/**/*.png)",
      "archives (30-archives.yaml): matches include archives/**/*.{nc,grib2,tar}",
      "archives (30-archives.yaml): size unknown (no such file), assumed within match.size",
      "archives takes it once older than 7d; no such file, so its mtime is unknown",
    ]);
  });
});
