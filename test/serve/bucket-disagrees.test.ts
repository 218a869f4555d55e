import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBucket } from "../support/s3.js";
import { archivedEntry, startServeHarness, type ServeHarness } from "../support/serve-harness.js";

/** The catalog says one thing, the bucket another: givre passes no such bytes on. */
describe("a bucket that disagrees with the catalog", () => {
  let bucket: string;
  let harness: ServeHarness;

  beforeAll(async () => {
    bucket = await createTestBucket("disagree");
    harness = await startServeHarness(bucket);
    await harness.upload("data/radar/longer.png", Buffer.alloc(50, "x"));
    await harness.upload("data/.givre/packs/short.tar", Buffer.alloc(100, "t"));
    await harness.put(
      archivedEntry(bucket, { path: "radar/gone.png", size: 10 }),
      archivedEntry(bucket, { path: "radar/longer.png", size: 10 }),
      archivedEntry(bucket, {
        path: "radar/member.png",
        size: 40,
        key: "data/.givre/packs/short.tar",
        offset: 512,
        length: 40,
      }),
    );
  });
  afterAll(() => harness?.close());

  it.each([
    ["an object missing from the bucket", "/data/radar/gone.png", "bucket answered 404 NoSuchKey"],
    ["an object of another size", "/data/radar/longer.png", "bucket answered 200"],
    [
      "a member past the end of its pack",
      "/data/radar/member.png",
      "bucket answered 416 InvalidRange",
    ],
  ])("answers 502 for %s", async (_case, path, body) => {
    const response = await fetch(`${harness.url}/fetch${path}`);

    expect(response.status).toBe(502);
    expect(await response.text()).toBe(`${body}\n`);
  });
});
