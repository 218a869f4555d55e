import type { TargetConfig } from "../config/config.js";
import { encodeKey } from "./sigv4.js";

/** Where a target's objects live over HTTP: origin, Host header, request path. */
export interface ObjectLocation {
  /** `http://127.0.0.1:7480` or `https://bucket.s3.eu-west-3.amazonaws.com`. */
  origin: string;
  /** The Host header the signature covers (host, plus port when not default). */
  host: string;
  /** `/bucket/key` (path style) or `/key` (virtual host style), encoded for the wire. */
  pathOf(key: string): string;
}

export function objectLocation(target: TargetConfig): ObjectLocation {
  const endpoint = new URL(target.endpoint ?? `https://s3.${target.region}.amazonaws.com`);
  if (target.pathStyle) {
    return {
      origin: endpoint.origin,
      host: endpoint.host,
      pathOf: (key) => `/${target.bucket}/${encodeKey(key)}`,
    };
  }
  const host = `${target.bucket}.${endpoint.host}`;
  return { origin: `${endpoint.protocol}//${host}`, host, pathOf: (key) => `/${encodeKey(key)}` };
}
