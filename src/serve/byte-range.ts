/**
 * The Range header (RFC 9110, section 14), for one range of `bytes`.
 * Several ranges in one request are answered with the whole file, which
 * the RFC allows; a malformed header is ignored, as it must be.
 */
export type RangeRequest =
  { kind: "whole" } | { kind: "part"; start: number; end: number } | { kind: "unsatisfiable" };

const WHOLE: RangeRequest = { kind: "whole" };
const UNSATISFIABLE: RangeRequest = { kind: "unsatisfiable" };
const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** `end` is inclusive, as in the header; both lie inside 0..size-1. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return WHOLE;
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return WHOLE;
  if (match[1] === "") return suffixRange(Number(match[2]), size);
  const start = Number(match[1]);
  const last = match[2] === "" ? Infinity : Number(match[2]);
  if (last < start) return WHOLE;
  if (start >= size) return UNSATISFIABLE;
  return { kind: "part", start, end: Math.min(last, size - 1) };
}

function suffixRange(length: number, size: number): RangeRequest {
  if (length === 0 || size === 0) return UNSATISFIABLE;
  return { kind: "part", start: Math.max(0, size - length), end: size - 1 };
}

/** A range in the file's coordinates moved into its object's (a pack member at `offset`). */
export function rangeHeader(offset: number, start: number, end: number): string {
  return `bytes=${offset + start}-${offset + end}`;
}

export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}
