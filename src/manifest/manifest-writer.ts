import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../log/logger.js";
import { proveByHead } from "../storage/upload-proof.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { ManifestLine } from "./manifest-line.js";
import { localManifestPath, manifestKey } from "./manifest-keys.js";

export interface ManifestWriterOptions {
  client: S3Client;
  bucket: string;
  /** The policy's key prefix; segments go under `<prefix>.givre/manifests/`. */
  prefix: string;
  policy: string;
  runId: string;
  stateDir: string;
  flushFiles: number;
  flushInterval: number;
  log: Logger;
  /** Called with the lines of a segment once it is proven in the bucket, before their waiters resume. */
  onSegmentStored?: (segmentKey: string, lines: readonly ManifestLine[]) => Promise<void>;
}

interface Pending {
  line: ManifestLine;
  resolve: (segmentKey: string) => void;
  reject: (error: unknown) => void;
}

/**
 * The manifest of one policy in one run, written in segments. A segment
 * is flushed after `flushFiles` lines or `flushInterval` ms: written
 * atomically under the state folder, uploaded, and proven by HEAD. Only
 * then does append() resolve, which is what lets a file be freed.
 */
export class ManifestWriter {
  readonly #options: ManifestWriterOptions;
  #pending: Pending[] = [];
  #sequence = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: ManifestWriterOptions) {
    this.#options = options;
  }

  /** Resolves with the segment's key once the segment holding `line` is in the bucket. */
  append(line: ManifestLine): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      if (this.#pending.length >= this.#options.flushFiles) void this.flush();
      else this.#timer ??= setTimeout(() => void this.flush(), this.#options.flushInterval);
    });
  }

  /** Writes what is pending as one segment; segments are written one at a time, in order. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#flushing;
    const sequence = ++this.#sequence;
    this.#flushing = this.#flushing.then(() => this.#writeSegment(sequence, batch));
    return this.#flushing;
  }

  async #writeSegment(sequence: number, batch: Pending[]): Promise<void> {
    const { client, bucket, prefix, policy, runId, stateDir, log } = this.#options;
    const key = manifestKey(prefix, policy, runId, sequence);
    const lines = batch.map((pending) => pending.line);
    try {
      const body = Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
      await writeFileAtomic(localManifestPath(stateDir, policy, runId, sequence), body);
      const md5 = createHash("md5").update(body).digest();
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentMD5: md5.toString("base64"),
          ContentType: "application/x-ndjson",
        }),
      );
      await proveByHead(client, bucket, { key, size: body.length, etag: md5.toString("hex") });
      await this.#options.onSegmentStored?.(key, lines);
      log.debug({ key, lines: lines.length }, "manifest segment stored");
    } catch (error) {
      log.error(
        { key, lines: lines.length, err: error },
        "manifest segment not stored; its files stay local",
      );
      batch.forEach((pending) => pending.reject(error));
      return;
    }
    batch.forEach((pending) => pending.resolve(key));
  }
}
