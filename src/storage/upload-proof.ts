import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GivreError } from "../errors.js";
import { normalizeEtag } from "./etag.js";
import { httpStatus } from "./storage-errors.js";

/** What the bucket must show for an upload to count as proven. */
export interface ExpectedObject {
  key: string;
  /** Absent: not checked (a pack is proven again by its ETag alone; its members know only their ranges). */
  size?: number;
  etag: string;
}

/** S3 lists at most 1,000 keys per request. */
const LIST_PAGE = 1000;
/** How long uploads of one folder wait to share a listing. */
const DEFAULT_DELAY_MS = 100;

export class ProofError extends GivreError {
  constructor(key: string, found: string, expected: ExpectedObject) {
    super(
      "PROOF_FAILED",
      1,
      `the bucket does not hold what was sent for ${key}: found ${found}, expected ${expected.size ?? "any number of"} bytes with ETag ${expected.etag}`,
    );
  }
}

/** Proves one object by HEAD (multipart objects, manifests, recovery). */
export async function proveByHead(
  client: S3Client,
  bucket: string,
  expected: ExpectedObject,
): Promise<void> {
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: expected.key }));
  } catch (error) {
    if (httpStatus(error) === 404) throw new ProofError(expected.key, "no object", expected);
    throw error;
  }
  check(expected, head.ContentLength, normalizeEtag(head.ETag));
}

function check(expected: ExpectedObject, size: number | undefined, etag: string | undefined): void {
  if ((expected.size === undefined || size === expected.size) && etag === expected.etag) return;
  throw new ProofError(expected.key, `${size ?? "?"} bytes with ETag ${etag ?? "?"}`, expected);
}

interface Waiter {
  expected: ExpectedObject;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Proves many small uploads with few requests: uploads to one folder wait
 * a moment, then one listing of the key range they span shows size and
 * ETag for up to a thousand of them. A key the listing misses (some
 * servers list with a delay) is checked by HEAD before it fails.
 */
export class ListingProver {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #delayMs: number;
  readonly #pending = new Map<string, Waiter[]>();
  #timer: NodeJS.Timeout | undefined;
  /** Requests made, for the run summary and tests. */
  listings = 0;

  constructor(client: S3Client, bucket: string, options: { delayMs?: number } = {}) {
    this.#client = client;
    this.#bucket = bucket;
    this.#delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
  }

  prove(expected: ExpectedObject): Promise<void> {
    return new Promise((resolve, reject) => {
      const folder = expected.key.slice(0, expected.key.lastIndexOf("/") + 1);
      const waiters = this.#pending.get(folder) ?? [];
      waiters.push({ expected, resolve, reject });
      this.#pending.set(folder, waiters);
      if (waiters.length >= LIST_PAGE) this.#flushFolder(folder);
      else this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
    });
  }

  /** Lists every folder with waiting uploads now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const folder of [...this.#pending.keys()]) this.#flushFolder(folder);
  }

  #flushFolder(folder: string): void {
    const waiters = this.#pending.get(folder) ?? [];
    this.#pending.delete(folder);
    if (waiters.length === 0) return;
    this.#settle(folder, waiters).catch((error) =>
      waiters.forEach((waiter) => waiter.reject(error)),
    );
  }

  async #settle(folder: string, waiters: Waiter[]): Promise<void> {
    const listed = await this.#listRange(
      folder,
      waiters.map((waiter) => waiter.expected.key),
    );
    for (const waiter of waiters) {
      const found = listed.get(waiter.expected.key);
      if (!found) {
        proveByHead(this.#client, this.#bucket, waiter.expected).then(
          waiter.resolve,
          waiter.reject,
        );
        continue;
      }
      try {
        check(waiter.expected, found.size, found.etag);
        waiter.resolve();
      } catch (error) {
        waiter.reject(error);
      }
    }
  }

  /** Size and ETag of every key from the smallest to the largest of `keys`. */
  async #listRange(
    folder: string,
    keys: string[],
  ): Promise<Map<string, { size?: number; etag?: string }>> {
    keys.sort(byUtf8);
    const first = keys[0]!;
    const last = Buffer.from(keys[keys.length - 1]!);
    const listed = new Map<string, { size?: number; etag?: string }>();
    // StartAfter is exclusive: a key one character shorter sorts just before the first.
    let request = {
      Bucket: this.#bucket,
      Prefix: folder,
      StartAfter: first.slice(0, -1),
      ContinuationToken: undefined as string | undefined,
    };
    for (;;) {
      this.listings++;
      const page = await this.#client.send(
        new ListObjectsV2Command({ ...request, MaxKeys: LIST_PAGE }),
      );
      for (const item of page.Contents ?? []) {
        listed.set(item.Key!, { size: item.Size, etag: normalizeEtag(item.ETag) });
      }
      const lastListed = page.Contents?.at(-1)?.Key;
      if (!page.IsTruncated || !lastListed || Buffer.compare(Buffer.from(lastListed), last) >= 0) {
        return listed;
      }
      request = { ...request, ContinuationToken: page.NextContinuationToken };
    }
  }
}

/** S3 sorts keys by their UTF-8 bytes, which differs from JS string order. */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
