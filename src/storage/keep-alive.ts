import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** A socket pool and the request function that goes with the origin's scheme. */
export interface KeepAliveTransport {
  agent: HttpAgent | HttpsAgent;
  request: typeof httpRequest;
}

/**
 * Keep-alive sockets to one origin, as many as the target's concurrency:
 * every request in flight has its socket, and none is opened anew.
 */
export function keepAliveTransport(origin: string, concurrency: number): KeepAliveTransport {
  const sockets = { keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency };
  return origin.startsWith("https:")
    ? { agent: new HttpsAgent(sockets), request: httpsRequest }
    : { agent: new HttpAgent(sockets), request: httpRequest };
}
