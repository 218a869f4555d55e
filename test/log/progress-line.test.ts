import { describe, expect, it } from "vitest";
import { ProgressLine } from "../../src/log/progress-line.js";

function stream(isTTY: boolean, columns = 40) {
  const writes: string[] = [];
  const fake = { isTTY, columns, write: (text: string) => writes.push(text) };
  return { writes, stream: fake as unknown as NodeJS.WriteStream };
}

describe("progress line", () => {
  it("rewrites one line in place on a terminal, cut to its width, and erases it", () => {
    const { writes, stream: tty } = stream(true, 20);
    const line = new ProgressLine(tty);
    line.show("scanning: 1,000 files in 12 folders");
    line.show("scanning: 2,000 files");
    line.clear();
    line.clear();
    expect(writes).toEqual([
      "\r\x1b[Kscanning: 1,000 fil",
      "\r\x1b[Kscanning: 2,000 fil",
      "\r\x1b[K",
    ]);
  });

  it("writes nothing when the output is no terminal (cron, a pipe)", () => {
    const { writes, stream: pipe } = stream(false);
    const line = new ProgressLine(pipe);
    line.show("scanning: 1,000 files");
    line.clear();
    expect(writes).toEqual([]);
  });
});
