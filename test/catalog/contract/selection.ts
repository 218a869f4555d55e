import { describe, expect, it } from "vitest";
import type { CatalogEntry, EntrySelection } from "../../../src/catalog/catalog.js";
import {
  bytewise,
  collect,
  entry,
  keysOf,
  numberedEntries,
  paths,
  type ContractContext,
} from "./fixtures.js";

/** More than two of the implementations' 1000-row pages, and not a multiple of one. */
const MANY = 2_500;

/** A small site: two roots, three policies, several states, one pack, spread-out mtimes. */
const SITE: CatalogEntry[] = [
  entry("radar/velocity/v1.png", { mtimeMs: 1000, state: "archived" }),
  entry("radar/velocity/v2.png", { mtimeMs: 1000.5, state: "stored" }),
  entry("radar/reflectivity/r1.png", { mtimeMs: 2000, state: "uploading", sha256: null }),
  entry("radar/reflectivity/r2.png", { mtimeMs: 2000.25, state: "restoring" }),
  entry("archives/model-0.nc", { policy: "archives", mtimeMs: 3000, state: "copied" }),
  entry("tiles/base/0/0/0.png", { root: "maps", policy: "tiles", key: "tiles/pack-1.tar" }),
  entry("tiles/base/1/0/0.png", { root: "maps", policy: "tiles", key: "tiles/pack-1.tar" }),
  entry("tiles/base/1/0/1.png", { root: "maps", policy: "tiles", key: "tiles/pack-2.tar" }),
];

async function selected(context: ContractContext, selection: EntrySelection): Promise<string[]> {
  return (await collect(context.catalog.select(selection))).map((e) => `${e.root}:${e.path}`);
}

