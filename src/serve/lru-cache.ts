/**
 * A bounded cache with least-recently-used eviction and a deadline per
 * entry. A Map keeps insertion order, so re-inserting on use makes the
 * first key the least recently used one: O(1) per operation.
 */
export class LruCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

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
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
