import type { GivreConfig } from "../config/config.js";
import { UsageError } from "../errors.js";
import { RootRules } from "../policy/compile-policy.js";
import type { Policy } from "../policy/policy.js";
import type { Candidate, ScanReport } from "./candidate.js";
import { PlanIterator, type ScanProgress } from "./plan-iterator.js";
import { RootWalk } from "./root-walk.js";

export type { ScanProgress } from "./plan-iterator.js";

export interface PlanOptions {
  /**
   * Names of the policies whose candidates are wanted; default all. Files
   * still belong to the first matching policy among all of them, so a
   * file of an earlier policy never shows up under a later one.
   */
  policies?: readonly string[];
  /** The moment ages are measured at, ms since the epoch. Default: now. */
  now?: number;
  /** Aborting rejects the pending `next()` with the signal's reason. */
  signal?: AbortSignal;
  /** Called about every PROGRESS_INTERVAL_MS (250 ms) during the walk, and once at its end. */
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Whether lstat calls may run on a second thread: true from the start,
   * false never; by default once the walk has made 10,000 of them here,
   * unless the machine is swamped (1-minute load average at or above the
   * cores plus one), where a second thread only adds its own cost.
   * Either way the candidates and the report are the same.
   */
  statThread?: boolean;
}

export interface Plan {
  /** Candidates in walk order, produced as they are pulled; iterate once. */
  candidates: AsyncIterable<Candidate>;
  /** Filled as the walk goes; complete once `candidates` has ended. */
  report: ScanReport;
}

/**
 * Walks every root that the wanted policies use and streams the files
 * that have aged, each with the policy that owns it. Nothing is read
 * ahead: the walk advances only when the consumer pulls, so a slow
 * consumer holds the walk, not a growing queue. Policy limits are not
 * applied here; the run applies them after skipping files already handled.
 */
export function planCandidates(
  config: GivreConfig,
  policies: readonly Policy[],
  options: PlanOptions = {},
): Plan {
  const selected = selectPolicies(policies, options.policies);
  const report = emptyReport(selected);
  const now = options.now ?? Date.now();
  const walks = [...new Set(policies.map((policy) => policy.root))]
    .filter((root) => policies.some((policy) => policy.root === root && selected.has(policy)))
    .map((root) => rootWalk(config, root, policies, selected, report, now));
  return { candidates: new PlanIterator(walks, report, options), report };
}

function selectPolicies(policies: readonly Policy[], names?: readonly string[]): Set<Policy> {
  if (names === undefined) return new Set(policies);
  for (const name of names) {
    if (policies.some((policy) => policy.name === name)) continue;
    const known = policies.map((policy) => policy.name).join(", ");
    throw new UsageError("POLICY_UNKNOWN", `no policy named "${name}"; the policies are ${known}`);
  }
  return new Set(policies.filter((policy) => names.includes(policy.name)));
}

function emptyReport(selected: ReadonlySet<Policy>): ScanReport {
  const staying: ScanReport["staying"] = {};
  for (const policy of selected) staying[policy.name] = { kept: 0, young: 0, undated: 0 };
  return {
    folders: 0,
    filesSeen: 0,
    symlinks: 0,
    specialFiles: 0,
    unreadable: [],
    unreadableNotListed: 0,
    staying,
  };
}

function rootWalk(
  config: GivreConfig,
  root: string,
  policies: readonly Policy[],
  selected: ReadonlySet<Policy>,
  report: ScanReport,
  now: number,
): RootWalk {
  const path = config.roots[root];
  if (path === undefined) {
    throw new UsageError(
      "POLICY_ROOT_UNKNOWN",
      `policies use root "${root}", not in ${config.file}`,
    );
  }
  const rules = new RootRules(
    root,
    policies.filter((policy) => policy.root === root),
  );
  return new RootWalk({ path, rules, selected, report, now });
}
