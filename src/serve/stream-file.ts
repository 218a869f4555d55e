import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import { contentTypeOf } from "../storage/content-type.js";
import { fileLength, isPackMember } from "./availability.js";
import { contentRange, parseRange, rangeHeader, type RangeRequest } from "./byte-range.js";
import { COLD_RETRY_AFTER_S } from "./cold-gate.js";
import { answerEmpty, answerText } from "./http-answers.js";
import { errorCodeOf } from "./object-reader.js";
import type { ServeService } from "./serve-service.js";
import { isNotModified, rangeStillValid, validatorsOf } from "./validators.js";

/**
 * Answers GET or HEAD with the file's bytes, read from the bucket through
 * givre: 200, 206 for one range, 304 for a matching validator, 416 for a
 * range past the end. Everything but the bytes comes from the catalog, so
 * HEAD, 304 and 416 never touch the bucket. A pack member is a ranged GET
 * of its pack; a client's range is moved into the pack's coordinates.
 */
export async function streamFile(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CatalogEntry,
): Promise<void> {
  const validators = validatorsOf(entry);
  const length = fileLength(entry);
  const headers: Record<string, string | number> = {
    "content-type": contentTypeOf(entry.path),
    "last-modified": validators.lastModified,
    etag: validators.etag,
    "accept-ranges": "bytes",
  };
  if (isNotModified(req.headers, validators)) return answerEmpty(res, 304, headers);
  const range = rangeStillValid(req.headers, validators)
    ? parseRange(req.headers.range, length)
    : ({ kind: "whole" } as const);
  if (range.kind === "unsatisfiable") {
    return answerText(res, 416, "range not satisfiable", {
      "content-range": `bytes */${length}`,
    });
  }
  const status = range.kind === "part" ? 206 : 200;
  const bytes = range.kind === "part" ? range.end - range.start + 1 : length;
  headers["content-length"] = bytes;
  if (range.kind === "part") {
    headers["content-range"] = contentRange(range.start, range.end, length);
  }
  if (req.method === "HEAD" || bytes === 0) return answerEmpty(res, status, headers);
  await sendBytes(service, res, entry, range, { status, bytes, headers });
}

interface PlannedAnswer {
  status: number;
  bytes: number;
  headers: Record<string, string | number>;
}

async function sendBytes(
  service: ServeService,
  res: ServerResponse,
  entry: CatalogEntry,
  range: Exclude<RangeRequest, { kind: "unsatisfiable" }>,
  answer: PlannedAnswer,
): Promise<void> {
  const objectRange = objectRangeOf(entry, range);
  const url = service.urls.url(entry.target, "GET", entry.key);
  const upstream = await service.reader.open("GET", url, objectRange);
  const expected = objectRange ? 206 : 200;
  const upstreamLength = Number(upstream.headers["content-length"]);
  if (upstream.statusCode !== expected || upstreamLength !== answer.bytes) {
    return refuseUpstream(service, res, entry, upstream, expected);
  }
  res.writeHead(answer.status, answer.headers);
  try {
    await pipeline(upstream, res);
  } catch (error) {
    // The client went away, or the bucket broke off mid-body: either way
    // the socket is closed so the client cannot take a short body for whole.
    service.log.debug({ key: entry.key, error: errorMessage(error) }, "stream cut");
    res.destroy();
  }
}

/** The Range to ask the bucket for; undefined for a whole plain object. */
function objectRangeOf(
  entry: CatalogEntry,
  range: Exclude<RangeRequest, { kind: "unsatisfiable" }>,
): string | undefined {
  const offset = entry.offset ?? 0;
  if (range.kind === "part") return rangeHeader(offset, range.start, range.end);
  return isPackMember(entry) ? rangeHeader(offset, 0, fileLength(entry) - 1) : undefined;
}

/**
 * The bucket did not answer as the catalog says it must (object gone,
 * size differs, range ignored, cold on a real Glacier): never pass such
 * bytes on. A member's pack answering 200 would be the whole pack.
 */
async function refuseUpstream(
  service: ServeService,
  res: ServerResponse,
  entry: CatalogEntry,
  upstream: IncomingMessage,
  expected: number,
): Promise<void> {
  const code = upstream.statusCode! >= 400 ? await errorCodeOf(upstream) : undefined;
  if (code === undefined) upstream.resume();
  const context = { key: entry.key, status: upstream.statusCode, expected, code };
  if (code === "InvalidObjectState") {
    service.log.warn(context, "object is cold though its class is not");
    return answerText(res, 503, "in cold storage, not readable until restored", {
      "retry-after": String(COLD_RETRY_AFTER_S),
      "x-givre-state": "cold",
    });
  }
  service.log.error(context, "bucket answer differs from the catalog");
  answerText(res, 502, `bucket answered ${upstream.statusCode}${code ? ` ${code}` : ""}`);
}
