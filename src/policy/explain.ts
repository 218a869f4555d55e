import { formatDuration, formatUtc } from "../config/units.js";
import { pathOf, type CompiledPolicy, type FileSubject, type RootRules } from "./compile-policy.js";
import { judge, type Decision, type FileFacts } from "./evaluate.js";

export interface Explanation {
  /** One line per policy of the root, in order, up to the one that owns the file. */
  steps: string[];
  /** Set when the file's facts were enough to decide (always, for a file that exists). */
  decision: Decision | undefined;
  /** Who takes the file and why, or why none does. */
  verdict: string;
}

/**
 * Why a path goes or stays, in words, for `givre policy check --explain`.
 * The owner is found with the tests `ownerOf` makes, in its order, and
 * what it does comes from `judge`, so what is explained is what the
 * planner does (the tests hold the two to the same answers). `facts` is
 * undefined for a path that does not exist: sizes are then assumed to fit
 * and an age from mtime is unknown.
 */
export function explainPath(
  root: RootRules,
  path: string,
  facts: FileFacts | undefined,
  now: number,
): Explanation {
  const file = root.subject(path);
  const steps: string[] = [];
  for (const rule of root.rules) {
    const miss = whyNotMatched(rule, file, facts);
    steps.push(`${label(rule)}: ${miss ?? `matches include ${rule.included(file)}`}`);
    if (miss === undefined) return ownerExplanation(rule, file, facts, now, steps);
  }
  const verdict = `no policy takes it: none of the ${root.rules.length} policies of root ${root.root} matches`;
  return { steps, decision: undefined, verdict };
}

function whyNotMatched(
  rule: CompiledPolicy,
  file: FileSubject,
  facts: FileFacts | undefined,
): string | undefined {
  const include = rule.included(file);
  if (include === undefined) return `no include glob matches (${rule.policy.include.join(", ")})`;
  const exclude = rule.excluded(file);
  if (exclude !== undefined) return `matches include ${include} but exclude ${exclude}`;
  if (!rule.needsSize || facts === undefined) return undefined;
  const misfit = rule.sizeMisfit(facts.size);
  return misfit && `matches include ${include} but ${misfit}`;
}

function ownerExplanation(
  owner: CompiledPolicy,
  file: FileSubject,
  facts: FileFacts | undefined,
  now: number,
  steps: string[],
): Explanation {
  const name = owner.policy.name;
  if (facts === undefined && owner.needsSize) {
    steps.push(`${label(owner)}: size unknown (no such file), assumed within match.size`);
  }
  const decision = judge(owner, file, () => facts, now);
  if (decision === undefined) {
    const verdict = `${name} takes it once older than ${olderThan(owner)}; no such file, so its mtime is unknown`;
    return { steps, decision, verdict };
  }
  steps.push(`${label(owner)}: ${outcomeStep(decision, file, now)}`);
  return { steps, decision, verdict: verdictOf(decision, pathOf(file)) };
}

function outcomeStep(decision: Decision, file: FileSubject, now: number): string {
  const { owner, outcome, dateMs } = decision;
  if (outcome === "keep") return `keep glob ${owner.kept(file)} holds it local`;
  if (outcome === "undated") return `${owner.pathDate!.dateOf(pathOf(file))}, so it has no date`;
  const source = owner.pathDate ? "by its path" : "by its mtime";
  const age = `dated ${formatUtc(dateMs)} ${source}, ${formatDuration(now - dateMs)} old`;
  const than = olderThan(owner);
  return outcome === "take" ? `${age}, older than ${than}` : `${age}, not older than ${than}`;
}

function verdictOf(decision: Decision, path: string): string {
  const { owner, outcome, dateMs } = decision;
  const policy = owner.policy;
  switch (outcome) {
    case "take":
      return `${policy.name} takes it: ${policy.action} to target ${policy.target} as ${policy.prefix}${path}`;
    case "keep":
      return `stays local: ${policy.name} keeps it`;
    case "undated":
      return `stays local: ${policy.name} dates files by path and this path has no date`;
    case "young": {
      const due = formatUtc(dateMs + policy.age.olderThanMs);
      return `stays local for now: ${policy.name} takes it after ${due}`;
    }
  }
}

function label(rule: CompiledPolicy): string {
  const file = rule.policy.file.split("/").pop();
  return `${rule.policy.name} (${file})`;
}

function olderThan(rule: CompiledPolicy): string {
  return formatDuration(rule.policy.age.olderThanMs);
}
