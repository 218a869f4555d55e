import { lstat, unlink } from "node:fs/promises";
import type { CatalogEntry, FileState } from "../catalog/catalog.js";
import type { PolicyAction } from "../policy/policy.js";

/** What became of a stored file's local copy. */
export type LocalOutcome = "archived" | "copied" | "changed" | "gone";

/**
 * The last step of a file, run only once its object is proven and its
 * manifest line is in the bucket. The file is stat'ed again: if its size
 * or mtime moved since the scan it stays (a later run takes it again).
 * Otherwise, for `archive`, it is removed.
 *
 * Between the stat and the unlink a writer could still slip in; the window
 * is one system call wide and no POSIX call closes it (no unlink-if-unchanged).
 */
export async function freeLocalCopy(
  absolutePath: string,
  entry: Pick<CatalogEntry, "size" | "mtimeMs">,
  action: PolicyAction,
): Promise<LocalOutcome> {
  let stats;
  try {
    stats = await lstat(absolutePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  if (!stats.isFile() || stats.size !== entry.size || stats.mtimeMs !== entry.mtimeMs) {
    return "changed";
  }
  if (action === "copy") return "copied";
  await unlink(absolutePath);
  return "archived";
}

/** The catalog state for an outcome; `changed` keeps the row as `stored`. */
export function stateAfter(outcome: LocalOutcome): FileState {
  if (outcome === "changed") return "stored";
  // A stored file whose local copy vanished is served from the bucket from now on.
  if (outcome === "gone") return "archived";
  return outcome;
}
