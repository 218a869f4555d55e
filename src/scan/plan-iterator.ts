import { availableParallelism, loadavg } from "node:os";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Candidate, ScanReport } from "./candidate.js";
import { batchPaths, type FileBatch, type RootWalk } from "./root-walk.js";
import { statHere, type StatBatch } from "./stat-batch.js";
import { StatThread } from "./stat-thread.js";

export interface ScanProgress {
  folders: number;
  filesSeen: number;
  candidates: number;
  bytes: number;
  done: boolean;
}

export interface PlanIteratorOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** true: lstat on a second thread from the start; false: never; default: see PlanOptions. */
  statThread?: boolean;
}

/** A batch on its way: its lstat done here, or awaited from the thread. */
interface Pending {
  walk: RootWalk;
  batch: FileBatch;
  stats?: StatBatch;
  failure?: unknown;
  answer?: Promise<void>;
}

/** The walk runs synchronously at most this long before letting other work in. */
const TURN_MS = 20;
export const PROGRESS_INTERVAL_MS = 250;
/** Batches read ahead of the consumer: enough to keep the thread busy, bounded memory. */
const MAX_PENDING = 16;
/** Batches the thread may hold; beyond them this thread does the lstat itself. */
const THREAD_QUEUE = 12;
/** A walk this big (lstat calls so far) is worth starting the thread for (about 30 ms of work). */
const THREAD_AFTER_STATS = 10_000;
/**
 * The thread pays while the machine is not swamped: with the 1-minute
 * load average under the cores plus one. Measured on two cores, a million
 * files: at a load of 2.3, 3.9 to 5.5 s with it against 5.6 to 6.2 s
 * without; at a load of 8 to 13, 8 to 15 s with it against 7 to 9 s
 * without, and a fifth more CPU.
 */
function machineNotSwamped(): boolean {
  return loadavg()[0]! < availableParallelism() + 1;
}

/**
 * The candidates as an async iterator written by hand: an async generator
 * costs twice as much per item, which shows on millions of files. The walk
 * advances only as the consumer pulls, a few batches ahead at most.
 * Candidates come in walk order whichever thread did the lstat.
 */
export class PlanIterator implements AsyncIterableIterator<Candidate> {
  readonly #walks: RootWalk[];
  readonly #report: ScanReport;
  readonly #options: PlanIteratorOptions;
  readonly #pending: Pending[] = [];
  #ready: Candidate[] = [];
  #readyIndex = 0;
  #thread: StatThread | undefined;
  #statsHere = 0;
  /** When to look again whether a core is free for the thread, in lstat calls made here. */
  #threadCheckAt = THREAD_AFTER_STATS;
  #candidates = 0;
  #bytes = 0;
  #done = false;
  #turnStarted = performance.now();
  #lastProgress = 0;

  constructor(walks: RootWalk[], report: ScanReport, options: PlanIteratorOptions) {
    this.#walks = walks;
    this.#report = report;
    this.#options = options;
    if (options.statThread === true) this.#thread = new StatThread();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Candidate>> {
    try {
      return Promise.resolve(this.#pull());
    } catch (error) {
      this.#close();
      return Promise.reject(error);
    }
  }

  /** Stopping early (a `break` in `for await`) ends the walk. */
  return(): Promise<IteratorResult<Candidate>> {
    this.#walks.length = 0;
    this.#pending.length = 0;
    this.#ready = [];
    this.#close();
    return Promise.resolve({ done: true, value: undefined });
  }

  #pull(): IteratorResult<Candidate> | Promise<IteratorResult<Candidate>> {
    this.#options.signal?.throwIfAborted();
    for (;;) {
      if (this.#readyIndex < this.#ready.length) return this.#found();
      if (this.#turnIsOver()) return nextTurn().then(() => this.next());
      const head = this.#pending[0];
      if (head?.failure !== undefined) throw head.failure;
      if (head?.stats) this.#settle(head);
      else if (this.#pending.length < MAX_PENDING && this.#walks.length > 0) this.#advance();
      else if (head) return head.answer!.then(() => this.next());
      else return this.#finish();
    }
  }

  #advance(): void {
    const walk = this.#walks[0]!;
    const batch = walk.advance();
    if (batch === undefined) {
      this.#walks.shift();
      return;
    }
    const pending: Pending = { walk, batch };
    this.#pending.push(pending);
    const thread = this.#threadFor(batch);
    if (thread === undefined) {
      const dirs = batch.folders.map((folder) => folder.abs);
      pending.stats = statHere(dirs, batch.names);
      this.#statsHere += batch.names.length;
      return;
    }
    pending.answer = thread.stat(batchPaths(batch)).then(
      (stats) => void (pending.stats = stats),
      (error: unknown) => void (pending.failure = error),
    );
  }

  /** The thread, when it should take this batch; undefined to do it here. */
  #threadFor(batch: FileBatch): StatThread | undefined {
    if (batch.names.length === 0 || this.#options.statThread === false) return undefined;
    if (this.#thread === undefined && this.#statsHere >= this.#threadCheckAt) {
      this.#threadCheckAt = this.#statsHere + THREAD_AFTER_STATS;
      if (machineNotSwamped()) this.#thread = new StatThread();
    }
    return this.#thread && this.#thread.queued < THREAD_QUEUE ? this.#thread : undefined;
  }

  #settle(head: Pending): void {
    this.#pending.shift();
    this.#ready = head.walk.settle(head.batch, head.stats!);
    this.#readyIndex = 0;
  }

  #found(): IteratorResult<Candidate> {
    const candidate = this.#ready[this.#readyIndex++]!;
    this.#candidates++;
    this.#bytes += candidate.size;
    return { done: false, value: candidate };
  }

  #turnIsOver(): boolean {
    const now = performance.now();
    if (now - this.#turnStarted < TURN_MS) return false;
    this.#turnStarted = now;
    if (now - this.#lastProgress >= PROGRESS_INTERVAL_MS) {
      this.#lastProgress = now;
      this.#tell(false);
    }
    return true;
  }

  #finish(): IteratorResult<Candidate> {
    this.#close();
    if (!this.#done) this.#tell(true);
    return { done: true, value: undefined };
  }

  #close(): void {
    this.#thread?.close();
    this.#thread = undefined;
  }

  #tell(done: boolean): void {
    this.#done = done;
    const { folders, filesSeen } = this.#report;
    this.#options.onProgress?.({
      folders,
      filesSeen,
      candidates: this.#candidates,
      bytes: this.#bytes,
      done,
    });
  }
}
