import { describe, expect, it } from "vitest";
import { stopOnSignals } from "../../src/cli/stop-signals.js";

describe("the stop signal", () => {
  it("takes a listener per request in flight without a warning on the CLI's output", async () => {
    const warnings: string[] = [];
    const collect = (warning: Error) => warnings.push(warning.name);
    process.on("warning", collect);
    const stop = stopOnSignals(() => {});
    try {
      for (let i = 0; i < 64; i++) stop.signal.addEventListener("abort", () => {});
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      stop.dispose();
      process.off("warning", collect);
    }
  });
});
