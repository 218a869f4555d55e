import { HeadObjectCommand, RestoreObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ThawTier } from "../config/config.js";
import { httpStatus, s3ErrorCode } from "./storage-errors.js";

/** Where a cold object stands: not thawed, thawing, or readable until `expiry`. */
export type ThawState =
  | { phase: "frozen" }
  | { phase: "thawing" }
  | { phase: "ready"; expiry: Date | undefined }
  | { phase: "missing" };

/**
 * The two calls a thaw needs (RestoreObject, and a HEAD for
 * `x-amz-restore`). A seam of its own because no local gateway has
 * Glacier-style states: tests put a double here (test/support/
 * glacier-restore-double.ts) and everything else stays real.
 */
export interface ThawTransport {
  /** Asks for a readable copy for `days`; a thaw already under way is not an error. */
  requestThaw(key: string, days: number, tier: ThawTier): Promise<void>;
  state(key: string): Promise<ThawState>;
}

/** The real thing, through the SDK: thaws are few, so its per-request cost does not matter. */
export class SdkThawTransport implements ThawTransport {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async requestThaw(key: string, days: number, tier: ThawTier): Promise<void> {
    const RestoreRequest = { Days: days, GlacierJobParameters: { Tier: tier } };
    try {
      await this.#client.send(
        new RestoreObjectCommand({ Bucket: this.#bucket, Key: key, RestoreRequest }),
      );
    } catch (error) {
      // 409: a thaw of this object is already under way, which is what we want.
      if (s3ErrorCode(error) === "RestoreAlreadyInProgress" || httpStatus(error) === 409) return;
      throw error;
    }
  }

  async state(key: string): Promise<ThawState> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return parseRestoreHeader(head.Restore);
    } catch (error) {
      if (httpStatus(error) === 404) return { phase: "missing" };
      throw error;
    }
  }
}

/**
 * Reads `x-amz-restore`: absent means not thawed (or the thawed copy has
 * expired); `ongoing-request="true"` thawing; `ongoing-request="false",
 * expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"` readable until then.
 */
export function parseRestoreHeader(header: string | undefined): ThawState {
  if (!header) return { phase: "frozen" };
  if (/ongoing-request="true"/.test(header)) return { phase: "thawing" };
  const expiry = /expiry-date="([^"]+)"/.exec(header)?.[1];
  return { phase: "ready", expiry: expiry ? new Date(expiry) : undefined };
}

export function isColdClass(storageClass: string, coldClasses: readonly string[]): boolean {
  return coldClasses.includes(storageClass);
}
