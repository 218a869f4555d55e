import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** A read that has not sent its response headers within this long is abandoned. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/**
 * Reads objects over HTTP with presigned URLs, on keep-alive sockets. Only
 * `host` is signed, so a Range header may be added freely; the response is
 * handed back unread for the caller to check and stream.
 */
export class ObjectReader {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  constructor(sockets: number) {
    const options = { keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets };
    this.#http = new HttpAgent(options);
    this.#https = new HttpsAgent(options);
  }

  open(method: string, url: string, range: string | undefined): Promise<IncomingMessage> {
    const https = url.startsWith("https:");
    const send = https ? httpsRequest : httpRequest;
    const headers: Record<string, string> = range ? { range } : {};
    return new Promise((resolve, reject) => {
      const request = send(url, { method, headers, agent: https ? this.#https : this.#http });
      request.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => {
        request.destroy(
          new Error(`no answer from the object store in ${FIRST_BYTE_TIMEOUT_MS} ms`),
        );
      });
      request.once("response", (response) => {
        request.setTimeout(0);
        resolve(response);
      });
      request.once("error", reject);
      request.end();
    });
  }

  destroy(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Reads an error body (S3's XML) to find its code; small and bounded. */
export async function errorCodeOf(response: IncomingMessage): Promise<string | undefined> {
  let text = "";
  for await (const chunk of response) {
    if (text.length < 4096) text += String(chunk);
  }
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}
