import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCatalog } from "../../src/catalog/sqlite-catalog.js";
import { logLines } from "../support/givre-process.js";
import { createTestBucket, s3UnderTest } from "../support/s3.js";
import { archivedEntry, configText, serveYaml } from "../support/serve-harness.js";
import { startServeProcess } from "../support/serve-process.js";

describe("givre serve's logs", () => {
  it("log requests at debug without a signed URL or a secret in any line", async () => {
    const bucket = await createTestBucket("logs");
    const dir = mkdtempSync(join(tmpdir(), "givre-logs-"));
    const file = join(dir, "givre.yaml");
    writeFileSync(file, configText(dir, bucket, serveYaml("  delivery: redirect\n")));
    mkdirSync(join(dir, "state"));
    const catalog = new SqliteCatalog(join(dir, "state", "catalog.db"));
    await catalog.putMany([archivedEntry(bucket, { path: "radar/a.png", size: 3 })]);
    await catalog.close();
    const serve = await startServeProcess(file, ["--log-level", "debug"]);

    const auth = await fetch(`${serve.url}/auth`, {
      headers: { "x-original-uri": "/data/radar/a.png" },
    });
    const redirect = await fetch(`${serve.url}/fetch/data/radar/a.png`, { redirect: "manual" });
    const files = await fetch(`${serve.url}/v1/files/data/radar/a.png?url`);
    await files.text();
    expect(await serve.stop()).toBe(0);

    expect([auth.status, redirect.status, files.status]).toEqual([200, 302, 200]);
    const lines = logLines(serve.stderr());
    const answered = lines.filter((line) => line.msg === "request answered");
    expect(answered.map((line) => [line.route, line.status, line.path])).toEqual([
      ["healthz", 200, "/healthz"],
      ["auth", 200, "/auth"],
      ["fetch", 302, "/fetch/data/radar/a.png"],
      ["files", 200, "/v1/files/data/radar/a.png"],
    ]);
    expect(serve.stderr()).not.toMatch(/X-Amz-Signature|X-Amz-Credential/);
    expect(serve.stderr()).not.toContain(s3UnderTest().secretKey);
  });
});
