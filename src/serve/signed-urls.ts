import type { TargetConfig } from "../config/config.js";
import { StorageError, errorMessage } from "../errors.js";
import { objectLocation, type ObjectLocation } from "../storage/object-url.js";
import { SigV4Signer, type SigningCredentials } from "../storage/sigv4.js";
import { LruCache } from "./lru-cache.js";

/** Credentials as the SDK's provider chain gives them. */
export interface ExpiringCredentials extends SigningCredentials {
  expiration?: Date;
}

export type CredentialSource = () => Promise<ExpiringCredentials>;

/** Signing times are whole minutes (or a quarter of a short url_ttl). */
const SIGNING_QUANTUM_MS = 60_000;

/** Credentials this close to expiry are fetched again (the SDK refreshes them). */
const CREDENTIALS_REFRESH_MARGIN_MS = 5 * 60_000;

export interface SignedUrlsOptions {
  /** Lifetime of a signed URL, seconds (serve.url_ttl). */
  ttlSeconds: number;
  /** Signed URLs kept for reuse. */
  cacheEntries: number;
  now?: () => number;
}

export interface SignedUrl {
  url: string;
  /** Past this time (ms) the URL is signed anew, so that a receiver has at least ttl/2. */
  reusableUntil: number;
}

interface TargetSigner {
  location: ObjectLocation;
  signer: SigV4Signer;
  source: CredentialSource;
  credentials: ExpiringCredentials | undefined;
}

/**
 * Presigned URLs for objects the catalog holds, signed with the direct
 * SigV4 signer (~20 µs; the SDK's getSignedUrl costs ~300 µs). A URL is
 * reused until half its lifetime has passed, so whoever receives it has
 * at least ttl/2 to use it, and a hot object costs one signature per
 * ttl/2 instead of one per request. Callers pass only keys read from the
 * catalog: nothing here decides what may be signed.
 */
export class SignedUrls {
  signatures = 0;
  readonly #targets = new Map<string, TargetSigner>();
  readonly #cache: LruCache<SignedUrl>;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(options: SignedUrlsOptions) {
    this.#cache = new LruCache(options.cacheEntries);
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  addTarget(target: TargetConfig, source: CredentialSource): void {
    this.#targets.set(target.name, {
      location: objectLocation(target),
      signer: new SigV4Signer(target.region),
      source,
      credentials: undefined,
    });
  }

  /** Loads (or renews) every target's credentials; fails with exit 4 when there are none. */
  async refreshCredentials(): Promise<void> {
    for (const [name, target] of this.#targets) {
      const expiration = target.credentials?.expiration?.getTime();
      if (expiration !== undefined && expiration - this.#now() > CREDENTIALS_REFRESH_MARGIN_MS) {
        continue;
      }
      if (target.credentials && expiration === undefined) continue;
      try {
        target.credentials = await target.source();
      } catch (error) {
        throw new StorageError(
          "STORAGE_NO_CREDENTIALS",
          `target "${name}": no credentials to sign URLs with: ${errorMessage(error)}`,
          {
            hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile in the target",
            cause: error,
          },
        );
      }
    }
  }

  /**
   * `http://host/bucket/key?X-Amz-...`, for `method` (GET or HEAD). With
   * `contentType`, the bucket answers with that Content-Type (a pack
   * member read from its tar).
   */
  url(targetName: string, method: string, key: string, contentType?: string): string {
    return this.signed(targetName, method, key, contentType).url;
  }

  /** The URL of `url()`, and until when it may still be handed out. */
  signed(targetName: string, method: string, key: string, contentType?: string): SignedUrl {
    const cacheKey = `${targetName}\n${method}\n${key}\n${contentType ?? ""}`;
    const now = this.#now();
    const cached = this.#cache.get(cacheKey, now);
    if (cached !== undefined) return cached;
    const ttlMs = this.#ttlSeconds * 1000;
    // Signing at the start of a time quantum lets the signer reuse the
    // query it built for the quantum; a URL is still valid for at least
    // ttl/2 whenever it is handed out.
    const quantum = Math.min(SIGNING_QUANTUM_MS, ttlMs / 4);
    const signedAt = now - (now % quantum);
    const url = this.#sign(targetName, method, key, signedAt, contentType);
    const signed = { url, reusableUntil: signedAt + ttlMs / 2 };
    this.#cache.set(cacheKey, signed, signed.reusableUntil);
    return signed;
  }

  #sign(
    targetName: string,
    method: string,
    key: string,
    now: number,
    contentType: string | undefined,
  ): string {
    const target = this.#targets.get(targetName);
    if (!target?.credentials) {
      throw new StorageError(
        "SERVE_TARGET_UNKNOWN",
        `no usable target "${targetName}" to sign key ${key} for`,
        { hint: "the catalog names a target that is not in the config" },
      );
    }
    const path = target.location.pathOf(key);
    const query = target.signer.presignQuery(
      method,
      target.location.host,
      path,
      target.credentials,
      this.#ttlSeconds,
      new Date(now),
      contentType === undefined ? {} : { "response-content-type": contentType },
    );
    this.signatures++;
    return `${target.location.origin}${path}?${query}`;
  }
}
