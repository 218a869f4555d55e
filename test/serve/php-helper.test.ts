import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDebianPackages } from "../services/debian-packages.js";
import { freePort, waitFor } from "../services/free-port.js";
import { createTestBucket } from "../support/s3.js";
import { archivedEntry, startServeHarness, type ServeHarness } from "../support/serve-harness.js";

const HELPER = resolve(dirname(fileURLToPath(import.meta.url)), "../../contrib/php/givre.php");
const run = promisify(execFile);
const image = Buffer.from("an archived radar image, read back through PHP ".repeat(50));
const MTIME = Date.UTC(2019, 5, 1, 12, 0, 0);

/** Runs PHP code with the helper loaded and `$givre` made; returns what it printed as JSON. */
async function php(code: string, baseUrl: string): Promise<unknown> {
  const script = `require ${JSON.stringify(HELPER)};
$givre = new \\Givre\\Client(${JSON.stringify(baseUrl)}, 1.5);
${code}`;
  const { stdout } = await run("php", ["-r", script]);
  return JSON.parse(stdout);
}

describe("contrib/php/givre.php with php-cli", () => {
  let harness: ServeHarness;

  beforeAll(async () => {
    ensureDebianPackages(["php-cli"], ["php"]);
    const bucket = await createTestBucket("php");
    harness = await startServeHarness(bucket);
    await harness.upload("data/radar/img é.png", image);
    await harness.put(
      archivedEntry(bucket, {
        path: "radar/img é.png",
        size: image.length,
        mtimeMs: MTIME,
        sha256: createHash("sha256").update(image).digest("hex"),
      }),
      archivedEntry(bucket, { path: "radar/cold.png", size: 3, storageClass: "GLACIER" }),
    );
  });
  afterAll(() => harness?.close());

  it("resolves, stats and reads an archived file", async () => {
    const result = await php(
      `$path = '/data/radar/img é.png';
$fp = $givre->open($path);
echo json_encode([
  'exists' => $givre->exists($path),
  'stat' => $givre->stat($path),
  'state' => $givre->resolve($path)['state'],
  'sha256' => hash('sha256', stream_get_contents($fp)),
]);`,
      harness.url,
    );

    expect(result).toEqual({
      exists: true,
      stat: {
        size: image.length,
        mtime: MTIME / 1000,
        state: "archived",
        sha256: createHash("sha256").update(image).digest("hex"),
        readable: true,
      },
      state: "archived",
      sha256: createHash("sha256").update(image).digest("hex"),
    });
  });

  it("answers null and false for an unknown path, and refuses to open it", async () => {
    const result = await php(
      `$path = '/data/radar/none.png';
try { $givre->open($path); $opened = 'yes'; } catch (\\Givre\\NotReadable $e) { $opened = $e->getCode(); }
echo json_encode(['resolve' => $givre->resolve($path), 'exists' => $givre->exists($path), 'open' => $opened]);`,
      harness.url,
    );

    expect(result).toEqual({ resolve: null, exists: false, open: 404 });
  });

  it("says a cold file exists in the catalog but is not readable", async () => {
    const result = await php(
      `$path = '/data/radar/cold.png';
try { $givre->open($path); $opened = 'yes'; } catch (\\Givre\\NotReadable $e) { $opened = $e->getCode(); }
echo json_encode(['exists' => $givre->exists($path), 'readable' => $givre->stat($path)['readable'], 'open' => $opened]);`,
      harness.url,
    );

    expect(result).toEqual({ exists: false, readable: false, open: 503 });
  });

  it("fails with Unavailable within its timeout when givre is down", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const result = await php(
      `try { $givre->exists('/data/radar/img.png'); echo json_encode('answered'); }
catch (\\Givre\\Unavailable $e) { echo json_encode(get_class($e) . ': ' . $e->getMessage()); }`,
      closed,
    );

    expect(result).toBe(`Givre\\Unavailable: givre unreachable at ${closed} (timeout 1.5 s)`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("sends a file by an X-Accel-Redirect to its own URL", async () => {
    const dir = harness.dir;
    writeFileSync(
      join(dir, "page.php"),
      `<?php require ${JSON.stringify(HELPER)};
(new \\Givre\\Client(${JSON.stringify(harness.url)}))->send('/data/radar/img é.png');`,
    );
    const port = await freePort();
    const server = spawn("php", ["-S", `127.0.0.1:${port}`, "-t", dir], { stdio: "ignore" });
    try {
      await waitFor("php -S", async () => (await fetch(`http://127.0.0.1:${port}/`)).status > 0);
      const response = await fetch(`http://127.0.0.1:${port}/page.php`);

      expect(response.headers.get("x-accel-redirect")).toBe("/data/radar/img%20%C3%A9.png");
    } finally {
      server.kill();
    }
  });
});
