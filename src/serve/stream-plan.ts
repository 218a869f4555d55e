import type { IncomingHttpHeaders } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { contentTypeOf } from "../storage/content-type.js";
import { fileLength } from "./availability.js";
import { contentRange, parseRange } from "./byte-range.js";
import { isNotModified, rangeStillValid, validatorsOf } from "./validators.js";

/**
 * What givre's own stream answers to a GET or HEAD, decided from the
 * catalog alone: 304 for a matching validator, 416 for a range past the
 * end, else 200 or 206 with the bytes' place in the file. /auth uses it
 * too, to tell NGINX which headers givre's stream will send.
 */
export type StreamPlan =
  | { status: 304; headers: Record<string, string | number> }
  | { status: 416; headers: Record<string, string | number> }
  | {
      status: 200 | 206;
      headers: Record<string, string | number>;
      /** First and last byte (inclusive) in the file's coordinates. */
      start: number;
      end: number;
    };

export function planStream(entry: CatalogEntry, headers: IncomingHttpHeaders): StreamPlan {
  const validators = validatorsOf(entry);
  const length = fileLength(entry);
  const answer: Record<string, string | number> = {
    "content-type": contentTypeOf(entry.path),
    "last-modified": validators.lastModified,
    etag: validators.etag,
    "accept-ranges": "bytes",
  };
  if (isNotModified(headers, validators)) return { status: 304, headers: answer };
  const range = rangeStillValid(headers, validators)
    ? parseRange(headers.range, length)
    : ({ kind: "whole" } as const);
  if (range.kind === "unsatisfiable") {
    return { status: 416, headers: { "content-range": `bytes */${length}` } };
  }
  if (range.kind === "whole") {
    answer["content-length"] = length;
    return { status: 200, headers: answer, start: 0, end: length - 1 };
  }
  answer["content-length"] = range.end - range.start + 1;
  answer["content-range"] = contentRange(range.start, range.end, length);
  return { status: 206, headers: answer, start: range.start, end: range.end };
}
