import type { ColdObjects, ThawState } from "../../src/serve/cold-objects.js";

/**
 * Stands in for a Glacier-style server's restores, the one behaviour no
 * local S3 server has (the Ceph gateway answers RestoreObject with 501).
 * Objects start cold; requestThaw makes them thawing; finishThaw makes
 * them readable. Every RestoreObject asked is recorded.
 */
export class GlacierRestoreDouble implements ColdObjects {
  readonly restoreRequests: string[] = [];
  readonly #states = new Map<string, ThawState>();

  async thawState(bucket: string, key: string): Promise<ThawState> {
    return this.#states.get(`${bucket}/${key}`) ?? "cold";
  }

  async requestThaw(bucket: string, key: string): Promise<"started" | "already"> {
    this.restoreRequests.push(key);
    if (this.#states.get(`${bucket}/${key}`) === "thawing") return "already";
    this.#states.set(`${bucket}/${key}`, "thawing");
    return "started";
  }

  /** The restore is done: a temporary readable copy exists. */
  finishThaw(bucket: string, key: string): void {
    this.#states.set(`${bucket}/${key}`, "thawed");
  }
}
