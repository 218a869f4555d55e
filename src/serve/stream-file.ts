import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { CatalogEntry } from "../catalog/catalog.js";
import { errorMessage } from "../errors.js";
import { fileLength, isPackMember } from "./availability.js";
import { rangeHeader } from "./byte-range.js";
import { COLD_RETRY_AFTER_S } from "./cold-gate.js";
import { answerEmpty, answerText } from "./http-answers.js";
import { errorCodeOf } from "./object-reader.js";
import type { ServeService } from "./serve-service.js";
import { planStream } from "./stream-plan.js";

/**
 * Answers GET or HEAD with the file's bytes, read from the bucket through
 * givre (see stream-plan for the statuses). HEAD, 304 and 416 never touch
 * the bucket. A pack member is a ranged GET of its pack; a client's range
 * is moved into the pack's coordinates.
 */
export async function streamFile(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CatalogEntry,
): Promise<void> {
  const plan = planStream(entry, req.headers);
  if (plan.status === 416) return answerText(res, 416, "range not satisfiable", plan.headers);
  if (plan.status === 304) return answerEmpty(res, 304, plan.headers);
  if (req.method === "HEAD" || plan.end < plan.start) {
    return answerEmpty(res, plan.status, plan.headers);
  }
  const objectRange =
    plan.status === 206 || isPackMember(entry)
      ? rangeHeader(entry.offset ?? 0, plan.start, plan.end)
      : undefined;
  const url = service.urls.url(entry.target, "GET", entry.key);
  const upstream = await service.reader.open("GET", url, objectRange);
  const expected = objectRange ? 206 : 200;
  const bytes = plan.end - plan.start + 1;
  if (upstream.statusCode !== expected || Number(upstream.headers["content-length"]) !== bytes) {
    return refuseUpstream(service, res, entry, upstream, expected);
  }
  res.writeHead(plan.status, plan.headers);
  try {
    await pipeline(upstream, res);
    service.metrics.streamed(bytes);
  } catch (error) {
    // The client went away, or the bucket broke off mid-body: either way
    // the socket is closed so the client cannot take a short body for whole.
    service.log.debug({ key: entry.key, error: errorMessage(error) }, "stream cut");
    res.destroy();
  }
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
  service.log.error(
    { ...context, length: fileLength(entry) },
    "bucket answer differs from the catalog",
  );
  answerText(res, 502, `bucket answered ${upstream.statusCode}${code ? ` ${code}` : ""}`);
}
