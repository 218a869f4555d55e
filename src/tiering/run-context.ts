import type { Catalog, CatalogEntry, EntryUpdate, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import type { Logger } from "../log/logger.js";
import type { Policy } from "../policy/policy.js";
import type { StorageRegistry } from "../storage/target-storage.js";
import { Batcher } from "./batcher.js";
import { ManifestWriters } from "./manifest-writers.js";
import { emptyCounts, type RunCounts } from "./run-summary.js";
import { TokenBucket } from "./token-bucket.js";

export interface RunOptions {
  dryRun?: boolean;
  maxFiles?: number;
  maxBytes?: number;
  /** Policies this run is limited to (names); empty means all. */
  policies?: readonly string[];
  signal?: AbortSignal;
  /** Called as files finish, for a progress display. */
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

export type StateChange = { root: string; path: string; state: FileState; fields?: EntryUpdate };

/**
 * What every step of one run shares: its id, counts, failures, the
 * batched catalog writes, manifest writers, bandwidth limits, and the
 * finishing work still in flight.
 */
export class RunContext {
  readonly id: string;
  readonly deps: RunDeps;
  readonly options: RunOptions;
  readonly log: Logger;
  readonly counts = emptyCounts();
  readonly failures: { path: string; reason: string }[] = [];
  /** `uploading` rows, committed in batches before their bytes go. */
  readonly newRows: Batcher<CatalogEntry>;
  /** Later states (`stored`, `archived`, ...), in batches, in order. */
  readonly stateChanges: Batcher<StateChange>;
  readonly manifests: ManifestWriters;
  readonly #throttles = new Map<string, TokenBucket>();
  readonly #finishing = new Set<Promise<void>>();

  constructor(id: string, deps: RunDeps, options: RunOptions) {
    this.id = id;
    this.deps = deps;
    this.options = options;
    this.log = deps.log.child({ run: id });
    this.newRows = new Batcher((rows) => deps.catalog.putMany(rows));
    this.stateChanges = new Batcher((changes) => deps.catalog.updateMany(changes));
    this.manifests = new ManifestWriters(id, deps, this.log);
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  fail(path: string, reason: string): void {
    this.counts.failed++;
    this.failures.push({ path, reason });
    this.log.warn({ path, reason }, "file failed");
    this.progress();
  }

  progress(): void {
    this.options.onProgress?.(this.counts);
  }

  /** Waits before `bytes` more go to the bucket, when the policy caps bandwidth. */
  async throttle(policy: Policy, bytes: number): Promise<void> {
    const rate = policy.limits.bandwidth;
    if (!rate) return;
    let bucket = this.#throttles.get(policy.name);
    if (!bucket) {
      bucket = new TokenBucket(rate);
      this.#throttles.set(policy.name, bucket);
    }
    await bucket.take(bytes, this.signal);
  }

  /** Keeps hold of work that finishes after its upload slot was freed. */
  track(work: Promise<void>): void {
    this.#finishing.add(work);
    void work.finally(() => this.#finishing.delete(work));
  }

  async settled(): Promise<void> {
    while (this.#finishing.size > 0) await Promise.all([...this.#finishing]);
  }
}
