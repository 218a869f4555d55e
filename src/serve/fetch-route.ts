import type { IncomingMessage, ServerResponse } from "node:http";
import type { CatalogEntry } from "../catalog/catalog.js";
import { isPackMember } from "./availability.js";
import { deliveryHeaders, nginxDelivery } from "./nginx-delivery.js";
import { encodeKey } from "../storage/sigv4.js";
import type { Resolution } from "./file-resolver.js";
import {
  answerCold,
  answerEmpty,
  answerMethodNotAllowed,
  answerNotFound,
  answerRefused,
} from "./http-answers.js";
import type { ServeService } from "./serve-service.js";
import { streamFile } from "./stream-file.js";
import { isNotModified, validatorsOf } from "./validators.js";

/**
 * GET/HEAD /fetch/<url path>: NGINX's fallback (`try_files $uri @givre`).
 * Delivery follows serve.delivery: `stream` sends the bytes through givre,
 * `accel` hands NGINX an X-Accel-Redirect to serve.accel_location with a
 * presigned URL, `redirect` answers 302. Pack members that the bucket
 * cannot serve right by itself are always streamed (see nginx-delivery).
 */
export async function fetchRoute(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<void> {
  const entry = await servableEntry(service, req, res, rawPath);
  if (!entry) return;
  switch (service.config.serve.delivery) {
    case "accel":
      return accelOrStream(service, req, res, entry, rawPath);
    case "redirect":
      return redirectOrStream(service, req, res, entry);
    case "stream":
      return streamFile(service, req, res, entry);
  }
}

/**
 * The entry a GET or HEAD of `rawPath` is served from; undefined once the
 * request has been answered otherwise (405, refused, 404, cold).
 */
export async function servableEntry(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<CatalogEntry | undefined> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    answerMethodNotAllowed(res);
    return undefined;
  }
  const resolution =
    service.resolver.resolveNow(rawPath) ?? (await service.resolver.resolve(rawPath));
  if (resolution.kind === "servable") return resolution.entry;
  answerUnservable(service, res, resolution);
  return undefined;
}

function answerUnservable(
  service: ServeService,
  res: ServerResponse,
  resolution: Exclude<Resolution, { kind: "servable" }>,
): void {
  switch (resolution.kind) {
    case "refused":
      service.metrics.refused(resolution.reason);
      return answerRefused(res, resolution.reason);
    case "absent":
      return answerNotFound(res);
    case "cold":
      return answerCold(res, resolution.verdict);
  }
}

/**
 * 302 to a URL presigned for this method; 304 first when the client's
 * validators match. Members are streamed (a URL would give the whole pack).
 */
export async function redirectOrStream(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CatalogEntry,
): Promise<void> {
  if (isPackMember(entry)) return streamFile(service, req, res, entry);
  const validators = validatorsOf(entry);
  if (isNotModified(req.headers, validators)) {
    return answerEmpty(res, 304, {
      etag: validators.etag,
      "last-modified": validators.lastModified,
    });
  }
  const location = service.urls.url(entry.target, req.method!, entry.key);
  answerEmpty(res, 302, { location, "cache-control": "no-store", "content-length": 0 });
}

async function accelOrStream(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  entry: CatalogEntry,
  rawPath: string,
): Promise<void> {
  const delivery = nginxDelivery(entry, req.method!, req.headers, rawPath, service.urls);
  if (delivery.via === "givre") return streamFile(service, req, res, entry);
  const headers = ["x-accel-redirect", service.config.serve.accelLocation];
  answerEmpty(res, 200, [...headers, ...deliveryHeaders(delivery, encodeKey(entry.key))]);
}
