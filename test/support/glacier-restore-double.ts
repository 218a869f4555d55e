import type { ThawTier } from "../../src/config/config.js";
import { S3ResponseError } from "../../src/storage/direct-put.js";
import type { ObjectReader } from "../../src/storage/direct-read.js";
import type { ReadAccess } from "../../src/storage/read-access.js";
import { parseRestoreHeader, type ThawState, type ThawTransport } from "../../src/storage/thaw.js";

export interface ThawCall {
  op: "restoreObject" | "head";
  key: string;
  days?: number;
  tier?: ThawTier;
}

/**
 * A TEST DOUBLE for Glacier-style restore states, and for nothing else:
 * the local Ceph gateway stores GLACIER objects like any other and
 * answers RestoreObject with 501. Here, for the keys said to be cold,
 * a GET is refused with 403 InvalidObjectState until a RestoreObject was
 * made and `pollsUntilReady` HEADs have seen `ongoing-request="true"`;
 * after that HEAD shows `ongoing-request="false", expiry-date=...` and
 * GETs pass through. Every byte still comes from the real gateway.
 */
export class GlacierRestoreDouble implements ReadAccess {
  readonly calls: ThawCall[] = [];
  readonly #real: ReadAccess | undefined;
  readonly #isCold: (key: string) => boolean;
  readonly #pollsUntilReady: number;
  readonly #polls = new Map<string, number>();
  readonly #done = new Set<string>();

  /**
   * `real` serves the bytes (needed only for reader()); `isCold` says which
   * keys are cold (default all); `pollsUntilReady` HEADs see a thaw under
   * way before it is done (Infinity: only finishThaw ends it).
   */
  constructor(
    real?: ReadAccess,
    isCold: (key: string) => boolean = () => true,
    pollsUntilReady = 2,
  ) {
    this.#real = real;
    this.#isCold = isCold;
    this.#pollsUntilReady = pollsUntilReady;
  }

  reader(target: string, bucket: string): ObjectReader {
    if (!this.#real) throw new Error("this double was made without a real reader");
    const real = this.#real.reader(target, bucket);
    return {
      open: async (key, range, signal) => {
        if (this.#isCold(key) && !this.#isReady(key)) {
          throw new S3ResponseError(
            403,
            "InvalidObjectState",
            "The operation is not valid for the object's storage class",
          );
        }
        return real.open(key, range, signal);
      },
      head: (key, signal) => real.head(key, signal),
    };
  }

  thaw(): ThawTransport {
    return {
      requestThaw: async (key, days, tier) => {
        this.calls.push({ op: "restoreObject", key, days, tier });
        if (!this.#polls.has(key)) this.#polls.set(key, 0);
      },
      state: async (key) => {
        this.calls.push({ op: "head", key });
        return this.#headState(key);
      },
    };
  }

  /** Keys a RestoreObject was asked for, in order. */
  get restoreRequests(): string[] {
    return this.calls.filter((call) => call.op === "restoreObject").map((call) => call.key);
  }

  /** Ends a thaw at once, as the provider would after hours. */
  finishThaw(key: string): void {
    this.#polls.set(key, this.#pollsUntilReady);
    this.#done.add(key);
  }

  /** What a HEAD would carry as `x-amz-restore`, read by givre's own parser. */
  #headState(key: string): ThawState {
    return parseRestoreHeader(this.#restoreHeader(key));
  }

  #restoreHeader(key: string): string | undefined {
    const polls = this.#polls.get(key);
    if (polls === undefined) return undefined;
    if (polls < this.#pollsUntilReady && !this.#done.has(key)) {
      this.#polls.set(key, polls + 1);
      return 'ongoing-request="true"';
    }
    return 'ongoing-request="false", expiry-date="Tue, 01 Jan 2030 00:00:00 GMT"';
  }

  #isReady(key: string): boolean {
    return this.#done.has(key) || (this.#polls.get(key) ?? -1) >= this.#pollsUntilReady;
  }
}
