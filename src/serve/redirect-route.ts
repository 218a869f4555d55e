import type { IncomingMessage, ServerResponse } from "node:http";
import { answerMethodNotAllowed } from "./http-answers.js";
import { answerUnservable, redirectOrStream } from "./fetch-route.js";
import type { ServeService } from "./serve-service.js";

/**
 * GET/HEAD /redirect/<url path>: 302 to a URL presigned for the request's
 * method, for clients allowed to fetch from the bucket directly. A pack
 * member is streamed instead: a presigned URL cannot restrict a range.
 */
export async function redirectRoute(
  service: ServeService,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return answerMethodNotAllowed(res);
  const resolution =
    service.resolver.resolveNow(rawPath) ?? (await service.resolver.resolve(rawPath));
  if (resolution.kind !== "servable") return answerUnservable(service, res, resolution);
  return redirectOrStream(service, req, res, resolution.entry);
}
