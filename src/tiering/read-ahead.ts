/**
 * Bounds work read ahead of where it is used: at most `files` items and
 * `bytes` bytes at once (one item larger than `bytes` alone is let
 * through). acquire() waits until there is room.
 */
export class ReadAhead {
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  #files = 0;
  #bytes = 0;
  #waiting: (() => void)[] = [];

  constructor(files: number, bytes: number) {
    this.#maxFiles = files;
    this.#maxBytes = bytes;
  }

  async acquire(bytes: number): Promise<void> {
    while (
      this.#files > 0 &&
      (this.#files >= this.#maxFiles || this.#bytes + bytes > this.#maxBytes)
    ) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#files++;
    this.#bytes += bytes;
  }

  release(bytes: number): void {
    this.#files--;
    this.#bytes -= bytes;
    const waiting = this.#waiting;
    this.#waiting = [];
    waiting.forEach((wake) => wake());
  }
}
