import { unsafePathReason } from "../restore/path-safety.js";
import type { ManifestLine } from "./manifest-line.js";

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const ETAG = /^[0-9a-f]{32}(-[0-9]+)?$/;
const MODE = /^[0-7]{4}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TEXT_FIELDS = ["root", "path", "target", "bucket", "key", "storage_class", "policy", "run"];

/**
 * One manifest line, checked against the contract (manifests/schema.json)
 * by hand: a manifest in a bucket may have been written by anyone, so a
 * line is used only when every field is what givre writes, and its path
 * could never leave its root. Returns the line, or why it was refused.
 */
export function parseManifestLine(text: string): ManifestLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const line = value as Record<string, unknown>;
  for (const field of TEXT_FIELDS) {
    if (typeof line[field] !== "string" || line[field] === "") return `${field} is not a text`;
  }
  return checkFields(line as unknown as ManifestLine);
}

function checkFields(line: ManifestLine): ManifestLine | string {
  if (!NAME.test(line.root)) return `root ${JSON.stringify(line.root)} is not a root name`;
  const unsafe = unsafePathReason(line.path);
  if (unsafe) return `path ${JSON.stringify(line.path)}: ${unsafe}`;
  if (!Number.isSafeInteger(line.size) || line.size < 0) return "size is not a byte count";
  if (!HEX_SHA256.test(String(line.sha256))) return "sha256 is not 64 hex digits";
  if (!ETAG.test(String(line.etag))) return "etag is not an S3 ETag";
  if (!MODE.test(String(line.mode))) return "mode is not 4 octal digits";
  if (Number.isNaN(Date.parse(String(line.mtime)))) return "mtime is not a date";
  if (Number.isNaN(Date.parse(String(line.time)))) return "time is not a date";
  const packed = line.offset !== undefined || line.length !== undefined;
  if (packed && !(isByteCount(line.offset) && line.length === line.size)) {
    return "offset and length do not describe a pack member";
  }
  return line;
}

function isByteCount(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
