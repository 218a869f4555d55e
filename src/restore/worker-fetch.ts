import { setTimeout as sleep } from "node:timers/promises";
import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import { errorOf, isRetryable } from "../storage/direct-put.js";
import type { ObjectReader } from "../storage/direct-read.js";
import { isColdRefusal } from "../storage/direct-read.js";
import type { WorkerAnswer } from "./file-writer-pool.js";
import type { RestoreContext } from "./restore-context.js";
import { RestoreRefusedError, tempNameFor } from "./restored-file.js";

/**
 * Plain objects up to this size are fetched, checked and written whole by
 * a file worker: the main thread only signs the request. Larger objects
 * stream through the main thread in 1 MiB writes (restored-file.ts).
 */
export const WORKER_FETCH_MAX = 1024 * 1024;
const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 200;

/** True when this plain file can go through a worker (its reader can sign for another thread). */
export function canFetchInWorker(entry: CatalogEntry, reader: ObjectReader): boolean {
  return entry.offset === null && entry.size <= WORKER_FETCH_MAX && reader.signedGet !== undefined;
}

/**
 * One small file, fetched and written by a worker, retried on 5xx and
 * dropped connections. A cold refusal (403 InvalidObjectState) is thrown
 * for the caller to thaw; every other outcome is reported to the context.
 */
export async function fetchInWorker(
  context: RestoreContext,
  reader: ObjectReader,
  want: { entry: CatalogEntry; file: string; overwrite: boolean },
): Promise<void> {
  const { entry, file } = want;
  for (let attempt = 1; ; attempt++) {
    const signed = await reader.signedGet!(entry.key);
    const answer = await context.writers.fetch({
      ...signed,
      size: entry.size,
      sha256: entry.sha256 ?? "",
      temp: tempNameFor(file),
      file,
      mode: entry.mode,
      mtimeMs: entry.mtimeMs,
      overwrite: want.overwrite,
    });
    context.counts.reads++;
    if ("mtimeMs" in answer) return context.restored(entry, file, answer.mtimeMs);
    const error = errorOfAnswer(answer, entry, file);
    if (isColdRefusal(error)) throw error;
    const retry = attempt < ATTEMPTS && isRetryable(error) && !context.options.signal?.aborted;
    if (!retry) return context.failed(entry, errorMessage(error));
    const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
    await sleep(backoff, undefined, { signal: context.options.signal }).catch(() => {});
  }
}

/** The error a worker's answer stands for, worded as the in-thread path words it. */
function errorOfAnswer(answer: WorkerAnswer, entry: CatalogEntry, file: string): Error {
  const where = `${entry.root}/${entry.path} (object ${entry.key})`;
  if ("status" in answer) return errorOf(answer.status, answer.body);
  if ("network" in answer) {
    return Object.assign(new Error(answer.message), { code: answer.network });
  }
  if ("refused" in answer && answer.refused === "size") {
    return new RestoreRefusedError(
      "RESTORE_SIZE_MISMATCH",
      `${where}: the object has ${answer.found} bytes, the catalog says ${entry.size}; nothing written`,
    );
  }
  if ("refused" in answer) {
    return new RestoreRefusedError(
      "RESTORE_CHECKSUM_MISMATCH",
      `${where}: the bytes read have SHA-256 ${answer.found}, the catalog says ${entry.sha256 ?? "none"}; nothing written`,
    );
  }
  if ("code" in answer && answer.code === "EEXIST") {
    return new RestoreRefusedError(
      "RESTORE_LOCAL_EXISTS",
      `${file} appeared while it was restored; it was left as it is`,
    );
  }
  return new Error("message" in answer ? answer.message : "unexpected answer from a file worker");
}
