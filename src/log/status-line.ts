/** How often the progress line is redrawn at most. */
const REDRAW_MS = 200;

export interface StatusLine {
  /** Replaces the line's text; redrawn at most every 200 ms. */
  update(text: string): void;
  /** Draws the last text and moves to a new line. */
  done(): void;
}

/**
 * One free-text status line redrawn in place on a terminal (for counts
 * against a known total, see progress.ts). Under cron or systemd
 * (not a terminal) it does nothing: JSON logs carry the progress there.
 */
export function statusLine(stream: NodeJS.WriteStream = process.stderr): StatusLine {
  if (!stream.isTTY) return { update() {}, done() {} };
  let text = "";
  let drawnAt = 0;
  const draw = () => {
    const width = stream.columns ?? 100;
    stream.write(`\r\x1b[K${text.slice(0, width - 1)}`);
    drawnAt = Date.now();
  };
  return {
    update(next) {
      text = next;
      if (Date.now() - drawnAt >= REDRAW_MS) draw();
    },
    done() {
      if (text) draw();
      stream.write("\n");
    },
  };
}

/** `1,234 files/s`-style rate from a count and elapsed ms. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}
