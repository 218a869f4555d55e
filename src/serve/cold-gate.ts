import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log/logger.js";
import type { ThawTier } from "../config/config.js";
import type { ThawTransport } from "../storage/thaw.js";
import { LruCache } from "./lru-cache.js";

/** How long a thaw state read by HEAD is trusted; a cold path costs one HEAD per minute. */
export const THAW_CHECK_TTL_MS = 60_000;
/** A key whose recall was asked is not asked again for this long. */
export const RECALL_REPEAT_MS = 3_600_000;
/** Retry-After on a cold answer: a standard Glacier retrieval takes 3 to 5 hours. */
export const COLD_RETRY_AFTER_S = 4 * 3600;
/** Cold keys remembered (thaw states and recalls asked). */
const COLD_KEYS_KEPT = 10_000;

/** Days a recalled copy stays readable: one is enough to serve a burst of interest. */
const RECALL_DAYS = 1;

/** Where a cold object stands for serving: unreadable, being thawed, or readable for now. */
export type ColdState = "cold" | "thawing" | "thawed";

/** What happened about a recall on this request, sent as `X-Givre-Recall`. */
export type RecallOutcome = "off" | "started" | "pending" | "limited" | "failed";

export type ColdVerdict =
  | { readable: true }
  | { readable: false; state: Exclude<ColdState, "thawed">; recall: RecallOutcome };

export interface ColdGateOptions {
  /** Storage classes that cannot be read until thawed. */
  coldClasses: readonly string[];
  thawTier: ThawTier;
  recallOnAccess: boolean;
  recallsPerMinute: number;
  now?: () => number;
}

export interface RecallCounts {
  started: number;
  limited: number;
  failed: number;
}

/**
 * Decides whether an object in a cold class can be read now, and starts
 * a recall when allowed. Recalls are rate-limited (a token bucket of
 * recallsPerMinute, refilled continuously) and asked once per key per
 * hour, so a crawler walking old URLs cannot thaw the archive.
 */
export class ColdGate {
  readonly counts: RecallCounts = { started: 0, limited: 0, failed: 0 };
  readonly coldClasses: ReadonlySet<string>;
  readonly #cold: (target: string) => ThawTransport | undefined;
  readonly #log: Logger;
  readonly #options: ColdGateOptions;
  readonly #now: () => number;
  readonly #states = new LruCache<ColdState>(COLD_KEYS_KEPT);
  readonly #recalled = new LruCache<true>(COLD_KEYS_KEPT);
  #tokens: number;
  #refilledAt: number;

  /** `cold` gives the thaw calls of a target by name. */
  constructor(
    cold: (target: string) => ThawTransport | undefined,
    log: Logger,
    options: ColdGateOptions,
  ) {
    this.#cold = cold;
    this.#log = log;
    this.#options = options;
    this.coldClasses = new Set(options.coldClasses);
    this.#now = options.now ?? Date.now;
    this.#tokens = options.recallsPerMinute;
    this.#refilledAt = this.#now();
  }

  async verdict(entry: CatalogEntry): Promise<ColdVerdict> {
    const state = await this.#thawState(entry);
    if (state === "thawed") return { readable: true };
    return { readable: false, state, recall: await this.#recall(entry, state) };
  }

  async #thawState(entry: CatalogEntry): Promise<ColdState> {
    const cacheKey = `${entry.bucket}\n${entry.key}`;
    const now = this.#now();
    const known = this.#states.get(cacheKey, now);
    if (known !== undefined) return known;
    let state: ColdState = "cold";
    try {
      state = coldStateOf((await this.#transportOf(entry).state(entry.key)).phase);
    } catch (error) {
      this.#log.warn({ key: entry.key, error: errorMessage(error) }, "thaw state unknown");
    }
    this.#states.set(cacheKey, state, now + THAW_CHECK_TTL_MS);
    return state;
  }

  async #recall(entry: CatalogEntry, state: ColdState): Promise<RecallOutcome> {
    if (!this.#options.recallOnAccess) return "off";
    const cacheKey = `${entry.bucket}\n${entry.key}`;
    const now = this.#now();
    if (state === "thawing" || this.#recalled.get(cacheKey, now)) return "pending";
    if (!this.#takeToken(now)) {
      this.counts.limited++;
      return "limited";
    }
    this.#recalled.set(cacheKey, true, now + RECALL_REPEAT_MS);
    try {
      await this.#transportOf(entry).requestThaw(entry.key, RECALL_DAYS, this.#options.thawTier);
      this.#states.set(cacheKey, "thawing", now + THAW_CHECK_TTL_MS);
      this.counts.started++;
      this.#log.info({ root: entry.root, path: entry.path, key: entry.key }, "recall started");
      return "started";
    } catch (error) {
      this.counts.failed++;
      this.#log.warn({ key: entry.key, error: errorMessage(error) }, "recall failed");
      return "failed";
    }
  }

  #transportOf(entry: CatalogEntry): ThawTransport {
    const transport = this.#cold(entry.target);
    if (!transport) throw new Error(`target "${entry.target}" is not in the config`);
    return transport;
  }

  #takeToken(now: number): boolean {
    const perMinute = this.#options.recallsPerMinute;
    this.#tokens = Math.min(
      perMinute,
      this.#tokens + ((now - this.#refilledAt) * perMinute) / 60_000,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}

function coldStateOf(phase: "frozen" | "thawing" | "ready" | "missing"): ColdState {
  if (phase === "ready") return "thawed";
  return phase === "thawing" ? "thawing" : "cold";
}
