import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import PQueue from "p-queue";
import type { Catalog, CatalogEntry, EntryUpdate, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { fsyncFolder } from "../manifest/atomic-write.js";
import type { ReadAccess } from "../storage/read-access.js";
import { Destinations } from "./destination.js";
import { FileWriterPool } from "./file-writer-pool.js";
import { restoreObject } from "./object-job.js";
import type { RestoreContext, RestoreOptions } from "./restore-context.js";
import { emptyRestoreCounts, type RestoreReport } from "./restore-report.js";
import type { RestoreSelection } from "./selection.js";
import { ThawGate } from "./thaw-gate.js";

/** Rows made `restored` in one catalog transaction (after their folders are fsynced). */
const ROW_BATCH = 1000;

export interface RestoreDeps {
  config: GivreConfig;
  catalog: Catalog;
  access: ReadAccess;
  log: Logger;
}

type RowChange = { root: string; path: string; state: FileState; fields?: EntryUpdate };

/**
 * One `givre restore`: walks the selection in the catalog, groups pack
 * members by pack, and restores object by object, as many at once as the
 * target's concurrency. Idempotent: a file already on disk as archived
 * counts as done, so a killed restore is resumed by running it again.
 */
export class Restorer implements RestoreContext {
  readonly config: GivreConfig;
  readonly options: RestoreOptions;
  readonly access: ReadAccess;
  readonly destinations: Destinations;
  readonly thaws: ThawGate;
  readonly writers = new FileWriterPool();
  readonly counts = emptyRestoreCounts();
  readonly #catalog: Catalog;
  readonly #log: Logger;
  readonly #queue: PQueue;
  readonly #conflicts: { path: string; reason: string }[] = [];
  readonly #failures: { path: string; reason: string }[] = [];
  readonly #waiting = new Map<string, CatalogEntry[]>();
  #rows: RowChange[] = [];
  #folders = new Set<string>();
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: RestoreDeps, options: RestoreOptions = {}) {
    this.config = deps.config;
    this.options = options;
    this.access = deps.access;
    this.#catalog = deps.catalog;
    this.#log = deps.log;
    this.destinations = new Destinations(deps.config, options.to);
    this.thaws = new ThawGate(deps.access, deps.catalog, deps.config.restore, deps.log);
    const widest = Math.max(1, ...Object.values(deps.config.targets).map((t) => t.concurrency));
    // Twice the target's concurrency: small files spend part of their time in a worker's fsync.
    this.#queue = new PQueue({ concurrency: widest * 2 });
  }

  async execute(selection: RestoreSelection): Promise<RestoreReport> {
    const started = Date.now();
    try {
      await this.#walk(selection);
      await this.#queue.onIdle();
      if (this.options.wait) await this.#waitForThaws();
    } finally {
      await this.#queue.onIdle();
      await this.#flushRows();
      await this.writers.destroy();
    }
    const report: RestoreReport = {
      dryRun: this.options.dryRun ?? false,
      counts: { ...this.counts },
      conflicts: this.#conflicts,
      failures: this.#failures,
      thawing: [...this.#waiting]
        .map(([key, entries]) => ({ key, files: entries.length }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      sweptTemps: this.destinations.sweptTemps,
      elapsedMs: Date.now() - started,
    };
    this.#log.info({ counts: report.counts, elapsedMs: report.elapsedMs }, "restore finished");
    return report;
  }

  restored(entry: CatalogEntry, file: string, mtimeMs: number | undefined): void {
    this.counts.restored++;
    this.counts.bytes += entry.size;
    this.#log.debug({ root: entry.root, path: entry.path, file }, "restored");
    if (!this.options.dryRun) this.#settle(entry, file, mtimeMs ?? entry.mtimeMs);
    this.#progress();
  }

  unchanged(entry: CatalogEntry, file: string, mtimeMs: number): void {
    this.counts.unchanged++;
    if (!this.options.dryRun) this.#settle(entry, file, mtimeMs);
    this.#progress();
  }

  conflict(entry: CatalogEntry, reason: string): void {
    this.counts.conflicts++;
    this.#conflicts.push({ path: `${entry.root}/${entry.path}`, reason });
    this.#log.warn({ root: entry.root, path: entry.path, reason }, "local file in the way");
    this.#progress();
  }

  failed(entry: CatalogEntry, reason: string): void {
    this.counts.failed++;
    this.#failures.push({ path: `${entry.root}/${entry.path}`, reason });
    this.#log.warn({ root: entry.root, path: entry.path, reason }, "file not restored");
    this.#progress();
  }

  /** Pack members are gathered per pack when its first member comes, so the pack is read once. */
  async #walk(selection: RestoreSelection): Promise<void> {
    const packs = new Set<string>();
    for await (const entry of selection.entries(this.#catalog)) {
      if (this.options.signal?.aborted) return;
      if (entry.offset === null) {
        this.counts.selected++;
        await this.#schedule([entry]);
        continue;
      }
      const pack = `${entry.target}\0${entry.bucket}\0${entry.key}`;
      if (packs.has(pack)) continue;
      packs.add(pack);
      const members: CatalogEntry[] = [];
      for await (const member of this.#catalog.select({ key: entry.key })) {
        if (member.target === entry.target && selection.matches(member)) members.push(member);
      }
      this.counts.selected += members.length;
      await this.#schedule(members);
    }
  }

  async #schedule(entries: CatalogEntry[]): Promise<void> {
    // Backpressure: the catalog walk waits while enough objects are queued.
    await this.#queue.onSizeLessThan(this.#queue.concurrency * 2);
    void this.#queue.add(() => this.#restore(entries));
  }

  async #restore(entries: CatalogEntry[]): Promise<void> {
    try {
      const outcome = await restoreObject(this, entries);
      if (outcome === "thawing") this.#waiting.set(entries[0]!.key, entries);
      else this.#waiting.delete(entries[0]!.key);
    } catch (error) {
      this.#waiting.delete(entries[0]!.key);
      entries.forEach((entry) => this.failed(entry, errorMessage(error)));
    }
    if (this.#rows.length >= ROW_BATCH) await this.#flushRows();
  }

  async #waitForThaws(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? this.config.restore.pollInterval;
    while (this.#waiting.size > 0 && !this.options.signal?.aborted) {
      this.#log.info({ objects: this.#waiting.size }, "waiting for thaws");
      await sleep(interval, undefined, { signal: this.options.signal }).catch(() => {});
      for (const entries of [...this.#waiting.values()]) {
        void this.#queue.add(() => this.#restore(entries));
      }
      await this.#queue.onIdle();
    }
  }

  /**
   * The row of a file now on disk: `restored` when it is back in its root
   * (with the mtime the file really got, so the nightly run, which compares
   * mtimes exactly, sees it as unchanged); restored elsewhere (--to), a thawing row goes back to
   * `archived`, and other rows stay as they are.
   */
  #settle(entry: CatalogEntry, file: string, mtimeMs: number): void {
    if (this.destinations.inPlace) {
      // A `copied` row already meant "in the bucket and on disk"; it stays so.
      const state = entry.state === "copied" ? "copied" : "restored";
      this.#rows.push({ root: entry.root, path: entry.path, state, fields: { mtimeMs } });
      this.#folders.add(dirname(file));
    } else if (entry.state === "restoring") {
      this.#rows.push({ root: entry.root, path: entry.path, state: "archived" });
    }
  }

  /** Folders fsynced first: a row says `restored` only once its file's name is durable. */
  #flushRows(): Promise<void> {
    const rows = this.#rows;
    const folders = this.#folders;
    this.#rows = [];
    this.#folders = new Set();
    this.#flushing = this.#flushing.then(async () => {
      if (rows.length === 0) return;
      await Promise.all([...folders].map((folder) => fsyncFolder(folder)));
      await this.#catalog.updateMany(rows);
    });
    return this.#flushing;
  }

  #progress(): void {
    this.options.onProgress?.(this.counts);
  }
}
