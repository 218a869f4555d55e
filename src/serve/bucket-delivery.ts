import type { IncomingHttpHeaders } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { fileLength, isPackMember } from "./availability.js";
import { contentRange, parseRange, rangeHeader } from "./byte-range.js";
import type { SignedUrls } from "./signed-urls.js";
import { validatorsOf } from "./validators.js";

/**
 * How NGINX fetches a file straight from the bucket (auth_request and
 * X-Accel-Redirect delivery): a URL presigned for the request's method,
 * and the Range header NGINX must send with it.
 *
 * A plain object is the file: the client's Range and conditional headers
 * go to the bucket unchanged and its answer is right as it stands.
 *
 * A pack member is a byte range of its pack, and a signed URL cannot
 * restrict a range by itself. NGINX can add a Range header, but the bucket
 * then answers 206 with the pack's Content-Range, and NGINX cannot turn
 * that into the 200 a client asked for. So a member goes straight to the
 * bucket only when the client itself asked for one satisfiable range of a
 * GET with no validators: the answer is a 206 either way, and the
 * snippet replaces Content-Range, ETag and Last-Modified with the
 * member's. Every other member request (whole file, HEAD, conditional,
 * If-Range, unsatisfiable) is answered by givre's own stream.
 */
export interface BucketDelivery {
  url: string;
  key: string;
  /** The Range header to send to the bucket; "" for none. */
  range: string;
  /** For a member: the headers that replace the bucket's. */
  member?: { contentRange: string; etag: string; lastModified: string };
}

const CONDITIONAL_HEADERS = [
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
];

/** The bucket delivery for a servable entry, or undefined when givre must stream it. */
export function bucketDelivery(
  entry: CatalogEntry,
  method: string,
  headers: IncomingHttpHeaders,
  urls: SignedUrls,
): BucketDelivery | undefined {
  if (!isPackMember(entry)) {
    const url = urls.url(entry.target, method, entry.key);
    return { url, key: entry.key, range: headers.range ?? "" };
  }
  if (method !== "GET" || CONDITIONAL_HEADERS.some((name) => headers[name] !== undefined)) {
    return undefined;
  }
  const length = fileLength(entry);
  const range = parseRange(headers.range, length);
  if (range.kind !== "part") return undefined;
  const validators = validatorsOf(entry);
  return {
    url: urls.url(entry.target, "GET", entry.key),
    key: entry.key,
    range: rangeHeader(entry.offset!, range.start, range.end),
    member: {
      contentRange: contentRange(range.start, range.end, length),
      etag: validators.etag,
      lastModified: validators.lastModified,
    },
  };
}
