import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/raw-http.js";
import { createTestBucket } from "../support/s3.js";
import { archivedEntry, startServeHarness, type ServeHarness } from "../support/serve-harness.js";

/**
 * Every form of a path that could mean another file, or reach outside a
 * prefix, with the refusal code it gets. Each would otherwise lead to a
 * row that exists (radar/a.png, or the catalog file's neighbourhood).
 */
const REFUSED: [form: string, target: string, reason: string][] = [
  ["dot-dot segment", "/data/radar/../radar/a.png", "PATH_DOT_SEGMENT"],
  ["dot-dot out of a prefix", "/maps/tiles/../../data/radar/a.png", "PATH_DOT_SEGMENT"],
  ["dot segment", "/data/./radar/a.png", "PATH_DOT_SEGMENT"],
  ["encoded dot-dot", "/data/radar/%2e%2e/radar/a.png", "PATH_DOT_SEGMENT"],
  ["encoded dot-dot, upper case", "/data/radar/%2E%2E/radar/a.png", "PATH_DOT_SEGMENT"],
  ["half-encoded dot-dot", "/data/radar/.%2e/radar/a.png", "PATH_DOT_SEGMENT"],
  ["double-encoded dot-dot", "/data/radar/%252e%252e/radar/a.png", "PATH_DOUBLE_ENCODED"],
  ["double-encoded slash", "/data/radar%252fa.png", "PATH_DOUBLE_ENCODED"],
  ["encoded NUL", "/data/radar/a.png%00.txt", "PATH_CONTROL_CHAR"],
  ["encoded newline", "/data/radar/a.png%0a", "PATH_CONTROL_CHAR"],
  ["backslash", "/data/radar\\a.png", "PATH_BACKSLASH"],
  ["backslash dot-dot", "/data/radar\\..\\radar\\a.png", "PATH_BACKSLASH"],
  ["encoded backslash", "/data/radar%5ca.png", "PATH_ENCODED_SLASH"],
  ["encoded slash", "/data/radar%2fa.png", "PATH_ENCODED_SLASH"],
  ["absolute path after the route", "//etc/passwd", "PATH_EMPTY_SEGMENT"],
  ["absolute path inside a prefix", "/data//etc/passwd", "PATH_EMPTY_SEGMENT"],
  ["encoded absolute path", "/data/%2fetc/passwd", "PATH_ENCODED_SLASH"],
  ["malformed escape", "/data/radar/%zz.png", "PATH_BAD_ENCODING"],
  ["invalid UTF-8", "/data/radar/%c3%28.png", "PATH_BAD_ENCODING"],
  ["overlong UTF-8 dot", "/data/radar/%c0%ae%c0%ae/a.png", "PATH_BAD_ENCODING"],
];

/** Well formed, but not ours: 404 (403 on /auth), without a refusal code. */
const OUTSIDE = ["/etc/passwd", "/datax/radar/a.png", "/data/", "/data/radar/", "/data"];

describe("refused request paths", () => {
  let harness: ServeHarness;

  beforeAll(async () => {
    const bucket = await createTestBucket("refuse");
    harness = await startServeHarness(bucket);
    await harness.put(archivedEntry(bucket, { path: "radar/a.png", size: 5 }));
  });
  afterAll(() => harness?.close());

  const noUrl = (headers: Record<string, string>) =>
    [headers["location"], headers["x-givre-url"], headers["x-accel-redirect"]].filter(Boolean);

  describe.each(REFUSED)("%s (%s)", (_form, target, reason) => {
    it.each(["/fetch", "/redirect"])("is refused by %s with 400", async (route) => {
      const response = await rawRequest(harness.server.port, `${route}${target}`);

      expect(response.status).toBe(400);
      expect(response.headers["x-givre-refused"]).toBe(reason);
      expect(noUrl(response.headers)).toEqual([]);
    });

    it("is refused by /v1/files with 400 and the reason", async () => {
      const response = await rawRequest(harness.server.port, `/v1/files${target}?url`);

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: reason });
    });

    it("is denied by /auth with 403 (which NGINX turns into 404)", async () => {
      const response = await rawRequest(harness.server.port, "/auth", {
        "X-Original-URI": target,
      });

      expect(response.status).toBe(403);
      expect(response.headers["x-givre-refused"]).toBe(reason);
      expect(noUrl(response.headers)).toEqual([]);
    });
  });

  it.each(OUTSIDE)("answers %s, outside every prefix or a folder, as not found", async (target) => {
    const fetched = await rawRequest(harness.server.port, `/fetch${target}`);
    const auth = await rawRequest(harness.server.port, "/auth", { "X-Original-URI": target });

    expect(fetched.status).toBe(404);
    expect(auth.status).toBe(403);
    expect(noUrl({ ...fetched.headers, ...auth.headers })).toEqual([]);
  });

  it("refuses a raw NUL or control byte in the HTTP parser, before any lookup", async () => {
    const nul = await rawRequest(harness.server.port, "/fetch/data/radar/a.png\u0000.txt");
    const auth = await rawRequest(harness.server.port, "/auth", {
      "X-Original-URI": "/data/radar/a.png\u0001",
    });

    // node:http's parser answers 400 itself; NGINX never sends such bytes to /auth.
    expect(nul.status).toBe(400);
    expect(auth.status).toBe(400);
    expect(noUrl({ ...nul.headers, ...auth.headers })).toEqual([]);
  });

  it("denies /auth without X-Original-URI and for methods other than GET and HEAD", async () => {
    const missing = await rawRequest(harness.server.port, "/auth");
    const post = await rawRequest(harness.server.port, "/auth", {
      "X-Original-URI": "/data/radar/a.png",
      "X-Original-Method": "POST",
    });

    expect(missing.status).toBe(403);
    expect(missing.headers["x-givre-refused"]).toBe("ORIGINAL_URI_MISSING");
    expect(post.status).toBe(403);
    expect(post.headers["x-givre-refused"]).toBe("METHOD_NOT_SERVED");
  });

  it("has signed no URL at all after every refused form", async () => {
    expect(await harness.signatures()).toBe(0);
  });

  it("still serves the well-formed path the refused forms point at", async () => {
    const response = await rawRequest(harness.server.port, "/auth", {
      "X-Original-URI": "/data/radar/a.png?size=big",
    });

    expect(response.status).toBe(200);
    expect(response.headers["x-givre-key"]).toBe("data/radar/a.png");
    expect(await harness.signatures()).toBe(1);
  });
});
