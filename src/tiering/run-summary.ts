import type { RunOutcome } from "../catalog/catalog.js";
import type { ScanReport } from "../scan/candidate.js";

export interface RunCounts {
  /** Candidates the planner offered. */
  candidates: number;
  /** Already in the bucket unchanged (copied, restored): left alone. */
  alreadyStored: number;
  /** Left for a later run by a policy's or the run's limits. */
  deferred: number;
  /** Uploaded and proven (alone or in a pack). */
  stored: number;
  /** Packs uploaded and proven. */
  packs: number;
  /** Local copy removed after proof and manifest. */
  archived: number;
  /** Local copy kept (`action: copy`). */
  copied: number;
  /** Changed during upload: stays local, taken again later. */
  changed: number;
  failed: number;
  /** Bytes uploaded and proven. */
  bytes: number;
}

export interface RunSummary {
  runId: string;
  outcome: RunOutcome;
  dryRun: boolean;
  counts: RunCounts;
  /** Rows a killed run left unfinished, and what became of them. */
  recovered: { restarted: number; finished: number };
  failures: { path: string; reason: string }[];
  scan: ScanReport | undefined;
  elapsedMs: number;
}

export function emptyCounts(): RunCounts {
  return {
    candidates: 0,
    alreadyStored: 0,
    deferred: 0,
    stored: 0,
    packs: 0,
    archived: 0,
    copied: 0,
    changed: 0,
    failed: 0,
    bytes: 0,
  };
}
