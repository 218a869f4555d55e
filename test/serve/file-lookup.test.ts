import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/catalog.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { FileLookup, FOUND_TTL_MS } from "../../src/serve/file-lookup.js";

const entry: CatalogEntry = {
  root: "data",
  path: "radar/a.png",
  state: "stored",
  size: 3,
  mtimeMs: 1_559_390_400_000,
  mode: 0o644,
  sha256: "a".repeat(64),
  target: "archive",
  bucket: "b",
  key: "site/radar/a.png",
  offset: null,
  length: null,
  etag: "e".repeat(32),
  storageClass: "STANDARD",
  policy: "radar",
  runId: "r",
  manifestKey: null,
  updatedAt: 0,
};

function lookupOn(catalog: SqliteCatalog) {
  const clock = { now: 1_000_000 };
  const lookup = new FileLookup(catalog, {
    cacheEntries: 100,
    negativeTtl: 500,
    now: () => clock.now,
  });
  return { lookup, clock };
}

describe("FileLookup", () => {
  it("sees a file archived once negative_ttl has passed since it was seen stored", async () => {
    const catalog = new SqliteCatalog(join(mkdtempSync(join(tmpdir(), "givre-lookup-")), "c.db"));
    await catalog.putMany([entry]);
    const { lookup, clock } = lookupOn(catalog);

    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("stored");
    await catalog.updateMany([{ root: "data", path: "radar/a.png", state: "archived" }]);
    clock.now += 499;
    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("stored");
    clock.now += 2;
    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("archived");
    await catalog.close();
  });

  it("trusts an archived entry for a minute, and a miss for negative_ttl", async () => {
    const catalog = new SqliteCatalog(join(mkdtempSync(join(tmpdir(), "givre-lookup-")), "c.db"));
    await catalog.putMany([{ ...entry, state: "archived" }]);
    const { lookup, clock } = lookupOn(catalog);

    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("archived");
    expect(lookup.findNow("data", "radar/b.png")).toBeNull();
    await catalog.updateMany([{ root: "data", path: "radar/a.png", state: "restored" }]);
    await catalog.putMany([{ ...entry, path: "radar/b.png", state: "archived" }]);
    clock.now += 501;
    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("archived");
    expect(lookup.findNow("data", "radar/b.png")?.state).toBe("archived");
    clock.now += FOUND_TTL_MS;
    expect(lookup.findNow("data", "radar/a.png")?.state).toBe("restored");
    expect(lookup.counts).toEqual({ hits: 1, misses: 4 });
    await catalog.close();
  });
});
