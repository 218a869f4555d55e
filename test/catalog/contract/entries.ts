import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../../src/catalog/catalog.js";
import { entry, keysOf, numberedEntries, type ContractContext } from "./fixtures.js";

/** A batch large enough that PostgreSQL sends it as several statements in one transaction. */
const LARGE_BATCH = 12_000;

export function entriesContract(context: ContractContext): void {
  describe("get and putMany", () => {
    it("get answers undefined for a path that was never put", async () => {
      expect(await context.catalog.get("data", "radar/never.png")).toBeUndefined();
    });

    it("get gives back every field of a pack member as it was put", async () => {
      const member = entry("radar/reflectivity/2019/06/30/r_20190630_1205.png", {
        size: 5 * 2 ** 30 + 3,
        // A fraction with no short decimal form: the double must survive exactly.
        mtimeMs: 1_561_896_300_123 + 1 / 3,
        mode: 0o755,
        key: "radar/.givre/packs/run-1/000042.tar",
        offset: 3 * 2 ** 32 + 512,
        length: 5 * 2 ** 30 + 3,
        storageClass: "GLACIER",
        updatedAt: 1_700_000_123_456,
      });
      await context.catalog.putMany([member]);
      expect(await context.catalog.get("data", member.path)).toStrictEqual(member);
    });

    it("putMany keeps null sha256, offset, length, etag and manifestKey as null", async () => {
      const uploading = entry("radar/new.png", {
        state: "uploading",
        sha256: null,
        offset: null,
        length: null,
        etag: null,
        manifestKey: null,
      });
      await context.catalog.putMany([uploading]);
      expect(await context.catalog.get("data", "radar/new.png")).toStrictEqual(uploading);
    });

    it("putMany stores UTF-8, odd and 1000-character paths unchanged", async () => {
      const long = `tiles/${"z".repeat(990)}.png`;
      const odd = [
        "radar/réflectivité/été.png",
        "cartes/東京/天気.png",
        "orages/🌧️ averse.png",
        "max/\u{10FFFF}",
        'odd/"quoted" {braces}, comma\\back.png',
        "odd/NULL",
        "odd/ leading and trailing ",
        long,
      ];
      expect(long).toHaveLength(1000);
      await context.catalog.putMany(odd.map((path) => entry(path)));
      for (const path of odd) {
        expect(await context.catalog.get("data", path)).toStrictEqual(entry(path));
      }
    });

    it("putMany replaces an entry with the same root and path", async () => {
      await context.catalog.putMany([entry("radar/a.png", { state: "uploading", size: 1 })]);
      await context.catalog.putMany([entry("radar/a.png", { size: 2 })]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual(
        entry("radar/a.png", { size: 2 }),
      );
      expect(await context.catalog.count({})).toBe(1);
    });

    it("putMany keeps the last of two entries with the same root and path in one batch", async () => {
      await context.catalog.putMany([
        entry("radar/a.png", { size: 1 }),
        entry("radar/b.png"),
        entry("radar/a.png", { size: 3 }),
      ]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual(
        entry("radar/a.png", { size: 3 }),
      );
      expect(await keysOf(context.catalog)).toEqual(["data:radar/a.png", "data:radar/b.png"]);
    });

    it("the same path under two roots is two entries", async () => {
      const inData = entry("shared/x.png");
      const inMaps = entry("shared/x.png", { root: "maps", policy: "tiles" });
      await context.catalog.putMany([inData, inMaps]);
      expect(await context.catalog.get("data", "shared/x.png")).toStrictEqual(inData);
      expect(await context.catalog.get("maps", "shared/x.png")).toStrictEqual(inMaps);
    });

    it(`putMany writes ${LARGE_BATCH} entries in one call`, async () => {
      const batch = numberedEntries(LARGE_BATCH);
      await context.catalog.putMany(batch);
      expect(await context.catalog.count({})).toBe(LARGE_BATCH);
      expect(await context.catalog.get("data", batch[LARGE_BATCH - 1]!.path)).toStrictEqual(
        batch[LARGE_BATCH - 1],
      );
    });

    it("putMany writes nothing when one entry of the batch is refused", async () => {
      const refused = entry("radar/refused.png", { policy: null as unknown as string });
      const batch = [...numberedEntries(LARGE_BATCH), refused];
      await expect(context.catalog.putMany(batch)).rejects.toThrow(/policy/);
      expect(await context.catalog.count({})).toBe(0);
    });

    it("putMany, updateMany and deleteMany with nothing to do change nothing", async () => {
      const kept: CatalogEntry = entry("radar/kept.png");
      await context.catalog.putMany([kept]);
      await context.catalog.putMany([]);
      await context.catalog.updateMany([]);
      await context.catalog.deleteMany([]);
      expect(await context.catalog.get("data", kept.path)).toStrictEqual(kept);
      expect(await context.catalog.count({})).toBe(1);
    });
  });
}
