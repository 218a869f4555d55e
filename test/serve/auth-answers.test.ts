import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthAnswers } from "../../src/serve/auth-answers.js";
import { createTestBucket } from "../support/s3.js";
import {
  archivedEntry,
  serveYaml,
  startServeHarness,
  type ServeHarness,
} from "../support/serve-harness.js";

describe("AuthAnswers", () => {
  const headers = ["x-givre-url", "http://bucket/k?X-Amz-Signature=1", "content-length", "0"];

  it("keeps an answer per method and path until the earlier of its deadlines", () => {
    const answers = new AuthAnswers(10, 60_000);
    answers.set("GET", "/data/a.png", headers, 1_000, 31_000);
    answers.set("HEAD", "/data/b.png", headers, 1_000, Infinity);

    expect(answers.get("GET", "/data/a.png", 30_999)).toBe(headers);
    expect(answers.get("GET", "/data/a.png", 31_000)).toBeUndefined();
    expect(answers.get("GET", "/data/b.png", 2_000)).toBeUndefined();
    expect(answers.get("HEAD", "/data/b.png", 60_999)).toBe(headers);
    expect(answers.get("HEAD", "/data/b.png", 61_000)).toBeUndefined();
    expect(answers.hits).toBe(2);
  });

  it("takes only requests without a range or a validator", () => {
    expect(AuthAnswers.cacheable({ "x-original-uri": "/data/a.png" })).toBe(true);
    for (const name of ["range", "if-none-match", "if-modified-since", "if-range"]) {
      expect(AuthAnswers.cacheable({ [name]: "x" }), name).toBe(false);
    }
  });
});

describe("/auth answered again", () => {
  const image = Buffer.from("radar image");
  const clock = { now: Date.UTC(2026, 11, 4, 6, 0, 0) };
  let harness: ServeHarness;

  beforeAll(async () => {
    const bucket = await createTestBucket("answers");
    // Signed URLs live 60 s, so one may be handed out for 30 s.
    harness = await startServeHarness(bucket, serveYaml("  url_ttl: 60\n"), {
      now: () => clock.now,
    });
    await harness.upload("data/radar/a.png", image);
    await harness.put(archivedEntry(bucket, { path: "radar/a.png", size: image.length }));
  });
  afterAll(() => harness?.close());

  const auth = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${harness.url}/auth`, {
      headers: { "x-original-uri": "/data/radar/a.png", ...headers },
    });
    return { status: response.status, url: response.headers.get("x-givre-url") };
  };
  const counts = async () => {
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    const count = (pattern: string) =>
      Number(new RegExp(`^${pattern} (\\d+)$`, "m").exec(text)?.[1]);
    return {
      reused: count("givre_serve_auth_answers_reused_total"),
      lookups:
        count('givre_serve_lookups_total\\{cache="hit"\\}') +
        count('givre_serve_lookups_total\\{cache="miss"\\}'),
    };
  };

  it("gives the same answer without the catalog while its URL may be handed out, then signs anew", async () => {
    const first = await auth();
    const before = await counts();
    clock.now += 29_000;
    const again = await auth();
    const after = await counts();
    clock.now += 2_000;
    const renewed = await auth();

    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    expect(after).toEqual({ reused: before.reused + 1, lookups: before.lookups });
    expect(renewed.status).toBe(200);
    expect(renewed.url).not.toBe(first.url);
    expect(new URL(renewed.url!).searchParams.get("X-Amz-Date")).toBe("20261204T060030Z");
  });

  it("works out a request with a range afresh", async () => {
    const before = await counts();
    const ranged = await auth({ range: "bytes=0-1" });
    const after = await counts();

    expect(ranged.status).toBe(200);
    expect(after).toEqual({ reused: before.reused, lookups: before.lookups + 1 });
  });
});
