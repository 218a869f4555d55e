import { posix } from "node:path";

/**
 * The group a packed file belongs to, from the policy's `pack.group`
 * template. Files of one group share packs; a group is also the folder
 * (under the policy's prefix) where its packs are stored.
 *
 *   {dir}                 the file's folder: radar/reflectivity/2019/06/01
 *   {0} {1} ...           one segment of the path, counted from 0
 *   {yyyy} {mm} {dd} {hh} the file's date (UTC): from its path with
 *                         `age.from: path`, else from its mtime
 */
const TOKEN = /\{([^{}]*)\}/g;
const DATE_TOKENS = new Set(["yyyy", "mm", "dd", "hh"]);

export interface GroupFacts {
  path: string;
  /**
   * A moment inside the period the file is dated by, ms since the epoch.
   * (A path date is the END of the period it names: pass it minus 1 ms.)
   */
  dateMs: number;
}

/** The tokens a template may hold, for error messages. */
export const PACK_GROUP_TOKENS = "{dir}, {0}, {1}..., {yyyy}, {mm}, {dd}, {hh}";

/** Why a template cannot be used, or undefined when it can. */
export function packGroupProblem(template: string): string | undefined {
  if (template.trim() === "") return "the template is empty";
  for (const [, token] of template.matchAll(TOKEN)) {
    if (token === "dir" || DATE_TOKENS.has(token!) || /^\d+$/.test(token!)) continue;
    return (
      `{${token}} is not a token; path parts go by position: ` +
      "{0} is the first folder, {1} the second (the product in radar/<product>/...)"
    );
  }
  if (/[{}]/.test(template.replace(TOKEN, ""))) return "a { or } is left unmatched";
  return undefined;
}

/** The group of one file; segments missing from a short path read as `_`. */
export function packGroupOf(template: string, facts: GroupFacts): string {
  const segments = facts.path.split("/");
  const date = new Date(facts.dateMs).toISOString();
  const values: Record<string, string> = {
    dir: posix.dirname(facts.path),
    yyyy: date.slice(0, 4),
    mm: date.slice(5, 7),
    dd: date.slice(8, 10),
    hh: date.slice(11, 13),
  };
  const group = template.replace(TOKEN, (_, token: string) => {
    if (token in values) return values[token]!;
    return segments[Number(token)] ?? "_";
  });
  // A group is a folder of keys: no empty, "." or ".." segments.
  return (
    group
      .split("/")
      .filter((part) => part !== "" && part !== "." && part !== "..")
      .join("/") || "_"
  );
}
