import { setTimeout as sleep } from "node:timers/promises";
import { FileChangedError } from "../storage/upload-file.js";

/** Attempts per file; each S3 request inside is also retried by the SDK. */
const FILE_ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 1000;

/** Local problems no retry can fix: the file is gone, unreadable, or changing. */
const LOCAL_CODES = new Set(["ENOENT", "EACCES", "EPERM", "EISDIR", "ELOOP", "ENAMETOOLONG"]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof FileChangedError) return false;
  if ((error as { name?: string }).name === "AbortError") return false;
  return !LOCAL_CODES.has((error as NodeJS.ErrnoException).code ?? "");
}

/**
 * Runs `attempt` until it succeeds, fails for a local reason, or has failed
 * FILE_ATTEMPTS times, backing off 1 s, 4 s, ... in between.
 */
export async function withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (round >= FILE_ATTEMPTS || !isRetryable(error) || signal?.aborted) throw error;
      await sleep(FIRST_BACKOFF_MS * 4 ** (round - 1), undefined, { signal }).catch(() => {});
    }
  }
}
