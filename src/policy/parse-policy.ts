import type { GivreConfig } from "../config/config.js";
import { FieldReader } from "../config/field-reader.js";
import { UsageError } from "../errors.js";
import type { FieldPath } from "../config/yaml-document.js";
import { YamlDocument } from "../config/yaml-document.js";
import { PACK_GROUP_TOKENS, packGroupProblem } from "../pack/pack-group.js";
import { globProblem } from "./glob.js";
import { pathDateProblem } from "./path-date.js";
import type { AgeSource, PackSettings, Policy, PolicyLimits } from "./policy.js";

const POLICY_KEYS = [
  "name",
  "root",
  "match",
  "age",
  "keep",
  "action",
  "target",
  "prefix",
  "storage_class",
  "pack",
  "limits",
];
const MATCH_KEYS = ["include", "exclude", "size"];
const AGE_KEYS = ["older_than", "from", "path_date"];
const PACK_KEYS = ["group", "smaller_than", "max_size", "max_files"];
const LIMIT_KEYS = ["files", "bytes", "bandwidth"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** S3 and its look-alikes spell storage classes in capitals: STANDARD_IA, GLACIER_IR. */
const STORAGE_CLASS = /^[A-Z][A-Z0-9_]*$/;
const GiB = 1024 ** 3;
/** A pack closes at 1 GiB unless told otherwise: big enough to save requests, small to retry. */
export const DEFAULT_PACK_MAX_SIZE = GiB;
export const DEFAULT_PACK_MAX_FILES = 10_000;

/**
 * Reads one policy file. Every mistake is a UsageError naming the file,
 * the line and the field, what was expected and what was found; a root or
 * target the config lacks says which ones it has.
 */
export function parsePolicy(
  file: string,
  text: string,
  config: GivreConfig,
  taken: ReadonlyMap<string, string> = new Map(),
): Policy {
  const fields = new FieldReader(parseYaml(file, text), "POLICY");
  fields.object([], POLICY_KEYS);
  const name = readName(fields, taken);
  const root = readKnown(fields, ["root"], config.roots, "roots", config.file);
  const age = readAge(fields);
  return {
    name,
    file,
    root,
    ...readMatch(fields),
    age,
    keep: readGlobs(fields, ["keep"]),
    action: readAction(fields),
    target: readKnown(fields, ["target"], config.targets, "targets", config.file),
    prefix: readPrefix(fields, `${root}/`),
    storageClass: readStorageClass(fields),
    pack: readPack(fields, age.pathDate),
    limits: readLimits(fields),
  };
}

/** `taken` maps the names of the policies read before to their files. */
/** YAML reads `[`, `{`, `*` and `!` as syntax: the usual mistake in a policy is an unquoted glob. */
function parseYaml(file: string, text: string): YamlDocument {
  try {
    return YamlDocument.parse(file, text);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(error.code, error.message, {
      hint: 'quote globs holding [ ] { } or starting with * or !, e.g. ["tiles/*/[0-5]/**"]',
      cause: error,
    });
  }
}

function readName(fields: FieldReader, taken: ReadonlyMap<string, string>): string {
  const name = fields.string(["name"]);
  if (!NAME.test(name)) fields.fail(["name"], "a name of letters, digits, - and _", name);
  const other = taken.get(name);
  if (other !== undefined) {
    fields.fail(["name"], `a name no other policy has (${other} has it too)`, name, {
      code: "POLICY_DUPLICATE_NAME",
      hint: "give each policy its own name: plans, manifests and the catalog record it",
    });
  }
  return name;
}

/** A root or target name that the config defines. */
function readKnown(
  fields: FieldReader,
  path: FieldPath,
  known: Readonly<Record<string, unknown>>,
  section: string,
  configFile: string,
): string {
  const name = fields.string(path);
  if (name in known) return name;
  const names = Object.keys(known);
  const choices = names.length === 0 ? "none defined" : names.join(", ");
  return fields.fail(path, `one of the ${section} in ${configFile} (${choices})`, name, {
    hint: `add "${name}" under ${section}: in ${configFile}, or name one it has`,
  });
}

function readMatch(fields: FieldReader): Pick<Policy, "include" | "exclude" | "size"> {
  fields.object(["match"], MATCH_KEYS);
  fields.object(["match", "size"], ["min", "max"]);
  fields.required(["match", "include"], "a list of globs such as [radar/**/*.png]");
  const include = readGlobs(fields, ["match", "include"]);
  if (include.length === 0) {
    fields.fail(["match", "include"], "at least one glob such as radar/**/*.png", []);
  }
  const min = fields.size(["match", "size", "min"]);
  const max = fields.size(["match", "size", "max"]);
  if (min !== undefined && max !== undefined && min > max) {
    fields.fail(["match", "size", "max"], `at least size.min (${min} bytes)`, max);
  }
  const size: Policy["size"] = {};
  if (min !== undefined) size.min = min;
  if (max !== undefined) size.max = max;
  return { include, exclude: readGlobs(fields, ["match", "exclude"]), size };
}

function readGlobs(fields: FieldReader, path: FieldPath): string[] {
  const globs = fields.stringList(path);
  globs.forEach((glob, index) => {
    const problem = globProblem(glob);
    if (problem) fields.fail([...path, index], problem, glob);
  });
  return globs;
}

function readAge(fields: FieldReader): Policy["age"] {
  fields.object(["age"], AGE_KEYS);
  fields.required(["age", "older_than"], "a duration such as 30d");
  const olderThanMs = fields.duration(["age", "older_than"])!;
  const from: AgeSource = fields.oneOf(["age", "from"], ["mtime", "path"], "mtime");
  const pathDate = fields.optionalString(["age", "path_date"]);
  if (from === "mtime" && pathDate !== undefined) {
    fields.fail(["age", "path_date"], "no path_date unless from: path", pathDate, {
      hint: "add `from: path` under age to date files by their path, or remove path_date",
    });
  }
  if (from === "mtime") return { olderThanMs, from };
  if (pathDate === undefined) {
    fields.required(["age", "path_date"], "a pattern such as radar/*/{yyyy}/{mm}/{dd}/");
  }
  const problem = pathDateProblem(pathDate!);
  if (problem) fields.fail(["age", "path_date"], problem, pathDate);
  return { olderThanMs, from, pathDate: pathDate! };
}

function readAction(fields: FieldReader): Policy["action"] {
  fields.required(["action"], "archive (free local disk) or copy (keep local)");
  return fields.oneOf(["action"], ["archive", "copy"], "archive");
}

function readPrefix(fields: FieldReader, fallback: string): string {
  const prefix = fields.get(["prefix"]) ?? fallback;
  if (prefix === "") return prefix;
  const valid =
    typeof prefix === "string" &&
    prefix.endsWith("/") &&
    !prefix.startsWith("/") &&
    !prefix
      .split("/")
      .slice(0, -1)
      .some((part) => ["", ".", ".."].includes(part));
  if (!valid) fields.fail(["prefix"], 'a key prefix ending in / such as "radar/", or ""', prefix);
  return prefix;
}

function readStorageClass(fields: FieldReader): string {
  const storageClass = fields.string(["storage_class"], "STANDARD");
  if (!STORAGE_CLASS.test(storageClass)) {
    fields.fail(["storage_class"], "a storage class such as STANDARD_IA or GLACIER", storageClass);
  }
  return storageClass;
}

function readPack(fields: FieldReader, pathDate: string | undefined): PackSettings | undefined {
  if (fields.get(["pack"]) === undefined) return undefined;
  const at = (key: string) => ["pack", key];
  fields.object(["pack"], PACK_KEYS);
  fields.required(at("smaller_than"), "a size such as 1MiB (smaller files go into packs)");
  const smallerThan = fields.size(at("smaller_than"))!;
  const maxSize = fields.size(at("max_size")) ?? DEFAULT_PACK_MAX_SIZE;
  if (maxSize < smallerThan) {
    fields.fail(at("max_size"), `at least pack.smaller_than (${smallerThan} bytes)`, maxSize);
  }
  return {
    group: readGroup(fields, pathDate),
    smallerThan,
    maxSize,
    maxFiles: fields.integer(at("max_files"), DEFAULT_PACK_MAX_FILES, 1),
  };
}

/**
 * `{dir}`, path parts `{0}`, `{1}`..., and date parts with any text between.
 * With `from: path`, only the date parts its path_date names (the others
 * would be made up); with `from: mtime`, any of them, from the mtime.
 */
function readGroup(fields: FieldReader, pathDate: string | undefined): string {
  const group = fields.string(["pack", "group"], "{dir}");
  const problem = packGroupProblem(group);
  if (problem) {
    fields.fail(["pack", "group"], `a group template of ${PACK_GROUP_TOKENS} and text`, group, {
      hint: problem,
    });
  }
  if (pathDate === undefined) return group;
  const named = dateTokens(pathDate);
  for (const [, token] of group.matchAll(/\{([^{}]*)\}/g)) {
    if (token === "dir" || /^\d+$/.test(token!) || named.includes(token!)) continue;
    fields.fail(
      ["pack", "group"],
      `date parts that age.path_date names (${named.map((n) => `{${n}}`).join(", ")})`,
      group,
      {
        hint: `{${token}} is not in path_date ${pathDate}`,
      },
    );
  }
  return group;
}

function dateTokens(pathDate: string | undefined): string[] {
  if (pathDate === undefined) return [];
  return [...pathDate.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!);
}

function readLimits(fields: FieldReader): PolicyLimits {
  fields.object(["limits"], LIMIT_KEYS);
  const limits: PolicyLimits = {};
  if (fields.get(["limits", "files"]) !== undefined) {
    limits.files = fields.integer(["limits", "files"], 0, 1);
  }
  const bytes = fields.size(["limits", "bytes"]);
  if (bytes === 0) fields.fail(["limits", "bytes"], "a size above 0 such as 500GiB", bytes);
  if (bytes !== undefined) limits.bytes = bytes;
  const bandwidth = fields.rate(["limits", "bandwidth"]);
  if (bandwidth !== undefined) limits.bandwidth = bandwidth;
  return limits;
}
