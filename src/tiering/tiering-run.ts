import { hostname } from "node:os";
import PQueue from "p-queue";
import type { Policy } from "../policy/policy.js";
import type { Candidate, ScanReport } from "../scan/candidate.js";
import { IntakeLimits } from "./intake-limits.js";
import { PackAssembler } from "./pack-assembler.js";
import { recoverUnfinished } from "./recovery.js";
import { RunContext, type RunDeps, type RunOptions } from "./run-context.js";
import { runPacks } from "./run-packs.js";
import type { RunSummary } from "./run-summary.js";
import { storeFile, uploadingRow } from "./store-file.js";

export type { RunDeps, RunOptions } from "./run-context.js";

/** While draining, how often waiting batches and manifest segments are flushed. */
const DRAIN_FLUSH_MS = 50;
/** Files in the pipeline per PUT slot: enough to keep PUTs busy while others wait for proof. */
const PIPELINE_DEPTH = 8;

/**
 * One execution of `givre run`. Per file, in this order (DESIGN "The run,
 * and what is never lost"):
 *   1. the catalog records it `uploading`;
 *   2. upload, prove in the bucket, the row becomes `stored`;
 *   3. its manifest line is written, and the segment holding it uploaded;
 *   4. the local file is stat'ed again; a changed file stays;
 *   5. only then is it removed (`archive`) and the row `archived`.
 * Small files of a policy with `pack` go through a pack (steps 1-2 for the
 * whole pack), then each member goes through 3-5 like any file.
 */
export class TieringRun {
  readonly id: string;
  readonly #run: RunContext;
  /** Per target: PUTs in flight, at the target's concurrency. */
  readonly #puts = new Map<string, PQueue>();
  /** Files between intake and proof; wider than the PUTs, as proof waits to batch. */
  readonly #pipeline: PQueue;
  readonly #packs: PackAssembler;

  constructor(deps: RunDeps, options: RunOptions = {}) {
    this.id = newRunId();
    this.#run = new RunContext(this.id, deps, options);
    const targets = Object.values(deps.config.targets);
    const widest = Math.max(1, ...targets.map((target) => target.concurrency));
    this.#pipeline = new PQueue({ concurrency: widest * PIPELINE_DEPTH });
    this.#packs = runPacks(this.#run);
  }

  async execute(
    candidates: AsyncIterable<Candidate>,
    scan?: () => ScanReport,
  ): Promise<RunSummary> {
    const started = Date.now();
    const run = this.#run;
    const dryRun = run.options.dryRun ?? false;
    const selected = this.#selectedPolicies();
    await run.deps.storage.preflight(selected.map((policy) => policy.target));
    if (!dryRun) await this.#recordStart(started);
    run.log.info({ policies: selected.map((policy) => policy.name), dryRun }, "run started");
    const recovered = dryRun ? { restarted: 0, finished: 0 } : await this.#recover();
    try {
      await this.#intake(candidates, dryRun);
    } catch (error) {
      await this.#drain();
      if (!dryRun) await this.#recordFinish("failed");
      throw error;
    }
    await this.#drain();
    const report = scan?.();
    const unreadable = report ? report.unreadable.length + (report.unreadableNotListed ?? 0) : 0;
    const failed = run.counts.failed > 0 || unreadable > 0;
    const outcome = run.signal?.aborted ? "interrupted" : failed ? "failed" : "ok";
    if (!dryRun) await this.#recordFinish(outcome);
    const summary: RunSummary = {
      runId: this.id,
      outcome,
      dryRun,
      counts: { ...run.counts },
      recovered,
      failures: run.failures,
      scan: report,
      elapsedMs: Date.now() - started,
    };
    const { failures, scan: _scan, ...logged } = summary;
    run.log.info({ ...logged, failures: failures.length }, "run finished");
    return summary;
  }

