/**
 * A bounded cache with a deadline per entry, evicting entries not used
 * lately (the CLOCK approximation of least-recently-used): a hit only
 * marks its entry, and eviction gives marked entries a second chance by
 * moving them to the back of the Map's insertion order. A hit is thus
 * one Map lookup, where exact LRU would delete and re-insert on every
 * hit, which is the hot path of the lookup server.
 */
export class LruCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, { value: V; expiresAt: number; used: boolean }>();

  /** `capacity` 0 turns the cache off (every get misses). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, unless absent or past its deadline (then it is dropped). */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt, used: false });
    if (this.#entries.size > this.#capacity) this.#evictOne();
  }

  clear(): void {
    this.#entries.clear();
  }

  #evictOne(): void {
    for (const [key, entry] of this.#entries) {
      this.#entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.#entries.set(key, entry);
    }
  }
}
