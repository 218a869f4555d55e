import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { FieldReader } from "./field-reader.js";
import { YamlDocument } from "./yaml-document.js";
import {
  DEFAULT_CONFIG_FILE,
  type GivreConfig,
  type ManifestConfig,
  type RestoreConfig,
  type ServeConfig,
  type TargetConfig,
} from "./config.js";

const TOP_KEYS = [
  "state_dir",
  "policies",
  "catalog",
  "roots",
  "targets",
  "serve",
  "manifests",
  "restore",
];
const TARGET_KEYS = [
  "endpoint",
  "region",
  "bucket",
  "path_style",
  "checksums",
  "max_parts",
  "profile",
  "concurrency",
  "multipart_threshold",
  "part_size",
];
const SERVE_KEYS = [
  "listen",
  "prefixes",
  "delivery",
  "accel_location",
  "url_ttl",
  "cache_entries",
  "negative_ttl",
  "recall_on_access",
  "recalls_per_minute",
];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const MiB = 1024 * 1024;
/** S3 refuses more than 10,000 parts in one multipart upload. */
export const S3_MAX_PARTS = 10_000;
/** S3 refuses parts under 5 MiB (except the last one). */
export const S3_MIN_PART_SIZE = 5 * MiB;

/** Where the config lives: --config, else $GIVRE_CONFIG, else /etc/givre/givre.yaml. */
export function configPath(flag: string | undefined, env = process.env): string {
  return resolve(flag ?? env.GIVRE_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export function loadConfig(file: string, env = process.env): GivreConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      "CONFIG_UNREADABLE",
      `cannot read config ${file}: ${(error as Error).message}`,
      {
        hint: "pass --config PATH or set GIVRE_CONFIG; README 'Configuration' has an example",
      },
    );
  }
  return parseConfig(file, text, env);
}

/** Validates config text; env overrides GIVRE_STATE_DIR, GIVRE_POLICIES, GIVRE_CATALOG win. */
export function parseConfig(file: string, text: string, env = process.env): GivreConfig {
  const fields = new FieldReader(YamlDocument.parse(file, text));
  fields.object([], TOP_KEYS);
  const roots = readRoots(fields);
  const config: GivreConfig = {
    file,
    stateDir: absolute(fields, ["state_dir"], env.GIVRE_STATE_DIR ?? "/var/lib/givre"),
    policies: absolute(fields, ["policies"], env.GIVRE_POLICIES ?? "/etc/givre/policies"),
    catalog: readCatalog(fields, env.GIVRE_CATALOG),
    roots,
    targets: readTargets(fields),
    serve: readServe(fields, roots),
    manifests: readManifests(fields),
    restore: readRestore(fields),
  };
  return deepFreeze(config);
}

function absolute(fields: FieldReader, path: string[], fallback: string): string {
  const value = fields.string(path, fallback);
  if (!isAbsolute(value)) fields.fail(path, "an absolute path", value);
  return value;
}

function readCatalog(fields: FieldReader, override: string | undefined): string {
  const value = override ?? fields.string(["catalog"], "sqlite");
  if (value === "sqlite" || value.startsWith("sqlite:") || /^postgres(ql)?:\/\//.test(value)) {
    return value;
  }
  return fields.fail(["catalog"], "sqlite, sqlite:PATH or a postgres:// URL", value);
}

function readRoots(fields: FieldReader): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const name of Object.keys(fields.object(["roots"]))) {
    if (!NAME.test(name)) {
      fields.fail(["roots", name], "a root name of letters, digits, - and _", name);
    }
    roots[name] = absolute(fields, ["roots", name], "");
  }
  return roots;
}

function readTargets(fields: FieldReader): Record<string, TargetConfig> {
  const targets: Record<string, TargetConfig> = {};
  for (const name of Object.keys(fields.object(["targets"]))) {
    if (!NAME.test(name)) {
      fields.fail(["targets", name], "a target name of letters, digits, - and _", name);
    }
    targets[name] = readTarget(fields, name);
  }
  return targets;
}

