/**
 * What givre writes into each object's user metadata (`x-amz-meta-givre-*`),
 * so that an object explains itself even without manifest or catalog.
 * S3 metadata must be ASCII: the path is percent-encoded.
 */
export interface ObjectMetadata {
  sha256: string;
  /** Original mtime, ms since the epoch. */
  mtimeMs: number;
  mode: number;
  root: string;
  path: string;
  policy: string;
}

export function encodeMetadata(metadata: ObjectMetadata): Record<string, string> {
  return {
    "givre-sha256": metadata.sha256,
    "givre-mtime": String(metadata.mtimeMs),
    "givre-mode": metadata.mode.toString(8),
    "givre-root": metadata.root,
    "givre-path": encodeURIComponent(metadata.path),
    "givre-policy": metadata.policy,
  };
}

/** Reads metadata back (keys arrive lower-cased); undefined when not givre's. */
export function decodeMetadata(
  raw: Record<string, string> | undefined,
): ObjectMetadata | undefined {
  const sha256 = raw?.["givre-sha256"];
  if (!raw || !sha256) return undefined;
  return {
    sha256,
    mtimeMs: Number(raw["givre-mtime"]),
    mode: parseInt(raw["givre-mode"] ?? "644", 8),
    root: raw["givre-root"] ?? "",
    path: decodeURIComponent(raw["givre-path"] ?? ""),
    policy: raw["givre-policy"] ?? "",
  };
}
