import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat } from "node:fs/promises";
import type { CatalogEntry } from "../catalog/catalog.js";

/**
 * mtimes differing by less than this are the same: setting an mtime goes
 * through a double in seconds, which moves it by a fraction of a µs.
 */
export const MTIME_TOLERANCE_MS = 0.01;

export type LocalState =
  | { kind: "absent" }
  /** Same size, mtime and SHA-256 as the catalog: a restore already done. */
  | { kind: "identical"; mtimeMs: number }
  | { kind: "different"; reason: string };

/** What is at a restore's destination already. */
export async function localStateOf(file: string, entry: CatalogEntry): Promise<LocalState> {
  let stats;
  try {
    stats = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent" };
    throw error;
  }
  if (!stats.isFile()) return { kind: "different", reason: "it is not a regular file" };
  const mtimeDelta = stats.mtimeMs - entry.mtimeMs;
  if (mtimeDelta > MTIME_TOLERANCE_MS) {
    return { kind: "different", reason: "the local file is newer" };
  }
  if (stats.size !== entry.size) {
    return { kind: "different", reason: `it has ${stats.size} bytes, the archive ${entry.size}` };
  }
  if (mtimeDelta < -MTIME_TOLERANCE_MS) {
    return { kind: "different", reason: "the local file is older" };
  }
  if ((await sha256Of(file)) !== entry.sha256) {
    return { kind: "different", reason: "same size and mtime, different content" };
  }
  return { kind: "identical", mtimeMs: stats.mtimeMs };
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
