import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { CatalogEntry, FileState } from "../catalog/catalog.js";
import type { GivreConfig } from "../config/config.js";
import type { PolicyAction } from "../policy/policy.js";
import type { ObjectHead } from "../storage/direct-read.js";
import { decodeMetadata } from "../storage/object-metadata.js";
import type { ListedObject } from "../storage/bucket-listing.js";
import type { ManifestLine } from "./manifest-line.js";

/** A manifest's mtime has ms precision; a local file within 1 ms of it is the same file. */
const MTIME_MATCH_MS = 1;

/** A row from a manifest line; its state is decided by what is on disk (stateOnDisk). */
export function rowOfLine(line: ManifestLine, segmentKey: string): CatalogEntry {
  return {
    root: line.root,
    path: line.path,
    state: "archived",
    size: line.size,
    mtimeMs: Date.parse(line.mtime),
    mode: parseInt(line.mode, 8),
    sha256: line.sha256,
    target: line.target,
    bucket: line.bucket,
    key: line.key,
    offset: line.offset ?? null,
    length: line.length ?? null,
    etag: line.etag,
    storageClass: line.storage_class,
    policy: line.policy,
    runId: line.run,
    manifestKey: segmentKey,
    // The line's time orders versions of a file: the latest line wins.
    updatedAt: Date.parse(line.time),
  };
}

/**
 * A row from an object that no manifest line names (a run killed between
 * proof and manifest), read from givre's metadata; undefined when the
 * object does not describe itself fully (not givre's, or a multipart
 * object without its SHA-256 tag).
 */
export function rowOfObject(
  target: string,
  bucket: string,
  listed: ListedObject,
  head: ObjectHead,
  taggedSha256: string | undefined,
): CatalogEntry | undefined {
  const metadata = decodeMetadata({ "givre-sha256": taggedSha256 ?? "", ...head.metadata });
  if (!metadata?.sha256 || !metadata.root || !metadata.path) return undefined;
  return {
    root: metadata.root,
    path: metadata.path,
    state: "archived",
    size: listed.size,
    mtimeMs: metadata.mtimeMs,
    mode: metadata.mode,
    sha256: metadata.sha256,
    target,
    bucket,
    key: listed.key,
    offset: null,
    length: null,
    etag: listed.etag ?? null,
    storageClass: listed.storageClass,
    policy: metadata.policy,
    runId: "",
    manifestKey: null,
    updatedAt: listed.lastModified,
  };
}

/**
 * The state of a rebuilt row. The bucket cannot say whether a local copy
 * exists, so the disk is asked: the same file still there (size, and mtime
 * within the manifest's 1 ms) means the bytes are both in the bucket and
 * on disk: `copied` for a policy that keeps local copies, `restored` for
 * one that archives (the file came back), and `copied` when the policy is
 * not known. Anything else is `archived`. The row then takes the local
 * file's exact mtime, which the nightly run compares.
 */
export async function withStateOnDisk(
  config: GivreConfig,
  row: CatalogEntry,
  actionOf: (policy: string) => PolicyAction | undefined,
): Promise<CatalogEntry> {
  const rootDir = config.roots[row.root];
  if (!rootDir) return row;
  const stats = await lstat(join(rootDir, row.path)).catch(() => undefined);
  const same =
    stats?.isFile() &&
    stats.size === row.size &&
    Math.abs(stats.mtimeMs - row.mtimeMs) < MTIME_MATCH_MS;
  if (!stats || !same) return { ...row, state: "archived" };
  const state: FileState = actionOf(row.policy) === "archive" ? "restored" : "copied";
  return { ...row, state, mtimeMs: stats.mtimeMs };
}
