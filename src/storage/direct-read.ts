import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { TargetConfig } from "../config/config.js";
import { keepAliveTransport, type KeepAliveTransport } from "./keep-alive.js";
import { errorOf, isRetryable, readBody } from "./direct-put.js";
import { normalizeEtag } from "./etag.js";
import { objectLocation, type ObjectLocation } from "./object-url.js";
import { SigV4Signer, type SigningCredentials } from "./sigv4.js";
import { s3ErrorCode } from "./storage-errors.js";

/** Attempts per request for 5xx, SlowDown and resets, before any body byte is read. */
const READ_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 200;
const SOCKET_TIMEOUT_MS = 120_000;
/** SHA-256 of an empty payload: what a GET or HEAD signs. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Bytes `start` to `end` of an object, both inclusive, as HTTP Range counts them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a HEAD (or the headers of a GET) says about an object. */
export interface ObjectHead {
  size: number;
  etag: string | undefined;
  storageClass: string;
  /** User metadata without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  /** The raw `x-amz-restore` header, when the object is or was thawing. */
  restore: string | undefined;
}

export interface ObjectBody {
  head: ObjectHead;
  /** Length of what follows: the range's length for a ranged GET. */
  length: number;
  body: AsyncIterable<Buffer>;
  /** Stops reading early (a refused member, an abort); frees the socket. */
  destroy(): void;
}

/** Reads objects: the seam where a test double can stand in for one behaviour. */
export interface ObjectReader {
  /** Set when another thread may send this reader's GETs itself (restore's file workers). */
  signedGet?(key: string): Promise<{ url: string; headers: Record<string, string> }>;
  /** The object's bytes (or a range of them); S3ResponseError for 404, 403 and the like. */
  open(key: string, range?: ByteRange, signal?: AbortSignal): Promise<ObjectBody>;
  /** undefined when there is no such object. */
  head(key: string, signal?: AbortSignal): Promise<ObjectHead | undefined>;
}

/**
 * GET and HEAD straight over HTTP with a SigV4 signature, for the same
 * reason as DirectPut: a restore or a deep verify of small files makes one
 * request per file, and the SDK's ~1.5 ms of CPU per request would be the
 * bottleneck. The body is handed over as a stream; nothing is buffered.
 */
export class DirectRead implements ObjectReader {
  readonly #location: ObjectLocation;
  readonly #signer: SigV4Signer;
  readonly #credentials: () => Promise<SigningCredentials>;
  readonly #agent: KeepAliveTransport["agent"];
  readonly #request: KeepAliveTransport["request"];

  constructor(
    target: TargetConfig,
    bucket: string,
    credentials: () => Promise<SigningCredentials>,
  ) {
    this.#location = objectLocation({ ...target, bucket });
    this.#signer = new SigV4Signer(target.region);
    this.#credentials = credentials;
    ({ agent: this.#agent, request: this.#request } = keepAliveTransport(
      this.#location.origin,
      target.concurrency,
    ));
  }

  async open(key: string, range?: ByteRange, signal?: AbortSignal): Promise<ObjectBody> {
    const headers: Record<string, string> = {};
    if (range) headers.range = `bytes=${range.start}-${range.end}`;
    const response = await this.#withRetries(() => this.#send("GET", key, headers, signal), signal);
    const ok = range ? response.statusCode === 206 : response.statusCode === 200;
    if (!ok) throw errorOf(response.statusCode ?? 0, await readBody(response));
    return {
      head: headOf(response),
      length: Number(response.headers["content-length"]),
      body: response,
      destroy: () => response.destroy(),
    };
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectHead | undefined> {
    const response = await this.#withRetries(() => this.#send("HEAD", key, {}, signal), signal);
    response.resume();
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw errorOf(response.statusCode ?? 0, "");
    return headOf(response);
  }

  destroy(): void {
    this.#agent.destroy();
  }

  async #withRetries(
    send: () => Promise<IncomingMessage>,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await send();
        const status = response.statusCode ?? 0;
        if (status < 500 || attempt >= READ_ATTEMPTS) return response;
        throw errorOf(status, await readBody(response));
      } catch (error) {
        if (attempt >= READ_ATTEMPTS || !isRetryable(error) || signal?.aborted) throw error;
        const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
        await sleep(backoff, undefined, { signal });
      }
    }
  }

  /**
   * A signed GET of a whole object, for another thread to send: the URL
   * and headers (including Authorization, so never to be logged).
   */
  async signedGet(key: string): Promise<{ url: string; headers: Record<string, string> }> {
    const path = this.#location.pathOf(key);
    const headers: Record<string, string> = { host: this.#location.host };
    this.#signer.signHeaders(
      { method: "GET", path, headers },
      EMPTY_SHA256,
      await this.#credentials(),
    );
    return { url: `${this.#location.origin}${path}`, headers };
  }

  async #send(
    method: "GET" | "HEAD",
    key: string,
    extra: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    const path = this.#location.pathOf(key);
    const headers: Record<string, string> = { host: this.#location.host, ...extra };
    this.#signer.signHeaders({ method, path, headers }, EMPTY_SHA256, await this.#credentials());
    return new Promise((resolve, reject) => {
      const outgoing = this.#request(`${this.#location.origin}${path}`, {
        method,
        headers,
        agent: this.#agent,
        signal,
        timeout: SOCKET_TIMEOUT_MS,
      });
      outgoing.on("response", resolve);
      outgoing.on("error", reject);
      outgoing.on("timeout", () =>
        outgoing.destroy(Object.assign(new Error("socket timeout"), { code: "ETIMEDOUT" })),
      );
      outgoing.end();
    });
  }
}

function headOf(response: IncomingMessage): ObjectHead {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.startsWith("x-amz-meta-") && typeof value === "string") {
      metadata[name.slice("x-amz-meta-".length)] = value;
    }
  }
  const range = /\/(\d+)$/.exec(String(response.headers["content-range"] ?? ""));
  return {
    size: Number(range ? range[1] : response.headers["content-length"]),
    etag: normalizeEtag(response.headers.etag),
    storageClass: String(response.headers["x-amz-storage-class"] ?? "STANDARD"),
    metadata,
    restore: response.headers["x-amz-restore"] as string | undefined,
  };
}

/** True for the answer a cold object gives to a GET before it is thawed. */
export function isColdRefusal(error: unknown): boolean {
  return s3ErrorCode(error) === "InvalidObjectState";
}
