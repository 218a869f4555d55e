import type { CatalogEntry, FileState } from "../catalog/catalog.js";

/**
 * States whose bytes givre serves from the bucket. `archived`: the local
 * copy is gone, the object is the file. `restoring` and `restored`: the
 * object stays in the bucket while (or after) the file comes back to disk,
 * so it is still the same proven bytes; once on disk NGINX serves it
 * before asking givre anyway.
 *
 * Not served: `uploading` (nothing proven yet), `stored` and `copied`.
 * For those the local file is the authoritative copy: a `stored` row may
 * belong to a file that changed during its upload and stays local with
 * newer bytes than the object. A miss on such a path means the disk lost
 * a file givre did not take; answering with an older object would hide
 * that.
 */
export const SERVED_STATES: ReadonlySet<FileState> = new Set(["archived", "restoring", "restored"]);

export type Availability = "servable" | "cold" | "absent";

/**
 * What an entry means for serving, before any thaw state is known.
 * `coldClasses` are the storage classes that cannot be read until thawed
 * (config `restore.cold_storage_classes`).
 */
export function availabilityOf(
  entry: CatalogEntry | null,
  coldClasses: ReadonlySet<string>,
): Availability {
  if (!entry || !SERVED_STATES.has(entry.state)) return "absent";
  return coldClasses.has(entry.storageClass) ? "cold" : "servable";
}

export function isPackMember(entry: CatalogEntry): boolean {
  return entry.offset !== null && entry.length !== null;
}

/** Bytes of the file itself (a member's length, else the entry's size). */
export function fileLength(entry: CatalogEntry): number {
  return entry.length ?? entry.size;
}
