import { describe, expect, it } from "vitest";
import { Batcher } from "../../src/tiering/batcher.js";

describe("Batcher", () => {
  it("writes items in batches, in order, and resolves each after its batch", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void batches.push(items), {
      maxItems: 3,
      maxDelayMs: 5,
    });

    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));

    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("rejects every item of a batch whose write failed, and goes on with the next", async () => {
    let calls = 0;
    const batcher = new Batcher<string>(
      async () => {
        if (++calls === 1) throw new Error("disk full");
      },
      { maxItems: 2 },
    );

    const first = Promise.allSettled([batcher.add("a"), batcher.add("b")]);
    const second = Promise.allSettled([batcher.add("c"), batcher.add("d")]);

    expect((await first).map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect((await second).map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
  });
});
