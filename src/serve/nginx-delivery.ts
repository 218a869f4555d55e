import type { IncomingHttpHeaders } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { contentTypeOf } from "../storage/content-type.js";
import { fileLength, isPackMember } from "./availability.js";
import { contentRange, parseRange, rangeHeader } from "./byte-range.js";
import type { SignedUrls } from "./signed-urls.js";
import { planStream } from "./stream-plan.js";
import { validatorsOf } from "./validators.js";

/**
 * Origin of givre as NGINX reaches it: the `upstream givre` block of
 * contrib/nginx/givre-upstream.conf.
 */
export const GIVRE_UPSTREAM_ORIGIN = "http://givre";

/**
 * What NGINX fetches for a client's request in auth_request and
 * X-Accel-Redirect delivery, and the headers it puts on the answer in
 * place of the upstream's (the snippets hide ETag, Last-Modified and
 * Content-Range and add these), so a file keeps the validators it had
 * when NGINX served it from disk, whichever way its bytes come.
 *
 * Straight from the bucket, with a URL presigned for the method:
 * - a plain object, whole, with no conditional header;
 * - one satisfiable range of a GET with no conditional header, moved into
 *   the pack's coordinates for a member: the answer is a 206 either way,
 *   only its Content-Range changes.
 * Everything else goes to givre's own stream, which decides 304 and 416
 * from the catalog: conditionals (the bucket knows other validators),
 * a whole member (the bucket would answer 206 with the pack's
 * Content-Range, and NGINX cannot turn that into a 200), HEAD with a
 * range, unsatisfiable ranges.
 */
export interface NginxDelivery {
  via: "bucket" | "givre";
  /** The presigned object URL, or givre's /fetch through the `givre` upstream. */
  url: string;
  /** The object holding the bytes (for a member, its pack). */
  key: string;
  /** The Range header NGINX sends with it; "" for none. */
  range: string;
  etag: string;
  lastModified: string;
  /** The client's Content-Range; "" when the answer has none. */
  contentRange: string;
  /** Until when (ms) `url` may be handed out again; Infinity for givre's own. */
  reusableUntil: number;
}

const CONDITIONAL_HEADERS = [
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
];

export function nginxDelivery(
  entry: CatalogEntry,
  method: string,
  headers: IncomingHttpHeaders,
  rawPath: string,
  urls: SignedUrls,
): NginxDelivery {
  const validators = validatorsOf(entry);
  const base = { key: entry.key, etag: validators.etag, lastModified: validators.lastModified };
  const conditional = CONDITIONAL_HEADERS.some((name) => headers[name] !== undefined);
  const length = fileLength(entry);
  const range = parseRange(headers.range, length);
  const member = isPackMember(entry);
  if (!conditional && range.kind === "whole" && !member) {
    const { url, reusableUntil } = urls.signed(entry.target, method, entry.key);
    return { ...base, via: "bucket", url, reusableUntil, range: "", contentRange: "" };
  }
  if (!conditional && range.kind === "part" && method === "GET") {
    const type = member ? contentTypeOf(entry.path) : undefined;
    return {
      ...base,
      via: "bucket",
      ...urls.signed(entry.target, "GET", entry.key, type),
      range: rangeHeader(entry.offset ?? 0, range.start, range.end),
      contentRange: contentRange(range.start, range.end, length),
    };
  }
  const plan = planStream(entry, headers);
  return {
    ...base,
    via: "givre",
    url: `${GIVRE_UPSTREAM_ORIGIN}/fetch${rawPath}`,
    reusableUntil: Infinity,
    range: headers.range ?? "",
    contentRange: String(plan.headers["content-range"] ?? ""),
  };
}

/** The delivery as response headers (flat list), for /auth and X-Accel-Redirect. */
export function deliveryHeaders(delivery: NginxDelivery, encodedKey: string): string[] {
  const headers = ["x-givre-url", delivery.url, "x-givre-key", encodedKey];
  headers.push("x-givre-etag", delivery.etag, "x-givre-last-modified", delivery.lastModified);
  if (delivery.range) headers.push("x-givre-range", delivery.range);
  if (delivery.contentRange) headers.push("x-givre-content-range", delivery.contentRange);
  headers.push("content-length", "0");
  return headers;
}
