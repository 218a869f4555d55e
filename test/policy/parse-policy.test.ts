import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { UsageError } from "../../src/errors.js";
import { parsePolicy } from "../../src/policy/parse-policy.js";

const CONFIG = parseConfig(
  "/etc/givre/givre.yaml",
  `roots:
  data: /srv/data
targets:
  archive:
    endpoint: http://127.0.0.1:7480
    bucket: site-archive
`,
  {},
);
const FILE = "/etc/givre/policies/10-radar.yaml";
const FULL = `name: radar
root: data
match:
  include: [radar/**/*.png]
  exclude: [radar/**/latest*.png]
  size: { max: 2GiB }
age:
  older_than: 30d
  from: path
  path_date: radar/*/{yyyy}/{mm}/{dd}/
keep: [radar/**/*_0000.png]
action: archive
target: archive
prefix: radar/
storage_class: STANDARD_IA
pack: { group: "{dir}", smaller_than: 1MiB, max_size: 1GiB }
limits: { files: 2000000, bytes: 500GiB, bandwidth: 80MiB/s }
`;
const MINIMAL = `name: tiles
root: data
match:
  include: tiles/**/*.png
age:
  older_than: 180d
action: copy
target: archive
`;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function failure(text: string, taken = new Map<string, string>()): UsageError {
  try {
    parsePolicy(FILE, text, CONFIG, taken);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected the policy to be refused");
}

/** The refusal as the CLI prints it: message, then the fix when there is one. */
function refusal(text: string): string {
  const error = failure(text);
  return error.hint ? `${error.message}\n  fix: ${error.hint}` : error.message;
}

describe("parsePolicy", () => {
  it("reads every field of the documented example", () => {
    expect(parsePolicy(FILE, FULL, CONFIG)).toEqual({
      name: "radar",
      file: FILE,
      root: "data",
      include: ["radar/**/*.png"],
      exclude: ["radar/**/latest*.png"],
      size: { max: 2 * GiB },
      age: { olderThanMs: 30 * 86_400_000, from: "path", pathDate: "radar/*/{yyyy}/{mm}/{dd}/" },
      keep: ["radar/**/*_0000.png"],
      action: "archive",
      target: "archive",
      prefix: "radar/",
      storageClass: "STANDARD_IA",
      pack: { group: "{dir}", smallerThan: MiB, maxSize: GiB, maxFiles: 10_000 },
      limits: { files: 2_000_000, bytes: 500 * GiB, bandwidth: 80 * MiB },
    });
  });

  it("fills the documented defaults", () => {
    expect(parsePolicy(FILE, MINIMAL, CONFIG)).toEqual({
      name: "tiles",
      file: FILE,
      root: "data",
      include: ["tiles/**/*.png"],
      exclude: [],
      size: {},
      age: { olderThanMs: 180 * 86_400_000, from: "mtime" },
      keep: [],
      action: "copy",
      target: "archive",
      prefix: "data/",
      storageClass: "STANDARD",
      pack: undefined,
      limits: {},
    });
  });

  it("defaults a pack's group, size and count", () => {
    const policy = parsePolicy(FILE, `${MINIMAL}pack: { smaller_than: 64KiB }\n`, CONFIG);
    expect(policy.pack).toEqual({
      group: "{dir}",
      smallerThan: 64 * 1024,
      maxSize: GiB,
      maxFiles: 10_000,
    });
  });
});

describe("policy errors name file, line and field", () => {
  it("an unknown key, with a guess", () => {
    expect(refusal(FULL.replace("storage_class:", "storage_clas:"))).toBe(
      `${FILE}:15: unknown key "storage_clas" at the top level (did you mean "storage_class"?); ` +
        "expected one of name, root, match, age, keep, action, target, prefix, storage_class, pack, limits",
    );
    expect(refusal(FULL.replace("  exclude:", "  exclude_globs:"))).toBe(
      `${FILE}:5: unknown key "exclude_globs" in match; expected one of include, exclude, size`,
    );
    expect(refusal(FULL.replace("  older_than:", "  older:"))).toBe(
      `${FILE}:8: unknown key "older" in age; expected one of older_than, from, path_date`,
    );
    expect(failure(FULL.replace("limits: { files", "limits: { file")).code).toBe(
      "POLICY_UNKNOWN_KEY",
    );
  });

  it("a missing field, at its parent's line", () => {
    expect(refusal(MINIMAL.replace("name: tiles\n", ""))).toBe(
      `${FILE}:1: name: missing; expected a string`,
    );
    expect(refusal(MINIMAL.replace("  include: tiles/**/*.png\n", "  exclude: [x]\n"))).toBe(
      `${FILE}:3: match.include: missing; expected a list of globs such as [radar/**/*.png]`,
    );
    expect(refusal(MINIMAL.replace("  older_than: 180d", "  from: mtime"))).toBe(
      `${FILE}:5: age.older_than: missing; expected a duration such as 30d`,
    );
    expect(refusal(MINIMAL.replace("action: copy\n", ""))).toBe(
      `${FILE}:1: action: missing; expected archive (free local disk) or copy (keep local)`,
    );
  });

  it("a root or a target that the config lacks, with the fix", () => {
    expect(refusal(FULL.replace("root: data", "root: tiles"))).toBe(
      `${FILE}:2: root: expected one of the roots in /etc/givre/givre.yaml (data), found "tiles"\n` +
        '  fix: add "tiles" under roots: in /etc/givre/givre.yaml, or name one it has',
    );
    expect(refusal(FULL.replace("target: archive", "target: glacier"))).toBe(
      `${FILE}:13: target: expected one of the targets in /etc/givre/givre.yaml (archive), found "glacier"\n` +
        '  fix: add "glacier" under targets: in /etc/givre/givre.yaml, or name one it has',
    );
  });

  it("a bad glob, wherever it is", () => {
    expect(
      refusal(FULL.replace("include: [radar/**/*.png]", "include: [/srv/data/radar/**]")),
    ).toBe(
      `${FILE}:4: match.include[0]: expected a path relative to the root, without a leading /, ` +
        'found "/srv/data/radar/**"',
    );
    expect(
      refusal(FULL.replace("exclude: [radar/**/latest*.png]", 'exclude: ["radar/[abc/*.png"]')),
    ).toBe(
      `${FILE}:5: match.exclude[0]: expected balanced brackets, braces and parentheses ([ is never closed), ` +
        'found "radar/[abc/*.png"',
    );
    expect(
      refusal(FULL.replace("keep: [radar/**/*_0000.png]", "keep:\n  - radar/**\n  - radar/../x")),
    ).toBe(`${FILE}:13: keep[1]: expected a glob without . or .. path parts, found "radar/../x"`);
    expect(refusal(MINIMAL.replace("include: tiles/**/*.png", "include: []"))).toBe(
      `${FILE}:4: match.include: expected at least one glob such as radar/**/*.png, found a list`,
    );
  });

  it("YAML that is no YAML, with the usual cause", () => {
    expect(refusal(FULL.replace("keep: [radar/**/*_0000.png]", "keep: [tiles/*/[0-5]/**]"))).toBe(
      `${FILE}:11: invalid YAML: Missing , or : between flow sequence items at line 11, column 16:\n` +
        '  fix: quote globs holding [ ] { } or starting with * or !, e.g. ["tiles/*/[0-5]/**"]',
    );
  });

  it("sizes and durations that are not", () => {
    expect(refusal(FULL.replace("max: 2GiB", "max: 2 gigs"))).toBe(
      `${FILE}:6: match.size.max: expected a size such as 512, 64KiB, 1MiB or 500GiB, found "2 gigs"`,
    );
    expect(refusal(FULL.replace("size: { max: 2GiB }", "size: { min: 2GiB, max: 1GiB }"))).toBe(
      `${FILE}:6: match.size.max: expected at least size.min (2147483648 bytes), found 1073741824`,
    );
    expect(refusal(FULL.replace("older_than: 30d", "older_than: 30 days"))).toBe(
      `${FILE}:8: age.older_than: expected a duration such as 500ms, 90s, 12h, 30d or 2w, found "30 days"`,
    );
    expect(refusal(FULL.replace("bandwidth: 80MiB/s", "bandwidth: fast"))).toBe(
      `${FILE}:17: limits.bandwidth: expected a rate such as 80MiB/s, found "fast"`,
    );
    expect(refusal(FULL.replace("files: 2000000", "files: 0"))).toBe(
      `${FILE}:17: limits.files: expected a whole number from 1 to 9007199254740991, found 0`,
    );
  });

  it("dates from paths that cannot be", () => {
    expect(refusal(FULL.replace("  path_date: radar/*/{yyyy}/{mm}/{dd}/\n", ""))).toBe(
      `${FILE}:7: age.path_date: missing; expected a pattern such as radar/*/{yyyy}/{mm}/{dd}/`,
    );
    expect(refusal(FULL.replace("{yyyy}/{mm}/{dd}/", "{yyyy}/{dd}/"))).toBe(
      `${FILE}:10: age.path_date: expected a pattern that makes a date: {dd} without {mm} is no date, ` +
        'found "radar/*/{yyyy}/{dd}/"',
    );
    expect(refusal(FULL.replace("{mm}/{dd}/", "{m}/{dd}/"))).toBe(
      `${FILE}:10: age.path_date: expected date parts {yyyy}, {mm}, {dd}, {hh} (not {m}), ` +
        'found "radar/*/{yyyy}/{m}/{dd}/"',
    );
    expect(refusal(FULL.replace("  from: path\n", ""))).toBe(
      `${FILE}:9: age.path_date: expected no path_date unless from: path, found "radar/*/{yyyy}/{mm}/{dd}/"\n` +
        "  fix: add `from: path` under age to date files by their path, or remove path_date",
    );
  });

  it("names, actions, classes and prefixes out of their shape", () => {
    expect(refusal(FULL.replace("name: radar", "name: radar images"))).toBe(
      `${FILE}:1: name: expected a name of letters, digits, - and _, found "radar images"`,
    );
    expect(refusal(FULL.replace("action: archive", "action: move"))).toBe(
      `${FILE}:12: action: expected one of archive, copy, found "move"`,
    );
    expect(refusal(FULL.replace("STANDARD_IA", "standard-ia"))).toBe(
      `${FILE}:15: storage_class: expected a storage class such as STANDARD_IA or GLACIER, found "standard-ia"`,
    );
    expect(refusal(FULL.replace("prefix: radar/", "prefix: radar"))).toBe(
      `${FILE}:14: prefix: expected a key prefix ending in / such as "radar/", or "", found "radar"`,
    );
    expect(refusal(FULL.replace("prefix: radar/", "prefix: /radar/"))).toBe(
      `${FILE}:14: prefix: expected a key prefix ending in / such as "radar/", or "", found "/radar/"`,
    );
  });

  it("packs that cannot be made", () => {
    expect(refusal(FULL.replace('group: "{dir}"', 'group: "{product}/{yyyy}"'))).toBe(
      `${FILE}:16: pack.group: expected a group template of {dir}, {0}, {1}..., {yyyy}, {mm}, ` +
        '{dd}, {hh} and text, found "{product}/{yyyy}"\n' +
        "  fix: {product} is not a token; path parts go by position: " +
        "{0} is the first folder, {1} the second (the product in radar/<product>/...)",
    );
    expect(refusal(FULL.replace("smaller_than: 1MiB, ", ""))).toBe(
      `${FILE}:16: pack.smaller_than: missing; expected a size such as 1MiB (smaller files go into packs)`,
    );
    expect(refusal(FULL.replace("max_size: 1GiB", "max_size: 512KiB"))).toBe(
      `${FILE}:16: pack.max_size: expected at least pack.smaller_than (1048576 bytes), found 524288`,
    );
  });

  it("a name another policy has, saying which", () => {
    const error = failure(FULL, new Map([["radar", "05-old-radar.yaml"]]));
    expect(error.code).toBe("POLICY_DUPLICATE_NAME");
    expect(error.message).toBe(
      `${FILE}:1: name: expected a name no other policy has (05-old-radar.yaml has it too), found "radar"`,
    );
  });

  it("a document that is not a mapping", () => {
    expect(refusal("- radar\n- tiles\n")).toBe(
      `${FILE}:1: (document): expected a mapping, found a list`,
    );
    expect(refusal("")).toBe(`${FILE}:1: name: missing; expected a string`);
  });
});
