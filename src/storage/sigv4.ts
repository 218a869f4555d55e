import { createHmac, hash } from "node:crypto";

/**
 * AWS Signature Version 4 for S3, written out so that the hot paths (one
 * PUT per small file, one signed URL per lookup) cost a hash and an HMAC
 * instead of a pass through the SDK's middleware stack. The signing key
 * is derived once per day and region.
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const ALGORITHM = "AWS4-HMAC-SHA256";
const SERVICE = "s3";

/** `20261203T170102Z` and `20261203`. */
export function amzDate(now: Date): { stamp: string; day: string } {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return { stamp, day: stamp.slice(0, 8) };
}

/** RFC 3986 encoding as SigV4 wants it for one path segment or query value. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Characters SigV4 leaves as they are in a path; most keys are made of these alone. */
const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/;

/** An object key as it appears in a request path: each segment encoded, slashes kept. */
export function encodeKey(key: string): string {
  if (UNRESERVED_PATH.test(key)) return key;
  return key.split("/").map(encodeRfc3986).join("/");
}

/** Query prefixes kept per signer: one per signing second, access key, lifetime and token. */
const QUERY_PREFIXES_KEPT = 64;

export class SigV4Signer {
  readonly #region: string;
  readonly #keys = new Map<string, HmacPads>();
  /**
   * The sorted X-Amz-* part of presigned queries, which depends only on
   * the time, the credentials and the lifetime: callers that sign many
   * URLs with one time (the lookup server signs at whole minutes) build it
   * once.
   */
  readonly #queryPrefixes = new Map<string, string>();
  #lastDate: { ms: number; stamp: string; day: string } = { ms: NaN, stamp: "", day: "" };

  constructor(region: string) {
    this.#region = region;
  }

  /**
   * Signs a request in place: adds x-amz-date, x-amz-content-sha256 (and the
   * session token) and Authorization. `headers` keys must be lower case
   * and include `host`; every header given is signed.
   */
  signHeaders(
    request: { method: string; path: string; query?: string; headers: Record<string, string> },
    payloadSha256: string,
    credentials: SigningCredentials,
    now = new Date(),
  ): void {
    const { stamp, day } = amzDate(now);
    const headers = request.headers;
    headers["x-amz-date"] = stamp;
    headers["x-amz-content-sha256"] = payloadSha256;
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonicalHeaders = names
      .map((name) => `${name}:${String(headers[name]).trim()}\n`)
      .join("");
    const signedHeaders = names.join(";");
    const canonical = [
      request.method,
      request.path,
      request.query ?? "",
      canonicalHeaders,
      signedHeaders,
      payloadSha256,
    ].join("\n");
    const scope = `${day}/${this.#region}/${SERVICE}/aws4_request`;
    const signature = this.#sign(canonical, stamp, scope, day, credentials.secretAccessKey);
    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  /**
   * A presigned URL's query string (without `?`) for `method` on `path`,
   * valid `expiresIn` seconds from `now`. Only `host` is signed and the
   * payload is UNSIGNED-PAYLOAD, which is what proxies and S3-compatible
   * gateways accept. `extra` adds signed query parameters, such as S3's
   * `response-content-type` override.
   */
  presignQuery(
    method: string,
    host: string,
    path: string,
    credentials: SigningCredentials,
    expiresIn: number,
    now = new Date(),
    extra: Readonly<Record<string, string>> = {},
  ): string {
    const { stamp, day } = this.#amzDate(now);
    const scope = `${day}/${this.#region}/${SERVICE}/aws4_request`;
    let query = this.#queryPrefix(stamp, scope, credentials, expiresIn);
    // Every X-Amz-* name sorts before lower-case names such as response-content-type.
    const names = Object.keys(extra).sort();
    for (const name of names) {
      if (name.startsWith("X-Amz-")) throw new Error(`presignQuery: ${name} is set by the signer`);
      query += `&${encodeRfc3986(name)}=${encodeRfc3986(extra[name]!)}`;
    }
    const canonical = `${method}\n${path}\n${query}\nhost:${host}\n\nhost\n${UNSIGNED_PAYLOAD}`;
    const signature = this.#sign(canonical, stamp, scope, day, credentials.secretAccessKey);
    return `${query}&X-Amz-Signature=${signature}`;
  }

  #queryPrefix(
    stamp: string,
    scope: string,
    credentials: SigningCredentials,
    expiresIn: number,
  ): string {
    const cacheKey = `${stamp}\n${credentials.accessKeyId}\n${expiresIn}\n${credentials.sessionToken ?? ""}`;
    let prefix = this.#queryPrefixes.get(cacheKey);
    if (prefix !== undefined) return prefix;
    const params: [string, string][] = [
      ["X-Amz-Algorithm", ALGORITHM],
      ["X-Amz-Content-Sha256", UNSIGNED_PAYLOAD],
      ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
      ["X-Amz-Date", stamp],
      ["X-Amz-Expires", String(expiresIn)],
      ["X-Amz-SignedHeaders", "host"],
    ];
    if (credentials.sessionToken) params.push(["X-Amz-Security-Token", credentials.sessionToken]);
    params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    prefix = params
      .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
      .join("&");
    if (this.#queryPrefixes.size >= QUERY_PREFIXES_KEPT) this.#queryPrefixes.clear();
    this.#queryPrefixes.set(cacheKey, prefix);
    return prefix;
  }

  /** amzDate, remembered for the last second asked. */
  #amzDate(now: Date): { stamp: string; day: string } {
    const ms = now.getTime() - (now.getTime() % 1000);
    if (this.#lastDate.ms !== ms) this.#lastDate = { ms, ...amzDate(now) };
    return this.#lastDate;
  }

  #sign(canonical: string, stamp: string, scope: string, day: string, secret: string): string {
    const hashed = hash("sha256", canonical, "hex");
    const toSign = `${ALGORITHM}\n${stamp}\n${scope}\n${hashed}`;
    return hmacHex(this.#signingKey(day, secret), toSign);
  }

  #signingKey(day: string, secret: string): HmacPads {
    const cacheKey = `${day}/${secret}`;
    let pads = this.#keys.get(cacheKey);
    if (!pads) {
      const dateKey = createHmac("sha256", `AWS4${secret}`).update(day).digest();
      const regionKey = createHmac("sha256", dateKey).update(this.#region).digest();
      const serviceKey = createHmac("sha256", regionKey).update(SERVICE).digest();
      pads = hmacPads(createHmac("sha256", serviceKey).update("aws4_request").digest());
      this.#keys.clear();
      this.#keys.set(cacheKey, pads);
    }
    return pads;
  }
}

/** SHA-256's block size: HMAC pads its key to this. */
const SHA256_BLOCK = 64;

/** A signing key XORed with HMAC's inner and outer pads (RFC 2104), made once per day. */
interface HmacPads {
  inner: Buffer;
  outer: Buffer;
}

function hmacPads(key: Buffer): HmacPads {
  const inner = Buffer.alloc(SHA256_BLOCK, 0x36);
  const outer = Buffer.alloc(SHA256_BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i]! ^= key[i]!;
    outer[i]! ^= key[i]!;
  }
  return { inner, outer };
}

/**
 * HMAC-SHA256 from two one-shot hashes over the precomputed pads. Under
 * the lookup server's load, createHmac's native object per signature
 * cost several times the hashing itself.
 */
function hmacHex(pads: HmacPads, message: string): string {
  const inner = hash("sha256", Buffer.concat([pads.inner, Buffer.from(message)]), "buffer");
  return hash("sha256", Buffer.concat([pads.outer, inner]), "hex");
}
