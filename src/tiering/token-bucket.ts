import { setTimeout as sleep } from "node:timers/promises";

export interface TokenBucketOptions {
  /** Bytes that may go at once after a pause. Default: one second's worth. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

/**
 * Holds a bandwidth limit: take(n) waits until n more bytes fit under
 * `rate` bytes per second. Over any window of T seconds, at most
 * rate * T + burst bytes pass. Shared by all uploads of a policy.
 */
export class TokenBucket {
  readonly #msPerByte: number;
  readonly #burstMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  /** The moment at which everything taken so far has been paid for. */
  #paidUntil: number;

  constructor(rate: number, options: TokenBucketOptions = {}) {
    this.#msPerByte = 1000 / rate;
    this.#burstMs = (options.burst ?? rate) * this.#msPerByte;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms, signal) => sleep(ms, undefined, { signal }));
    this.#paidUntil = this.#now();
  }

  /** Rejects with an AbortError if `signal` stops the wait. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    this.#paidUntil = Math.max(this.#paidUntil, now) + bytes * this.#msPerByte;
    const wait = this.#paidUntil - now - this.#burstMs;
    if (wait > 0) await this.#sleep(wait, signal);
  }
}
