import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { loadPolicies, readPolicyFolder } from "../../src/policy/load-policies.js";
import { EXAMPLE_POLICIES, policyConfig, policyFolder } from "../support/policies.js";

function policy(name: string, extra = ""): string {
  return `name: ${name}
root: data
match: { include: ["${name}/**"] }
age: { older_than: 1d }
action: archive
target: archive
${extra}`;
}

function loadError(folder: string): UsageError {
  try {
    loadPolicies(policyConfig(folder));
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected the policies to be refused");
}

describe("loadPolicies", () => {
  it("reads *.yaml and *.yml in file-name order and ignores everything else", () => {
    const folder = policyFolder({
      "20-tiles.yaml": policy("tiles"),
      "10-radar.yml": policy("radar"),
      "30-archives.yaml": policy("archives"),
      "README.md": "not a policy",
      ".10-radar.yml.swp": "editor leftovers",
      "40-old.yaml.disabled": policy("old"),
    });
    mkdirSync(join(folder, "50-folder.yaml"));
    const policies = loadPolicies(policyConfig(folder));
    expect(policies.map((p) => [p.name, p.file])).toEqual([
      ["radar", join(folder, "10-radar.yml")],
      ["tiles", join(folder, "20-tiles.yaml")],
      ["archives", join(folder, "30-archives.yaml")],
    ]);
  });

  it("refuses a name that an earlier file already has", () => {
    const folder = policyFolder({ "10-a.yaml": policy("radar"), "20-b.yaml": policy("radar") });
    const error = loadError(folder);
    expect(error.code).toBe("POLICY_DUPLICATE_NAME");
    expect(error.message).toBe(
      `${folder}/20-b.yaml:1: name: expected a name no other policy has (10-a.yaml has it too), found "radar"`,
    );
  });

  it("throws the first file's error and says how many more there are", () => {
    const folder = policyFolder({
      "10-a.yaml": policy("a", "colour: blue\n"),
      "20-b.yaml": policy("b"),
      "30-c.yaml": policy("c", "action: move\n").replace("action: archive\n", ""),
      "40-d.yaml": "name: [\n",
    });
    const error = loadError(folder);
    expect(error.message).toBe(
      `${folder}/10-a.yaml:7: unknown key "colour" at the top level; expected one of name, root, ` +
        "match, age, keep, action, target, prefix, storage_class, pack, limits",
    );
    expect(error.hint).toBe(
      "2 more policy files have errors too: givre policy check lists them all",
    );
    const results = readPolicyFolder(policyConfig(folder));
    expect(
      results.map((r) => [r.file.slice(folder.length + 1), r.policy?.name, r.error?.code]),
    ).toEqual([
      ["10-a.yaml", undefined, "POLICY_UNKNOWN_KEY"],
      ["20-b.yaml", "b", undefined],
      ["30-c.yaml", undefined, "POLICY_INVALID"],
      ["40-d.yaml", undefined, "YAML_SYNTAX"],
    ]);
  });

  it("says so when the folder is missing", () => {
    const folder = join(tmpdir(), "givre-no-such-policies");
    const error = loadError(folder);
    expect(error.code).toBe("POLICIES_UNREADABLE");
    expect(error.message).toBe(
      `policies folder ${folder}: ENOENT: no such file or directory, scandir '${folder}'`,
    );
    expect(error.hint).toBe(
      "create it with one YAML file per policy, or set policies: in /etc/givre/givre.yaml",
    );
  });

  it("says so when the folder holds no policy", () => {
    const folder = policyFolder({ "README.md": "policies go here" });
    const error = loadError(folder);
    expect(error.code).toBe("POLICIES_EMPTY");
    expect(error.message).toBe(`policies folder ${folder} holds no *.yaml policy`);
  });

  it("accepts the example policies shipped in policies/", () => {
    const policies = loadPolicies(policyConfig(EXAMPLE_POLICIES));
    expect(
      policies.map((p) => [p.name, p.root, p.action, p.target, p.storageClass, p.age.from]),
    ).toEqual([
      ["radar", "data", "archive", "archive", "STANDARD_IA", "path"],
      ["tiles", "data", "archive", "archive", "STANDARD_IA", "mtime"],
      ["archives", "data", "copy", "archive", "GLACIER", "mtime"],
    ]);
  });
});
