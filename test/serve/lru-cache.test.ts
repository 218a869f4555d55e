import { describe, expect, it } from "vitest";
import { LruCache } from "../../src/serve/lru-cache.js";

describe("LruCache", () => {
  it("never holds more than its capacity", () => {
    const cache = new LruCache<number>(3);

    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, Infinity);

    expect(cache.size).toBe(3);
    expect([7, 8, 9].map((i) => cache.get(`k${i}`, 0))).toEqual([7, 8, 9]);
    expect(cache.get("k6", 0)).toBeUndefined();
  });

  it("evicts an entry not used since it came in before one that was", () => {
    const cache = new LruCache<string>(2);
    cache.set("used", "a", Infinity);
    cache.set("idle", "b", Infinity);

    cache.get("used", 0);
    cache.set("new", "c", Infinity);

    expect(cache.get("used", 0)).toBe("a");
    expect(cache.get("idle", 0)).toBeUndefined();
    expect(cache.get("new", 0)).toBe("c");
  });

  it("drops an entry at its deadline", () => {
    const cache = new LruCache<string>(2);
    cache.set("negative", "not archived", 1_000);

    expect(cache.get("negative", 999)).toBe("not archived");
    expect(cache.get("negative", 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing with capacity 0", () => {
    const cache = new LruCache<string>(0);
    cache.set("a", "b", Infinity);

    expect(cache.get("a", 0)).toBeUndefined();
  });
});
