import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTar, member } from "../support/tar-pack.js";
import { createTestBucket } from "../support/s3.js";
import { archivedEntry, startServeHarness, type ServeHarness } from "../support/serve-harness.js";

const MTIME = Date.UTC(2019, 5, 1, 12, 0, 0, 250);
const LAST_MODIFIED = "Sat, 01 Jun 2019 12:00:00 GMT";
const image = Buffer.from("PNG radar image bytes, 0123456789abcdefghijklmnopqrstuvwxyz");
const etagOf = (size: number) => `"${Math.floor(MTIME / 1000).toString(16)}-${size.toString(16)}"`;

const secondBytes = "SECOND member, a little longer than the first one";
const pack = await buildTar([
  member("first.png", "first member of the pack"),
  member("second.png", secondBytes),
  member("third.png", "third"),
]);

describe("GET /fetch in stream delivery", () => {
  let bucket: string;
  let harness: ServeHarness;
  const second = pack.members[1]!;

  beforeAll(async () => {
    bucket = await createTestBucket("fetch");
    harness = await startServeHarness(bucket);
    await harness.upload("data/radar/a b é.png", image);
    await harness.upload("data/.givre/packs/p1.tar", pack.tar);
    await harness.upload("data/old/cold.png", image, "GLACIER");
    await harness.put(
      archivedEntry(bucket, { path: "radar/a b é.png", size: image.length, mtimeMs: MTIME }),
      archivedEntry(bucket, {
        path: "radar/packed/second.png",
        size: secondBytes.length,
        mtimeMs: MTIME,
        key: "data/.givre/packs/p1.tar",
        offset: second.offset,
        length: second.length,
      }),
      archivedEntry(bucket, { path: "old/cold.png", size: image.length, storageClass: "GLACIER" }),
      archivedEntry(bucket, { path: "radar/stored.png", state: "stored", size: 3 }),
      archivedEntry(bucket, { path: "radar/copied.png", state: "copied", size: 3 }),
      archivedEntry(bucket, { path: "radar/uploading.png", state: "uploading", size: 3 }),
    );
  });
  afterAll(() => harness?.close());

  const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    fetch(`${harness.url}/fetch${path}`, { method, headers });

  it("streams a plain object with type, length, original mtime and ETag", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png");

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(image);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/png",
      "content-length": String(image.length),
      "last-modified": LAST_MODIFIED,
      etag: etagOf(image.length),
      "accept-ranges": "bytes",
    });
  });

  it("answers HEAD with the headers of GET and no body", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png", {}, "HEAD");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(image.length));
    expect(response.headers.get("etag")).toBe(etagOf(image.length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers a range with 206 and exactly those bytes", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png", { range: "bytes=4-9" });

    expect(response.status).toBe(206);
    expect(await response.text()).toBe(image.subarray(4, 10).toString());
    expect(response.headers.get("content-range")).toBe(`bytes 4-9/${image.length}`);
    expect(response.headers.get("content-length")).toBe("6");
  });

  it("answers a suffix range and an open range", async () => {
    const suffix = await get("/data/radar/a%20b%20%C3%A9.png", { range: "bytes=-5" });
    const open = await get("/data/radar/a%20b%20%C3%A9.png", {
      range: `bytes=${image.length - 3}-`,
    });

    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe(image.subarray(-5).toString());
    expect(open.status).toBe(206);
    expect(await open.text()).toBe(image.subarray(-3).toString());
  });

  it("answers 416 for a range past the end", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png", { range: "bytes=5000-" });

    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe(`bytes */${image.length}`);
  });

  it("answers 304 to a matching If-None-Match and to an If-Modified-Since not older", async () => {
    const byTag = await get("/data/radar/a%20b%20%C3%A9.png", {
      "if-none-match": `"other", ${etagOf(image.length)}`,
    });
    const byDate = await get("/data/radar/a%20b%20%C3%A9.png", {
      "if-modified-since": LAST_MODIFIED,
    });
    const older = await get("/data/radar/a%20b%20%C3%A9.png", {
      "if-modified-since": "Fri, 31 May 2019 12:00:00 GMT",
    });

    expect(byTag.status).toBe(304);
    expect(byTag.headers.get("etag")).toBe(etagOf(image.length));
    expect(byDate.status).toBe(304);
    expect(older.status).toBe(200);
    expect(Buffer.from(await older.arrayBuffer())).toEqual(image);
  });

  it("ignores a range whose If-Range names another version", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png", {
      range: "bytes=0-3",
      "if-range": '"5cf2676f-1"',
    });

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(image);
  });

  it("streams a pack member by a ranged GET of its pack", async () => {
    const response = await get("/data/radar/packed/second.png");

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(secondBytes);
    expect(response.headers.get("content-length")).toBe(String(secondBytes.length));
    expect(response.headers.get("etag")).toBe(etagOf(secondBytes.length));
  });

  it("moves a client's range on a member into the pack's coordinates", async () => {
    const middle = await get("/data/radar/packed/second.png", { range: "bytes=7-12" });
    const suffix = await get("/data/radar/packed/second.png", { range: "bytes=-9" });
    const past = await get("/data/radar/packed/second.png", { range: `bytes=${second.length}-` });

    expect(middle.status).toBe(206);
    expect(await middle.text()).toBe(secondBytes.slice(7, 13));
    expect(middle.headers.get("content-range")).toBe(`bytes 7-12/${secondBytes.length}`);
    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe(secondBytes.slice(-9));
    expect(past.status).toBe(416);
  });

  it("answers 404 for a path the catalog does not hold", async () => {
    const response = await get("/data/radar/never-archived.png");

    expect(response.status).toBe(404);
  });

  it("answers 404 for files whose local copy is authoritative: uploading, stored, copied", async () => {
    for (const state of ["uploading", "stored", "copied"]) {
      const response = await get(`/data/radar/${state}.png`);
      expect({ state, status: response.status }).toEqual({ state, status: 404 });
    }
  });

  it("answers 503 with Retry-After for an object in a cold class", async () => {
    const response = await get("/data/old/cold.png");

    expect(response.status).toBe(503);
    expect(response.headers.get("x-givre-state")).toBe("cold");
    expect(response.headers.get("x-givre-recall")).toBe("off");
    expect(response.headers.get("retry-after")).toBe("14400");
  });

  it("answers 405 to methods other than GET and HEAD", async () => {
    const response = await get("/data/radar/a%20b%20%C3%A9.png", {}, "DELETE");

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});
