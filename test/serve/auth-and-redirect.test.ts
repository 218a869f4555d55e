import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTar, member as packMember } from "../support/tar-pack.js";
import { createTestBucket } from "../support/s3.js";
import {
  archivedEntry,
  serveYaml,
  startServeHarness,
  type ServeHarness,
} from "../support/serve-harness.js";

const image = Buffer.from("radar image: 0123456789 abcdefghijklmnopqrstuvwxyz");
const memberText = "the member's own bytes, in the middle of a pack";
const pack = await buildTar([
  packMember("a.png", "before"),
  packMember("b.png", memberText),
  packMember("c.png", "after"),
]);
const member = pack.members[1]!;

async function fillCatalog(harness: ServeHarness, bucket: string): Promise<void> {
  await harness.upload("data/radar/ünï ☔.png", image);
  await harness.upload("data/.givre/packs/p.tar", pack.tar);
  await harness.upload("data/old/cold.png", image, "GLACIER");
  await harness.put(
    archivedEntry(bucket, { path: "radar/ünï ☔.png", size: image.length }),
    archivedEntry(bucket, {
      path: "radar/b.png",
      size: memberText.length,
      key: "data/.givre/packs/p.tar",
      offset: member.offset,
      length: member.length,
    }),
    archivedEntry(bucket, { path: "old/cold.png", size: image.length, storageClass: "GLACIER" }),
  );
}

/** What NGINX does with an /auth answer: request X-Givre-Url with X-Givre-Range. */
async function followAuth(headers: Headers, method = "GET"): Promise<Response> {
  const range = headers.get("x-givre-range");
  return fetch(headers.get("x-givre-url")!, { method, headers: range ? { range } : {} });
}

describe("/auth for auth_request", () => {
  let bucket: string;
  let harness: ServeHarness;

  beforeAll(async () => {
    bucket = await createTestBucket("auth");
    harness = await startServeHarness(bucket);
    await fillCatalog(harness, bucket);
  });
  afterAll(() => harness?.close());

  const auth = (uri: string, headers: Record<string, string> = {}) =>
    fetch(`${harness.url}/auth`, { headers: { "x-original-uri": uri, ...headers } });

  it("answers 200 with a presigned URL and the key, and the URL gives the bytes", async () => {
    const response = await auth("/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png");

    expect(response.status).toBe(200);
    expect(response.headers.get("x-givre-key")).toBe("data/radar/%C3%BCn%C3%AF%20%E2%98%94.png");
    const url = new URL(response.headers.get("x-givre-url")!);
    expect(url.searchParams.get("X-Amz-Content-Sha256")).toBe("UNSIGNED-PAYLOAD");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    const object = await followAuth(response.headers);
    expect(object.status).toBe(200);
    expect(Buffer.from(await object.arrayBuffer())).toEqual(image);
  });

  it("signs for HEAD when NGINX says the original method was HEAD", async () => {
    const response = await auth("/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png", {
      "x-original-method": "HEAD",
    });

    const object = await followAuth(response.headers, "HEAD");
    expect(object.status).toBe(200);
    expect(object.headers.get("content-length")).toBe(String(image.length));
  });

  it("passes a client's range on a plain object to the bucket, with its Content-Range", async () => {
    const response = await auth("/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png", {
      range: "bytes=2-6",
    });

    expect(response.headers.get("x-givre-range")).toBe("bytes=2-6");
    expect(response.headers.get("x-givre-content-range")).toBe(`bytes 2-6/${image.length}`);
    const object = await followAuth(response.headers);
    expect(object.status).toBe(206);
    expect(await object.text()).toBe(image.subarray(2, 7).toString());
  });

  it("moves a client's range on a member into the pack, with the member's Content-Range", async () => {
    const response = await auth("/data/radar/b.png", { range: "bytes=4-9" });

    expect(response.status).toBe(200);
    expect(response.headers.get("x-givre-key")).toBe("data/.givre/packs/p.tar");
    expect(response.headers.get("x-givre-range")).toBe(
      `bytes=${member.offset + 4}-${member.offset + 9}`,
    );
    expect(response.headers.get("x-givre-content-range")).toBe(`bytes 4-9/${memberText.length}`);
    const object = await followAuth(response.headers);
    expect(object.status).toBe(206);
    expect(await object.text()).toBe(memberText.slice(4, 10));
  });

  it("sends a whole member, HEAD with a range or a conditional back to givre's stream", async () => {
    const whole = await auth("/data/radar/b.png");
    const head = await auth("/data/radar/b.png", {
      "x-original-method": "HEAD",
      range: "bytes=0-1",
    });
    const ifRange = await auth("/data/radar/b.png", { range: "bytes=0-1", "if-range": '"x"' });
    const ifNoneMatch = await auth("/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png", {
      "if-none-match": '"5cf2676f-1"',
    });

    for (const response of [whole, head, ifRange]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-givre-url")).toBe("http://givre/fetch/data/radar/b.png");
    }
    expect(ifNoneMatch.headers.get("x-givre-url")).toBe(
      "http://givre/fetch/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png",
    );
    expect(whole.headers.get("x-givre-range")).toBeNull();
    expect(whole.headers.get("x-givre-content-range")).toBeNull();
    expect(head.headers.get("x-givre-range")).toBe("bytes=0-1");
    expect(head.headers.get("x-givre-content-range")).toBe(`bytes 0-1/${memberText.length}`);
    // If-Range names another version: givre's stream will send the whole file.
    expect(ifRange.headers.get("x-givre-content-range")).toBeNull();
  });

  it("gives the file's own validators to put in place of the bucket's", async () => {
    const response = await auth("/data/radar/b.png", { range: "bytes=0-1" });

    expect(response.headers.get("x-givre-etag")).toBe(
      `"${(Date.UTC(2019, 5, 1, 12) / 1000).toString(16)}-${memberText.length.toString(16)}"`,
    );
    expect(response.headers.get("x-givre-last-modified")).toBe("Sat, 01 Jun 2019 12:00:00 GMT");
    const object = await followAuth(response.headers);
    expect(object.headers.get("content-type")).toBe("image/png");
  });

  it("answers 403 for an unknown path and 401 with cold headers for a cold object", async () => {
    const unknown = await auth("/data/radar/unknown.png");
    const cold = await auth("/data/old/cold.png");

    expect(unknown.status).toBe(403);
    expect(unknown.headers.get("x-givre-url")).toBeNull();
    expect(cold.status).toBe(401);
    expect(cold.headers.get("x-givre-state")).toBe("cold");
    expect(cold.headers.get("retry-after")).toBe("14400");
    expect(cold.headers.get("x-givre-url")).toBeNull();
  });

  it("reuses a signed URL instead of signing again", async () => {
    const before = await harness.signatures();
    const first = await auth("/data/radar/b.png", { range: "bytes=0-0" });
    const second = await auth("/data/radar/b.png", { range: "bytes=1-1" });

    expect(first.headers.get("x-givre-url")).toBe(second.headers.get("x-givre-url"));
    expect((await harness.signatures()) - before).toBeLessThanOrEqual(1);
  });
});

