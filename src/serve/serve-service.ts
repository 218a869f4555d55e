import type { Catalog } from "../catalog/catalog.js";
import type { GivreConfig, TargetConfig } from "../config/config.js";
import type { Logger } from "../log/logger.js";
import { ColdGate } from "./cold-gate.js";
import type { ThawTransport } from "../storage/thaw.js";
import { AuthAnswers } from "./auth-answers.js";
import { FileLookup, FOUND_TTL_MS } from "./file-lookup.js";
import { FileResolver } from "./file-resolver.js";
import { ObjectReader } from "./object-reader.js";
import { SignedUrls, type CredentialSource } from "./signed-urls.js";
import type { ServeMetrics } from "./serve-metrics.js";
import { PrefixTable } from "./url-path.js";

/** What the server needs from one target besides its config. */
export interface TargetAccess {
  credentials: CredentialSource;
  /** RestoreObject and thaw state of the target's bucket. */
  cold: ThawTransport;
}

export interface ServeServiceDeps {
  config: GivreConfig;
  catalog: Catalog;
  log: Logger;
  /** Credentials and cold-object calls of a target. */
  access: (target: TargetConfig) => TargetAccess;
  /** Shared by every service a server swaps in, so counters survive reloads. */
  metrics: ServeMetrics;
  /** Default Date.now. */
  now?: () => number;
}

/** Sockets to the object store for streamed reads; NGINX's keepalive pool is sized alike. */
const READ_SOCKETS = 64;

/**
 * Everything the routes use that follows from the config: prefixes,
 * cache, signer, cold gate, reader. A config reload builds a new one and
 * swaps it in whole; requests in flight finish with the one they began
 * with.
 */
export class ServeService {
  readonly config: GivreConfig;
  readonly catalog: Catalog;
  readonly log: Logger;
  readonly metrics: ServeMetrics;
  readonly prefixes: PrefixTable;
  readonly lookup: FileLookup;
  readonly urls: SignedUrls;
  readonly authAnswers: AuthAnswers;
  /** The clock of every cache here; tests move it. */
  readonly now: () => number;
  readonly cold: ColdGate;
  readonly resolver: FileResolver;
  readonly reader: ObjectReader;

  constructor({ config, catalog, log, access, metrics, now }: ServeServiceDeps) {
    const serve = config.serve;
    this.config = config;
    this.catalog = catalog;
    this.log = log;
    this.metrics = metrics;
    this.prefixes = new PrefixTable(serve.prefixes);
    this.lookup = new FileLookup(catalog, {
      cacheEntries: serve.cacheEntries,
      negativeTtl: serve.negativeTtl,
      now,
    });
    this.now = now ?? Date.now;
    this.authAnswers = new AuthAnswers(serve.cacheEntries, FOUND_TTL_MS);
    this.urls = new SignedUrls({
      ttlSeconds: serve.urlTtl,
      cacheEntries: serve.cacheEntries,
      now,
    });
    const cold = new Map<string, ThawTransport>();
    for (const target of Object.values(config.targets)) {
      const targetAccess = access(target);
      this.urls.addTarget(target, targetAccess.credentials);
      cold.set(target.name, targetAccess.cold);
    }
    this.cold = new ColdGate((name) => cold.get(name), log, {
      coldClasses: config.restore.coldStorageClasses,
      thawTier: config.restore.thawTier,
      recallOnAccess: serve.recallOnAccess,
      recallsPerMinute: serve.recallsPerMinute,
      now,
    });
    this.resolver = new FileResolver(this.prefixes, this.lookup, this.cold);
    this.reader = new ObjectReader(READ_SOCKETS);
  }

  /** Credentials first, so a server without them fails at start (exit 4), not per request. */
  async start(): Promise<this> {
    await this.urls.refreshCredentials();
    return this;
  }

  destroy(): void {
    this.reader.destroy();
  }
}
