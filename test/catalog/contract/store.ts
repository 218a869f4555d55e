import { describe, expect, it } from "vitest";
import { entry, numberedEntries, run, type ContractContext } from "./fixtures.js";

/** Rows per write in the concurrency test: several PostgreSQL statements per transaction. */
const BATCH = 6_000;
const BATCHES = 4;

export function storeContract(context: ContractContext): void {
  describe("the store behind the catalog", () => {
    it("opening the same catalog again keeps its entries and runs", async () => {
      const kept = entry("radar/kept.png");
      await context.catalog.putMany([kept]);
      await context.catalog.startRun(run("r1"));
      const again = await context.open();
      const thrice = await context.open();
      expect(await again.get("data", kept.path)).toStrictEqual(kept);
      expect(await thrice.runs(5)).toStrictEqual([run("r1")]);
      expect(await thrice.count({})).toBe(1);
    });

    it("several instances opened at once on a fresh catalog all work", async () => {
      const location = await context.freshLocation();
      const instances = await Promise.all([1, 2, 3, 4, 5].map(() => context.open(location)));
      await Promise.all(instances.map((c, i) => c.putMany([entry(`radar/${i}.png`)])));
      for (const instance of instances) expect(await instance.count({})).toBe(5);
    });

    it("a second instance reads what the first committed, and the other way round", async () => {
      const other = await context.open();
      const stored = entry("radar/a.png", { state: "stored" });
      await context.catalog.putMany([stored]);
      expect(await other.get("data", "radar/a.png")).toStrictEqual(stored);
      await other.updateMany([
        { root: "data", path: "radar/a.png", state: "archived", fields: { updatedAt: 9 } },
      ]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual({
        ...stored,
        state: "archived",
        updatedAt: 9,
      });
    });

    it("a reader sees whole batches only, while another instance writes", async () => {
      const reader = await context.open();
      let writing = true;
      const writer = (async () => {
        for (let batch = 0; batch < BATCHES; batch++) {
          await context.catalog.putMany(numberedEntries(BATCH, `batch-${batch}`));
        }
        writing = false;
      })();
      const seen: number[] = [];
      while (writing) seen.push(await reader.count({}));
      await writer;
      seen.push(await reader.count({}));
      expect(seen.filter((n) => n % BATCH !== 0)).toEqual([]);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
      expect(seen.at(-1)).toBe(BATCH * BATCHES);
    });
  });
}
