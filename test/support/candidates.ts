import { lstatSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Policy } from "../../src/policy/policy.js";
import type { Candidate } from "../../src/scan/candidate.js";

/** A policy with everything set, for suites that drive the run directly. */
export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    name: "everything",
    file: "/etc/givre/policies/10-everything.yaml",
    root: "data",
    include: ["**"],
    exclude: [],
    size: {},
    age: { olderThanMs: 0, from: "mtime" },
    keep: [],
    action: "archive",
    target: "archive",
    prefix: "data/",
    storageClass: "STANDARD",
    limits: {},
    ...overrides,
  };
}

/** Every regular file under `root` as a candidate of `policy`, sorted by path. */
export function candidatesOf(rootDir: string, policy: Policy): Candidate[] {
  const candidates: Candidate[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const absolutePath = join(dir, name);
      const stats = lstatSync(absolutePath);
      if (stats.isDirectory()) walk(absolutePath);
      if (!stats.isFile()) continue;
      const path = relative(rootDir, absolutePath).split(sep).join("/");
      candidates.push({
        root: policy.root,
        path,
        absolutePath,
        size: stats.size,
        mtimeMs: stats.mtimeMs,
        mode: stats.mode & 0o7777,
        policy,
        dateMs: stats.mtimeMs,
      });
    }
  };
  walk(rootDir);
  return candidates;
}

export async function* streamOf<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
