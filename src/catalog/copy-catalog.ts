import type { Catalog, CatalogEntry, FileState, PolicySummary } from "./catalog.js";

/** Entries per putMany on the target: one transaction each, a few statements in PostgreSQL. */
export const COPY_BATCH = 5_000;

/** runs() takes a limit; a catalog holds one run a night, so "all" is small. */
const ALL_RUNS = Number.MAX_SAFE_INTEGER;

export interface CopyOptions {
  /** Entries per write to the target. Default COPY_BATCH. */
  batchSize?: number;
  /** Called after each batch with the number of entries copied so far. */
  onProgress?: (copied: number) => void;
}

export interface CopyResult {
  entries: number;
  /** Runs written to the target. */
  runs: number;
  /** Runs the target already had (same id), left as they were. */
  runsKept: number;
}

export interface Counts {
  files: number;
  bytes: number;
}

export interface CountComparison {
  policy: string;
  state: FileState;
  source: Counts;
  target: Counts;
  matches: boolean;
}

export interface CatalogComparison {
  /** One row per (policy, state) present on either side, by policy then state. */
  counts: CountComparison[];
  /** Ids of source runs the target lacks. */
  missingRuns: string[];
  matches: boolean;
}

/** What a catalog holds, for deciding whether it may be copied into. */
export async function catalogSize(catalog: Catalog): Promise<{ entries: number; runs: number }> {
  return { entries: await catalog.count({}), runs: (await catalog.runs(ALL_RUNS)).length };
}

/**
 * Copies every run, then every entry, of `from` into `to`. Entries go in
 * batches, each one transaction, and replace entries with the same (root,
 * path); runs the target already has are kept, so copying again after an
 * interruption finishes the job.
 */
export async function copyCatalog(
  from: Catalog,
  to: Catalog,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const { runs, runsKept } = await copyRuns(from, to);
  const batchSize = options.batchSize ?? COPY_BATCH;
  let batch: CatalogEntry[] = [];
  let entries = 0;
  const flush = async () => {
    await to.putMany(batch);
    entries += batch.length;
    batch = [];
    options.onProgress?.(entries);
  };
  for await (const entry of from.select({})) {
    batch.push(entry);
    if (batch.length < batchSize) continue;
    await flush();
  }
  if (batch.length > 0) await flush();
  return { entries, runs, runsKept };
}

/** Compares files and bytes per (policy, state), and the runs, of two catalogs. */
export async function compareCatalogs(from: Catalog, to: Catalog): Promise<CatalogComparison> {
  const source = byPolicyAndState(await from.summary());
  const target = byPolicyAndState(await to.summary());
  const keys = [...new Set([...source.keys(), ...target.keys()])].sort(byteOrder);
  const counts = keys.map((key) => {
    const [policy, state] = key.split("\0") as [string, FileState];
    const inSource = source.get(key) ?? { files: 0, bytes: 0 };
    const inTarget = target.get(key) ?? { files: 0, bytes: 0 };
    const matches = inSource.files === inTarget.files && inSource.bytes === inTarget.bytes;
    return { policy, state, source: inSource, target: inTarget, matches };
  });
  const targetRuns = new Set((await to.runs(ALL_RUNS)).map((run) => run.id));
  const missingRuns = (await from.runs(ALL_RUNS))
    .map((run) => run.id)
    .filter((id) => !targetRuns.has(id));
  const matches = counts.every((row) => row.matches) && missingRuns.length === 0;
  return { counts, missingRuns, matches };
}

async function copyRuns(from: Catalog, to: Catalog): Promise<{ runs: number; runsKept: number }> {
  const existing = new Set((await to.runs(ALL_RUNS)).map((run) => run.id));
  // Oldest first, so the target's own order of insertion follows history.
  const runs = (await from.runs(ALL_RUNS)).reverse();
  let copied = 0;
  for (const run of runs) {
    if (existing.has(run.id)) continue;
    await to.startRun(run);
    copied++;
  }
  return { runs: copied, runsKept: runs.length - copied };
}

function byPolicyAndState(summary: readonly PolicySummary[]): Map<string, Counts> {
  return new Map(summary.map((row) => [`${row.policy}\0${row.state}`, row]));
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
