import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryMode } from "../../src/config/config.js";
import type { NginxServer } from "../services/nginx.js";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { makeWorkspace, runGivre, writeTree, type Workspace } from "../support/givre-process.js";
import { startNginxWithSnippet, type SnippetName } from "../support/nginx-snippets.js";
import { createTestBucket, minioClient } from "../support/s3.js";
import { startServeProcess, type ServeProcess } from "../support/serve-process.js";

const OLD = new Date(Date.UTC(2019, 5, 1, 12, 0, 0));
const PLAIN = "radar/2019/06/01/refl_1200 é.png";
const PLAIN_URL = "/data/radar/2019/06/01/refl_1200%20%C3%A9.png";
const MEMBER = "radar/2019/06/01/small_b.png";
const MEMBER_URL = "/data/radar/2019/06/01/small_b.png";
const files: Record<string, Buffer> = {
  [PLAIN]: Buffer.alloc(40_000, "plain radar image "),
  "radar/2019/06/01/small_a.png": Buffer.alloc(3_000, "first small tile "),
  [MEMBER]: Buffer.alloc(3_500, "second small tile, packed "),
};

/** What NGINX answered for a file while it was still on disk. */
interface DiskAnswer {
  etag: string;
  lastModified: string;
  contentType: string;
}

async function streamedBytes(givre: ServeProcess): Promise<number> {
  const text = await (await fetch(`${givre.url}/metrics`)).text();
  return Number(/^givre_serve_streamed_bytes_total (\d+)$/m.exec(text)?.[1]);
}

const MODES: [name: string, snippet: SnippetName, delivery: DeliveryMode][] = [
  ["(a) fallback, givre streams", "givre-fallback.conf", "stream"],
  ["(a) fallback, X-Accel-Redirect", "givre-fallback.conf", "accel"],
  ["(b) auth_request", "givre-auth.conf", "stream"],
  ["(c) redirect", "givre-redirect.conf", "stream"],
];

/** The radar policy of the test: small files of a folder go into one pack. */
const RADAR_POLICY = `name: radar
root: data
match:
  include: ["radar/**"]
age:
  older_than: 30d
action: archive
target: archive
prefix: data/
pack: { group: "{dir}", smaller_than: 8KiB }
`;

