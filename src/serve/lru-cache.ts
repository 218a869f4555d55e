/**
 * A bounded cache with a deadline per entry, evicting entries not used
 * lately (CLOCK, the usual approximation of least-recently-used). Entries
 * sit in fixed slots; a hit only marks its slot; to make room, a hand
 * sweeps the slots, clearing marks, and takes the first unmarked one.
 * Every operation is O(1) amortized and no Map is ever iterated: a Map
 * walked from its start after many deletions skips every deleted entry
 * still in its table, which made evictions cost tens of microseconds.
 */
export class LruCache<V> {
  readonly #capacity: number;
  readonly #slots = new Map<string, number>();
  readonly #keys: (string | undefined)[] = [];
  readonly #values: (V | undefined)[] = [];
  readonly #expiries: number[] = [];
  readonly #used: Uint8Array;
  #hand = 0;

  /** `capacity` 0 turns the cache off (every get misses). */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#used = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The value, unless absent or past its deadline (then it is dropped). */
  get(key: string, now: number): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (this.#expiries[slot]! <= now) {
      this.#free(slot);
      return undefined;
    }
    this.#used[slot] = 1;
    return this.#values[slot];
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.#capacity === 0) return;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#freeSlot();
      this.#keys[slot] = key;
      this.#slots.set(key, slot);
    }
    this.#values[slot] = value;
    this.#expiries[slot] = expiresAt;
    this.#used[slot] = 0;
  }

  clear(): void {
    this.#slots.clear();
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#expiries.length = 0;
    this.#used.fill(0);
    this.#hand = 0;
  }

  /** A slot for a new key: a never-used one while the cache fills, then the hand's choice. */
  #freeSlot(): number {
    if (this.#keys.length < this.#capacity) return this.#keys.length;
    for (;;) {
      const slot = this.#hand;
      this.#hand = (this.#hand + 1) % this.#capacity;
      if (this.#keys[slot] !== undefined && this.#used[slot]) {
        this.#used[slot] = 0;
        continue;
      }
      if (this.#keys[slot] !== undefined) this.#free(slot);
      return slot;
    }
  }

  #free(slot: number): void {
    this.#slots.delete(this.#keys[slot]!);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#used[slot] = 0;
  }
}
