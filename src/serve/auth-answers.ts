import type { IncomingHttpHeaders } from "node:http";
import { LruCache } from "./lru-cache.js";

/**
 * Request headers that make an /auth answer depend on more than the path
 * and method: the delivery then follows the client's range or validators.
 */
const VARYING_HEADERS = [
  "range",
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
];

/**
 * Whole 200 answers of /auth, kept per method and path. During a storm the
 * same radar images are asked for thousands of times a second; answering
 * those from here skips decoding, the catalog and the signer, which is most
 * of a request's cost. An answer is kept no longer than its signed URL may
 * be reused (so the receiver still has at least half its lifetime) nor
 * longer than the lookup cache trusts a found entry.
 */
export class AuthAnswers {
  hits = 0;
  readonly #cache: LruCache<string[]>;
  readonly #maxAgeMs: number;

  constructor(capacity: number, maxAgeMs: number) {
    this.#cache = new LruCache(capacity);
    this.#maxAgeMs = maxAgeMs;
  }

  /** Whether an answer to these request headers may come from, or go to, the cache. */
  static cacheable(headers: IncomingHttpHeaders): boolean {
    for (const name of VARYING_HEADERS) if (headers[name] !== undefined) return false;
    return true;
  }

  get(method: string, rawPath: string, now: number): string[] | undefined {
    const headers = this.#cache.get(`${method} ${rawPath}`, now);
    if (headers) this.hits++;
    return headers;
  }

  /** `reusableUntil`: when the signed URL in `headers` must no longer be handed out. */
  set(
    method: string,
    rawPath: string,
    headers: string[],
    now: number,
    reusableUntil: number,
  ): void {
    this.#cache.set(`${method} ${rawPath}`, headers, Math.min(now + this.#maxAgeMs, reusableUntil));
  }
}
