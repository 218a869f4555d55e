import type { IncomingMessage, ServerResponse } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { contentTypeOf } from "../storage/content-type.js";
import { SERVED_STATES, isPackMember } from "./availability.js";
import { answerJson, answerMethodNotAllowed } from "./http-answers.js";
import type { ServeService } from "./serve-service.js";
import { resolveUrlPath, type PrefixTable } from "./url-path.js";

/** The JSON that /v1/files answers for a file in the catalog. */
export interface FileReport {
  root: string;
  path: string;
  state: CatalogEntry["state"];
  /** givre serves it from the bucket (archived, restoring, restored). */
  served: boolean;
  /** Its storage class needs a restore before it can be read. */
  cold: boolean;
  size: number;
  /** Original mtime, ISO 8601 UTC, and in ms since the epoch. */
  mtime: string;
  mtimeMs: number;
  sha256: string | null;
  key: string;
  storageClass: string;
  /** A pack member's place in its pack (`key`); null for a plain object. */
  pack: { offset: number; length: number } | null;
  contentType: string;
  /** With `?url`: a URL presigned for GET, for a served, plain, not cold object; else null. */
  url?: string | null;
}

/**
 * GET /v1/files/<url path>[?url]: what the catalog says about one file,
 * in any state, for the PHP helper and admins. 404 when the catalog does
 * not hold it; 400 for a refused path.
 */
export async function filesRoute(
  service: ServeService,
  prefixes: PrefixTable,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return answerMethodNotAllowed(res);
  const target = resolveUrlPath(rawPath, prefixes);
  if (target.kind === "refused") {
    service.metrics.refused(target.reason);
    return answerJson(res, 400, { error: target.reason });
  }
  if (target.kind === "outside") return answerJson(res, 404, { error: "OUTSIDE_PREFIXES" });
  const entry = await service.lookup.find(target.root, target.path);
  if (!entry) return answerJson(res, 404, { error: "NOT_IN_CATALOG" });
  const report = reportOf(entry, service.cold.coldClasses);
  if (query.has("url")) report.url = signedUrlFor(service, entry, report);
  answerJson(res, 200, report);
}

function reportOf(entry: CatalogEntry, coldClasses: ReadonlySet<string>): FileReport {
  return {
    root: entry.root,
    path: entry.path,
    state: entry.state,
    served: SERVED_STATES.has(entry.state),
    cold: coldClasses.has(entry.storageClass),
    size: entry.size,
    mtime: new Date(entry.mtimeMs).toISOString(),
    mtimeMs: entry.mtimeMs,
    sha256: entry.sha256,
    key: entry.key,
    storageClass: entry.storageClass,
    pack: isPackMember(entry) ? { offset: entry.offset!, length: entry.length! } : null,
    contentType: contentTypeOf(entry.path),
  };
}

function signedUrlFor(
  service: ServeService,
  entry: CatalogEntry,
  report: FileReport,
): string | null {
  if (!report.served || report.cold || report.pack) return null;
  return service.urls.url(entry.target, "GET", entry.key);
}
