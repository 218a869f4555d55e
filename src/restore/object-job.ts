import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import { isColdRefusal } from "../storage/direct-read.js";
import { isColdClass } from "../storage/thaw.js";
import type { RestoreContext } from "./restore-context.js";
import { localStateOf } from "./local-file.js";
import { packReads, plainRead, type Member, type ObjectRead } from "./read-plan.js";
import { RestoredFile } from "./restored-file.js";
import { cutSpan } from "./span-cutter.js";
import { canFetchInWorker, fetchInWorker } from "./worker-fetch.js";

/** Reads of one span tried this many times when the connection drops mid-body. */
const READ_ATTEMPTS = 3;

/** A selected file that needs its bytes: where they go, and whether a local file is replaced. */
interface Wanted {
  entry: CatalogEntry;
  file: string;
  overwrite: boolean;
}

/**
 * Restores the selected files held by one object (a plain file, or some
 * members of a pack): checks what is on disk, thaws the object if it is
 * cold, then reads it once (a pack: one ranged GET per dense span) and
 * cuts the bytes into files.
 * Returns "thawing" when the object is not readable yet.
 */
export async function restoreObject(
  context: RestoreContext,
  entries: readonly CatalogEntry[],
): Promise<"done" | "thawing"> {
  const wanted: Wanted[] = [];
  for (const entry of entries) {
    const want = await checkLocal(context, entry);
    if (want) wanted.push(want);
  }
  if (wanted.length === 0) return "done";
  const empty = wanted.filter((want) => want.entry.size === 0);
  const full = wanted.filter((want) => want.entry.size > 0);
  if (context.options.dryRun) {
    wanted.forEach((want) => context.restored(want.entry, want.file, undefined));
    if (isCold(context, wanted)) context.thaws.wouldThaw(wanted.map((want) => want.entry));
    return "done";
  }
  for (const want of empty) await writeEmpty(context, want);
  if (full.length === 0) return "done";
  return readInto(context, full);
}

/** What a file needs: undefined when it is done, in conflict, or failed. */
async function checkLocal(
  context: RestoreContext,
  entry: CatalogEntry,
): Promise<Wanted | undefined> {
  try {
    const file = context.destinations.fileFor(entry);
    await context.destinations.prepare(entry, file);
    // Not in the folder's listing: absent, without an lstat per file.
    if (!context.destinations.mayExist(file)) return { entry, file, overwrite: false };
    const local = await localStateOf(file, entry);
    if (local.kind === "absent") return { entry, file, overwrite: false };
    if (local.kind === "identical") {
      context.unchanged(entry, file, local.mtimeMs);
      return undefined;
    }
    if (context.options.force) return { entry, file, overwrite: true };
    context.conflict(entry, `${file}: ${local.reason}; --force overwrites it`);
  } catch (error) {
    context.failed(entry, errorMessage(error));
  }
  return undefined;
}

async function writeEmpty(context: RestoreContext, want: Wanted): Promise<void> {
  const sink = new RestoredFile(want.file, want.entry, {
    overwrite: want.overwrite,
    writers: context.writers,
  });
  try {
    await sink.finish();
    context.restored(want.entry, want.file, sink.mtimeMs);
  } catch (error) {
    await sink.abandon();
    context.failed(want.entry, errorMessage(error));
  }
}

async function readInto(context: RestoreContext, wanted: Wanted[]): Promise<"done" | "thawing"> {
  const first = wanted[0]!.entry;
  const entries = wanted.map((want) => want.entry);
  if (isCold(context, wanted) && (await context.thaws.ensureThawed(entries)) === "thawing") {
    return "thawing";
  }
  const byEntry = new Map(wanted.map((want) => [want.entry, want]));
  const reads = first.offset === null ? [plainRead(first)] : packReads(wanted.map((w) => w.entry));
  for (const read of reads) {
    try {
      await readOne(context, read, byEntry);
    } catch (error) {
      if (!isColdRefusal(error)) throw error;
      // Cold although the catalog did not say so (a lifecycle rule moved it): thaw it now.
      if ((await context.thaws.ensureThawed(entries, true)) === "thawing") {
        return "thawing";
      }
      await readOne(context, read, byEntry);
    }
  }
  return "done";
}

/** A small plain file goes whole to a worker; anything else streams through here. */
async function readOne(
  context: RestoreContext,
  read: ObjectRead,
  byEntry: ReadonlyMap<CatalogEntry, Wanted>,
): Promise<void> {
  const first = read.members[0]!.entry;
  const reader = context.access.reader(read.target, read.bucket);
  if (!read.range && canFetchInWorker(first, reader)) {
    return fetchInWorker(context, reader, byEntry.get(first)!);
  }
  await readWithRetries(context, read, byEntry);
}

/** Cold by the catalog's storage class, or already thawing by an earlier restore. */
function isCold(context: RestoreContext, wanted: readonly Wanted[]): boolean {
  const { storageClass } = wanted[0]!.entry;
  return (
    isColdClass(storageClass, context.config.restore.coldStorageClasses) ||
    wanted.some((want) => want.entry.state === "restoring")
  );
}

async function readWithRetries(
  context: RestoreContext,
  read: ObjectRead,
  byEntry: ReadonlyMap<CatalogEntry, Wanted>,
): Promise<void> {
  let members = read.members;
  for (let attempt = 1; members.length > 0; attempt++) {
    const range = read.range && { start: members[0]!.offset, end: read.range.end };
    const { unreached, error } = await readOnce(context, { ...read, range, members }, byEntry);
    if (unreached.length === 0) return;
    if (attempt >= READ_ATTEMPTS || context.options.signal?.aborted) {
      const reason = error ? errorMessage(error) : `object ${read.key} ended early`;
      unreached.forEach((member) => context.failed(member.entry, reason));
      return;
    }
    members = unreached;
  }
}

async function readOnce(
  context: RestoreContext,
  read: ObjectRead,
  byEntry: ReadonlyMap<CatalogEntry, Wanted>,
): Promise<{ unreached: Member[]; error?: unknown }> {
  const reader = context.access.reader(read.target, read.bucket);
  let body;
  try {
    body = await reader.open(read.key, read.range, context.options.signal);
  } catch (error) {
    if (isColdRefusal(error)) throw error;
    read.members.forEach((member) => context.failed(member.entry, errorMessage(error)));
    return { unreached: [] };
  }
  context.counts.reads++;
  const entry = read.members[0]!.entry;
  if (!read.range && body.length !== entry.size) {
    body.destroy();
    const where = `${entry.root}/${entry.path} (object ${read.key})`;
    const reason = `${where}: the object has ${body.length} bytes, the catalog says ${entry.size}; nothing written`;
    context.failed(entry, reason);
    return { unreached: [] };
  }
  const sinks = new Map<Member, RestoredFile>();
  try {
    return await cutSpan(body.body, read.range?.start ?? 0, read.members, {
      open: async (member) => {
        const want = byEntry.get(member.entry)!;
        const sink = new RestoredFile(want.file, want.entry, {
          overwrite: want.overwrite,
          writers: context.writers,
        });
        sinks.set(member, sink);
        return sink;
      },
      failed: (member, error) => context.failed(member.entry, errorMessage(error)),
      done: (member) =>
        context.restored(member.entry, byEntry.get(member.entry)!.file, sinks.get(member)!.mtimeMs),
    });
  } finally {
    body.destroy();
  }
}
