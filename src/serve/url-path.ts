/**
 * Turns a URL path as a browser asked NGINX for it (`/data/radar/a.png`,
 * still percent-encoded) into a catalog key (root `data`, path
 * `radar/a.png`), or refuses it. Strict on purpose: every form that could
 * mean two different files, or reach outside a prefix, is refused rather
 * than repaired. The catalog is the only thing a path is ever looked up
 * in; the disk tree is never touched.
 */

/** Why a path was refused; stable codes, sent as `X-Givre-Refused`. */
export type PathRefusal =
  | "PATH_NOT_ABSOLUTE"
  | "PATH_TOO_LONG"
  | "PATH_BAD_ENCODING"
  | "PATH_DOUBLE_ENCODED"
  | "PATH_ENCODED_SLASH"
  | "PATH_CONTROL_CHAR"
  | "PATH_BACKSLASH"
  | "PATH_EMPTY_SEGMENT"
  | "PATH_DOT_SEGMENT";

export type UrlPathResult =
  | { kind: "file"; root: string; path: string }
  /** Well formed, but under no configured prefix, or a folder: not ours. */
  | { kind: "outside" }
  | { kind: "refused"; reason: PathRefusal };

/** Longer paths are refused; the web fronts never serve such names. */
export const MAX_URL_PATH_BYTES = 4096;

const OUTSIDE: UrlPathResult = { kind: "outside" };
const ENCODED_SLASH_OR_BACKSLASH = /%(2f|5c)/i;
/** Printable ASCII without `%` or `\\`: decodes to itself. */
const PLAIN_PATH = /^[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/;
const NON_ASCII = /[^\t\n\r\u0020-\u007f]/;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
// C0 controls (NUL included) and DEL; never part of a served name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

/** Prefixes sorted longest first, so `/data/radar/` wins over `/data/`. */
export class PrefixTable {
  readonly #prefixes: readonly (readonly [string, string])[];

  constructor(prefixes: Readonly<Record<string, string>>) {
    this.#prefixes = Object.entries(prefixes).sort(([a], [b]) => b.length - a.length);
  }

  match(decoded: string): { root: string; path: string } | undefined {
    for (const [prefix, root] of this.#prefixes) {
      if (decoded.startsWith(prefix)) return { root, path: decoded.slice(prefix.length) };
    }
    return undefined;
  }
}

/** `raw` is the path part of a request target, query already removed. */
export function resolveUrlPath(raw: string, prefixes: PrefixTable): UrlPathResult {
  const decoded = decodeUrlPath(raw);
  if (typeof decoded !== "string") return decoded;
  const match = prefixes.match(decoded);
  if (!match || match.path === "" || match.path.endsWith("/")) return OUTSIDE;
  return { kind: "file", root: match.root, path: match.path };
}

/** The decoded path, or the refusal. Exported for the tests of each form. */
export function decodeUrlPath(raw: string): string | { kind: "refused"; reason: PathRefusal } {
  const refuse = (reason: PathRefusal) => ({ kind: "refused" as const, reason });
  if (!raw.startsWith("/")) return refuse("PATH_NOT_ABSOLUTE");
  if (raw.length > MAX_URL_PATH_BYTES) return refuse("PATH_TOO_LONG");
  // Most paths have nothing to decode: only their segments need checking.
  if (PLAIN_PATH.test(raw)) return refuseBadSegments(raw) ?? raw;
  if (ENCODED_SLASH_OR_BACKSLASH.test(raw)) return refuse("PATH_ENCODED_SLASH");
  let decoded: string;
  try {
    decoded = decodeURIComponent(escapeRawBytes(raw));
  } catch {
    return refuse("PATH_BAD_ENCODING");
  }
  // After one decoding a valid escape left means the client encoded twice
  // (`%252e%252e`): some layer behind us would decode again.
  if (PERCENT_ESCAPE.test(decoded)) return refuse("PATH_DOUBLE_ENCODED");
  if (CONTROL_CHAR.test(decoded)) return refuse("PATH_CONTROL_CHAR");
  if (decoded.includes("\\")) return refuse("PATH_BACKSLASH");
  return refuseBadSegments(decoded) ?? decoded;
}

function refuseBadSegments(decoded: string): { kind: "refused"; reason: PathRefusal } | undefined {
  const segments = decoded.slice(1).split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === "." || segment === "..") return { kind: "refused", reason: "PATH_DOT_SEGMENT" };
    // An empty segment is `//` (an absolute path smuggled in); a trailing
    // `/` is a folder, answered as outside.
    if (segment === "" && i < segments.length - 1) {
      return { kind: "refused", reason: "PATH_EMPTY_SEGMENT" };
    }
  }
  return undefined;
}

/**
 * Node reads a request target's bytes as latin1: a client that sent UTF-8
 * unencoded arrives as chars 0x80-0xff. Escaping them makes them decode
 * as the UTF-8 they were, and refuses them when they are not.
 */
function escapeRawBytes(raw: string): string {
  if (!NON_ASCII.test(raw)) return raw;
  return raw.replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path part of a request target, without `?query` or `#fragment`. */
export function pathOfTarget(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}