function readTarget(fields: FieldReader, name: string): TargetConfig {
  const at = (key: string) => ["targets", name, key];
  fields.object(["targets", name], TARGET_KEYS);
  const endpoint = fields.optionalString(at("endpoint"));
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    fields.fail(
      at("endpoint"),
      "a URL such as https://s3.example.net or http://127.0.0.1:7480",
      endpoint,
    );
  }
  const isAws = endpoint === undefined || /\.amazonaws\.com\/?$/.test(endpoint);
  const bucket = fields.string(at("bucket"));
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    fields.fail(at("bucket"), "a bucket name (3-63 of a-z, 0-9, '.', '-')", bucket);
  }
  const partSize = fields.size(at("part_size")) ?? 16 * MiB;
  if (partSize < S3_MIN_PART_SIZE) {
    fields.fail(at("part_size"), "at least 5MiB (S3's smallest part)", partSize);
  }
  return {
    name,
    endpoint: endpoint?.replace(/\/$/, ""),
    region: fields.string(at("region"), "us-east-1"),
    bucket,
    pathStyle: fields.boolean(at("path_style"), !isAws),
    checksums: fields.oneOf(at("checksums"), ["compat", "aws"], isAws ? "aws" : "compat"),
    maxParts: fields.integer(at("max_parts"), S3_MAX_PARTS, 1, S3_MAX_PARTS),
    profile: fields.optionalString(at("profile")),
    concurrency: fields.integer(at("concurrency"), 32, 1, 1024),
    multipartThreshold: fields.size(at("multipart_threshold")) ?? 64 * MiB,
    partSize,
  };
}

function readServe(fields: FieldReader, roots: Record<string, string>): ServeConfig {
  const at = (key: string) => ["serve", key];
  fields.object(["serve"], SERVE_KEYS);
  const { host, port } = readListen(fields, fields.string(at("listen"), "127.0.0.1:8470"));
  const prefixes: Record<string, string> = {};
  for (const [prefix, root] of Object.entries(fields.object(at("prefixes")))) {
    const path = ["serve", "prefixes", prefix];
    if (!/^\/([^/]+\/)*$/.test(prefix)) {
      fields.fail(path, "a URL prefix that starts and ends with /", prefix);
    }
    if (typeof root !== "string" || !(root in roots)) {
      fields.fail(
        path,
        `a root named in roots (${Object.keys(roots).join(", ") || "none defined"})`,
        root,
      );
    }
    prefixes[prefix] = root;
  }
  return {
    host,
    port,
    prefixes,
    delivery: fields.oneOf(at("delivery"), ["stream", "accel", "redirect"], "stream"),
    accelLocation: fields.string(at("accel_location"), "/_givre_s3/"),
    urlTtl: fields.integer(at("url_ttl"), 900, 60, 7 * 24 * 3600),
    cacheEntries: fields.integer(at("cache_entries"), 100_000, 0),
    negativeTtl: fields.duration(at("negative_ttl")) ?? 5_000,
    recallOnAccess: fields.boolean(at("recall_on_access"), false),
    recallsPerMinute: fields.integer(at("recalls_per_minute"), 10, 0),
  };
}

function readListen(fields: FieldReader, listen: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    fields.fail(["serve", "listen"], "HOST:PORT such as 127.0.0.1:8470", listen);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

function readManifests(fields: FieldReader): ManifestConfig {
  fields.object(["manifests"], ["flush_files", "flush_interval"]);
  return {
    flushFiles: fields.integer(["manifests", "flush_files"], 1000, 1),
    flushInterval: fields.duration(["manifests", "flush_interval"]) ?? 60_000,
  };
}

function readRestore(fields: FieldReader): RestoreConfig {
  const at = (key: string) => ["restore", key];
  fields.object(["restore"], ["cold_storage_classes", "thaw_days", "thaw_tier", "poll_interval"]);
  const classes = fields.stringList(at("cold_storage_classes"));
  return {
    coldStorageClasses: classes.length ? classes : ["GLACIER", "DEEP_ARCHIVE"],
    // A thawed copy is billed per day it stays: 365 keeps a typo from costing years.
    thawDays: fields.integer(at("thaw_days"), 7, 1, 365),
    thawTier: fields.oneOf(at("thaw_tier"), ["Expedited", "Standard", "Bulk"], "Standard"),
    pollInterval: fields.duration(at("poll_interval")) ?? 5 * 60_000,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
