import { describe, expect, it } from "vitest";
import { entry, run, type ContractContext } from "./fixtures.js";

export function summaryAndRunsContract(context: ContractContext): void {
  describe("summary", () => {
    it("gives files and bytes per policy and state, by policy then state in byte order", async () => {
      await context.catalog.putMany([
        entry("r/1", { policy: "radar", state: "archived", size: 100 }),
        entry("r/2", { policy: "radar", state: "archived", size: 2 ** 40 }),
        entry("r/3", { policy: "radar", state: "uploading", size: 7 }),
        entry("t/1", { policy: "tiles", state: "stored", size: 5 }),
        entry("T/1", { policy: "Tiles", state: "copied", size: 0 }),
        entry("a/1", { policy: "archives", state: "restored", size: 3 * 2 ** 30 }),
      ]);
      expect(await context.catalog.summary()).toStrictEqual([
        { policy: "Tiles", state: "copied", files: 1, bytes: 0 },
        { policy: "archives", state: "restored", files: 1, bytes: 3 * 2 ** 30 },
        { policy: "radar", state: "archived", files: 2, bytes: 2 ** 40 + 100 },
        { policy: "radar", state: "uploading", files: 1, bytes: 7 },
        { policy: "tiles", state: "stored", files: 1, bytes: 5 },
      ]);
    });

    it("of an empty catalog is empty", async () => {
      expect(await context.catalog.summary()).toStrictEqual([]);
    });
  });

  describe("runs", () => {
    it("startRun records a run that runs() gives back as it was started", async () => {
      const started = run("2019-06-30T02:00:00Z-a1b2", { policies: ["radar", "tiles"] });
      await context.catalog.startRun(started);
      expect(await context.catalog.runs(10)).toStrictEqual([started]);
    });

    it("startRun keeps an empty policies list, meaning all policies", async () => {
      await context.catalog.startRun(run("all", { policies: [] }));
      expect((await context.catalog.runs(1))[0]!.policies).toStrictEqual([]);
    });

    it("finishRun sets the outcome, the counts, and finishedAt to now", async () => {
      const started = run("r1");
      await context.catalog.startRun(started);
      const before = Date.now();
      await context.catalog.finishRun("r1", {
        outcome: "failed",
        files: 120_000,
        bytes: 6 * 2 ** 40,
        failures: 3,
      });
      const after = Date.now();
      const [finished] = await context.catalog.runs(1);
      expect({ ...finished, finishedAt: 0 }).toStrictEqual({
        ...started,
        outcome: "failed",
        files: 120_000,
        bytes: 6 * 2 ** 40,
        failures: 3,
        finishedAt: 0,
      });
      expect(finished!.finishedAt).toBeGreaterThanOrEqual(before);
      expect(finished!.finishedAt).toBeLessThanOrEqual(after);
    });

    it("runs gives the most recent first, ties by id descending, at most limit", async () => {
      await context.catalog.startRun(run("a", { startedAt: 1000 }));
      await context.catalog.startRun(run("b", { startedAt: 3000 }));
      await context.catalog.startRun(run("c", { startedAt: 2000 }));
      await context.catalog.startRun(run("d", { startedAt: 3000 }));
      expect((await context.catalog.runs(10)).map((r) => r.id)).toEqual(["d", "b", "c", "a"]);
      expect((await context.catalog.runs(2)).map((r) => r.id)).toEqual(["d", "b"]);
    });
  });
}
