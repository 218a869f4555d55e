import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { PathRefusal } from "./url-path.js";
import type { ColdVerdict } from "./cold-gate.js";
import { COLD_RETRY_AFTER_S } from "./cold-gate.js";

/** Answers with no body (HEAD-safe); `headers` may be a flat [name, value, ...] list. */
export function answerEmpty(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders | string[] = [],
): void {
  res.writeHead(status, headers);
  res.end();
}

/** A short plain-text body, one line: what the operator reading curl output needs. */
export function answerText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string | number> = {},
): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

export function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/** 400 for a path givre will not even look up; the reason is a stable code. */
export function answerRefused(res: ServerResponse, reason: PathRefusal): void {
  answerText(res, 400, `refused: ${reason}`, { "x-givre-refused": reason });
}

export function answerNotFound(res: ServerResponse): void {
  answerText(res, 404, "not archived");
}

/** The headers of a cold answer: state, recall outcome, when to come back. */
export function coldHeaders(
  verdict: Exclude<ColdVerdict, { readable: true }>,
): Record<string, string> {
  return {
    "retry-after": String(COLD_RETRY_AFTER_S),
    "x-givre-state": verdict.state,
    "x-givre-recall": verdict.recall,
  };
}

export function answerCold(
  res: ServerResponse,
  verdict: Exclude<ColdVerdict, { readable: true }>,
): void {
  answerText(res, 503, "in cold storage, not readable until restored", coldHeaders(verdict));
}

export function answerMethodNotAllowed(res: ServerResponse): void {
  answerText(res, 405, "only GET and HEAD", { allow: "GET, HEAD" });
}
