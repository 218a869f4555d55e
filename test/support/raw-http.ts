import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a socket: fetch() and
 * node:http normalise or refuse the very paths the tests need to send
 * (`..`, backslashes, raw NUL).
 */
export function rawRequest(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<RawResponse> {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => resolve(parseResponse(Buffer.concat(chunks).toString("latin1"))));
    socket.end(Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"));
  });
}

function parseResponse(text: string): RawResponse {
  const [head, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...headerLines] = (head ?? "").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine?.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
}
