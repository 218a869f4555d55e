/**
 * Human-readable sizes and durations, as operators write them in YAML:
 * `500GiB`, `1MiB`, `80MiB/s`, `30d`, `12h`. Binary units are powers of
 * 1024, decimal units (kB, MB, ...) powers of 1000.
 */

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|[smhdw])$/;

export const SIZE_EXAMPLE = "a size such as 512, 64KiB, 1MiB or 500GiB";
export const DURATION_EXAMPLE = "a duration such as 500ms, 90s, 12h, 30d or 2w";

/** Bytes from `64KiB`-style text or a plain number; undefined when malformed. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = SIZE_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const unit = SIZE_UNITS[match[2] || "B"];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

/** Bytes per second from `80MiB/s`; undefined when malformed. */
export function parseRate(value: unknown): number | undefined {
  if (typeof value !== "string" || !value.endsWith("/s")) return parseSize(value);
  return parseSize(value.slice(0, -2));
}

/** Milliseconds from `30d`-style text; undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `33d 4h`, `5h 12m`, `40s`: the two largest units, for ages and spans. */
export function formatDuration(millis: number): string {
  const sign = millis < 0 ? "-" : "";
  let rest = Math.floor(Math.abs(millis) / 1000);
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(rest / seconds);
    rest -= count * seconds;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  const shown = parts.slice(0, 2).filter((part) => !part.startsWith("0"));
  return sign + (shown.join(" ") || "0s");
}

/** `2019-06-30 12:05 UTC`: dates in plans and explanations are UTC, as path dates are. */
export function formatUtc(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
