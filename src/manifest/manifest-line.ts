import type { CatalogEntry } from "../catalog/catalog.js";

/**
 * One line of a manifest: everything needed to get a file back with only
 * rclone (or any S3 client), tar and sha256sum. The contract is
 * manifests/schema.json; field names are snake_case there and here.
 */
export interface ManifestLine {
  root: string;
  path: string;
  size: number;
  /** Original modification time, ISO 8601 UTC with milliseconds. */
  mtime: string;
  /** Permission bits as octal text, e.g. "0644". */
  mode: string;
  sha256: string;
  target: string;
  bucket: string;
  /** The object holding the bytes; for a pack member, the pack. */
  key: string;
  /** Pack members only: where the member's bytes start in the pack, and how many. */
  offset?: number;
  length?: number;
  etag: string;
  storage_class: string;
  policy: string;
  run: string;
  /** When the line was written. */
  time: string;
}

export function manifestLineOf(entry: CatalogEntry, now = Date.now()): ManifestLine {
  const line: ManifestLine = {
    root: entry.root,
    path: entry.path,
    size: entry.size,
    mtime: new Date(entry.mtimeMs).toISOString(),
    mode: entry.mode.toString(8).padStart(4, "0"),
    sha256: entry.sha256 ?? "",
    target: entry.target,
    bucket: entry.bucket,
    key: entry.key,
    etag: entry.etag ?? "",
    storage_class: entry.storageClass,
    policy: entry.policy,
    run: entry.runId,
    time: new Date(now).toISOString(),
  };
  if (entry.offset !== null) line.offset = entry.offset;
  if (entry.length !== null) line.length = entry.length;
  return line;
}