  #selectedPolicies(): Policy[] {
    const names = this.#run.options.policies ?? [];
    return this.#run.deps.policies.filter(
      (policy) => names.length === 0 || names.includes(policy.name),
    );
  }

  async #recordStart(startedAt: number): Promise<void> {
    await this.#run.deps.catalog.startRun({
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAt,
      finishedAt: null,
      outcome: "running",
      policies: [...(this.#run.options.policies ?? [])],
      files: 0,
      bytes: 0,
      failures: 0,
    });
  }

  async #recordFinish(outcome: "ok" | "failed" | "interrupted"): Promise<void> {
    const { stored, bytes, failed } = this.#run.counts;
    await this.#run.deps.catalog.finishRun(this.id, {
      outcome,
      files: stored,
      bytes,
      failures: failed,
    });
  }

  async #recover(): Promise<{ restarted: number; finished: number }> {
    const run = this.#run;
    const { catalog, storage, config } = run.deps;
    const recovering = recoverUnfinished({
      catalog,
      storage,
      roots: config.roots,
      policies: new Map(run.deps.policies.map((policy) => [policy.name, policy])),
      log: run.log,
      manifestFor: (row, prefix) => run.manifests.for(row.policy, prefix, storage.get(row.target)),
    });
    // Re-written manifest lines must not wait for the flush interval.
    const flusher = setInterval(() => void run.manifests.flushAll(), DRAIN_FLUSH_MS);
    const report = await recovering.finally(() => clearInterval(flusher));
    for (const failure of report.failures) run.fail(failure.path, failure.reason);
    const finished = Object.values(report.finished).reduce((sum, n) => sum + n, 0);
    return { restarted: report.restarted, finished };
  }

  async #intake(candidates: AsyncIterable<Candidate>, dryRun: boolean): Promise<void> {
    try {
      await this.#takeEach(candidates, dryRun);
    } catch (error) {
      // The planner rejects its pending next() when the run is stopped.
      if (!this.#run.signal?.aborted) throw error;
    }
  }

  async #takeEach(candidates: AsyncIterable<Candidate>, dryRun: boolean): Promise<void> {
    const run = this.#run;
    const limits = new IntakeLimits(run.options.maxFiles, run.options.maxBytes);
    const names = run.options.policies ?? [];
    for await (const candidate of candidates) {
      if (run.signal?.aborted) break;
      if (names.length > 0 && !names.includes(candidate.policy.name)) continue;
      run.counts.candidates++;
      if (await this.#alreadyStored(candidate)) {
        run.counts.alreadyStored++;
        continue;
      }
      const admission = limits.admit(candidate);
      if (admission === "stop") break;
      if (admission === "defer") run.counts.deferred++;
      else if (dryRun) this.#count(candidate);
      else await this.#take(candidate);
    }
  }

  /** A file already in the bucket and unchanged locally (copied, restored) is left alone. */
  async #alreadyStored(candidate: Candidate): Promise<boolean> {
    const row = await this.#run.deps.catalog.get(candidate.root, candidate.path);
    if (!row || row.state === "uploading") return false;
    return row.size === candidate.size && row.mtimeMs === candidate.mtimeMs;
  }

  #count(candidate: Candidate): void {
    const { root, path, policy } = candidate;
    this.#run.log.debug({ root, path, policy: policy.name }, "would take");
    this.#run.counts.stored++;
    this.#run.counts.bytes += candidate.size;
  }

  async #take(candidate: Candidate): Promise<void> {
    if (PackAssembler.qualifies(candidate)) return this.#packs.add(candidate);
    // Backpressure: the scan waits while the pipeline is full.
    await this.#pipeline.onSizeLessThan(this.#pipeline.concurrency);
    const run = this.#run;
    const storage = run.deps.storage.get(candidate.policy.target);
    const row = uploadingRow(candidate, storage, run.id);
    const recorded = run.newRows.add(row);
    recorded.catch(() => {});
    void this.#pipeline.add(() =>
      storeFile(run, candidate, row, recorded, this.#putsFor(storage.target.name)),
    );
  }

  /** Waits for every upload and pack, then flushes manifests so every stored file can finish. */
  async #drain(): Promise<void> {
    const run = this.#run;
    await Promise.all([this.#pipeline.onIdle(), this.#packs.closeAll()]);
    // Nothing new comes in now: whatever waits for a batch or a segment goes at once.
    const flusher = setInterval(() => {
      void run.stateChanges.flush();
      void run.manifests.flushAll();
    }, DRAIN_FLUSH_MS);
    try {
      await run.settled();
    } finally {
      clearInterval(flusher);
    }
    await run.newRows.flush();
    await run.stateChanges.flush();
  }

  #putsFor(targetName: string): PQueue {
    let queue = this.#puts.get(targetName);
    if (!queue) {
      queue = new PQueue({
        concurrency: this.#run.deps.storage.get(targetName).target.concurrency,
      });
      this.#puts.set(targetName, queue);
    }
    return queue;
  }
}

/** Sortable and unique enough: `20261203T170102Z-3f9a`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0");
  return `${stamp}-${suffix}`;
}
