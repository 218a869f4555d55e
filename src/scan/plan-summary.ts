import type { Policy } from "../policy/policy.js";
import type { Candidate } from "./candidate.js";

/** How many sample paths a policy's summary keeps: enough to see the shape of a match. */
export const SAMPLE_PATHS = 3;

export interface DatedPath {
  path: string;
  dateMs: number;
}

export interface PolicyTotals {
  policy: Policy;
  files: number;
  bytes: number;
  /** The candidate with the earliest age date (mtime or path date); first seen wins ties. */
  oldest: DatedPath | undefined;
  newest: DatedPath | undefined;
  /** The first candidates in walk order. */
  samples: string[];
}

/** Per-policy totals of a stream of candidates, in constant memory. */
export class PlanSummary {
  readonly #totals = new Map<Policy, PolicyTotals>();

  /** `policies`: the ones planned, in the order they are shown. */
  constructor(policies: readonly Policy[]) {
    for (const policy of policies) {
      const totals = { policy, files: 0, bytes: 0, oldest: undefined, newest: undefined };
      this.#totals.set(policy, { ...totals, samples: [] });
    }
  }

  add(candidate: Candidate): void {
    const totals = this.#totals.get(candidate.policy);
    if (totals === undefined) return;
    totals.files++;
    totals.bytes += candidate.size;
    const { path, dateMs } = candidate;
    if (totals.oldest === undefined || dateMs < totals.oldest.dateMs) {
      totals.oldest = { path, dateMs };
    }
    if (totals.newest === undefined || dateMs > totals.newest.dateMs) {
      totals.newest = { path, dateMs };
    }
    if (totals.samples.length < SAMPLE_PATHS) totals.samples.push(path);
  }

  get totals(): PolicyTotals[] {
    return [...this.#totals.values()];
  }
}
