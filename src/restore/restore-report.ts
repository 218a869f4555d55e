/** What one `givre restore` did, counted as it goes; printed at the end. */
export interface RestoreCounts {
  /** Files the selection named. */
  selected: number;
  /** Files written (or, with --dry-run, that would be). */
  restored: number;
  bytes: number;
  /** Already on disk with the archive's size, mtime and SHA-256: left as they are. */
  unchanged: number;
  /** A different local file is in the way (reported, not overwritten). */
  conflicts: number;
  failed: number;
  /** Files whose cold object is still thawing. */
  thawing: number;
  /** GETs made (a pack read once counts once). */
  reads: number;
}

export interface RestoreReport {
  dryRun: boolean;
  counts: RestoreCounts;
  conflicts: { path: string; reason: string }[];
  failures: { path: string; reason: string }[];
  /** Objects thawing at the end, with how many selected files each holds. */
  thawing: { key: string; files: number }[];
  /** Temp files of killed restores removed. */
  sweptTemps: number;
  elapsedMs: number;
}

export function emptyRestoreCounts(): RestoreCounts {
  return {
    selected: 0,
    restored: 0,
    bytes: 0,
    unchanged: 0,
    conflicts: 0,
    failed: 0,
    thawing: 0,
    reads: 0,
  };
}

/** Exit code: 0 when every selected file is on disk (or thawing), 1 otherwise. */
export function restoreExitCode(report: RestoreReport): 0 | 1 {
  return report.counts.failed + report.counts.conflicts > 0 ? 1 : 0;
}
