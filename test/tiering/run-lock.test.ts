import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LockHeldError, RunLock } from "../../src/tiering/run-lock.js";

describe("RunLock", () => {
  it("keeps a second run out, naming the holder's pid and start time", () => {
    const dir = mkdtempSync(join(tmpdir(), "givre-lock-"));
    const lock = RunLock.acquire(dir, "run-1");
    const holder = JSON.parse(readFileSync(join(dir, "run.lock"), "utf8")) as Record<
      string,
      unknown
    >;

    let refused: unknown;
    try {
      RunLock.acquire(dir, "run-2");
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).exitCode).toBe(3);
    expect((refused as Error).message).toBe(
      `another run holds ${dir}/run.lock: pid ${process.pid} on ${hostname()}, started ${holder.startedAt} (run run-1)`,
    );
    lock.release();
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
  });

  it("takes over the lock of a run that was killed", () => {
    const dir = mkdtempSync(join(tmpdir(), "givre-lock-"));
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    const stale = {
      pid: Number(dead),
      host: hostname(),
      startedAt: "2026-01-01T00:00:00.000Z",
      runId: "old",
    };
    writeFileSync(join(dir, "run.lock"), JSON.stringify(stale));

    const lock = RunLock.acquire(dir, "new");

    expect(JSON.parse(readFileSync(join(dir, "run.lock"), "utf8"))).toMatchObject({
      pid: process.pid,
      runId: "new",
    });
    lock.release();
  });
});
