import { hostname } from "node:os";
import PQueue from "p-queue";
import type { Catalog, CatalogEntry, EntryUpdate, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { manifestLineOf } from "../manifest/manifest-line.js";
import { ManifestWriter } from "../manifest/manifest-writer.js";
import type { Policy } from "../policy/policy.js";
import type { Candidate, ScanReport } from "../scan/candidate.js";
import { contentTypeOf } from "../storage/content-type.js";
import type { StorageRegistry, TargetStorage } from "../storage/target-storage.js";
import { uploadFile, type UploadedObject } from "../storage/upload-file.js";
import { proveByHead } from "../storage/upload-proof.js";
import { Batcher } from "./batcher.js";
import { freeLocalCopy, stateAfter } from "./free-local-copy.js";
import { IntakeLimits } from "./intake-limits.js";
import { recoverUnfinished } from "./recovery.js";
import { withRetries } from "./retry.js";
import { emptyCounts, type RunCounts, type RunSummary } from "./run-summary.js";
import { TokenBucket } from "./token-bucket.js";

export interface RunOptions {
  dryRun?: boolean;
  maxFiles?: number;
  maxBytes?: number;
  /** Policies this run is limited to (names); empty means all. */
  policies?: readonly string[];
  signal?: AbortSignal;
  /** Called after every file, for a progress display. */
  onProgress?: (counts: Readonly<RunCounts>) => void;
}

export interface RunDeps {
  config: GivreConfig;
  catalog: Catalog;
  storage: StorageRegistry;
  log: Logger;
  /** Every policy of the config, in order (recovery needs those not selected too). */
  policies: readonly Policy[];
}

/** Files in the pipeline per PUT slot: enough to keep PUTs busy while others wait for proof. */
const PIPELINE_DEPTH = 8;

type StateChange = { root: string; path: string; state: FileState; fields?: EntryUpdate };

/**
 * One execution of `givre run`. Per file, in this order (DESIGN "The run,
 * and what is never lost"):
 *   1. the catalog records it `uploading`;
 *   2. upload, prove in the bucket, the row becomes `stored`;
 *   3. its manifest line is written, and the segment holding it uploaded;
 *   4. the local file is stat'ed again; a changed file stays;
 *   5. only then is it removed (`archive`) and the row `archived`.
 * Steps 3-5 run outside the upload queue, so a file waiting for its
 * manifest segment does not hold an upload slot.
 */
export class TieringRun {
  readonly id: string;
  readonly #deps: RunDeps;
  readonly #options: RunOptions;
  readonly #log: Logger;
  readonly #counts = emptyCounts();
  readonly #failures: { path: string; reason: string }[] = [];
  /** Per target: PUTs in flight, at the target's concurrency. */
  readonly #puts = new Map<string, PQueue>();
  /** Files between intake and proof; wider than the PUTs, as proof waits to batch. */
  readonly #pipeline: PQueue;
  readonly #manifests = new Map<string, ManifestWriter>();
  readonly #throttles = new Map<string, TokenBucket>();
  readonly #finishing = new Set<Promise<void>>();
  readonly #newRows: Batcher<CatalogEntry>;
  readonly #stateChanges: Batcher<StateChange>;

  constructor(deps: RunDeps, options: RunOptions = {}) {
    this.id = newRunId();
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.log.child({ run: this.id });
    this.#newRows = new Batcher((rows) => deps.catalog.putMany(rows));
    this.#stateChanges = new Batcher((changes) => deps.catalog.updateMany(changes));
    const widest = Math.max(
      1,
      ...Object.values(deps.config.targets).map((target) => target.concurrency),
    );
    this.#pipeline = new PQueue({ concurrency: widest * PIPELINE_DEPTH });
  }

  async execute(
    candidates: AsyncIterable<Candidate>,
    scan?: () => ScanReport,
  ): Promise<RunSummary> {
    const started = Date.now();
    const { catalog, config } = this.#deps;
    const dryRun = this.#options.dryRun ?? false;
    const selected = this.#selectedPolicies();
    await this.#deps.storage.preflight(selected.map((policy) => policy.target));
    if (!dryRun) {
      const run = {
        id: this.id,
        host: hostname(),
        pid: process.pid,
        startedAt: started,
        finishedAt: null,
      };
      await catalog.startRun({
        ...run,
        outcome: "running",
        policies: [...(this.#options.policies ?? [])],
        files: 0,
        bytes: 0,
        failures: 0,
      });
    }
    this.#log.info(
      { policies: selected.map((p) => p.name), dryRun, stateDir: config.stateDir },
      "run started",
    );
    const recovered = dryRun ? { restarted: 0, finished: 0 } : await this.#recover();
    let scanError: unknown;
    try {
      await this.#intake(candidates, dryRun);
    } catch (error) {
      scanError = error;
    } finally {
      // Whatever stopped the intake, files already uploading are finished properly.
      await this.#drain();
    }
    if (scanError !== undefined) {
      if (!dryRun) {
        await catalog.finishRun(this.id, {
          outcome: "failed",
          files: this.#counts.stored,
          bytes: this.#counts.bytes,
          failures: this.#counts.failed,
        });
      }
      throw scanError;
    }
    const outcome = this.#options.signal?.aborted
      ? "interrupted"
      : this.#counts.failed > 0
        ? "failed"
        : "ok";
    if (!dryRun) {
      const totals = {
        files: this.#counts.stored,
        bytes: this.#counts.bytes,
        failures: this.#counts.failed,
      };
      await catalog.finishRun(this.id, { outcome, ...totals });
    }
    const summary = {
      runId: this.id,
      outcome,
      dryRun,
      counts: { ...this.#counts },
      recovered,
      failures: this.#failures,
      scan: scan?.(),
      elapsedMs: Date.now() - started,
    } as const;
    this.#log.info(
      {
        outcome,
        counts: summary.counts,
        recovered,
        failures: this.#failures.length,
        elapsedMs: summary.elapsedMs,
      },
      "run finished",
    );
    return summary;
  }

  #selectedPolicies(): Policy[] {
    const names = this.#options.policies ?? [];
    return this.#deps.policies.filter(
      (policy) => names.length === 0 || names.includes(policy.name),
    );
  }

  async #recover(): Promise<{ restarted: number; finished: number }> {
    const { catalog, storage, config, log } = this.#deps;
    const policies = new Map(this.#deps.policies.map((policy) => [policy.name, policy]));
    const recovering = recoverUnfinished({
      catalog,
      storage,
      roots: config.roots,
      policies,
      log: this.#log,
      manifestFor: (row, prefix) =>
        this.#manifestWriter(row.policy, prefix, storage.get(row.target)),
    });
    // Re-written manifest lines must not wait for the flush interval.
    const flusher = setInterval(() => this.#manifests.forEach((writer) => void writer.flush()), 50);
    const report = await recovering.finally(() => clearInterval(flusher));
    for (const failure of report.failures) this.#fail(failure.path, failure.reason);
    if (report.failures.length) {
      log.warn({ failures: report.failures.length }, "some unfinished files could not be finished");
    }
    const finished = Object.values(report.finished).reduce((sum, n) => sum + n, 0);
    return { restarted: report.restarted, finished };
  }

  async #intake(candidates: AsyncIterable<Candidate>, dryRun: boolean): Promise<void> {
    const limits = new IntakeLimits(this.#options.maxFiles, this.#options.maxBytes);
    const names = this.#options.policies ?? [];
    try {
      await this.#takeEach(candidates, names, limits, dryRun);
    } catch (error) {
      // The planner rejects its pending next() when the run is stopped.
      if (!this.#options.signal?.aborted) throw error;
    }
  }

  async #takeEach(
    candidates: AsyncIterable<Candidate>,
    names: readonly string[],
    limits: IntakeLimits,
    dryRun: boolean,
  ): Promise<void> {
    for await (const candidate of candidates) {
      if (this.#options.signal?.aborted) break;
      if (names.length > 0 && !names.includes(candidate.policy.name)) continue;
      this.#counts.candidates++;
      if (await this.#alreadyStored(candidate)) {
        this.#counts.alreadyStored++;
        continue;
      }
      const admission = limits.admit(candidate);
      if (admission === "stop") break;
      if (admission === "defer") {
        this.#counts.deferred++;
        continue;
      }
      if (dryRun) {
        this.#log.debug(
          { root: candidate.root, path: candidate.path, policy: candidate.policy.name },
          "would take",
        );
        this.#counts.stored++;
        this.#counts.bytes += candidate.size;
        continue;
      }
      // Backpressure: the scan waits while the pipeline is full.
      await this.#pipeline.onSizeLessThan(this.#pipeline.concurrency);
      const storage = this.#deps.storage.get(candidate.policy.target);
      const row = uploadingRow(candidate, storage, this.id);
      const recorded = this.#newRows.add(row);
      recorded.catch(() => {});
      void this.#pipeline.add(() => this.#store(candidate, row, recorded));
    }
  }

  /** A file already in the bucket and unchanged locally (copied, restored) is left alone. */
  async #alreadyStored(candidate: Candidate): Promise<boolean> {
    const row = await this.#deps.catalog.get(candidate.root, candidate.path);
    if (!row || row.state === "uploading") return false;
    return row.size === candidate.size && row.mtimeMs === candidate.mtimeMs;
  }

  /** Steps 1 and 2: the row is `uploading` (recorded), then upload, prove, `stored`. */
  async #store(candidate: Candidate, row: CatalogEntry, recorded: Promise<void>): Promise<void> {
    const storage = this.#deps.storage.get(candidate.policy.target);
    const signal = this.#options.signal;
    let uploaded: UploadedObject;
    try {
      await recorded;
      uploaded = await withRetries(() => this.#uploadAndProve(candidate, row, storage), signal);
    } catch (error) {
      await this.#deps.catalog.deleteMany([row]).catch(() => {});
      if (!signal?.aborted) this.#fail(`${row.root}/${row.path}`, errorMessage(error));
      return;
    }
    const stored: CatalogEntry = {
      ...row,
      state: "stored",
      size: uploaded.size,
      sha256: uploaded.sha256,
      etag: uploaded.expectedEtag,
      updatedAt: Date.now(),
    };
    await this.#stateChanges.add({
      root: row.root,
      path: row.path,
      state: "stored",
      fields: { sha256: stored.sha256, etag: stored.etag },
    });
    this.#counts.stored++;
    this.#counts.bytes += uploaded.size;
    this.#track(this.#finish(stored, candidate));
  }

  async #uploadAndProve(
    candidate: Candidate,
    row: CatalogEntry,
    storage: TargetStorage,
  ): Promise<UploadedObject> {
    const { target, client, prover } = storage;
    const throttle = this.#throttleFor(candidate.policy);
    const put = this.#putQueueFor(target.name);
    const uploaded = await put.add(() =>
      uploadFile(storage, {
        bucket: target.bucket,
        key: row.key,
        file: candidate.absolutePath,
        size: candidate.size,
        contentType: contentTypeOf(candidate.path),
        storageClass: row.storageClass,
        metadata: {
          mtimeMs: row.mtimeMs,
          mode: row.mode,
          root: row.root,
          path: row.path,
          policy: row.policy,
        },
        checksums: target.checksums,
        multipartThreshold: target.multipartThreshold,
        partSize: target.partSize,
        maxParts: target.maxParts,
        throttle: throttle && ((bytes) => throttle.take(bytes)),
        signal: this.#options.signal,
      }),
    );
    const expected = { key: row.key, size: uploaded.size, etag: uploaded.expectedEtag };
    await (uploaded.parts > 0
      ? proveByHead(client, target.bucket, expected)
      : prover.prove(expected));
    return uploaded;
  }

  /** Steps 3 to 5: manifest line in the bucket, stat again, free the local copy. */
  async #finish(entry: CatalogEntry, candidate: Candidate): Promise<void> {
    const path = `${entry.root}/${entry.path}`;
    try {
      const { policy } = candidate;
      await this.#manifestWriter(
        policy.name,
        policy.prefix,
        this.#deps.storage.get(policy.target),
      ).append(manifestLineOf(entry));
      const outcome = await freeLocalCopy(candidate.absolutePath, candidate, policy.action);
      if (outcome === "changed") {
        this.#counts.changed++;
        this.#log.warn(
          { path },
          "file changed during its upload; it stays and will be taken again",
        );
      } else {
        await this.#stateChanges.add({
          root: entry.root,
          path: entry.path,
          state: stateAfter(outcome),
        });
        this.#counts[policy.action === "copy" ? "copied" : "archived"]++;
      }
      this.#options.onProgress?.(this.#counts);
    } catch (error) {
      this.#fail(path, errorMessage(error));
    }
  }

  #fail(path: string, reason: string): void {
    this.#counts.failed++;
    this.#failures.push({ path, reason });
    this.#log.warn({ path, reason }, "file failed");
    this.#options.onProgress?.(this.#counts);
  }

  #track(work: Promise<void>): void {
    this.#finishing.add(work);
    void work.finally(() => this.#finishing.delete(work));
  }

  /** Waits for every upload, then flushes manifests so every stored file can finish. */
  async #drain(): Promise<void> {
    await this.#pipeline.onIdle();
    await this.#stateChanges.flush();
    await Promise.all([...this.#manifests.values()].map((writer) => writer.flush()));
    await Promise.all([...this.#finishing]);
    await this.#stateChanges.flush();
  }

  #putQueueFor(targetName: string): PQueue {
    let queue = this.#puts.get(targetName);
    if (!queue) {
      queue = new PQueue({ concurrency: this.#deps.storage.get(targetName).target.concurrency });
      this.#puts.set(targetName, queue);
    }
    return queue;
  }

  #throttleFor(policy: Policy): TokenBucket | undefined {
    const rate = policy.limits.bandwidth;
    if (!rate) return undefined;
    let bucket = this.#throttles.get(policy.name);
    if (!bucket) {
      bucket = new TokenBucket(rate);
      this.#throttles.set(policy.name, bucket);
    }
    return bucket;
  }

  #manifestWriter(policy: string, prefix: string, storage: TargetStorage): ManifestWriter {
    let writer = this.#manifests.get(policy);
    if (writer) return writer;
    const { config, catalog } = this.#deps;
    writer = new ManifestWriter({
      client: storage.client,
      bucket: storage.target.bucket,
      prefix,
      policy,
      runId: this.id,
      stateDir: config.stateDir,
      flushFiles: config.manifests.flushFiles,
      flushInterval: config.manifests.flushInterval,
      log: this.#log,
      onSegmentStored: (manifestKey, lines) =>
        catalog.updateMany(
          lines.map((line) => ({
            root: line.root,
            path: line.path,
            state: "stored",
            fields: { manifestKey },
          })),
        ),
    });
    this.#manifests.set(policy, writer);
    return writer;
  }
}

function uploadingRow(candidate: Candidate, storage: TargetStorage, runId: string): CatalogEntry {
  const { policy } = candidate;
  return {
    root: candidate.root,
    path: candidate.path,
    state: "uploading",
    size: candidate.size,
    mtimeMs: candidate.mtimeMs,
    mode: candidate.mode,
    sha256: null,
    target: policy.target,
    bucket: storage.target.bucket,
    key: policy.prefix + candidate.path,
    offset: null,
    length: null,
    etag: null,
    storageClass: policy.storageClass,
    policy: policy.name,
    runId,
    manifestKey: null,
    updatedAt: Date.now(),
  };
}

/** Sortable and unique enough: `20261203T170102Z-3f9a`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0")}`;
}