describe("NGINX with the shipped snippets, before and after givre run archives", () => {
  let bucket: string;
  let workspace: Workspace;
  const disk = new Map<string, DiskAnswer>();

  beforeAll(async () => {
    bucket = await createTestBucket("nginx");
    workspace = makeWorkspace(bucket);
    writeFileSync(join(workspace.policiesDir, "10-radar.yaml"), RADAR_POLICY);
    writeTree(workspace.dataDir, files, OLD);
    writeTree(workspace.dataDir, { "keep/live.png": "still on the local disk" }, OLD);
    await recordDiskAnswers();

    const run = await runGivre(["--config", workspace.configFile, "run"]);

    expect(run.code).toBe(0);
    const catalog = new SqliteCatalog(join(workspace.stateDir, "catalog.db"));
    try {
      const member = await catalog.get("data", MEMBER);
      expect(member).toMatchObject({ state: "archived", length: files[MEMBER]!.length });
      expect(member!.key).toMatch(/\.tar$/);
      await addColdObject(catalog);
    } finally {
      await catalog.close();
    }
  });

  /** Snippet (a) before any run: NGINX answers from disk, givre is never asked. */
  async function recordDiskAnswers(): Promise<void> {
    const givre = await startServeProcess(writeServeConfig("stream"));
    const nginx = await startNginxWithSnippet("givre-fallback.conf", workspace.dir, givre.port);
    try {
      for (const url of [PLAIN_URL, MEMBER_URL]) {
        const response = await fetch(`${nginx.url}${url}`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        disk.set(url, {
          etag: response.headers.get("etag")!,
          lastModified: response.headers.get("last-modified")!,
          contentType: response.headers.get("content-type")!,
        });
      }
      const metrics = await (await fetch(`${givre.url}/metrics`)).text();
      expect(metrics).not.toMatch(/route="fetch"/);
    } finally {
      await nginx.stop();
      await givre.stop();
    }
  }

  async function addColdObject(catalog: SqliteCatalog): Promise<void> {
    const bytes = Buffer.from("an old image in a cold class");
    await minioClient().putObject(bucket, "data/old/cold.png", bytes, bytes.length, {
      "x-amz-storage-class": "GLACIER",
    });
    const row = await catalog.get("data", PLAIN);
    await catalog.putMany([
      { ...row!, path: "old/cold.png", key: "data/old/cold.png", storageClass: "GLACIER" },
    ]);
  }

  function writeServeConfig(delivery: DeliveryMode): string {
    const file = join(workspace.dir, `givre-${delivery}.yaml`);
    const serve = `serve:\n  prefixes: { /data/: data }\n  delivery: ${delivery}\n`;
    writeFileSync(file, `${readFileSync(workspace.configFile, "utf8")}\n${serve}`);
    return file;
  }

  describe.each(MODES)("%s", (_name, snippet, delivery) => {
    let givre: ServeProcess;
    let nginx: NginxServer;

    beforeAll(async () => {
      givre = await startServeProcess(writeServeConfig(delivery));
      nginx = await startNginxWithSnippet(snippet, workspace.dir, givre.port);
    });
    afterAll(async () => {
      await nginx?.stop();
      expect(await givre?.stop()).toBe(0);
    });

    const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
      fetch(`${nginx.url}${url}`, { method, headers });

    it("serves a file still on disk from NGINX itself", async () => {
      const response = await get("/data/keep/live.png");

      expect(response.status).toBe(200);
      expect(await response.text()).toBe("still on the local disk");
    });

    it.each([
      ["a plain object", PLAIN_URL, PLAIN],
      ["a pack member", MEMBER_URL, MEMBER],
    ])("returns the same bytes for %s after archiving", async (_kind, url, path) => {
      const response = await get(url);

      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(files[path]);
      expect(response.headers.get("content-type")).toBe(disk.get(url)!.contentType);
      if (!(snippet === "givre-redirect.conf" && url === PLAIN_URL)) {
        expect(response.headers.get("etag")).toBe(disk.get(url)!.etag);
        expect(response.headers.get("last-modified")).toBe(disk.get(url)!.lastModified);
      }
    });

    it.each([
      ["a plain object", PLAIN_URL, PLAIN],
      ["a pack member", MEMBER_URL, MEMBER],
    ])("answers HEAD for %s with its length and no body", async (_kind, url, path) => {
      const response = await get(url, {}, "HEAD");

      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe(String(files[path]!.length));
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it.each([
      ["a plain object", PLAIN_URL, PLAIN],
      ["a pack member", MEMBER_URL, MEMBER],
    ])("answers a range of %s with 206 and those bytes", async (_kind, url, path) => {
      const size = files[path]!.length;
      const response = await get(url, { range: "bytes=100-1099" });

      expect(response.status).toBe(206);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(files[path]!.subarray(100, 1100));
      expect(response.headers.get("content-range")).toBe(`bytes 100-1099/${size}`);
    });

    it.each([
      ["a plain object", PLAIN_URL],
      ["a pack member", MEMBER_URL],
    ])("answers 304 for %s to the validators NGINX gave from disk", async (_kind, url) => {
      const byTag = await get(url, { "if-none-match": disk.get(url)!.etag });
      const byDate = await get(url, { "if-modified-since": disk.get(url)!.lastModified });

      expect(byTag.status).toBe(304);
      expect(byDate.status).toBe(304);
    });

    it("sends a whole plain object through givre only when givre streams", async () => {
      const before = await streamedBytes(givre);
      const response = await get(PLAIN_URL);
      await response.arrayBuffer();

      const through = (await streamedBytes(givre)) - before;
      const streams = snippet === "givre-fallback.conf" && delivery === "stream";
      expect(through).toBe(streams ? files[PLAIN]!.length : 0);
    });

    it("answers 404 for a path never archived", async () => {
      const response = await get("/data/radar/2019/06/01/never.png");

      expect(response.status).toBe(404);
    });

    it("answers 503 with Retry-After for a cold object", async () => {
      const response = await get("/data/old/cold.png");

      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("14400");
      expect(response.headers.get("x-givre-state")).toBe("cold");
    });
  });
});