export function selectionContract(context: ContractContext): void {
  describe("select and count", () => {
    it("select gives every entry in root, then path order, comparing UTF-8 bytes", async () => {
      const names = ["b", "a/b", "a-b", "A", "a_b", "a%b", "é", "\u{FF10}", "🌧", "a0", "a/zz"];
      const shuffled = [...names].reverse();
      await context.catalog.putMany([
        ...shuffled.map((path) => entry(path)),
        entry("z", { root: "archive" }),
        entry("a", { root: "maps" }),
      ]);
      const expected = ["A", "a%b", "a-b", "a/b", "a/zz", "a0", "a_b", "b", "é", "\u{FF10}", "🌧"];
      expect([...names].sort(bytewise)).toEqual(expected);
      expect(await keysOf(context.catalog)).toEqual([
        "archive:z",
        ...expected.map((path) => `data:${path}`),
        "maps:a",
      ]);
    });

    it("select by root, policy, states or key gives exactly those entries", async () => {
      await context.catalog.putMany(SITE);
      expect(await selected(context, { root: "maps" })).toEqual([
        "maps:tiles/base/0/0/0.png",
        "maps:tiles/base/1/0/0.png",
        "maps:tiles/base/1/0/1.png",
      ]);
      expect(await selected(context, { policy: "archives" })).toEqual(["data:archives/model-0.nc"]);
      expect(await selected(context, { states: ["stored", "restoring"] })).toEqual([
        "data:radar/reflectivity/r2.png",
        "data:radar/velocity/v2.png",
      ]);
      expect(await selected(context, { key: "tiles/pack-1.tar" })).toEqual([
        "maps:tiles/base/0/0/0.png",
        "maps:tiles/base/1/0/0.png",
      ]);
    });

    it("select with an empty states list gives entries in every state", async () => {
      await context.catalog.putMany(SITE);
      expect(await selected(context, { states: [] })).toEqual(await keysOf(context.catalog));
      expect(await context.catalog.count({ states: [] })).toBe(SITE.length);
    });

    it("select by pathPrefix gives a folder's entries and not its neighbours", async () => {
      const names = [
        "radar",
        "radar.png",
        "radar-old/x",
        "radar/a.png",
        "radar/sub/b.png",
        "radar0",
      ];
      await context.catalog.putMany(names.map((path) => entry(path)));
      expect(paths(await collect(context.catalog.select({ pathPrefix: "radar/" })))).toEqual([
        "radar/a.png",
        "radar/sub/b.png",
      ]);
    });

    it("select by pathPrefix takes % and _ literally", async () => {
      const names = ["100%/a", "100x/a", "1000/a", "a_b/x", "axb/x", "a%b/x"];
      await context.catalog.putMany(names.map((path) => entry(path)));
      const under = async (pathPrefix: string) =>
        paths(await collect(context.catalog.select({ pathPrefix })));
      expect(await under("100%/")).toEqual(["100%/a"]);
      expect(await under("a_b/")).toEqual(["a_b/x"]);
      expect(await under("a%")).toEqual(["a%b/x"]);
      expect(await context.catalog.count({ pathPrefix: "a_" })).toBe(1);
    });

    it("select by pathPrefix keeps paths that continue with the highest code point", async () => {
      const names = ["p/\u{10FFFF}", "p/\u{10FFFF}x", "p/🌧", "p/\u{FFFF}", "p0", "q"];
      await context.catalog.putMany(names.map((path) => entry(path)));
      expect(paths(await collect(context.catalog.select({ pathPrefix: "p/" })))).toEqual([
        "p/\u{FFFF}",
        "p/🌧",
        "p/\u{10FFFF}",
        "p/\u{10FFFF}x",
      ]);
      expect(paths(await collect(context.catalog.select({ pathPrefix: "p/\u{10FFFF}" })))).toEqual([
        "p/\u{10FFFF}",
        "p/\u{10FFFF}x",
      ]);
    });

    it("select by mtime range includes both bounds", async () => {
      await context.catalog.putMany(SITE.filter((e) => e.root === "data"));
      const mtimes = async (selection: EntrySelection) =>
        (await collect(context.catalog.select(selection)))
          .map((e) => e.mtimeMs)
          .sort((a, b) => a - b);
      expect(await mtimes({ mtimeFrom: 1000.5, mtimeUntil: 2000.25 })).toEqual([
        1000.5, 2000, 2000.25,
      ]);
      expect(await mtimes({ mtimeFrom: 2000.25 })).toEqual([2000.25, 3000]);
      expect(await mtimes({ mtimeUntil: 1000 })).toEqual([1000]);
    });

    it("select combines every given field with AND", async () => {
      await context.catalog.putMany(SITE);
      const selection: EntrySelection = {
        root: "data",
        policy: "radar",
        states: ["archived", "stored", "uploading"],
        pathPrefix: "radar/",
        mtimeFrom: 1000.5,
        mtimeUntil: 2500,
        key: "radar/radar/reflectivity/r1.png",
      };
      expect(await selected(context, selection)).toEqual(["data:radar/reflectivity/r1.png"]);
      expect(await selected(context, { ...selection, root: "maps" })).toEqual([]);
    });

    it(`select pages through ${MANY} entries in order, each once`, async () => {
      const all = numberedEntries(MANY);
      await context.catalog.putMany([...all].reverse());
      expect(paths(await collect(context.catalog.select({})))).toEqual(paths(all));
    });

    it("select pages through a filtered selection larger than a page", async () => {
      const all = numberedEntries(MANY).map((e, i) => ({
        ...e,
        policy: i % 2 ? "radar" : "tiles",
      }));
      await context.catalog.putMany(all);
      const tiles = paths(all.filter((e) => e.policy === "tiles"));
      expect(tiles).toHaveLength(MANY / 2);
      expect(paths(await collect(context.catalog.select({ policy: "tiles" })))).toEqual(tiles);
    });

    it("count agrees with select for every kind of selection", async () => {
      await context.catalog.putMany(SITE);
      const selections: [EntrySelection, number][] = [
        [{}, 8],
        [{ root: "maps" }, 3],
        [{ policy: "radar" }, 4],
        [{ states: ["archived"] }, 4],
        [{ pathPrefix: "radar/velocity/" }, 2],
        [{ mtimeFrom: 1000.5, mtimeUntil: 2000 }, 2],
        [{ key: "tiles/pack-2.tar" }, 1],
        [{ root: "data", pathPrefix: "tiles/" }, 0],
      ];
      for (const [selection, count] of selections) {
        expect(await context.catalog.count(selection)).toBe(count);
        expect(await collect(context.catalog.select(selection))).toHaveLength(count);
      }
    });

    it("select and count on an empty catalog find nothing", async () => {
      expect(await collect(context.catalog.select({}))).toEqual([]);
      expect(await context.catalog.count({})).toBe(0);
    });
  });
}
