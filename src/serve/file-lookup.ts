import type { Catalog, CatalogEntry } from "../catalog/catalog.js";
import { LruCache } from "./lru-cache.js";

/**
 * How long a served entry (archived, restoring, restored) is trusted
 * without asking the catalog again. A stale answer is harmless: such an
 * entry only moves to states whose object stays in the bucket.
 */
export const FOUND_TTL_MS = 60_000;

/**
 * States a run is still moving through: the file is on local disk now, and
 * may be archived any moment. Cached no longer than "not in the catalog",
 * so every front sees a file archived soon after the run commits it.
 */
const PASSING_STATES: ReadonlySet<string> = new Set(["uploading", "stored", "copied"]);

export interface FileLookupOptions {
  /** Lookups kept in memory (found and not found). 0 turns the cache off. */
  cacheEntries: number;
  /** How long "not in the catalog" is trusted, in ms. */
  negativeTtl: number;
  now?: () => number;
}

/** A catalog that can answer a primary-key read without a promise (SQLite). */
interface SyncCatalog {
  getNow(root: string, path: string): CatalogEntry | undefined;
}

/** Counted for /metrics. */
export interface LookupCounts {
  hits: number;
  misses: number;
}

/**
 * Catalog reads by primary key behind a bounded cache. With SQLite a miss
 * is answered synchronously (~6 µs); with an async catalog (PostgreSQL)
 * concurrent misses for one path share a single query.
 */
export class FileLookup {
  readonly counts: LookupCounts = { hits: 0, misses: 0 };
  readonly #catalog: Catalog;
  readonly #sync: SyncCatalog | undefined;
  readonly #cache: LruCache<CatalogEntry | null>;
  readonly #negativeTtl: number;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<CatalogEntry | null>>();

  constructor(catalog: Catalog, options: FileLookupOptions) {
    this.#catalog = catalog;
    this.#sync = hasGetNow(catalog) ? catalog : undefined;
    this.#cache = new LruCache(options.cacheEntries);
    this.#negativeTtl = options.negativeTtl;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The entry (null: not in the catalog) when it can be known without
   * waiting; undefined when only `find` can tell.
   */
  findNow(root: string, path: string): CatalogEntry | null | undefined {
    const cacheKey = `${root}\0${path}`;
    const now = this.#now();
    const cached = this.#cache.get(cacheKey, now);
    if (cached !== undefined) {
      this.counts.hits++;
      return cached;
    }
    if (!this.#sync) return undefined;
    this.counts.misses++;
    return this.#remember(cacheKey, this.#sync.getNow(root, path) ?? null, now);
  }

  async find(root: string, path: string): Promise<CatalogEntry | null> {
    const known = this.findNow(root, path);
    if (known !== undefined) return known;
    const cacheKey = `${root}\0${path}`;
    let pending = this.#inFlight.get(cacheKey);
    if (!pending) {
      this.counts.misses++;
      pending = this.#catalog
        .get(root, path)
        .then((entry) => this.#remember(cacheKey, entry ?? null, this.#now()))
        .finally(() => this.#inFlight.delete(cacheKey));
      this.#inFlight.set(cacheKey, pending);
    }
    return pending;
  }

  /** Forgets everything (config reload: prefixes or roots may have changed). */
  clear(): void {
    this.#cache.clear();
  }

  #remember(cacheKey: string, entry: CatalogEntry | null, now: number): CatalogEntry | null {
    const settled = entry !== null && !PASSING_STATES.has(entry.state);
    this.#cache.set(cacheKey, entry, now + (settled ? FOUND_TTL_MS : this.#negativeTtl));
    return entry;
  }
}

function hasGetNow(catalog: Catalog): catalog is Catalog & SyncCatalog {
  return typeof (catalog as Partial<SyncCatalog>).getNow === "function";
}
