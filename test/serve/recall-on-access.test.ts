import { afterEach, describe, expect, it } from "vitest";
import { THAW_CHECK_TTL_MS } from "../../src/serve/cold-gate.js";
import { GlacierRestoreDouble } from "../support/glacier-restore-double.js";
import { createTestBucket, s3UnderTest } from "../support/s3.js";
import {
  archivedEntry,
  serveYaml,
  startServeHarness,
  type ServeHarness,
} from "../support/serve-harness.js";

const bytes = Buffer.from("an image from 2009, in a cold class");

describe("cold objects and recall on access", () => {
  let harness: ServeHarness | undefined;
  afterEach(() => harness?.close());

  /** A server whose cold-object calls go to the double; its clock is `clock.now`. */
  async function withDouble(serve: string, double: GlacierRestoreDouble) {
    const bucket = await createTestBucket("recall");
    const s3 = s3UnderTest();
    const clock = { now: Date.now() };
    harness = await startServeHarness(bucket, serve, {
      access: () => ({
        credentials: async () => ({ accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey }),
        cold: double.thaw(),
      }),
      now: () => clock.now,
    });
    for (let i = 0; i < 5; i++) {
      await harness.upload(`data/old/${i}.png`, bytes, "GLACIER");
      await harness.put(
        archivedEntry(bucket, {
          path: `old/${i}.png`,
          size: bytes.length,
          storageClass: "GLACIER",
        }),
      );
    }
    return { bucket, clock, server: harness };
  }

  const recall = (lines: string) =>
    serveYaml(`  recall_on_access: true\n  recalls_per_minute: 2\n${lines}`);

  it("answers 503 and asks one restore; the next request finds it pending", async () => {
    const double = new GlacierRestoreDouble(undefined, () => true, Infinity);
    const { server } = await withDouble(recall(""), double);

    const first = await fetch(`${server.url}/fetch/data/old/0.png`);
    const second = await fetch(`${server.url}/fetch/data/old/0.png`);

    expect([first.status, first.headers.get("x-givre-recall")]).toEqual([503, "started"]);
    expect(first.headers.get("x-givre-state")).toBe("cold");
    expect([second.status, second.headers.get("x-givre-recall")]).toEqual([503, "pending"]);
    expect(second.headers.get("x-givre-state")).toBe("thawing");
    expect(double.restoreRequests).toEqual(["data/old/0.png"]);
  });

  it("limits recalls to recalls_per_minute, so a crawler cannot thaw the archive", async () => {
    const double = new GlacierRestoreDouble(undefined, () => true, Infinity);
    const { server, clock } = await withDouble(recall(""), double);

    const outcomes: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/fetch/data/old/${i}.png`);
      outcomes.push(response.headers.get("x-givre-recall"));
    }
    clock.now += 30_000;
    const afterHalfAMinute = await fetch(`${server.url}/auth`, {
      headers: { "x-original-uri": "/data/old/4.png" },
    });

    expect(outcomes).toEqual(["started", "started", "limited", "limited", "limited"]);
    // Half a minute refills one recall of the two per minute.
    expect(double.restoreRequests).toEqual(["data/old/0.png", "data/old/1.png", "data/old/4.png"]);
    expect(afterHalfAMinute.status).toBe(401);
    expect(afterHalfAMinute.headers.get("x-givre-recall")).toBe("started");
  });

  it("serves the bytes once the restore is done", async () => {
    const double = new GlacierRestoreDouble(undefined, () => true, Infinity);
    const { server, clock } = await withDouble(recall(""), double);
    await fetch(`${server.url}/fetch/data/old/0.png`);

    double.finishThaw("data/old/0.png");
    clock.now += THAW_CHECK_TTL_MS + 1;
    const response = await fetch(`${server.url}/fetch/data/old/0.png`);

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it("asks no restore when recall_on_access is off", async () => {
    const double = new GlacierRestoreDouble(undefined, () => true, Infinity);
    const { server } = await withDouble(serveYaml(""), double);

    const response = await fetch(`${server.url}/fetch/data/old/0.png`);

    expect(response.status).toBe(503);
    expect(response.headers.get("x-givre-recall")).toBe("off");
    expect(double.restoreRequests).toEqual([]);
  });

  it("reports a failed recall when the gateway cannot restore (Ceph answers 501)", async () => {
    const bucket = await createTestBucket("recall");
    harness = await startServeHarness(bucket, recall(""));
    await harness.upload("data/old/0.png", bytes, "GLACIER");
    await harness.put(
      archivedEntry(bucket, { path: "old/0.png", size: bytes.length, storageClass: "GLACIER" }),
    );

    const response = await fetch(`${harness.url}/fetch/data/old/0.png`);

    expect(response.status).toBe(503);
    expect(response.headers.get("x-givre-state")).toBe("cold");
    expect(response.headers.get("x-givre-recall")).toBe("failed");
  });
});
