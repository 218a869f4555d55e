import { once } from "node:events";

/** Output is written in chunks of about this size: one write per line costs more than the JSON. */
const CHUNK_BYTES = 64 * 1024;

/**
 * JSON Lines to a stream, waiting when the reader is slower than the
 * writer (a slow pipe) instead of piling lines up in memory. A reader that
 * goes away (`| head`) closes the writer quietly.
 */
export class JsonLinesWriter {
  readonly #out: NodeJS.WritableStream;
  #chunk = "";
  #closed = false;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    out.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      this.#closed = true;
    });
  }

  /** True once the reader has gone: stop producing. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds one line; true when the chunk is full and `flush` should be awaited. */
  add(record: unknown): boolean {
    this.#chunk += `${JSON.stringify(record)}\n`;
    return this.#chunk.length >= CHUNK_BYTES;
  }

  async flush(): Promise<void> {
    if (this.#chunk === "" || this.#closed) return;
    const chunk = this.#chunk;
    this.#chunk = "";
    if (this.#out.write(chunk)) return;
    try {
      await once(this.#out, "drain");
    } catch (error) {
      if (!this.#closed) throw error;
    }
  }
}
