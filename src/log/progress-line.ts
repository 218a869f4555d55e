/**
 * One line of live progress on a terminal, rewritten in place. Under cron
 * or a pipe it writes nothing at all: logs and output stay clean.
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #live: boolean;
  #shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#live = stream.isTTY === true;
  }

  show(text: string): void {
    if (!this.#live) return;
    const width = this.#stream.columns > 1 ? this.#stream.columns - 1 : text.length;
    this.#stream.write(`\r\x1b[K${text.slice(0, width)}`);
    this.#shown = true;
  }

  /** Erases the line, so that what follows starts clean. */
  clear(): void {
    if (!this.#shown) return;
    this.#stream.write("\r\x1b[K");
    this.#shown = false;
  }
}
