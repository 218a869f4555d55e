import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { TargetConfig } from "../config/config.js";
import { keepAliveTransport, type KeepAliveTransport } from "./keep-alive.js";
import { objectLocation, type ObjectLocation } from "./object-url.js";
import { SigV4Signer, type SigningCredentials } from "./sigv4.js";

/** Attempts per PUT for server-side and network trouble (5xx, SlowDown, resets). */
const PUT_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 200;
const SOCKET_TIMEOUT_MS = 120_000;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  "SlowDown",
  "RequestTimeout",
  "InternalError",
  "ServiceUnavailable",
]);

export interface DirectPutRequest {
  key: string;
  body: Buffer;
  /** Base64 MD5 of the body (Content-MD5). */
  md5: string;
  /** Hex SHA-256 of the body: signs the payload, so a damaged body is refused. */
  sha256: string;
  contentType: string;
  /** User metadata, without the x-amz-meta- prefix; ASCII values. */
  metadata: Record<string, string>;
  storageClass?: string;
  /** Base64 SHA-256, sent as x-amz-checksum-sha256 (`checksums: aws`). */
  checksumSha256?: string;
  signal?: AbortSignal;
}

/** An S3 error answer, shaped like the SDK's so that storage-errors.ts reads both. */
export class S3ResponseError extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(status: number, code: string, message: string) {
    super(`${code}: ${message || `HTTP ${status}`}`);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * PUT of one small object straight over HTTP with a SigV4 signature: the
 * nightly run's hot path. Going through the SDK costs ~1.5 ms of CPU per
 * request on this kind of machine, more than hashing and reading the file;
 * here it is one hash and one HMAC. Multipart uploads and every other call
 * go through the SDK.
 */
export class DirectPut {
  readonly #location: ObjectLocation;
  readonly #signer: SigV4Signer;
  readonly #credentials: () => Promise<SigningCredentials>;
  readonly #agent: KeepAliveTransport["agent"];
  readonly #request: KeepAliveTransport["request"];

  constructor(target: TargetConfig, credentials: () => Promise<SigningCredentials>) {
    this.#location = objectLocation(target);
    this.#signer = new SigV4Signer(target.region);
    this.#credentials = credentials;
    ({ agent: this.#agent, request: this.#request } = keepAliveTransport(
      this.#location.origin,
      target.concurrency,
    ));
  }

  /** Sends the object; returns the ETag the server answered (proof comes separately). */
  async put(request: DirectPutRequest): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#putOnce(request);
      } catch (error) {
        if (attempt >= PUT_ATTEMPTS || !isRetryable(error) || request.signal?.aborted) throw error;
        const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
        await sleep(backoff, undefined, { signal: request.signal });
      }
    }
  }

  destroy(): void {
    this.#agent.destroy();
  }

  async #putOnce(request: DirectPutRequest): Promise<string> {
    const path = this.#location.pathOf(request.key);
    const headers: Record<string, string> = {
      host: this.#location.host,
      "content-length": String(request.body.length),
      "content-md5": request.md5,
      "content-type": request.contentType,
    };
    for (const [name, value] of Object.entries(request.metadata)) {
      headers[`x-amz-meta-${name}`] = value;
    }
    if (request.storageClass) headers["x-amz-storage-class"] = request.storageClass;
    if (request.checksumSha256) headers["x-amz-checksum-sha256"] = request.checksumSha256;
    this.#signer.signHeaders(
      { method: "PUT", path, headers },
      request.sha256,
      await this.#credentials(),
    );
    const response = await this.#send(path, headers, request);
    const text = await readBody(response);
    if (response.statusCode === 200) return String(response.headers.etag ?? "");
    throw errorOf(response.statusCode ?? 0, text);
  }

  #send(
    path: string,
    headers: Record<string, string>,
    request: DirectPutRequest,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const outgoing = this.#request(`${this.#location.origin}${path}`, {
        method: "PUT",
        headers,
        agent: this.#agent,
        signal: request.signal,
        timeout: SOCKET_TIMEOUT_MS,
      });
      outgoing.on("response", resolve);
      outgoing.on("error", reject);
      outgoing.on("timeout", () =>
        outgoing.destroy(Object.assign(new Error("socket timeout"), { code: "ETIMEDOUT" })),
      );
      outgoing.end(request.body);
    });
  }
}

export function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString()));
    response.on("error", reject);
  });
}

export function errorOf(status: number, body: string): S3ResponseError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? `Http${status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "";
  return new S3ResponseError(status, code, message);
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof S3ResponseError) {
    return RETRYABLE_STATUS.has(error.$metadata.httpStatusCode) || RETRYABLE_CODES.has(error.Code);
  }
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN"].includes(code);
}
