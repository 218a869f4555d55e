import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthAnswers } from "./auth-answers.js";
import { deliveryHeaders, nginxDelivery } from "./nginx-delivery.js";
import type { Resolution } from "./file-resolver.js";
import { answerEmpty, coldHeaders } from "./http-answers.js";
import type { ServeService } from "./serve-service.js";
import { pathOfTarget } from "./url-path.js";
import { encodeKey } from "../storage/sigv4.js";

/**
 * GET /auth, for NGINX's auth_request: the original URI in X-Original-URI
 * (and method in X-Original-Method). auth_request passes only 2xx, 401 and
 * 403 and turns anything else into a 500, so:
 *   200  archived: X-Givre-Url (presigned, or givre's own /fetch for what
 *        only givre can answer right), X-Givre-Key, X-Givre-Range, and the
 *        X-Givre-Etag, X-Givre-Last-Modified and X-Givre-Content-Range
 *        that NGINX puts on the answer (see nginx-delivery);
 *   401  cold: X-Givre-State, X-Givre-Recall, Retry-After (the snippet answers 503);
 *   403  anything else: unknown, still local, outside the prefixes, refused.
 */
export function authRoute(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
): void | Promise<void> {
  const original = req.headers["x-original-uri"];
  const method = req.headers["x-original-method"] ?? "GET";
  if (typeof original !== "string") return deny(res, "ORIGINAL_URI_MISSING");
  if (method !== "GET" && method !== "HEAD") return deny(res, "METHOD_NOT_SERVED");
  const rawPath = pathOfTarget(original);
  if (AuthAnswers.cacheable(req.headers)) {
    const answer = service.authAnswers.get(method, rawPath, service.now());
    if (answer) return answerEmpty(res, 200, answer);
  }
  const now = service.resolver.resolveNow(rawPath);
  if (now) return answerAuth(service, req, res, rawPath, method, now);
  return service.resolver.resolve(rawPath).then((resolution) => {
    answerAuth(service, req, res, rawPath, method, resolution);
  });
}

function answerAuth(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  method: string,
  resolution: Resolution,
): void {
  switch (resolution.kind) {
    case "refused":
      service.metrics.refused(resolution.reason);
      return deny(res, resolution.reason);
    case "absent":
      return answerEmpty(res, 403, ["content-length", "0"]);
    case "cold":
      return answerEmpty(res, 401, { ...coldHeaders(resolution.verdict), "content-length": 0 });
  }
  const { entry } = resolution;
  const delivery = nginxDelivery(entry, method, req.headers, rawPath, service.urls);
  const headers = deliveryHeaders(delivery, encodeKey(entry.key));
  if (AuthAnswers.cacheable(req.headers)) {
    service.authAnswers.set(method, rawPath, headers, service.now(), delivery.reusableUntil);
  }
  answerEmpty(res, 200, headers);
}

function deny(res: ServerResponse, reason: string): void {
  answerEmpty(res, 403, ["x-givre-refused", reason, "content-length", "0"]);
}
