import type { IncomingHttpHeaders } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { fileLength } from "./availability.js";

/**
 * ETag and Last-Modified of an archived file, from the catalog alone.
 * The ETag has NGINX's own form for static files (hex seconds of the
 * mtime, hex size), so a browser that cached the file while NGINX served
 * it from disk keeps a valid validator after givre took it.
 */
export interface Validators {
  etag: string;
  lastModified: string;
  /** Last-Modified in whole seconds, ms since the epoch, for comparisons. */
  lastModifiedMs: number;
}

/**
 * Computed per request (about half a microsecond) rather than kept beside
 * each cached entry: a WeakMap over the lookup cache's entries gives the
 * garbage collector a hundred thousand more keys to trace.
 */
export function validatorsOf(entry: CatalogEntry): Validators {
  const seconds = Math.floor(entry.mtimeMs / 1000);
  return {
    etag: `"${seconds.toString(16)}-${fileLength(entry).toString(16)}"`,
    lastModified: new Date(seconds * 1000).toUTCString(),
    lastModifiedMs: seconds * 1000,
  };
}

/**
 * True when a GET or HEAD should be answered 304 (RFC 9110, 13.2.2):
 * If-None-Match decides when present (weak comparison); otherwise
 * If-Modified-Since.
 */
export function isNotModified(headers: IncomingHttpHeaders, validators: Validators): boolean {
  const noneMatch = headers["if-none-match"];
  if (noneMatch !== undefined) return etagListMatches(noneMatch, validators.etag, true);
  const since = headers["if-modified-since"];
  if (since === undefined) return false;
  const date = Date.parse(since);
  return !Number.isNaN(date) && validators.lastModifiedMs <= date;
}

/** If-Range: a range is honoured only when the client's copy is this one. */
export function rangeStillValid(headers: IncomingHttpHeaders, validators: Validators): boolean {
  const ifRange = headers["if-range"];
  if (ifRange === undefined) return true;
  if (typeof ifRange !== "string") return false;
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) {
    return etagListMatches(ifRange, validators.etag, false);
  }
  return Date.parse(ifRange) === validators.lastModifiedMs;
}

function etagListMatches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === "*") return true;
  return list.split(",").some((item) => {
    const tag = item.trim();
    if (weak) return tag.replace(/^W\//, "") === etag;
    return tag === etag;
  });
}
