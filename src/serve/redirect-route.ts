import type { IncomingMessage, ServerResponse } from "node:http";
import { redirectOrStream, servableEntry } from "./fetch-route.js";
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
  const entry = await servableEntry(service, req, res, rawPath);
  if (entry) return redirectOrStream(service, req, res, entry);
}
