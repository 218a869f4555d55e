import { HeadObjectCommand, RestoreObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { s3ErrorCode } from "../storage/storage-errors.js";

/** Where an object in a cold class stands: unreadable, being thawed, or readable for now. */
export type ThawState = "cold" | "thawing" | "thawed";

/**
 * The two calls the lookup server needs for cold objects. Behind an
 * interface because no local S3 server implements Glacier-style restores
 * (the Ceph gateway answers RestoreObject with 501): tests stand a small
 * double in for this behaviour alone.
 */
export interface ColdObjects {
  thawState(bucket: string, key: string): Promise<ThawState>;
  /** Asks for a temporary readable copy; "already" when one is on its way. */
  requestThaw(bucket: string, key: string): Promise<"started" | "already">;
}

/** Days a thawed copy stays readable; one is enough to serve a burst of interest. */
const THAW_DAYS = 1;

/** RestoreObject and HEAD's `x-amz-restore`, through the target's S3 client. */
export class S3ColdObjects implements ColdObjects {
  readonly #client: S3Client;

  constructor(client: S3Client) {
    this.#client = client;
  }

  async thawState(bucket: string, key: string): Promise<ThawState> {
    const head = await this.#client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return thawStateOf(head.Restore);
  }

  async requestThaw(bucket: string, key: string): Promise<"started" | "already"> {
    try {
      await this.#client.send(
        new RestoreObjectCommand({
          Bucket: bucket,
          Key: key,
          RestoreRequest: { Days: THAW_DAYS, GlacierJobParameters: { Tier: "Standard" } },
        }),
      );
      return "started";
    } catch (error) {
      if (s3ErrorCode(error) === "RestoreAlreadyInProgress") return "already";
      throw error;
    }
  }
}

/** `ongoing-request="false", expiry-date="..."` means a readable copy exists. */
export function thawStateOf(restore: string | undefined): ThawState {
  if (restore === undefined) return "cold";
  if (/ongoing-request="true"/.test(restore)) return "thawing";
  return /ongoing-request="false"/.test(restore) ? "thawed" : "cold";
}
