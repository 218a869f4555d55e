import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCatalog } from "../../src/catalog/postgres-catalog.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { createTestBucket } from "../support/s3.js";
import { archivedEntry, startServeHarness, type ServeHarness } from "../support/serve-harness.js";

const image = Buffer.from("an image whose row lives in PostgreSQL");

async function lookups(url: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (cache: string) =>
    Number(
      new RegExp(`^givre_serve_lookups_total\\{cache="${cache}"\\} (\\d+)$`, "m").exec(text)?.[1],
    );
  return { hit: count("hit"), miss: count("miss") };
}

describe("givre serve on a PostgreSQL catalog (async lookups)", () => {
  let database: TestDatabase;
  let catalog: PostgresCatalog;
  let harness: ServeHarness;

  beforeAll(async () => {
    database = await createTestDatabase("serve");
    catalog = await PostgresCatalog.open(database.url);
    const bucket = await createTestBucket("pgserve");
    harness = await startServeHarness(bucket, undefined, { catalog });
    await harness.upload("data/radar/a.png", image);
    await catalog.putMany([
      archivedEntry(bucket, { path: "radar/a.png", size: image.length }),
      archivedEntry(bucket, { path: "radar/b.png", size: image.length }),
    ]);
  });
  afterAll(async () => {
    await harness?.close();
    await catalog?.close();
    await database?.drop();
  });

  it("streams a file whose row is in PostgreSQL", async () => {
    const response = await fetch(`${harness.url}/fetch/data/radar/a.png`);

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(image);
  });

  it("asks PostgreSQL once for many concurrent lookups of one path, then answers from the cache", async () => {
    const before = await lookups(harness.url);
    const auth = () =>
      fetch(`${harness.url}/auth`, { headers: { "x-original-uri": "/data/radar/b.png" } });

    const concurrent = await Promise.all(Array.from({ length: 20 }, auth));
    // /fetch, since a repeated /auth is answered whole without a lookup.
    const later = await fetch(`${harness.url}/fetch/data/radar/b.png`, { method: "HEAD" });

    expect(concurrent.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(later.status).toBe(200);
    const after = await lookups(harness.url);
    expect(after.miss - before.miss).toBe(1);
    expect(after.hit - before.hit).toBeGreaterThanOrEqual(1);
  });

  it("answers 404 for a path PostgreSQL does not hold", async () => {
    const response = await fetch(`${harness.url}/fetch/data/radar/none.png`);

    expect(response.status).toBe(404);
  });
});
