import { once } from "node:events";

/** Output is written in chunks of about this size: one write per line costs more than the JSON. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Lines to a stream, waiting when the reader is slower than the writer (a
 * slow pipe) instead of piling lines up in memory. A reader that goes
 * away (`| head`) closes the writer quietly.
 */
export class LineWriter {
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

  /** Adds one line (without its newline); true when `flush` should be awaited. */
  add(line: string): boolean {
    this.#chunk += `${line}\n`;
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
