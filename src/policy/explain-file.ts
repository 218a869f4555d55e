import { lstatSync, type Stats } from "node:fs";
import { posix, resolve, sep } from "node:path";
import type { GivreConfig } from "../config/config.js";
import { formatUtc } from "../config/units.js";
import { UsageError } from "../errors.js";
import { RootRules } from "./compile-policy.js";
import { explainPath } from "./explain.js";
import type { Policy } from "./policy.js";

const ROOT_PATH = /^([A-Za-z0-9][A-Za-z0-9_-]*):(.+)$/;

interface Located {
  root: string;
  /** Relative to the root, `/`-separated. */
  path: string;
  absolute: string;
}

/**
 * The lines of `givre policy check --explain PATH`: the file as givre sees
 * it, each policy of its root in order with why it matches or not, and
 * the verdict. PATH is a file path, or ROOT:PATH for a file not on this
 * machine's disk (its size and mtime are then unknown).
 */
export function explainFile(
  config: GivreConfig,
  policies: readonly Policy[],
  target: string,
  now: number,
): string[] {
  const { root, path, absolute } = locate(config, target);
  const stats = lstatSync(absolute, { throwIfNoEntry: false });
  const header = `${root}: ${path}${describeFile(stats)}`;
  const refusal = notAFile(stats);
  if (refusal) return [header, refusal];
  const ofRoot = policies.filter((policy) => policy.root === root);
  if (ofRoot.length === 0) return [header, `no policy takes it: no policy uses root ${root}`];
  const facts = stats && { size: stats.size, mtimeMs: stats.mtimeMs };
  const explanation = explainPath(new RootRules(root, ofRoot), path, facts, now);
  return [header, ...explanation.steps.map((step) => `  ${step}`), explanation.verdict];
}

function locate(config: GivreConfig, target: string): Located {
  const named = ROOT_PATH.exec(target);
  if (named && config.roots[named[1]!] !== undefined) {
    const path = posix.normalize(named[2]!);
    if (path.startsWith("../") || path.startsWith("/") || path === "..") {
      throw new UsageError(
        "EXPLAIN_OUTSIDE_ROOT",
        `${target}: expected a path inside root ${named[1]}`,
      );
    }
    return { root: named[1]!, path, absolute: resolve(config.roots[named[1]!]!, path) };
  }
  const absolute = resolve(target);
  const under = Object.entries(config.roots)
    .map(([root, folder]) => ({ root, folder: resolve(folder) }))
    .filter(({ folder }) => absolute.startsWith(folder + sep))
    .sort((a, b) => b.folder.length - a.folder.length)[0];
  if (under === undefined) {
    const roots = Object.entries(config.roots).map(([name, folder]) => `${name}: ${folder}`);
    throw new UsageError(
      "EXPLAIN_OUTSIDE_ROOT",
      `${absolute} is under no root (${roots.join(", ")})`,
      {
        hint: "give a path inside a root, or ROOT:PATH such as data:radar/x.png",
      },
    );
  }
  const path = absolute
    .slice(under.folder.length + 1)
    .split(sep)
    .join("/");
  return { root: under.root, path, absolute };
}

function describeFile(stats: Stats | undefined): string {
  if (stats === undefined) return " (no such file here: size and mtime unknown)";
  if (!stats.isFile()) return "";
  return ` (${stats.size} bytes, mtime ${formatUtc(stats.mtimeMs)})`;
}

function notAFile(stats: Stats | undefined): string | undefined {
  if (stats === undefined || stats.isFile()) return undefined;
  if (stats.isSymbolicLink()) return "no policy takes it: it is a symbolic link, never followed";
  if (stats.isDirectory()) return "no policy takes it: it is a folder; policies take files";
  return "no policy takes it: it is a special file (socket, FIFO or device), skipped";
}
