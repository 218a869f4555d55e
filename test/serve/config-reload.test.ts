import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { ConfigReloader } from "../../src/serve/config-reloader.js";
import { waitFor } from "../services/free-port.js";
import { createTestBucket } from "../support/s3.js";
import {
  archivedEntry,
  configText,
  serveYaml,
  startServeHarness,
  type ServeHarness,
} from "../support/serve-harness.js";
import { startServeProcess } from "../support/serve-process.js";

/** A logger whose JSON lines the test reads. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

describe("config changes without a restart", () => {
  let harness: ServeHarness | undefined;
  let reloader: ConfigReloader | undefined;
  afterEach(async () => {
    await reloader?.close();
    await harness?.close();
  });

  async function start() {
    const bucket = await createTestBucket("reload");
    const { log, lines } = memoryLogger();
    harness = await startServeHarness(bucket, serveYaml(""), { log });
    await harness.upload("data/radar/a.png", "bytes of a");
    await harness.put(archivedEntry(bucket, { path: "radar/a.png", size: 10 }));
    const server = harness.server;
    reloader = new ConfigReloader({
      file: harness.configFile,
      load: () => loadConfig(harness!.configFile, {}),
      apply: (config) => server.reload(config),
      log,
    });
    await reloader.ready();
    return { bucket, lines, server: harness };
  }

  const status = async (url: string) => (await fetch(url)).status;

  it("picks up a changed prefix when the file changes", async () => {
    const { bucket, server } = await start();
    const renamed = serveYaml("").replace("/data/: data", "/archive/: data");

    writeFileSync(server.configFile, configText(server.dir, bucket, renamed));

    await waitFor(
      "the new prefix",
      async () => {
        return (await status(`${server.url}/fetch/archive/radar/a.png`)) === 200;
      },
      10_000,
    );
    expect(await status(`${server.url}/fetch/data/radar/a.png`)).toBe(404);
  });

  it("keeps the running config when the new one is wrong, and says where", async () => {
    const { bucket, lines, server } = await start();
    const wrong = serveYaml("  delivery: teleport\n");

    writeFileSync(server.configFile, configText(server.dir, bucket, wrong));

    await waitFor("the refusal", async () => lines.some((l) => l.msg === "config reload refused"));
    const refusal = lines.find((line) => line.msg === "config reload refused")!;
    expect(refusal.error).toMatch(
      /givre\.yaml:\d+: serve\.delivery: expected one of stream, accel, redirect, found "teleport"/,
    );
    expect(await status(`${server.url}/fetch/data/radar/a.png`)).toBe(200);
  });

  it("says which settings need a restart (the listen address)", async () => {
    const { bucket, lines, server } = await start();
    const moved = serveYaml("").replace("127.0.0.1:0", "127.0.0.1:1");

    writeFileSync(server.configFile, configText(server.dir, bucket, moved));

    await waitFor("the reload", async () =>
      lines.some((l) => l.msg === "config reloaded" && (l.needsRestart as string[]).length > 0),
    );
    expect(await status(`${server.url}/healthz`)).toBe(200);
  });

  it("reloads on SIGHUP and stops cleanly on SIGTERM (the CLI)", async () => {
    const bucket = await createTestBucket("reload");
    const dir = mkdtempSync(join(tmpdir(), "givre-reload-"));
    const file = join(dir, "givre.yaml");
    writeFileSync(file, configText(dir, bucket, serveYaml("")));
    const serve = await startServeProcess(file);

    serve.child.kill("SIGHUP");
    await waitFor("the SIGHUP reload", async () => /"reason":"SIGHUP"/.test(serve.stderr()));

    expect(await serve.stop()).toBe(0);
    const reload = serve
      .stderr()
      .split("\n")
      .find((line) => line.includes('"reason":"SIGHUP"'));
    expect(JSON.parse(reload!)).toMatchObject({ msg: "config reloaded", needsRestart: [] });
  });
});
