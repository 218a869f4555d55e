import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ExitCode, GivreError } from "../errors.js";
import { isProcessAlive } from "../process-alive.js";

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  runId: string;
}

export class LockHeldError extends GivreError {
  constructor(file: string, holder: LockHolder) {
    super(
      "RUN_LOCKED",
      ExitCode.locked,
      `another run holds ${file}: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} (run ${holder.runId})`,
      {
        hint: "wait for it to finish; if that process is gone from that host, remove the lock file",
      },
    );
  }
}

/**
 * Keeps two runs from overlapping. The lock file is created with link(),
 * which fails if it exists, so taking it is atomic. A lock whose process
 * is gone from this host (a run killed with -9) is taken over.
 */
export class RunLock {
  readonly file: string;

  private constructor(file: string) {
    this.file = file;
  }

  static acquire(stateDir: string, runId: string): RunLock {
    mkdirSync(stateDir, { recursive: true });
    const file = join(stateDir, "run.lock");
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      runId,
    };
    const temp = `${file}.${randomBytes(4).toString("hex")}`;
    writeFileSync(temp, `${JSON.stringify(holder)}\n`);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryLink(temp, file)) return new RunLock(file);
        const current = readHolder(file);
        if (current && (current.host !== holder.host || isProcessAlive(current.pid))) {
          throw new LockHeldError(file, current);
        }
        breakStaleLock(file);
      }
      throw new GivreError("RUN_LOCK_FAILED", ExitCode.locked, `could not take ${file}`);
    } finally {
      unlinkSync(temp);
    }
  }

  release(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function tryLink(temp: string, file: string): boolean {
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Moves a dead run's lock aside (rename is atomic, so two takers cannot both succeed). */
function breakStaleLock(file: string): void {
  try {
    renameSync(file, `${file}.stale`);
  } catch {
    // Someone else broke it first; the next attempt will see.
  }
}
