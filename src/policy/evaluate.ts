import type { CompiledPolicy, FileSubject } from "./compile-policy.js";

/** What lstat told about a file; matching never reads its bytes. */
export interface FileFacts {
  size: number;
  mtimeMs: number;
}

/**
 * What the owning policy does with a file now:
 * - `take`: it has aged; it goes.
 * - `keep`: a keep glob holds it local forever.
 * - `young`: not older than `age.older_than` yet.
 * - `undated`: `age.from: path` and its path names no date; it stays.
 */
export type Outcome = "take" | "keep" | "young" | "undated";

export interface Decision {
  owner: CompiledPolicy;
  outcome: Outcome;
  /** With take and young: the date age is measured from (mtime or path), ms. */
  dateMs: number;
}

/**
 * The policy owning a file and what it does with it, or undefined when no
 * policy matches. A file belongs to the first policy of its root whose
 * match (include, exclude, size) fits; keep and age then decide whether it
 * goes now. A file kept or too young never falls through to a later
 * policy: "stays local" must mean exactly that.
 *
 * `facts` is called only when size or mtime are needed, so that files
 * decided by their path alone are never stat'ed; it returns undefined for
 * a file that vanished, and then so does this.
 */
export function decide(
  rules: readonly CompiledPolicy[],
  file: FileSubject,
  facts: () => FileFacts | undefined,
  now: number,
): Decision | undefined {
  const owner = ownerOf(rules, file, facts);
  return owner && judge(owner, file, facts, now);
}

/** What the owning policy does with the file now; undefined when it vanished. */
export function judge(
  owner: CompiledPolicy,
  file: FileSubject,
  facts: () => FileFacts | undefined,
  now: number,
): Decision | undefined {
  if (owner.kept(file) !== undefined) return { owner, outcome: "keep", dateMs: NaN };
  const dateMs = ageDate(owner, file, facts);
  if (dateMs === undefined) return undefined;
  if (Number.isNaN(dateMs)) return { owner, outcome: "undated", dateMs };
  const outcome = isAged(owner, dateMs, now) ? "take" : "young";
  return { owner, outcome, dateMs };
}

/** "Older than 30d" is strict: at exactly 30 days a file stays one more moment. */
export function isAged(owner: CompiledPolicy, dateMs: number, now: number): boolean {
  return now - dateMs > owner.policy.age.olderThanMs;
}

/** The first policy whose match fits; undefined when none does or the file vanished. */
export function ownerOf(
  rules: readonly CompiledPolicy[],
  file: FileSubject,
  facts: () => FileFacts | undefined,
): CompiledPolicy | undefined {
  for (const rule of rules) {
    if (rule.included(file) === undefined || rule.excluded(file) !== undefined) continue;
    if (!rule.needsSize) return rule;
    const size = facts()?.size;
    if (size === undefined) return undefined;
    if (rule.sizeMisfit(size) === undefined) return rule;
  }
  return undefined;
}

/** The path's date, or the mtime; NaN when the path has none; undefined when vanished. */
function ageDate(
  owner: CompiledPolicy,
  file: FileSubject,
  facts: () => FileFacts | undefined,
): number | undefined {
  if (owner.pathDate === undefined) return facts()?.mtimeMs;
  const date = owner.pathDate.dateIn(file.dir, file.name);
  return typeof date === "number" ? date : NaN;
}
