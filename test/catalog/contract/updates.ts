import { describe, expect, it } from "vitest";
import { entry, keysOf, numberedEntries, type ContractContext } from "./fixtures.js";

const LARGE_BATCH = 12_000;

export function updatesContract(context: ContractContext): void {
  describe("updateMany", () => {
    const uploading = entry("radar/a.png", {
      state: "uploading",
      sha256: null,
      etag: null,
      manifestKey: null,
    });

    it("sets the state and the given fields, and leaves the others", async () => {
      await context.catalog.putMany([uploading]);
      await context.catalog.updateMany([
        {
          root: "data",
          path: "radar/a.png",
          state: "stored",
          fields: { sha256: "ab".repeat(32), etag: '"e1"', updatedAt: 1_700_000_000_500 },
        },
      ]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual({
        ...uploading,
        state: "stored",
        sha256: "ab".repeat(32),
        etag: '"e1"',
        updatedAt: 1_700_000_000_500,
      });
    });

    it("without fields changes the state and sets updatedAt to now", async () => {
      await context.catalog.putMany([uploading]);
      const before = Date.now();
      await context.catalog.updateMany([{ root: "data", path: "radar/a.png", state: "stored" }]);
      const after = Date.now();
      const updated = await context.catalog.get("data", "radar/a.png");
      expect({ ...updated, updatedAt: 0 }).toStrictEqual({
        ...uploading,
        state: "stored",
        updatedAt: 0,
      });
      expect(updated!.updatedAt).toBeGreaterThanOrEqual(before);
      expect(updated!.updatedAt).toBeLessThanOrEqual(after);
    });

    it("clears a field given null and keeps a field given undefined", async () => {
      const stored = entry("radar/a.png", { state: "stored" });
      await context.catalog.putMany([stored]);
      await context.catalog.updateMany([
        {
          root: "data",
          path: "radar/a.png",
          state: "uploading",
          fields: { manifestKey: null, etag: undefined, updatedAt: 1 },
        },
      ]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual({
        ...stored,
        state: "uploading",
        manifestKey: null,
        updatedAt: 1,
      });
    });

    it("applies changes that set different fields in one call", async () => {
      const [a, b, c] = numberedEntries(3, "radar", { state: "uploading" });
      await context.catalog.putMany([a!, b!, c!]);
      await context.catalog.updateMany([
        { root: "data", path: a!.path, state: "stored", fields: { sha256: "11", updatedAt: 5 } },
        { root: "data", path: b!.path, state: "copied", fields: { size: 7, mtimeMs: 0.5 } },
        { root: "data", path: c!.path, state: "archived", fields: { updatedAt: 6 } },
      ]);
      expect(await context.catalog.get("data", a!.path)).toStrictEqual({
        ...a,
        state: "stored",
        sha256: "11",
        updatedAt: 5,
      });
      const second = await context.catalog.get("data", b!.path);
      expect({ ...second, updatedAt: 0 }).toStrictEqual({
        ...b,
        state: "copied",
        size: 7,
        mtimeMs: 0.5,
        updatedAt: 0,
      });
      expect(await context.catalog.get("data", c!.path)).toStrictEqual({
        ...c,
        state: "archived",
        updatedAt: 6,
      });
    });

    it("applies two changes to one entry in order, later fields winning", async () => {
      await context.catalog.putMany([uploading]);
      await context.catalog.updateMany([
        {
          root: "data",
          path: "radar/a.png",
          state: "stored",
          fields: { sha256: "aa", etag: '"e1"', updatedAt: 10 },
        },
        { root: "data", path: "radar/a.png", state: "archived", fields: { etag: '"e2"' } },
        { root: "data", path: "radar/a.png", state: "archived", fields: { updatedAt: 30 } },
      ]);
      expect(await context.catalog.get("data", "radar/a.png")).toStrictEqual({
        ...uploading,
        state: "archived",
        sha256: "aa",
        etag: '"e2"',
        updatedAt: 30,
      });
    });

    it("skips an entry that is not in the catalog, creating nothing", async () => {
      await context.catalog.putMany([uploading]);
      await context.catalog.updateMany([
        { root: "data", path: "radar/missing.png", state: "stored", fields: { size: 1 } },
        { root: "data", path: "radar/a.png", state: "stored", fields: { updatedAt: 2 } },
      ]);
      expect(await context.catalog.get("data", "radar/missing.png")).toBeUndefined();
      expect(await keysOf(context.catalog)).toEqual(["data:radar/a.png"]);
      expect((await context.catalog.get("data", "radar/a.png"))!.state).toBe("stored");
    });

    it(`updates ${LARGE_BATCH} entries in one call`, async () => {
      const batch = numberedEntries(LARGE_BATCH, "radar", { state: "uploading" });
      await context.catalog.putMany(batch);
      await context.catalog.updateMany(
        batch.map((e) => ({ root: e.root, path: e.path, state: "stored", fields: { size: 9 } })),
      );
      expect(await context.catalog.count({ states: ["stored"] })).toBe(LARGE_BATCH);
      expect((await context.catalog.summary())[0]).toStrictEqual({
        policy: "radar",
        state: "stored",
        files: LARGE_BATCH,
        bytes: 9 * LARGE_BATCH,
      });
    });

    it("changes nothing when one change of the batch is refused", async () => {
      const batch = numberedEntries(LARGE_BATCH, "radar", { state: "uploading" });
      await context.catalog.putMany(batch);
      const changes = batch.map((e) => ({
        root: e.root,
        path: e.path,
        state: "stored" as const,
      }));
      const refused = { ...changes[LARGE_BATCH - 1]!, fields: { size: null as unknown as number } };
      await expect(context.catalog.updateMany([...changes.slice(0, -1), refused])).rejects.toThrow(
        /size/,
      );
      expect(await context.catalog.count({ states: ["uploading"] })).toBe(LARGE_BATCH);
    });
  });

  describe("deleteMany", () => {
    it("removes the given entries, ignores absent ones, and keeps the rest", async () => {
      await context.catalog.putMany([
        entry("radar/a.png"),
        entry("radar/b.png"),
        entry("radar/c.png"),
        entry("radar/a.png", { root: "maps" }),
      ]);
      await context.catalog.deleteMany([
        { root: "data", path: "radar/a.png" },
        { root: "data", path: "radar/c.png" },
        { root: "data", path: "radar/missing.png" },
      ]);
      expect(await keysOf(context.catalog)).toEqual(["data:radar/b.png", "maps:radar/a.png"]);
    });

    it(`removes ${LARGE_BATCH} entries in one call`, async () => {
      const batch = numberedEntries(LARGE_BATCH + 1);
      await context.catalog.putMany(batch);
      await context.catalog.deleteMany(batch.slice(1));
      expect(await keysOf(context.catalog)).toEqual([`data:${batch[0]!.path}`]);
    });
  });
}