describe("/redirect, accel delivery and /v1/files", () => {
  let bucket: string;
  let harness: ServeHarness;

  beforeAll(async () => {
    bucket = await createTestBucket("redir");
    harness = await startServeHarness(bucket, serveYaml("  delivery: accel\n"));
    await fillCatalog(harness, bucket);
  });
  afterAll(() => harness?.close());

  it("redirects with 302 to a URL presigned for the method", async () => {
    const response = await fetch(
      `${harness.url}/redirect/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png`,
      {
        redirect: "manual",
      },
    );

    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const object = await fetch(response.headers.get("location")!);
    expect(Buffer.from(await object.arrayBuffer())).toEqual(image);
  });

  it("streams a member on /redirect, since a URL would give the whole pack", async () => {
    const response = await fetch(`${harness.url}/redirect/data/radar/b.png`, {
      redirect: "manual",
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(memberText);
  });

  it("answers /fetch with X-Accel-Redirect to the accel location in accel delivery", async () => {
    const response = await fetch(`${harness.url}/fetch/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png`);

    expect(response.status).toBe(200);
    expect(response.headers.get("x-accel-redirect")).toBe("/_givre_s3/");
    const object = await fetch(response.headers.get("x-givre-url")!);
    expect(Buffer.from(await object.arrayBuffer())).toEqual(image);
  });

  it("streams a whole member itself in accel delivery", async () => {
    const response = await fetch(`${harness.url}/fetch/data/radar/b.png`);

    expect(response.headers.get("x-accel-redirect")).toBeNull();
    expect(await response.text()).toBe(memberText);
  });

  it("describes an archived member in JSON, without a URL for it", async () => {
    const response = await fetch(`${harness.url}/v1/files/data/radar/b.png?url`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      root: "data",
      path: "radar/b.png",
      state: "archived",
      served: true,
      cold: false,
      size: memberText.length,
      mtime: "2019-06-01T12:00:00.000Z",
      mtimeMs: Date.UTC(2019, 5, 1, 12),
      sha256: "0".repeat(64),
      key: "data/.givre/packs/p.tar",
      storageClass: "STANDARD",
      pack: { offset: member.offset, length: member.length },
      contentType: "image/png",
      url: null,
    });
  });

  it("gives a presigned URL for a plain object when asked, and 404 JSON for an unknown path", async () => {
    const found = await fetch(
      `${harness.url}/v1/files/data/radar/%C3%BCn%C3%AF%20%E2%98%94.png?url`,
    );
    const unknown = await fetch(`${harness.url}/v1/files/data/radar/none.png`);

    const report = (await found.json()) as { url: string };
    const object = await fetch(report.url);
    expect(Buffer.from(await object.arrayBuffer())).toEqual(image);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "NOT_IN_CATALOG" });
  });

  it("answers /healthz with the catalog up, and /metrics in Prometheus text", async () => {
    const health = await fetch(`${harness.url}/healthz`);
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();

    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    expect(metrics).toMatch(/^givre_serve_requests_total\{route="healthz",status="200"\} 1$/m);
    expect(metrics).toMatch(/^# TYPE givre_serve_request_seconds histogram$/m);
  });
});
