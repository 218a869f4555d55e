import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Progress, type ProgressStream } from "../../src/log/progress.js";

/** A stream that says whether it is a terminal and keeps what is written to it. */
function stream(isTTY: boolean): { stream: ProgressStream; written: () => string } {
  let text = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: Object.assign(sink, { isTTY }), written: () => text };
}

describe("Progress", () => {
  it("redraws one line in place on a terminal and ends it when finished", () => {
    const terminal = stream(true);
    const progress = new Progress("copying entries", 12000, {
      stream: terminal.stream,
      interval: 0,
    });
    progress.update(5000);
    progress.update(10000);
    progress.update(12000);
    progress.finish();
    expect(terminal.written()).toBe(
      "\r\x1b[Kcopying entries 5000/12000 (41%)" +
        "\r\x1b[Kcopying entries 10000/12000 (83%)" +
        "\r\x1b[Kcopying entries 12000/12000 (100%)" +
        "\r\x1b[Kcopying entries 12000/12000 (100%)\n",
    );
  });

  it("redraws at most once per interval, and always draws the final count", () => {
    const terminal = stream(true);
    const progress = new Progress("copying entries", 3, {
      stream: terminal.stream,
      interval: 60_000,
    });
    progress.update(1);
    progress.update(2);
    progress.update(3);
    progress.finish();
    expect(terminal.written()).toBe(
      "\r\x1b[Kcopying entries 1/3 (33%)\r\x1b[Kcopying entries 3/3 (100%)\n",
    );
  });

  it("draws nothing off a terminal (cron, a pipe)", () => {
    const pipe = stream(false);
    const progress = new Progress("copying entries", 10, { stream: pipe.stream, interval: 0 });
    progress.update(5);
    progress.finish();
    expect(pipe.written()).toBe("");
  });

  it("shows an empty copy as complete", () => {
    const terminal = stream(true);
    new Progress("copying entries", 0, { stream: terminal.stream }).finish();
    expect(terminal.written()).toBe("\r\x1b[Kcopying entries 0/0 (100%)\n");
  });
});
