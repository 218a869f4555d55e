export interface BatcherOptions {
  /** Flush when this many items wait. Default 500. */
  maxItems?: number;
  /** ... or when the oldest has waited this long, in ms. Default 20. */
  maxDelayMs?: number;
}

/**
 * Groups many small writes into few transactions: add() resolves once the
 * batch holding the item is written. Batches are written one at a time,
 * in order, so a later state never lands before an earlier one.
 */
export class Batcher<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #maxItems: number;
  readonly #maxDelayMs: number;
  #items: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(write: (items: T[]) => Promise<void>, options: BatcherOptions = {}) {
    this.#write = write;
    this.#maxItems = options.maxItems ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 20;
  }

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#items.push({ item, resolve, reject });
      if (this.#items.length >= this.#maxItems) void this.flush();
      else this.#timer ??= setTimeout(() => void this.flush(), this.#maxDelayMs);
    });
  }

  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#items;
    this.#items = [];
    if (batch.length === 0) return this.#writing;
    this.#writing = this.#writing.then(async () => {
      try {
        await this.#write(batch.map((entry) => entry.item));
        batch.forEach((entry) => entry.resolve());
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    });
    return this.#writing;
  }
}
