/** A stream that may be a terminal (process.stderr is a tty.WriteStream when it is one). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface ProgressOptions {
  /** Where the line is drawn. Default process.stderr, beside the logs. */
  stream?: ProgressStream;
  /** Least time between two redraws, in ms. Default 200: smooth, and cheap on a slow SSH link. */
  interval?: number;
}

/** Moves to the start of the line and clears it, so a shorter line leaves no tail. */
const REDRAW = "\r\x1b[K";

/**
 * One line redrawn in place on a terminal: `copying entries 12000/50000
 * (24%)`. Off a terminal (cron, systemd, a pipe) it draws nothing; what
 * the command did is in its output and its logs.
 */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #stream: ProgressStream;
  readonly #interval: number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #done = 0;

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.#label = label;
    this.#total = total;
    this.#stream = options.stream ?? process.stderr;
    this.#interval = options.interval ?? 200;
  }

  get #onTerminal(): boolean {
    return this.#stream.isTTY === true;
  }

  update(done: number): void {
    this.#done = done;
    if (!this.#onTerminal) return;
    const now = Date.now();
    if (now - this.#lastDraw < this.#interval) return;
    this.#lastDraw = now;
    this.#draw();
  }

  /** Draws the final count and ends the line. */
  finish(): void {
    if (!this.#onTerminal) return;
    this.#draw();
    this.#stream.write("\n");
  }

  #draw(): void {
    const percent = this.#total > 0 ? Math.floor((100 * this.#done) / this.#total) : 100;
    this.#stream.write(`${REDRAW}${this.#label} ${this.#done}/${this.#total} (${percent}%)`);
  }
}
