import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "./remove-tree.js";

/*
 * Test services live in temp folders named `<prefix>XXXXXX`. A test run
 * killed with -9 never tears them down; each folder records the process
 * that started it, and the next start of that kind of service stops the
 * ones whose starter is gone.
 */

/**
 * Where services make their folders: the system's temp folder, even while
 * a test run points TMPDIR at a folder of its own (test/setup/services.ts).
 */
export function servicesTmpdir(): string {
  return process.env.GIVRE_SERVICES_TMPDIR ?? tmpdir();
}

export function claimServiceDir(dir: string): void {
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
}

export function reapOrphans(prefix: string, stop: (dir: string) => void): void {
  const parent = servicesTmpdir();
  for (const name of readdirSync(parent).filter((entry) => entry.startsWith(prefix))) {
    const dir = join(parent, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
    } catch {
      continue;
    }
    if (isAlive(owner)) continue;
    try {
      stop(dir);
    } finally {
      removeTree(dir);
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
